"""The consensus step of the item flow, run after each round of annotator slots (and once at the start):
consolidate the task's judgments with adaptive overlap; ask more annotators while they disagree; once the
task is done, route the item along the first edge whose condition holds, to its next task or an end node,
where the result is written and delivered.

Idempotent: a retried invocation either finds the task not yet recorded (and decides the same again: the
judgments cannot change while no slot is out) or recorded (ItemModel.step moved on), and then returns what the
recorded progress says, without writing anything twice.
"""

import logging

from bytebridge.billing import prices
from bytebridge.consensus import Judgment, consolidate
from bytebridge.consensus.skills import update_skill
from bytebridge.dal.base import reread
from bytebridge.dal.items import ItemModel, get_item
from bytebridge.dal.judgments import task_judgments
from bytebridge.dal.projects import ProjectModel, get_project
from bytebridge.dal.workers import gold_records
from bytebridge.engine import progress
from bytebridge.engine.progress import ItemProgress
from bytebridge.engine.queues import FAMILIES, family_queue_url
from bytebridge.engine.state import ItemState, SlotRef, TaskRef
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.flows.model import EndNode, Flow, TaskNode
from bytebridge.flows.routing import next_edge
from bytebridge.flows.store import load_flow
from bytebridge.observability import BusinessMetric, count
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)


def _ask(state: ItemState, node: TaskNode, step: int, asked_before: int, count: int) -> ItemState:
    settings = get_settings()
    slots = [
        SlotRef(
            project_id=state.project_id,
            item_id=state.item_id,
            round=state.round,
            step=step,
            node_id=node.id,
            slot=asked_before + n,
        )
        for n in range(count)
    ]
    return state.model_copy(
        update={
            "action": "assign",
            "task": TaskRef(node_id=node.id, step=step, asked=asked_before + count),
            "queue_url": family_queue_url(FAMILIES[node.task_type]),
            "slots": slots,
            "heartbeat_seconds": settings.assignment_heartbeat_seconds,
            "timeout_seconds": settings.assignment_timeout_seconds,
        }
    )


def _ended(state: ItemState) -> ItemState:
    return state.model_copy(update={"action": "end", "slots": [], "queue_url": None})


def _go(state: ItemState, flow: Flow, item: ItemModel, done: ItemProgress) -> ItemState:
    """Act on recorded progress: ask for the next task, or finish at an end node."""
    assert done.next is not None  # every finished task records where it routed to
    target = flow.node(done.next)
    if isinstance(target, EndNode):
        progress.finish(item, state.user_id, state.round, done, target.id)
        return _ended(state)
    return _ask(state, target, done.step, 0, target.overlap.min_overlap)


def _skills(worker_ids: list[str]) -> dict[str, float]:
    workers = gold_records(worker_ids)
    return {w.worker_id: update_skill(w.gold_correct or 0, w.gold_total or 0) for w in workers}


def _live_project(state: ItemState) -> ProjectModel | None:
    """The project's status and frozen unit prices (one read); None if it is gone or deleted."""
    project = get_project(state.user_id, state.project_id, attributes=["status", "price_snapshot"])
    return None if project is None or project.status == ProjectStatus.DELETED else project


def advance(state: ItemState) -> ItemState:
    project = _live_project(state)
    if project is None:
        return _ended(state)  # deleted: nothing more is asked, written or counted
    item = get_item(state.project_id, state.item_id)
    if item is None:
        return _ended(state)
    if item.status != ItemStatus.PROCESSING or item.round != state.round:
        return _ended(state)  # finished already (a retried last step), or superseded by a later round
    flow = load_flow(state.project_id, state.flow_version)
    recorded = ItemProgress.of(item)

    if state.task is None:  # the execution's first step
        if recorded.next is not None:
            return _go(state, flow, item, recorded)
        start = flow.task(flow.start)
        return _ask(state, start, 0, 0, start.overlap.min_overlap)

    task = state.task
    if recorded.step > task.step:  # this task was recorded by an earlier try of this step
        return _go(state, flow, item, recorded)
    node = flow.task(task.node_id)
    judgments = task_judgments(state.project_id, state.item_id, state.round, task.step, node.id)
    answers = [Judgment(worker_id=j.worker_id, answer=j.answer) for j in judgments]
    result = consolidate(node.task_type, answers, node.overlap, _skills([j.worker_id for j in judgments]))
    count(BusinessMetric.CONSENSUS_ROUNDS)
    if not result.done and task.asked < node.overlap.max_overlap:
        # Too few answers (slots lapsed) or too little agreement: ask the missing ones, or one more.
        missing = max(node.overlap.min_overlap - len(answers), 1)
        more = min(missing, node.overlap.max_overlap - task.asked)
        return _ask(state, node, task.step, task.asked, more)
    if result.answer is None:
        progress.fail(item, state.user_id, state.round, f"nobody answered task {node.id}")
        return _ended(state)

    index, edge = next_edge(flow, node, result.answer, recorded.traversals)
    done = recorded.model_copy(
        update={
            "step": recorded.step + 1,
            "path": [*recorded.path, node.id],
            "answers": {**recorded.answers, node.id: result.answer},
            "traversals": {**recorded.traversals, str(index): recorded.traversals.get(str(index), 0) + 1},
            # The node's unit price frozen with the flow version at start (bytebridge.billing.prices).
            "cost_cents": recorded.cost_cents + prices.unit_price(project.price_snapshot, state.flow_version, node),
            "next": edge.target,
        }
    )
    if not progress.record_step(item, state.round, recorded, done):
        reread(item)
        if item.status != ItemStatus.PROCESSING or item.round != state.round:
            return _ended(state)
        return _go(state, flow, item, ItemProgress.of(item))
    return _go(state, flow, item, done)


def fail_item(state: ItemState, error: str) -> ItemState:
    """The state machine's catch-all: the consensus step kept failing, so the item is marked failed (and
    counted) rather than left processing."""
    item = get_item(state.project_id, state.item_id)
    if item is None:
        return _ended(state)
    if item.status == ItemStatus.PROCESSING and item.round == state.round:
        log.error("item failed", extra={"projectId": state.project_id, "itemId": state.item_id, "error": error})
        progress.fail(item, state.user_id, state.round, error)
    return _ended(state)
