"""acceptResults and the 21-day auto-acceptance.

A client accepts or rejects delivered items, one or up to MAX_ACCEPT_BATCH at once. A rejection inside 21
days of delivery sends the item back through its flow for free (the engine's rework launch charges
nothing) and it is delivered again, which opens a new 21-day window. The whole request is checked first:
if any item cannot take the decision (not delivered, already accepted, window closed, being reworked) the
call fails with the reasons and changes nothing. Each write is conditional on the state that was checked,
so a repeated call changes nothing the second time and reports those items as unchanged.
"""

import logging
from dataclasses import dataclass, field

from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.base import reread
from bytebridge.dal.items import (
    ItemModel,
    accept_delivery,
    auto_accept_delivery,
    get_items,
    pending_delivered_before,
    reject_delivery,
    reopen_rejected,
)
from bytebridge.dal.projects import get_live_project
from bytebridge.delivery.views import ACCEPT_WINDOW_MS, accept_deadline
from bytebridge.enums import Acceptance
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.models.results import AcceptResultsData, AcceptResultsParams, Decision

log = logging.getLogger(__name__)

A = Acceptance
_ACCEPTED = (A.ACCEPTED, A.AUTO_ACCEPTED)
_SHOWN_PROBLEMS = 20  # an error lists this many offending items (the rest are counted)


def _refusal(item: ItemModel, decision: Decision, now: int) -> str | None:
    """Why `item` cannot take `decision` now, or None (including when it already has it)."""
    if item.acceptance is None or item.delivered_at is None:
        return "not delivered yet"
    if decision is Decision.ACCEPT:
        return "is being reworked after a rejection" if item.acceptance == A.REJECTED else None
    if item.acceptance in _ACCEPTED:
        return f"was already {item.acceptance}"
    if item.acceptance == A.PENDING and now > accept_deadline(item.delivered_at):
        return "was delivered more than 21 days ago: the free rework window is closed"
    return None


def _already(item: ItemModel, decision: Decision) -> bool:
    return item.acceptance in (_ACCEPTED if decision is Decision.ACCEPT else (A.REJECTED,))


def _load(project_id: str, item_ids: list[str]) -> dict[str, ItemModel]:
    return {item.item_id: item for item in get_items(project_id, item_ids)}


def _problem_detail(problems: list[str]) -> str:
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def _write(item: ItemModel, decision: Decision, comment: str, now: int) -> bool:
    """The conditional state change; False if the item changed since it was checked."""
    if decision is Decision.ACCEPT:
        return accept_delivery(item, comment, now)
    return reject_delivery(item, comment, now, delivered_since=now - ACCEPT_WINDOW_MS)


def reopen(project_id: str, item_ids: list[str]) -> None:
    """Undo rejections whose rework could not be launched, so the client can reject again."""
    for item_id in item_ids:
        reopen_rejected(project_id, item_id)


@dataclass
class _Outcome:
    changed: list[ItemModel] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # changed by someone else between our check and write


@dataclass(frozen=True)
class Decided:
    """What acceptResults answers, and the items this call rejected: their rework is still to be launched
    (bytebridge.logic.results), or the rejections undone with `reopen` if it cannot be."""

    data: AcceptResultsData
    rejected: list[str]


def decide(account: AccountModel, params: AcceptResultsParams) -> Decided:
    """Check the whole request, then write each decision conditionally. Rejected items are only marked here;
    the caller sends them back through their flow."""
    project = get_live_project(account.user_id, params.project_id)
    if params.decision not in tuple(Decision):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "decision must be accept or reject")
    decision = Decision(params.decision)
    if len(set(params.item_ids)) != len(params.item_ids):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "itemIds lists an item twice")
    if decision is Decision.REJECT and not params.comment:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "comment is required to reject: say what to redo")

    items = _load(project.project_id, params.item_ids)
    missing = [i for i in params.item_ids if i not in items]
    if missing:
        raise ApiError(ErrorCode.QUERY_FAILED, "not items of this project: " + _problem_detail(missing))
    now = now_ms()
    problems = [f"{i} {why}" for i in params.item_ids if (why := _refusal(items[i], decision, now))]
    if problems:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"cannot {decision} " + _problem_detail(problems))

    outcome = _Outcome()
    for item_id in params.item_ids:
        item = items[item_id]
        if _already(item, decision):
            outcome.unchanged.append(item_id)
        elif _write(item, decision, params.comment, now):
            outcome.changed.append(item)
        else:
            item = reread(item)
            (outcome.unchanged if _already(item, decision) else outcome.lost).append(item_id)
    if outcome.lost:
        log.info("acceptance lost races", extra={"projectId": project.project_id, "items": outcome.lost})
    changed = [item.item_id for item in outcome.changed]
    data = AcceptResultsData(
        project_id=project.project_id,
        decision=decision.value,
        changed=changed,
        unchanged=outcome.unchanged,
        conflicts=outcome.lost,
    )
    return Decided(data, rejected=list(changed) if decision is Decision.REJECT else [])


@dataclass
class AutoAcceptReport:
    accepted: int = 0
    skipped: int = 0  # changed since the index read (accepted, rejected or re-delivered meanwhile)


def auto_accept(now: int | None = None) -> AutoAcceptReport:
    """Accept every item still pending 21 days after delivery: an index query on acceptance=pending with
    delivered_at before the cutoff, each write conditional on the same delivery (idempotent)."""
    now = now_ms() if now is None else now
    cutoff = now - ACCEPT_WINDOW_MS
    report = AutoAcceptReport()
    for hit in pending_delivered_before(cutoff):
        if auto_accept_delivery(hit.project_id, hit.item_id, hit.delivered_at, now):
            report.accepted += 1
        else:
            report.skipped += 1
    return report
