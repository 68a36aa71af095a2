"""A lease: the judgment row an annotator holds while working a task, and the assignment handle pointing at it;
the tasks an annotator holds at once (capped at claim time, withdrawn when the annotator is blocked)."""

import logging
import secrets

from bytebridge.clock import now_ms
from bytebridge.dal import judgments
from bytebridge.dal.judgments import JudgmentModel, open_claim
from bytebridge.dal.workers import WorkerModel, forget_held, get_worker, hold
from bytebridge.enums import JudgmentStatus
from bytebridge.flows.model import TaskNode
from bytebridge.settings import get_settings
from bytebridge.workers import tasks

log = logging.getLogger(__name__)

KEEP_ASSIGNMENT_MS = 14 * 24 * 3600 * 1000  # late calls on an old assignment are still answered meaningfully


def lease(
    worker: WorkerModel,
    *,
    project_id: str,
    item_id: str,
    node: TaskNode,
    flow_version: int,
    round_: int = 0,
    step: int = 0,
    is_gold: bool = False,
    message: dict | None = None,
    queue_url: str | None = None,
) -> tuple[str, str, int] | None:
    """Write the judgment row (only if this annotator has none for the task) and its assignment handle.
    Returns (assignment id, data token, lease end), or None if the annotator already had this task."""
    now = now_ms()
    lease_until = now + get_settings().lease_seconds * 1000
    assignment_id = f"a_{secrets.token_urlsafe(18)}"
    data_token = secrets.token_urlsafe(24)
    opened = open_claim(
        project_id=project_id,
        item_id=item_id,
        node_id=node.id,
        round_=round_,
        step=step,
        flow_version=flow_version,
        worker_id=worker.worker_id,
        assignment_id=assignment_id,
        gold=is_gold,
        claimed_at=now,
        lease_until=lease_until,
        data_token=data_token,
        task_token=None,  # the item's visit holds the one token of a task (bytebridge.engine.advance)
        queue_url=queue_url,
        receipt_handle=message["ReceiptHandle"] if message else None,
        message_body=message["Body"] if message else None,
        keep_assignment_ms=KEEP_ASSIGNMENT_MS,
    )
    if not opened:
        return None
    hold(worker.worker_id, assignment_id)
    return assignment_id, data_token, lease_until


def submitted(worker_id: str, assignment_id: str) -> None:
    """One more real task submitted, and the assignment no longer held, in one write: the annotator's next claim
    then need not read the assignment (handle and row) to find it closed and forget it (held_rows)."""
    W = WorkerModel
    W(worker_id).update(actions=[W.submitted.add(1), W.held.delete({assignment_id})])


def _held_ids(worker_id: str) -> set[str]:
    current = get_worker(worker_id)
    return set(current.held or ()) if current is not None else set()


def held_rows(worker: WorkerModel) -> list[JudgmentModel]:
    """The open claims (lease running) the annotator holds; assignments no longer held are forgotten."""
    open_rows, gone = [], set()
    for assignment_id in sorted(_held_ids(worker.worker_id)):
        handle = judgments.get_assignment(assignment_id)
        row = None if handle is None else judgments.get_judgment(handle.item_key, handle.judgment_key)
        if (
            row is not None
            and row.assignment_id == assignment_id
            and row.status == JudgmentStatus.CLAIMED
            and row.lease_until > now_ms()
        ):
            open_rows.append(row)
        else:
            gone.add(assignment_id)
    forget_held(worker.worker_id, gone)
    return open_rows


def withdraw_held(worker: WorkerModel) -> int:
    """Take every task the annotator holds away from them (a blocked annotator): real tasks go back to their
    queue for others, and the annotator can no longer submit any of them. Returns how many were withdrawn."""
    withdrawn, rows = 0, held_rows(worker)
    for row in rows:
        if not judgments.release_for_good(row):  # answered or lapsed meanwhile
            continue
        if not row.gold:
            tasks.give_back(row.queue_url, row.message_body, row.receipt_handle)
        withdrawn += 1
    forget_held(worker.worker_id, {row.assignment_id for row in rows})
    return withdrawn
