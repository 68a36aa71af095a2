"""Judgments: one row per (task, annotator), written when the annotator claims the task, so nobody judges the
same task twice; and assignments, the opaque handle an annotator holds (it points at the judgment row).

A task is one visit of one item at one node: (round, step, node). `round` counts rework rounds (0 first),
`step` the tasks the item went through in that round. Gold tasks (known answers) use the same rows under the
gold item's id.
"""

from enum import StrEnum

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class JudgmentStatus(StrEnum):
    CLAIMED = "claimed"  # leased to the annotator until lease_until
    SUBMITTED = "submitted"  # counts in consensus
    RELEASED = "released"  # given back or skipped; the annotator will not get this task again
    LAPSED = "lapsed"  # the task was re-issued or ended before the annotator answered


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
    round = NumberAttribute(default=0)
    step = NumberAttribute(default=0)
    flow_version = NumberAttribute()
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
