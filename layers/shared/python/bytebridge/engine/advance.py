"""The consensus logic of the item flow (statemachines/item-flow.asl.json): one Visit state per task, whose task
token waits on the item while its task is annotated, then a Choice for the route.

- `visit` is the Visit state's Lambda (lambda:invoke.waitForTaskToken). It opens the item's next task: stores
  the token in the item's progress and sends `min_overlap` slot messages to the family queue. With nothing to
  ask (an end node, the item finished, withdrawn or its project deleted) it completes the token at once.
  Entered again for an open visit (its timer ran out, or an attempt failed), it takes the new token, decides
  if every slot is answered, re-sends the slots neither answered nor held (messages parked in the DLQ or lost),
  and settles the task with the answers it has once assignment_timeout_seconds have passed, or when a whole
  heartbeat brought no new answer while nobody held it and it has min_overlap answers (more were asked for
  than anyone takes).
- `on_answered` runs after each submitted judgment (the worker API invokes the consensus function): once every
  slot asked for is answered it consolidates with adaptive overlap, asks one more annotator while they
  disagree (up to max_overlap), else records the task's answer and route and completes the visit's token
  (the Choice goes back to Visit for the next task, or ends the execution).

Every write is conditional on the item's stored progress being what was read (the token is part of it), so
concurrent submissions and a re-entered visit settle a task once, and only the writer that settled it
completes the token; a completion lost to a crash is redone by the visit's re-entry. A lost race reads again.
"""

import json
import logging
from dataclasses import dataclass

from botocore.exceptions import ClientError

from bytebridge.aws import client
from bytebridge.billing import prices
from bytebridge.clock import now_ms
from bytebridge.consensus import Judgment, consolidate
from bytebridge.consensus.skills import update_skill
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.items import ItemModel, get_item
from bytebridge.dal.judgments import JudgmentModel, task_rows
from bytebridge.dal.projects import ProjectModel, get_project
from bytebridge.dal.workers import gold_records
from bytebridge.engine import progress
from bytebridge.engine.progress import ItemProgress
from bytebridge.engine.state import ItemState, SlotRef, Visit
from bytebridge.engine.visits import send_slots, taken
from bytebridge.enums import ItemStatus, JudgmentStatus, ProjectStatus
from bytebridge.flows.model import EndNode, Flow, TaskNode
from bytebridge.flows.routing import next_edge
from bytebridge.flows.store import load_flow
from bytebridge.observability import BusinessMetric, count
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)
_TRIES = 8  # reads again after a lost race (another submission or the visit's re-entry wrote first)
_GONE = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


@dataclass
class _Item:
    """One consistent read of what a decision needs."""

    state: ItemState
    project: ProjectModel
    item: ItemModel
    flow: Flow
    recorded: ItemProgress


def _load(project_id: str, item_id: str, round_: int) -> _Item | None:
    """The item while it is processing `round_` in a live project; None once there is nothing to ask."""
    item = get_item(project_id, item_id)
    if item is None or item.status != ItemStatus.PROCESSING or item.round != round_ or item.flow_version is None:
        return None
    project = get_project(item.user_id, project_id, attributes=["status", "price_snapshot"])
    if project is None or project.status == ProjectStatus.DELETED:
        return None  # deleted: nothing more is asked, written or counted
    state = ItemState(
        user_id=item.user_id, project_id=project_id, item_id=item_id, round=round_, flow_version=item.flow_version
    )
    return _Item(state, project, item, load_flow(project_id, item.flow_version), ItemProgress.of(item))


def _complete(token: str, state: ItemState, action: str) -> None:
    """SendTaskSuccess on a visit's token: the Choice routes on `action`. A token whose attempt ended (timed out,
    retried) is left: the visit's next attempt reads the recorded progress and does the same."""
    out = state.model_copy(update={"action": action, "heartbeat_seconds": get_settings().assignment_heartbeat_seconds})
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(out.wire()))
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _GONE:
            raise
        log.info("visit token gone", extra={"itemId": state.item_id, "error": exc.response["Error"]["Code"]})


def _skills(worker_ids: list[str]) -> dict[str, float]:
    workers = gold_records(worker_ids)
    # Only annotators with a gold record: without any, consensus has no skill to be confident on (consolidate()).
    return {w.worker_id: update_skill(w.gold_correct or 0, w.gold_total) for w in workers if w.gold_total}


def _open_next(at: _Item, token: str) -> bool:
    """Open the visit of the task the recorded progress routes to (the start task first), or finish the item at
    an end node. False: lost a race."""
    recorded, state = at.recorded, at.state
    target = at.flow.node(at.flow.start if recorded.next is None else recorded.next)
    if isinstance(target, EndNode):
        if not progress.finish(at.item, state.user_id, state.round, recorded, target.id):
            return False
        _complete(token, state, "end")
        return True
    assert isinstance(target, TaskNode)
    asked = target.overlap.min_overlap
    visit = Visit(node_id=target.id, step=recorded.step, asked=asked, token=token, opened_at=now_ms())
    if not progress.record_step(at.item, state.round, recorded, recorded.model_copy(update={"visit": visit})):
        return False
    send_slots(state.project_id, state.item_id, state.round, target, recorded.step, 0, asked)
    return True


def _decide(at: _Item, node: TaskNode, answered: list[JudgmentModel], *, final: bool) -> bool:
    """Consolidate the task's answers: ask more annotators, or settle it (route, or fail the item without an
    answer) and complete the visit's token. `final`: its time is up, settle with what there is."""
    recorded, state = at.recorded, at.state
    visit = recorded.visit
    assert visit is not None
    answers = [Judgment(worker_id=j.worker_id, answer=j.answer) for j in answered]
    skills = _skills([j.worker_id for j in answered])
    result = consolidate(node.task_type, answers, node.overlap, skills, options=len(node.options) or None)
    count(BusinessMetric.CONSENSUS_ROUNDS)
    if not final and not result.done and visit.asked < node.overlap.max_overlap:
        # Too little agreement: one more annotator (or the missing ones, had fewer answered than min_overlap).
        more = min(max(node.overlap.min_overlap - len(answers), 1), node.overlap.max_overlap - visit.asked)
        wider = recorded.model_copy(update={"visit": visit.model_copy(update={"asked": visit.asked + more})})
        if not progress.record_step(at.item, state.round, recorded, wider):
            return False
        send_slots(state.project_id, state.item_id, state.round, node, visit.step, visit.asked, more)
        return True
    if result.answer is None:
        if not progress.fail(at.item, state.user_id, state.round, f"nobody answered task {node.id}"):
            return False
        _complete(visit.token, state, "end")
        return True
    index, edge = next_edge(at.flow, node, result.answer, recorded.traversals)
    done = recorded.model_copy(
        update={
            "step": recorded.step + 1,
            "path": [*recorded.path, node.id],
            "answers": {**recorded.answers, node.id: result.answer},
            "traversals": {**recorded.traversals, str(index): recorded.traversals.get(str(index), 0) + 1},
            # The node's unit price frozen with the flow version at start (bytebridge.billing.prices).
            "cost_cents": recorded.cost_cents + prices.unit_price(at.project.price_snapshot, state.flow_version, node),
            "next": edge.target,
            "visit": None,
        }
    )
    if not progress.record_step(at.item, state.round, recorded, done):
        return False
    target = at.flow.node(edge.target)
    if isinstance(target, EndNode):  # finished here: no visit needed to find that out
        progress.finish(at.item, state.user_id, state.round, done, target.id)
        _complete(visit.token, state, "end")
    else:
        _complete(visit.token, state, "visit")
    return True


def _evaluate(at: _Item, *, reentered: bool) -> bool:
    """Look at the open visit's task: decide once every slot asked for is answered; on re-entry also re-issue
    missing slots, or settle when its time is up. False: lost a race."""
    visit = at.recorded.visit
    assert visit is not None
    node = at.flow.task(visit.node_id)
    rows = task_rows(at.state.project_id, at.state.item_id, at.state.round, visit.step, node.id)
    now = now_ms()
    answered_rows = [row for row in rows if row.status == JudgmentStatus.SUBMITTED]
    if len(answered_rows) >= visit.asked:
        return _decide(at, node, answered_rows, final=False)
    if not reentered:
        return True  # slots still out: the last answer decides
    answered, held = taken(rows, now)
    # No new answer for a whole heartbeat and nobody holding the task, with min_overlap answers: the slots asked
    # for beyond them find no taker (e.g. everyone in a small crowd judged it already): settle with what there is.
    idle = answered == visit.seen and held == 0 and answered >= node.overlap.min_overlap
    if idle or now - visit.opened_at >= get_settings().assignment_timeout_seconds * 1000:
        return _decide(at, node, answered_rows, final=True)
    if answered != visit.seen:
        seen = at.recorded.model_copy(update={"visit": visit.model_copy(update={"seen": answered})})
        if not progress.record_step(at.item, at.state.round, at.recorded, seen):
            return False
    missing = visit.asked - answered - held
    if missing > 0:  # a surplus copy of a slot is dropped by the claim that finds the task wanting no one
        send_slots(at.state.project_id, at.state.item_id, at.state.round, node, visit.step, visit.asked, missing)
    return True


def visit(state: ItemState, token: str) -> None:
    """The Visit state: open the item's next task with this token, or re-enter its open one."""
    for _ in range(_TRIES):
        at = _load(state.project_id, state.item_id, state.round)
        if at is None:
            _complete(token, state, "end")
            return
        open_visit = at.recorded.visit
        if open_visit is None:
            if _open_next(at, token):
                return
            continue
        if open_visit.token != token:
            renewed = at.recorded.model_copy(update={"visit": open_visit.model_copy(update={"token": token})})
            if not progress.record_step(at.item, state.round, at.recorded, renewed):
                continue
            at.recorded = renewed
        if _evaluate(at, reentered=True):
            return
    raise ConditionFailed(f"item {state.item_id} kept changing while its visit was entered")


def on_answered(slot: SlotRef) -> None:
    """After a judgment of this task was submitted."""
    for _ in range(_TRIES):
        at = _load(slot.project_id, slot.item_id, slot.round)
        if at is None:
            return
        open_visit = at.recorded.visit
        if open_visit is None or open_visit.step != slot.step or open_visit.node_id != slot.node_id:
            return  # settled already (a late or surplus answer)
        if _evaluate(at, reentered=False):
            return
    raise ConditionFailed(f"item {slot.item_id} kept changing while its answers were consolidated")


def fail_item(state: ItemState, error: str) -> ItemState:
    """The state machine's catch-all: the Visit step kept failing, so the item is marked failed (and counted)
    rather than left processing."""
    item = get_item(state.project_id, state.item_id)
    if item is not None and item.status == ItemStatus.PROCESSING and item.round == state.round:
        log.error("item failed", extra={"projectId": state.project_id, "itemId": state.item_id, "error": error})
        progress.fail(item, state.user_id, state.round, error)
    return state.model_copy(update={"action": "end"})
