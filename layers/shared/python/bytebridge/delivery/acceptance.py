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

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.base import now_ms
from bytebridge.dal.items import Acceptance, ItemModel
from bytebridge.delivery.conditional import update_if
from bytebridge.delivery.views import ACCEPT_WINDOW_MS, accept_deadline
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.projects import get_live_project
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
    return {
        item.item_id: item for item in ItemModel.batch_get([(project_id, i) for i in item_ids], consistent_read=True)
    }


def _problem_detail(problems: list[str]) -> str:
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def _write(item: ItemModel, decision: Decision, comment: str, now: int) -> bool:
    """The conditional state change; False if the item changed since it was checked."""
    unchanged = (ItemModel.acceptance == A.PENDING) & (ItemModel.delivered_at == item.delivered_at)
    comment_action = ItemModel.acceptance_comment.set(comment) if comment else ItemModel.acceptance_comment.remove()
    if decision is Decision.ACCEPT:
        actions = [ItemModel.acceptance.set(A.ACCEPTED.value), ItemModel.accepted_at.set(now), comment_action]
        condition = unchanged
    else:
        actions = [
            ItemModel.acceptance.set(A.REJECTED.value),
            comment_action,
            ItemModel.rework_count.add(1),
            ItemModel.updated_at.set(now),
        ]
        condition = unchanged & (ItemModel.delivered_at >= now - ACCEPT_WINDOW_MS)
    return update_if(item, actions, condition)


def _reopen(items: list[ItemModel]) -> None:
    """Undo rejections whose rework could not be launched, so the client can reject again."""
    for item in items:
        reopen = [ItemModel.acceptance.set(A.PENDING.value), ItemModel.rework_count.add(-1)]
        update_if(item, reopen, ItemModel.acceptance == A.REJECTED)


@dataclass
class _Outcome:
    changed: list[ItemModel] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # changed by someone else between our check and write


def decide(account: AccountModel, params: AcceptResultsParams) -> AcceptResultsData:
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
            item.refresh(consistent_read=True)
            (outcome.unchanged if _already(item, decision) else outcome.lost).append(item_id)
    if decision is Decision.REJECT and outcome.changed:
        _launch_rework(project.project_id, outcome.changed)
    if outcome.lost:
        log.info("acceptance lost races", extra={"projectId": project.project_id, "items": outcome.lost})
    return AcceptResultsData(
        project_id=project.project_id,
        decision=decision.value,
        changed=[item.item_id for item in outcome.changed],
        unchanged=outcome.unchanged,
        conflicts=outcome.lost,
    )


def _launch_rework(project_id: str, items: list[ItemModel]) -> None:
    from bytebridge.engine.launch import launch_items

    try:
        launch_items(project_id, [item.item_id for item in items], rework=True)
    except Exception:
        _reopen(items)
        raise


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
    for hit in ItemModel.acceptance_index.query(A.PENDING.value, ItemModel.delivered_at < cutoff):
        accept = [ItemModel.acceptance.set(A.AUTO_ACCEPTED.value), ItemModel.accepted_at.set(now)]
        same_delivery = (ItemModel.acceptance == A.PENDING) & (ItemModel.delivered_at == hit.delivered_at)
        if update_if(ItemModel(hit.project_id, hit.item_id), accept, same_delivery):
            report.accepted += 1
        else:
            report.skipped += 1
    return report
