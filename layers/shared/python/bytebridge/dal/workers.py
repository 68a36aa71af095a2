"""Annotators: their token (stored hashed), their gold-task record, and whether they may receive work."""

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class WorkerStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # gold accuracy fell below the bar: no more work


class WorkerModel(Model):
    class Meta(BaseMeta):
        table_name = table("workers")

    worker_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    token_hash = UnicodeAttribute()  # sha256 of the secret part of the token
    status = UnicodeAttribute(default=WorkerStatus.ACTIVE.value)
    gold_total = NumberAttribute(default=0)
    gold_correct = NumberAttribute(default=0)
    submitted = NumberAttribute(default=0)  # judgments of real tasks
    created_at = TimestampMs()
    blocked_at = TimestampMs(null=True)
