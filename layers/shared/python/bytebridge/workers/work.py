"""What an annotator does with a claimed task: heartbeat, submit, release; and the task's data link.

Every call is conditional on the judgment row still being this assignment's open claim, so a duplicate submit
is answered from what was stored and changes nothing, and a late one (the lease ran out, the task was
re-issued or ended) is refused and changes nothing."""

import hmac
import logging

from bytebridge.aws import s3_presigner
from bytebridge.clock import now_ms
from bytebridge.dal import judgments
from bytebridge.dal.base import reread
from bytebridge.dal.errors import NotFound
from bytebridge.dal.gold import get_gold
from bytebridge.dal.items import item_source
from bytebridge.dal.judgments import JudgmentModel
from bytebridge.dal.workers import WorkerModel
from bytebridge.engine import visits
from bytebridge.enums import JudgmentStatus, WorkerStatus
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.flows.store import load_flow
from bytebridge.ingest.origins import OriginUnreadable, presigned_get
from bytebridge.settings import get_settings
from bytebridge.workers import gold, leases, tasks
from bytebridge.workers.errors import WorkerError, WorkerErrorCode

log = logging.getLogger(__name__)
DATA_LINK_SECONDS = 300  # the presigned link the data URL redirects to


def _held(assignment_id: str, worker_id: str | None = None) -> JudgmentModel | None:
    """The judgment row an assignment handle points at; None if either is gone, or (with `worker_id`) the
    handle is another annotator's."""
    handle = judgments.get_assignment(assignment_id)
    if handle is None or (worker_id is not None and handle.worker_id != worker_id):
        return None
    return judgments.get_judgment(handle.item_key, handle.judgment_key)


def _row(worker: WorkerModel, assignment_id: str) -> JudgmentModel:
    if worker.status == WorkerStatus.BLOCKED:  # their held tasks were withdrawn (bytebridge.workers.gold)
        raise WorkerError(
            WorkerErrorCode.BLOCKED, "your gold-task accuracy is below the bar: your tasks were withdrawn"
        )
    row = _held(assignment_id, worker.worker_id)  # another annotator's: as if it did not exist
    if row is None:
        raise WorkerError(WorkerErrorCode.NOT_FOUND, f"no assignment {assignment_id}")
    if row.assignment_id != assignment_id:  # given back (skip=false) and claimed again: the new claim holds it
        raise WorkerError(WorkerErrorCode.EXPIRED, "this assignment was replaced by a newer claim of the task")
    return row


def _refuse(row: JudgmentModel, assignment_id: str) -> WorkerError:
    """Why an assignment can no longer be worked (after a conditional write failed, or before trying)."""
    reread(row)
    if row.assignment_id != assignment_id:
        return WorkerError(WorkerErrorCode.EXPIRED, "this assignment was replaced")
    if row.status == JudgmentStatus.RELEASED:
        return WorkerError(WorkerErrorCode.RELEASED, "you gave this task back")
    return WorkerError(WorkerErrorCode.EXPIRED, "the lease ran out or the task was re-issued; claim new work")


def heartbeat(worker: WorkerModel, assignment_id: str) -> int:
    """Extend the lease by lease_seconds from now; returns its new end."""
    row = _row(worker, assignment_id)
    lease_seconds = get_settings().lease_seconds
    until = now_ms() + lease_seconds * 1000
    if not judgments.extend_lease(row, until):
        raise _refuse(row, assignment_id)
    if row.gold:
        return until
    if not visits.task_open(row.project_id, row.item_id, row.round, row.step, row.node_id):
        judgments.lapse(row)
        raise WorkerError(WorkerErrorCode.EXPIRED, "the task was settled or ended")
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
    if not visits.task_open(row.project_id, row.item_id, row.round, row.step, row.node_id):
        judgments.lapse(row)
        raise WorkerError(WorkerErrorCode.EXPIRED, "the task was settled or ended before the answer came")
    if not judgments.submit_answer(row, answer):
        reread(row)
        if row.status == JudgmentStatus.SUBMITTED and row.assignment_id == assignment_id:
            return True  # a concurrent duplicate got there first
        raise _refuse(row, assignment_id)
    tasks.delete(row.queue_url, row.receipt_handle)
    judgments.clear_task_handles(row)
    leases.submitted(worker.worker_id, assignment_id)
    # The row is written first, so the consensus step always sees it; a lost call is made good by the visit's
    # re-entry, which decides once every slot is answered.
    visits.request_consensus(row)
    return False


def release(worker: WorkerModel, assignment_id: str, skip: bool) -> str:
    """Give the task back to the queue for others. skip=True: this annotator is never offered it again."""
    row = _row(worker, assignment_id)
    if row.status == JudgmentStatus.RELEASED:
        return JudgmentStatus.RELEASED.value
    done = judgments.release_for_good(row) if skip else judgments.drop_claim(row)
    if not done:
        raise _refuse(row, assignment_id)
    if not row.gold:
        tasks.give_back(row.queue_url, row.message_body, row.receipt_handle)
    return JudgmentStatus.RELEASED.value


def _data_source(row: JudgmentModel) -> tuple[str, str | None]:
    """The link the task's data was submitted with (the gold task's, or the item's) and the bucket import it is
    read through, if any."""
    source: tuple[str, str | None] | None
    if row.gold:
        gold_task = get_gold(row.project_id, row.item_id)
        source = None if gold_task is None else (gold_task.url, None)
    else:
        source = item_source(row.project_id, row.item_id)
    if source is None:
        raise NotFound(f"{'gold task' if row.gold else 'item'} {row.item_id} of project {row.project_id}")
    return source


def data_location(assignment_id: str, token: str) -> str:
    """Where the data of an open assignment is: a short presigned link for files in our data bucket, the
    client's own link otherwise. The data URL's token is the credential (a browser cannot send headers to an
    <img> source), valid only while the lease lasts."""
    row = _held(assignment_id)
    if row is None:
        raise WorkerError(WorkerErrorCode.NOT_FOUND, "no such data link")
    valid = (
        row.data_token is not None
        and hmac.compare_digest(row.data_token, token or "")
        and row.status == JudgmentStatus.CLAIMED
        and row.assignment_id == assignment_id
        and row.lease_until > now_ms()
    )
    if not valid:
        raise WorkerError(WorkerErrorCode.NOT_FOUND, "this data link is not valid (any more)")
    return location_of(*_data_source(row))


def direct_location(url: str, origin: str | None) -> str | None:
    """What the data link would redirect to now, for a claim's answer (one call fewer per task); None when the
    data is not readable (the data link then answers with its own error) or is a bucket import's: signing with
    the import's credentials (decrypted, or a role assumed) is left to the data link, off the claim's path."""
    if origin is not None:
        return None
    try:
        return location_of(url, origin)
    except WorkerError:
        return None


def location_of(url: str, origin: str | None) -> str:
    """A short presigned link for files in our data bucket or a bucket import's, the client's own link otherwise."""
    if origin is not None:  # a file in the client's bucket (an import): a link signed with the import's credentials
        try:
            return presigned_get(origin, url, DATA_LINK_SECONDS)
        except OriginUnreadable:
            raise WorkerError(WorkerErrorCode.NOT_FOUND, "this data is not readable (any more)") from None
    bucket = get_settings().data_bucket
    if url.startswith(f"s3://{bucket}/"):
        key = url.removeprefix(f"s3://{bucket}/")
        return s3_presigner().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=DATA_LINK_SECONDS
        )
    if url[:5].lower() == "s3://":  # a client's own bucket: never hand its raw link (or its name) to a browser
        raise WorkerError(WorkerErrorCode.NOT_FOUND, "this data is not readable by the platform")
    return url
