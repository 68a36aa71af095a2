"""A project's history: one row per status change (who, when, from, to, why), written in the same
transaction as the change itself, so the history never misses or invents a transition."""

import secrets
from collections.abc import Callable
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from bytebridge.dal.base import BaseMeta, TimestampMs, table, transact
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import ProjectStatus

SYSTEM = "system"  # `by` of transitions the platform makes itself (trial finished, end drained)


class HistoryModel(Model):
    class Meta(BaseMeta):
        table_name = table("project-history")

    project_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # "<13-digit ms>#<random>": sorts by time
    at = TimestampMs()
    by = UnicodeAttribute()  # the client's userId, an operator's e-mail, or "system"
    from_status = UnicodeAttribute()
    to_status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)


def history(project_id: str) -> list[HistoryModel]:
    """The project's transitions, oldest first (consistent read)."""
    return list(HistoryModel.query(project_id, consistent_read=True))


def transition(
    project: ProjectModel,
    to: ProjectStatus,
    *,
    by: str,
    now: int,
    reason: str | None = None,
    actions: list | None = None,
    condition: Any = None,
    from_status: ProjectStatus | None = None,
    also: Callable[[TransactWrite], None] | None = None,
) -> bool:
    """Move the project from `from_status` (default: the status read) to `to`, applying `actions` too, if it is
    still in that status (and `condition` holds), and record the history row, in one transaction. False if the
    condition did not hold (nothing is written). `also` adds its own writes to the transaction."""
    P = ProjectModel
    source = from_status or project.status_enum
    guard = P.status == source.value
    if condition is not None:
        guard = guard & condition
    row = HistoryModel(
        project.project_id,
        f"{now:013d}#{secrets.token_hex(4)}",
        at=now,
        by=by,
        from_status=source.value,
        to_status=to.value,
        reason=reason,
    )
    try:
        with transact() as tx:
            tx.update(
                P(project.user_id, project.project_id),
                actions=[P.status.set(to.value), P.updated_at.set(now), *(actions or [])],
                condition=guard,
                add_version_condition=False,
            )
            tx.save(row, condition=HistoryModel.sk.does_not_exist())
            if also is not None:
                also(tx)
    except ConditionFailed:
        return False
    return True
