"""The operators' audit log: one row per operator action (who, what, on which target, details, when),
partitioned by UTC day, newest last within a day."""

import json
import secrets
from datetime import UTC, datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class AuditModel(Model):
    class Meta(BaseMeta):
        table_name = table("audit")

    day = UnicodeAttribute(hash_key=True)  # "YYYY-MM-DD" (UTC)
    sk = UnicodeAttribute(range_key=True)  # "<13-digit ms>#<random>"
    at = TimestampMs()
    operator = UnicodeAttribute()  # the operator's e-mail
    action = UnicodeAttribute()  # "approve", "reject", "trialSize", "disputes.answer", "start", "message", …
    target = UnicodeAttribute()  # a project id, or "-"
    details = UnicodeAttribute(default="{}")  # JSON


def day_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def record(operator: str, action: str, target: str, details: dict, now: int) -> AuditModel:
    row = AuditModel(
        day_of(now),
        f"{now:013d}#{secrets.token_hex(4)}",
        at=now,
        operator=operator,
        action=action,
        target=target,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True),
    )
    row.save(condition=AuditModel.sk.does_not_exist())
    return row


def entries(day: str, limit: int = 500) -> list[AuditModel]:
    """One day's audit rows, oldest first."""
    return list(AuditModel.query(day, consistent_read=True, limit=limit))
