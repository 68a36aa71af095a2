"""What an annotator does with a claimed task: heartbeat, submit, release; and the task's data link.

Every call is conditional on the judgment row still being this assignment's open claim, so a duplicate submit
is answered from what was stored and changes nothing, and a late one (the lease ran out, the task was
re-issued or ended) is refused and changes nothing."""

import hmac
import logging

from pynamodb.exceptions import DeleteError

from bytebridge.aws import s3_presigner
from bytebridge.dal.base import now_ms
from bytebridge.dal.flows import load_flow
from bytebridge.dal.gold import GoldModel
from bytebridge.dal.items import ItemModel
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel, JudgmentStatus
from bytebridge.dal.workers import WorkerModel
from bytebridge.delivery.conditional import update_if
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.logic.projects import conditional_failure
from bytebridge.settings import get_settings
from bytebridge.workers import gold, tasks
from bytebridge.workers.errors import WorkerError, WorkerErrorCode

log = logging.getLogger(__name__)
J = JudgmentModel
DATA_LINK_SECONDS = 300  # the presigned link the data URL redirects to


def _row(worker: WorkerModel, assignment_id: str) -> JudgmentModel:
    try:
        handle = AssignmentModel.get(assignment_id, consistent_read=True)
        if handle.worker_id != worker.worker_id:  # another annotator's: as if it did not exist
            raise AssignmentModel.DoesNotExist
        row = JudgmentModel.get(handle.item_key, handle.judgment_key, consistent_read=True)
    except (AssignmentModel.DoesNotExist, JudgmentModel.DoesNotExist):
        raise WorkerError(WorkerErrorCode.NOT_FOUND, f"no assignment {assignment_id}") from None
    if row.assignment_id != assignment_id:  # given back (skip=false) and claimed again: the new claim holds it
        raise WorkerError(WorkerErrorCode.EXPIRED, "this assignment was replaced by a newer claim of the task")
    return row


def _open(row: JudgmentModel):
    return (
        (J.status == JudgmentStatus.CLAIMED.value) & (J.assignment_id == row.assignment_id) & (J.lease_until > now_ms())
    )


def _refuse(row: JudgmentModel, assignment_id: str) -> WorkerError:
    """Why an assignment can no longer be worked (after a conditional write failed, or before trying)."""
    row.refresh(consistent_read=True)
    if row.assignment_id != assignment_id:
        return WorkerError(WorkerErrorCode.EXPIRED, "this assignment was replaced")
    if row.status == JudgmentStatus.RELEASED:
        return WorkerError(WorkerErrorCode.RELEASED, "you gave this task back")
    return WorkerError(WorkerErrorCode.EXPIRED, "the lease ran out or the task was re-issued; claim new work")


def _lapse(row: JudgmentModel) -> None:
    update_if(
        row,
        [J.status.set(JudgmentStatus.LAPSED.value), J.task_token.remove(), J.receipt_handle.remove()],
        J.assignment_id == row.assignment_id,
    )


def heartbeat(worker: WorkerModel, assignment_id: str) -> int:
    """Extend the lease by lease_seconds from now; returns its new end."""
    row = _row(worker, assignment_id)
    lease_seconds = get_settings().lease_seconds
    until = now_ms() + lease_seconds * 1000
    if not update_if(row, [J.lease_until.set(until)], _open(row)):
        raise _refuse(row, assignment_id)
    if row.gold:
        return until
    if not tasks.token_alive(row.task_token):
        _lapse(row)
        raise WorkerError(WorkerErrorCode.EXPIRED, "the task was re-issued or ended")
    tasks.hide(row.queue_url, row.receipt_handle, lease_seconds + tasks.lease_margin(lease_seconds))
    return until


def submit(worker: WorkerModel, assignment_id: str, payload: object) -> bool:
    """Record the answer and hand it to the waiting execution. Returns True for a duplicate submit."""
    row = _row(worker, assignment_id)
    if row.status == JudgmentStatus.SUBMITTED:
        return True
    if row.status != JudgmentStatus.CLAIMED or row.lease_until <= now_ms():
        raise _refuse(row, assignment_id)
    node = load_flow(row.project_id, row.flow_version).task(row.node_id)
    try:
        answer = check_answer(node, payload)
    except AnswerError as exc:
        raise WorkerError(WorkerErrorCode.INVALID_ANSWER, str(exc)) from None
    if row.gold:
        if not gold.grade(row, node, answer):
            raise _refuse(row, assignment_id)
        return False
    submitted = [
        J.status.set(JudgmentStatus.SUBMITTED.value),
        J.answer.set(answer),
        J.submitted_at.set(now_ms()),
        J.data_token.remove(),
    ]
    if not update_if(row, submitted, _open(row)):
        row.refresh(consistent_read=True)
        if row.status == JudgmentStatus.SUBMITTED and row.assignment_id == assignment_id:
            return True  # a concurrent duplicate got there first
        raise _refuse(row, assignment_id)
    # The row is written before the hand-over, so the consensus step that follows always sees it.
    if not tasks.hand_over(row.task_token, {"judgment": row.judgment_key}):
        _lapse(row)
        raise WorkerError(WorkerErrorCode.EXPIRED, "the task was re-issued or ended before the answer came")
    tasks.delete(row.queue_url, row.receipt_handle)
    row.update(actions=[J.task_token.remove(), J.receipt_handle.remove(), J.message_body.remove()])
    WorkerModel(worker.worker_id).update(actions=[WorkerModel.submitted.add(1)])
    return False


def release(worker: WorkerModel, assignment_id: str, skip: bool) -> str:
    """Give the task back to the queue for others. skip=True: this annotator is never offered it again."""
    row = _row(worker, assignment_id)
    if row.status == JudgmentStatus.RELEASED:
        return JudgmentStatus.RELEASED.value
    condition = _open(row)
    if skip:
        done = update_if(row, [J.status.set(JudgmentStatus.RELEASED.value), J.data_token.remove()], condition)
    else:
        try:
            row.delete(condition=condition)
            done = True
        except DeleteError as exc:
            if not conditional_failure(exc):
                raise
            done = False
    if not done:
        raise _refuse(row, assignment_id)
    if not row.gold:
        tasks.give_back(row.queue_url, row.message_body, row.receipt_handle)
    return JudgmentStatus.RELEASED.value


def data_location(assignment_id: str, token: str) -> str:
    """Where the data of an open assignment is: a short presigned link for files in our data bucket, the
    client's own link otherwise. The data URL's token is the credential (a browser cannot send headers to an
    <img> source), valid only while the lease lasts."""
    try:
        handle = AssignmentModel.get(assignment_id, consistent_read=True)
        row = JudgmentModel.get(handle.item_key, handle.judgment_key, consistent_read=True)
    except (AssignmentModel.DoesNotExist, JudgmentModel.DoesNotExist):
        raise WorkerError(WorkerErrorCode.NOT_FOUND, "no such data link") from None
    valid = (
        row.data_token is not None
        and hmac.compare_digest(row.data_token, token or "")
        and row.status == JudgmentStatus.CLAIMED
        and row.assignment_id == assignment_id
        and row.lease_until > now_ms()
    )
    if not valid:
        raise WorkerError(WorkerErrorCode.NOT_FOUND, "this data link is not valid (any more)")
    if row.gold:
        url = GoldModel.get(row.project_id, row.item_id, consistent_read=True).url
    else:
        url = ItemModel.get(row.project_id, row.item_id, consistent_read=True, attributes_to_get=["url"]).url
    bucket = get_settings().data_bucket
    if url.startswith(f"s3://{bucket}/"):
        key = url.removeprefix(f"s3://{bucket}/")
        return s3_presigner().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=DATA_LINK_SECONDS
        )
    return url
