"""Claiming work: receive a task message from a family queue, make sure it can still be worked, and lease it
to the annotator. The judgment row is written with the condition that this annotator has none for the task,
so nobody judges a task twice; a task the annotator cannot take goes back for others. Gold tasks of the same
project and node are mixed in at the node's gold rate."""

import logging
import random
import time
from dataclasses import dataclass

from pydantic import ValidationError

from bytebridge.clock import now_ms
from bytebridge.dal.items import get_item
from bytebridge.dal.judgments import get_judgment, item_key, judgment_key
from bytebridge.dal.projects import ProjectModel, find_project
from bytebridge.dal.workers import WorkerModel
from bytebridge.engine.queues import FAMILY_NAMES, family_queue_url
from bytebridge.engine.state import SlotRef, TaskMessage
from bytebridge.engine.visits import demand
from bytebridge.enums import JudgmentStatus, ProjectStatus, WorkerStatus
from bytebridge.flows.model import TaskNode
from bytebridge.flows.store import load_flow
from bytebridge.models.worker_api import MAX_WAIT_SECONDS
from bytebridge.observability import BusinessMetric, count
from bytebridge.settings import get_settings
from bytebridge.workers import gold, tasks
from bytebridge.workers.errors import WorkerError, WorkerErrorCode
from bytebridge.workers.leases import held_rows, lease

log = logging.getLogger(__name__)
# An unreadable message is made visible again at once: after max_receive_count receives, redrive parks it in the DLQ.
MAX_EXAMINED = 20  # messages one claim looks at (others' tasks it cannot take) before answering "no work"


@dataclass(frozen=True)
class Claimed:
    """A leased task, with what the annotator needs to do it."""

    assignment_id: str
    family: str
    node: TaskNode
    resource_type: str
    data_token: str
    lease_until: int
    rework_comment: str | None
    source: tuple[str, str | None]  # the data's link and the bucket import it is read through (work.location_of)


def _families(requested: list[str] | None) -> list[str]:
    if not requested:
        return list(FAMILY_NAMES)
    unknown = [f for f in requested if f not in FAMILY_NAMES]
    if unknown:
        raise WorkerError(WorkerErrorCode.INVALID_REQUEST, f"unknown family {unknown[0]!r}: {', '.join(FAMILY_NAMES)}")
    return list(dict.fromkeys(requested))


class _Claimer:
    def __init__(self, worker: WorkerModel):
        self.worker = worker
        self.settings = get_settings()
        self._projects: dict[str, ProjectModel | None] = {}

    def _project(self, project_id: str) -> ProjectModel | None:
        if project_id not in self._projects:
            self._projects[project_id] = find_project(project_id)
        return self._projects[project_id]

    def _judged_already(self, slot: SlotRef) -> bool:
        """Whether the annotator has a row for the task the lease may not replace: judged, skipped or held (a
        claim of theirs whose lease ran out may be taken again, as dal.judgments.open_claim allows)."""
        key = judgment_key(slot.round, slot.step, slot.node_id, self.worker.worker_id)
        row = get_judgment(item_key(slot.project_id, slot.item_id), key)
        if row is None:
            return False
        return not (row.status == JudgmentStatus.CLAIMED.value and row.lease_until < now_ms())

    def take(self, family: str, queue_url: str, message: dict) -> Claimed | None:
        """Lease this message's task, or settle the message's fate and return None."""
        try:
            task_message = TaskMessage.model_validate_json(message["Body"])
        except ValidationError:
            log.warning("unreadable task message", extra={"queue": queue_url, "messageId": message.get("MessageId")})
            tasks.hide(queue_url, message["ReceiptHandle"], 0)
            return None
        slot = task_message.task
        project = self._project(slot.project_id)
        item = get_item(slot.project_id, slot.item_id)
        if project is None or project.status == ProjectStatus.DELETED or item is None or demand(item, slot) <= 0:
            # The project or item is gone, the task settled or moved on, or a copy re-issued by the visit found
            # every slot answered or held: nobody needs this message (a held slot's own message comes back when
            # its lease runs out).
            tasks.delete(queue_url, message["ReceiptHandle"])
            return None
        flow_version = item.flow_version
        assert flow_version is not None  # set with the processing status (begin_processing)
        node = load_flow(slot.project_id, flow_version).task(slot.node_id)
        if gold.wants_gold(self.worker, node):  # qualifying gold first, then the node's rate
            served = gold.serve(self.worker, project.project_id, node, flow_version)
            if served is not None:
                tasks.give_back(queue_url, message["Body"], message["ReceiptHandle"])
                return Claimed(family=family, node=node, rework_comment=None, **served)  # with the gold's source
        if self._judged_already(slot):
            # Most messages a busy annotator receives late in a project are of tasks they did: one small read
            # (1 RRU) tells, where the lease's transaction would fail its condition (two items: 4 WRU).
            tasks.give_back(queue_url, message["Body"], message["ReceiptHandle"])
            return None
        leased = lease(
            self.worker,
            project_id=slot.project_id,
            item_id=slot.item_id,
            node=node,
            flow_version=flow_version,
            round_=slot.round,
            step=slot.step,
            message=message,
            queue_url=queue_url,
        )
        if leased is None:  # this annotator judged (or skipped) the task already
            tasks.give_back(queue_url, message["Body"], message["ReceiptHandle"])
            return None
        assignment_id, data_token, lease_until = leased
        return Claimed(
            assignment_id=assignment_id,
            family=family,
            node=node,
            resource_type=item.resource_type,
            data_token=data_token,
            lease_until=lease_until,
            rework_comment=item.acceptance_comment if slot.round > 0 else None,
            source=(item.url, item.origin),
        )


def claim(worker: WorkerModel, families: list[str] | None, wait_seconds: int) -> Claimed | None:
    """The next task for this annotator from the given families, waiting up to `wait_seconds` for one."""
    if worker.status == WorkerStatus.BLOCKED:
        raise WorkerError(WorkerErrorCode.BLOCKED, "your gold-task accuracy is below the bar: no more work for now")
    limit = get_settings().max_held_tasks
    if len(held_rows(worker)) >= limit:
        raise WorkerError(
            WorkerErrorCode.HELD_LIMIT, f"you hold {limit} tasks, the most one may: submit or release one first"
        )
    names = _families(families)
    claimer = _Claimer(worker)
    deadline = time.monotonic() + wait_seconds
    examined = 0
    while examined < MAX_EXAMINED:
        received = False
        for family in random.sample(names, len(names)):  # no family starves behind another
            remaining = deadline - time.monotonic()
            wait = min(MAX_WAIT_SECONDS, max(1, int(remaining / len(names)))) if remaining > 0 else 0
            queue_url = family_queue_url(family)
            message = tasks.receive(queue_url, wait, claimer.settings.lease_seconds)
            if message is None:
                continue
            received, examined = True, examined + 1
            if (claimed := claimer.take(family, queue_url, message)) is not None:
                count(BusinessMetric.CLAIMS_SERVED)
                return claimed
        if not received and time.monotonic() >= deadline:
            break
    count(BusinessMetric.CLAIMS_EMPTY)
    return None
