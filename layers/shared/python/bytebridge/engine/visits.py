"""The worker API's side of a task visit (light: no consensus code loaded): how many more annotators a task
still wants, whether a claimed task is still being visited, the slot messages, and the call that has the
consensus function look at a task after a submission."""

import json
import logging
from collections.abc import Iterable

from botocore.exceptions import ClientError

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel, get_item
from bytebridge.dal.judgments import JudgmentModel, task_rows
from bytebridge.engine.queues import FAMILIES, family_queue_url
from bytebridge.engine.state import SlotRef, TaskMessage, Visit
from bytebridge.enums import ItemStatus, JudgmentStatus
from bytebridge.flows.model import TaskNode
from bytebridge.settings import resource_name

log = logging.getLogger(__name__)
CONSENSUS_FUNCTION = "consensus"  # infra.catalog: the engine's consensus step
_BATCH = 10  # SendMessageBatch takes at most ten messages


def open_visit(item: ItemModel, round_: int, step: int, node_id: str) -> Visit | None:
    """The item's visit of this task, if the item is still processing `round_` and waits on it."""
    if item.status != ItemStatus.PROCESSING or item.round != round_ or item.step != step:
        return None
    stored = (item.progress or {}).get("visit")
    visit = Visit.model_validate(stored) if stored else None
    return visit if visit is not None and visit.step == step and visit.node_id == node_id else None


def taken(rows: Iterable[JudgmentModel], now: int) -> tuple[int, int]:
    """(answered, held): submitted judgments and claims whose lease still runs. A lapsed or abandoned claim,
    a skip, or a claim given back counts for neither: its slot is wanted again."""
    answered = held = 0
    for row in rows:
        if row.status == JudgmentStatus.SUBMITTED:
            answered += 1
        elif row.status == JudgmentStatus.CLAIMED and row.lease_until > now:
            held += 1
    return answered, held


def demand(item: ItemModel, slot: SlotRef) -> int:
    """How many more annotators the slot's task wants now; 0 (or less): the message is stale or surplus (its
    task settled or moved on, or every slot asked for is answered or held)."""
    visit = open_visit(item, slot.round, slot.step, slot.node_id)
    if visit is None:
        return 0
    answered, held = taken(task_rows(slot.project_id, slot.item_id, slot.round, slot.step, slot.node_id), now_ms())
    return visit.asked - answered - held


def task_open(project_id: str, item_id: str, round_: int, step: int, node_id: str) -> bool:
    """Whether the item still waits for answers to this task."""
    item = get_item(project_id, item_id)
    return item is not None and open_visit(item, round_, step, node_id) is not None


def send_slots(project_id: str, item_id: str, round_: int, node: TaskNode, step: int, first: int, count: int) -> None:
    """`count` slot messages of one task to its family's queue, numbered from `first`."""
    url, sqs = family_queue_url(FAMILIES[node.task_type]), client("sqs")
    bodies = [
        json.dumps(
            TaskMessage(
                task=SlotRef(project_id=project_id, item_id=item_id, round=round_, step=step, node_id=node.id, slot=n)
            ).wire()
        )
        for n in range(first, first + count)
    ]
    for start in range(0, len(bodies), _BATCH):
        entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies[start : start + _BATCH])]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
        if failed:  # the caller's retry (or the visit's re-entry) sends the missing ones again
            raise RuntimeError(f"SendMessageBatch refused {len(failed)} slot messages: {failed[0].get('Code')}")


def request_consensus(row: JudgmentModel) -> None:
    """After a submitted judgment: the consensus function looks at its task (apart from the submit call)."""
    slot = SlotRef(
        project_id=row.project_id, item_id=row.item_id, round=row.round, step=row.step, node_id=row.node_id, slot=0
    )
    try:
        client("lambda").invoke(
            FunctionName=resource_name(CONSENSUS_FUNCTION),
            InvocationType="Event",
            Payload=json.dumps({"answered": slot.wire()}).encode(),
        )
    except ClientError as exc:  # the answer is stored: the visit's next entry decides on it (see advance)
        log.warning("consensus not requested", extra={"itemId": row.item_id, "error": exc.response["Error"]["Code"]})
