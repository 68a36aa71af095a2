"""A lease: the judgment row an annotator holds while working a task, and the assignment handle pointing at it."""

import secrets

from bytebridge.clock import now_ms
from bytebridge.dal.judgments import open_claim
from bytebridge.dal.workers import WorkerModel
from bytebridge.flows.model import TaskNode
from bytebridge.settings import get_settings

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
    token: str | None = None,
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
        task_token=token,
        queue_url=queue_url,
        receipt_handle=message["ReceiptHandle"] if message else None,
        message_body=message["Body"] if message else None,
        keep_assignment_ms=KEEP_ASSIGNMENT_MS,
    )
    if not opened:
        return None
    return assignment_id, data_token, lease_until
