"""Judgments: one row per (task, annotator), written when the annotator claims the task, so nobody judges the
same task twice; and assignments, the opaque handle an annotator holds (it points at the judgment row).

A task is one visit of one item at one node: (round, step, node). `round` counts rework rounds (0 first),
`step` the tasks the item went through in that round. Gold tasks (known answers) use the same rows under the
gold item's id.
"""

from datetime import timedelta
from typing import Any

from pynamodb.attributes import BooleanAttribute, JSONAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.clock import now_ms
from bytebridge.dal.base import (
    BaseMeta,
    IntAttribute,
    TimestampMs,
    delete_if,
    get_or_none,
    table,
    transact,
    update,
    update_if,
)
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.workers import WorkerModel, gold_answer_update
from bytebridge.enums import JudgmentStatus


def item_key(project_id: str, item_id: str) -> str:
    return f"{project_id}/{item_id}"


def task_prefix(round_: int, step: int, node_id: str) -> str:
    return f"{round_:03d}#{step:03d}#{node_id}#"


def judgment_key(round_: int, step: int, node_id: str, worker_id: str) -> str:
    return task_prefix(round_, step, node_id) + worker_id


class JudgmentModel(Model):
    class Meta(BaseMeta):
        table_name = table("judgments")

    item_key = UnicodeAttribute(hash_key=True)
    judgment_key = UnicodeAttribute(range_key=True)
    project_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    node_id = UnicodeAttribute()
    round = IntAttribute(default=0)
    step = IntAttribute(default=0)
    flow_version = IntAttribute()
    worker_id = UnicodeAttribute()
    assignment_id = UnicodeAttribute()
    gold = BooleanAttribute(default=False)
    status = UnicodeAttribute(default=JudgmentStatus.CLAIMED.value)
    claimed_at = TimestampMs()
    lease_until = TimestampMs()
    submitted_at = TimestampMs(null=True)
    answer = JSONAttribute(null=True)
    # While claimed: the Step Functions task token, the SQS message holding it (its receipt handle is the lease:
    # the message stays invisible until lease_until + margin), and the token of the data URL. Removed after.
    task_token = UnicodeAttribute(null=True)
    queue_url = UnicodeAttribute(null=True)
    receipt_handle = UnicodeAttribute(null=True)
    message_body = UnicodeAttribute(null=True)
    data_token = UnicodeAttribute(null=True)


class AssignmentModel(Model):
    """assignmentId → the judgment row; immutable. Kept a while after the lease for late calls to be answered."""

    class Meta(BaseMeta):
        table_name = table("assignments")

    assignment_id = UnicodeAttribute(hash_key=True)
    worker_id = UnicodeAttribute()
    item_key = UnicodeAttribute()
    judgment_key = UnicodeAttribute()
    created_at = TimestampMs()
    expires_at = TTLAttribute(null=True)  # clean-up only


def list_judgments(project_id: str, item_id: str) -> list[JudgmentModel]:
    """The submitted judgments of the item's latest round, in task order."""
    rows = [
        row
        for row in JudgmentModel.query(item_key(project_id, item_id), consistent_read=True)
        if row.status == JudgmentStatus.SUBMITTED
    ]
    latest = max((row.round for row in rows), default=0)
    return [row for row in rows if row.round == latest]


def task_judgments(project_id: str, item_id: str, round_: int, step: int, node_id: str) -> list[JudgmentModel]:
    """The submitted judgments of one task, in claim order."""
    rows = JudgmentModel.query(
        item_key(project_id, item_id),
        JudgmentModel.judgment_key.startswith(task_prefix(round_, step, node_id)),
        filter_condition=JudgmentModel.status == JudgmentStatus.SUBMITTED.value,
        consistent_read=True,
    )
    return sorted(rows, key=lambda row: row.claimed_at)


def task_rows(project_id: str, item_id: str, round_: int, step: int, node_id: str) -> list[JudgmentModel]:
    """Every judgment row of one task (claimed, submitted, released, lapsed), in claim order."""
    rows = JudgmentModel.query(
        item_key(project_id, item_id),
        JudgmentModel.judgment_key.startswith(task_prefix(round_, step, node_id)),
        consistent_read=True,
    )
    return sorted(rows, key=lambda row: row.claimed_at)


def delete_task_rows(project_id: str, item_id: str) -> int:
    """Delete every judgment of one item (or gold task) of the project, with the assignment handles pointing at
    them; returns how many judgments were deleted."""
    rows = list(JudgmentModel.query(item_key(project_id, item_id), consistent_read=True))
    with AssignmentModel.batch_write() as batch:
        for row in rows:
            batch.delete(AssignmentModel(row.assignment_id))
    with JudgmentModel.batch_write() as batch:
        for row in rows:
            batch.delete(row)
    return len(rows)


# A claim's life (bytebridge.workers): every write after the claim is conditional on the row still being that
# assignment's open claim, so duplicate and late calls change nothing.


def get_assignment(assignment_id: str) -> AssignmentModel | None:
    """An assignment handle, read strongly; None if there is none (or it expired)."""
    return get_or_none(AssignmentModel, assignment_id)


def get_judgment(item_key_: str, judgment_key_: str) -> JudgmentModel | None:
    """The judgment row a handle points at, read strongly; None if it is gone."""
    return get_or_none(JudgmentModel, item_key_, judgment_key_)


def open_claim(
    *,
    project_id: str,
    item_id: str,
    node_id: str,
    round_: int,
    step: int,
    flow_version: int,
    worker_id: str,
    assignment_id: str,
    gold: bool,
    claimed_at: int,
    lease_until: int,
    data_token: str,
    task_token: str | None,
    queue_url: str | None,
    receipt_handle: str | None,
    message_body: str | None,
    keep_assignment_ms: int,
) -> bool:
    """Write the judgment row of this annotator for the task, and its assignment handle (kept
    `keep_assignment_ms` for late calls), in one transaction; False if the annotator already has a row for the
    task (judged, skipped or holding it) or the assignment id is taken. A claim of theirs whose lease ran out is
    replaced: walking away is not refusing, and a small crowd must not run out of annotators for a task."""
    key = judgment_key(round_, step, node_id, worker_id)
    row = JudgmentModel(
        item_key(project_id, item_id),
        key,
        project_id=project_id,
        item_id=item_id,
        node_id=node_id,
        round=round_,
        step=step,
        flow_version=flow_version,
        worker_id=worker_id,
        assignment_id=assignment_id,
        gold=gold,
        claimed_at=claimed_at,
        lease_until=lease_until,
        task_token=task_token,
        queue_url=queue_url,
        receipt_handle=receipt_handle,
        message_body=message_body,
        data_token=data_token,
    )
    handle = AssignmentModel(
        assignment_id,
        worker_id=worker_id,
        item_key=row.item_key,
        judgment_key=key,
        created_at=claimed_at,
        expires_at=timedelta(milliseconds=keep_assignment_ms),
    )
    try:
        with transact() as tx:
            J = JudgmentModel
            lapsed = (J.status == JudgmentStatus.CLAIMED.value) & (J.lease_until < claimed_at)
            tx.save(row, condition=J.judgment_key.does_not_exist() | lapsed)
            tx.save(handle, condition=AssignmentModel.assignment_id.does_not_exist())
    except ConditionFailed:
        return False
    return True


def _open(row: JudgmentModel) -> Any:
    """Still this assignment's claim, and its lease not over."""
    J = JudgmentModel
    return (
        (J.status == JudgmentStatus.CLAIMED.value) & (J.assignment_id == row.assignment_id) & (J.lease_until > now_ms())
    )


def _answered(answer: dict) -> list:
    J = JudgmentModel
    return [
        J.status.set(JudgmentStatus.SUBMITTED.value),
        J.answer.set(answer),
        J.submitted_at.set(now_ms()),
        J.data_token.remove(),
    ]


def extend_lease(row: JudgmentModel, until: int) -> bool:
    """Move the lease end of an open claim to `until`; False if the claim is no longer open."""
    return update_if(row, [JudgmentModel.lease_until.set(until)], _open(row))


def submit_answer(row: JudgmentModel, answer: dict) -> bool:
    """Store the answer of an open claim (claimed → submitted); False if the claim is no longer open."""
    return update_if(row, _answered(answer), _open(row))


def submit_gold_answer(row: JudgmentModel, answer: dict, correct: bool, settle_min: int) -> bool:
    """Store a gold answer and count it in the annotator's gold record (dal.workers.gold_answer_update), in one
    transaction; False if the claim is no longer this assignment's claim (the lease end is not checked: a gold
    answer is graded once). A race on the record's open block (two answers at once) is retried."""
    J = JudgmentModel
    claimed = (J.status == JudgmentStatus.CLAIMED.value) & (J.assignment_id == row.assignment_id)
    for _ in range(_GOLD_TRIES):
        worker = get_or_none(WorkerModel, row.worker_id)
        if worker is None:
            return False
        actions, unchanged = gold_answer_update(worker, correct, now_ms(), settle_min)
        try:
            with transact() as tx:
                tx.update(row, actions=_answered(answer), condition=claimed)
                tx.update(WorkerModel(row.worker_id), actions=actions, condition=unchanged)
        except ConditionFailed:
            current = get_or_none(JudgmentModel, row.item_key, row.judgment_key)
            if current is None or current.status != JudgmentStatus.CLAIMED.value:
                return False
            if current.assignment_id != row.assignment_id:
                return False
            continue  # the claim is still open: the gold record changed meanwhile
        return True
    raise ConditionFailed(f"gold record of {row.worker_id} kept changing")


_GOLD_TRIES = 5


def lapse(row: JudgmentModel) -> bool:
    """Mark this assignment's claim lapsed (the task was re-issued or ended), dropping its task handles; False if
    the row belongs to a newer assignment."""
    J = JudgmentModel
    return update_if(
        row,
        [J.status.set(JudgmentStatus.LAPSED.value), J.task_token.remove(), J.receipt_handle.remove()],
        J.assignment_id == row.assignment_id,
    )


def release_for_good(row: JudgmentModel) -> bool:
    """Give an open claim back and never offer the task to this annotator again (the row stays, released);
    False if the claim is no longer open."""
    J = JudgmentModel
    return update_if(row, [J.status.set(JudgmentStatus.RELEASED.value), J.data_token.remove()], _open(row))


def drop_claim(row: JudgmentModel) -> bool:
    """Delete an open claim, so the annotator may be offered the task again; False if it is no longer open."""
    return delete_if(row, _open(row))


def clear_task_handles(row: JudgmentModel) -> None:
    """Forget the task token and message of a handed-over judgment."""
    J = JudgmentModel
    update(row, [J.task_token.remove(), J.receipt_handle.remove(), J.message_body.remove()])
