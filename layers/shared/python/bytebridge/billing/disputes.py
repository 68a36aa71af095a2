"""Disputes of consumed amounts (seed 已消耗的金额退款): the client files one against charged items of its own project
(fileDispute); operators review it and either credit the balance (at most what those items were charged; the
credit goes back to the payments that paid for them, so it is refundable like them: ledger.dispute_credit) or
reject it with a reason. Decisions are conditional status moves, audited; repeating a decision changes nothing.

The client is told by e-mail; the caller sends it (this package sits beside delivery, not above it) when a
decision returns changed=True.
"""

import secrets
from dataclasses import dataclass

from bytebridge.billing import ledger
from bytebridge.clock import now_ms
from bytebridge.dal import audit
from bytebridge.dal import disputes as rows
from bytebridge.dal.disputes import DisputeModel
from bytebridge.dal.items import get_items
from bytebridge.dal.projects import get_live_project
from bytebridge.enums import ItemStatus
from bytebridge.errors import ApiError, ErrorCode

MAX_ITEMS = 1000
OPERATOR_QUEUE = [rows.OPEN, rows.ACCEPTING, rows.FILING]  # what operators still have to decide (or finish)


def new_dispute_id(now: int) -> str:
    """d<13-digit ms><6 hex>: an account's disputes sort by filing time."""
    return f"d{now:013d}{secrets.token_hex(3)}"


def file_dispute(user_id: str, project_id: str, item_ids: list[str], reason: str) -> DisputeModel:
    """Dispute charged items of the signer's project. Code 8 for a project that is not the signer's; code 2 for an
    item that is not a finished, charged item of it, or one disputed before (nothing is recorded then)."""
    get_live_project(user_id, project_id)
    wanted = list(dict.fromkeys(item_ids))
    if not 1 <= len(wanted) <= MAX_ITEMS:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"itemIds: between 1 and {MAX_ITEMS} items")
    items = {item.item_id: item for item in get_items(project_id, wanted)}
    for item_id in wanted:
        item = items.get(item_id)
        if item is None or item.user_id != user_id:
            raise ApiError(ErrorCode.PARAMETER_INVALID, f"{item_id} is not an item of this project")
        if item.status != ItemStatus.COMPLETED.value or item.cost_cents <= 0:
            raise ApiError(ErrorCode.PARAMETER_INVALID, f"{item_id} was not charged: only consumed items are disputed")
    if taken := rows.disputed_items(project_id, wanted):
        if (same := _same_filing(user_id, taken, wanted, reason)) is not None:
            return same  # a retried call: the dispute it filed
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"{sorted(taken)[0]} is already in a dispute")
    now = now_ms()
    dispute = DisputeModel(
        user_id,
        new_dispute_id(now),
        project_id=project_id,
        item_ids=wanted,
        reason=reason,
        disputed_cents=sum(items[item_id].cost_cents for item_id in wanted),
        created_at=now,
    )
    if not rows.file(dispute):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "an item was disputed meanwhile: list your disputes and retry")
    return dispute


def _same_filing(user_id: str, taken: dict[str, str], wanted: list[str], reason: str) -> DisputeModel | None:
    """The dispute that holds every one of `wanted` with this reason (the call was retried), or None."""
    owners = set(taken.values())
    if len(taken) != len(wanted) or len(owners) != 1:
        return None
    dispute = rows.get_dispute(user_id, owners.pop())
    if dispute is None or list(dispute.item_ids) != wanted or dispute.reason != reason:
        return None
    return dispute


def list_disputes(user_id: str, project_id: str | None) -> list[DisputeModel]:
    """The signer's disputes (of one project, code 8 if it is not theirs), newest first."""
    if project_id:
        get_live_project(user_id, project_id)
    return sorted(rows.disputes_of(user_id, project_id), key=lambda d: d.dispute_id, reverse=True)


# ---- operators ----------------------------------------------------------------------------------------------------


class DisputeError(Exception):
    """A refused operator action, as the operator API answers it (HTTP status, code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _invalid(message: str) -> DisputeError:
    return DisputeError(400, "invalid_request", message)


def _conflict(dispute: DisputeModel, action: str) -> DisputeError:
    return DisputeError(409, "conflict", f"cannot {action} dispute {dispute.dispute_id}: it is {dispute.status}")


@dataclass(frozen=True)
class Decision:
    dispute: DisputeModel
    changed: bool  # False: the same decision was taken before (nothing was credited, audited or mailed again)


def queue(limit: int = 200) -> list[DisputeModel]:
    """Disputes waiting for a decision (or whose acceptance did not finish), oldest first."""
    return sorted(rows.with_status(OPERATOR_QUEUE, limit), key=lambda d: d.created_at)


def get(user_id: str, dispute_id: str) -> DisputeModel:
    dispute = rows.get_dispute(user_id, dispute_id)
    if dispute is None:
        raise DisputeError(404, "not_found", f"no dispute {dispute_id} of {user_id}")
    return dispute


def credit_key(dispute_id: str) -> str:
    return f"dispute:{dispute_id}"


def accept(operator: str, user_id: str, dispute_id: str, amount_cents: int, note: str = "") -> Decision:
    """Credit `amount_cents` (1 … the disputed items' charges) to the balance. open → accepting (the amount is fixed
    there) → credit (idempotent on the dispute) → accepted: a retry of an interrupted acceptance finishes it."""
    dispute = get(user_id, dispute_id)
    if dispute.status == rows.ACCEPTED and dispute.credited_cents == amount_cents:
        return Decision(dispute, changed=False)
    if dispute.status in (rows.OPEN, rows.FILING):
        if not 1 <= amount_cents <= dispute.disputed_cents:
            raise _invalid(f"amountCents must be 1 … {dispute.disputed_cents} (what the disputed items cost)")
        fixed = rows.move(
            dispute,
            [rows.OPEN, rows.FILING],
            rows.ACCEPTING,
            credited_cents=amount_cents,
            decided_by=operator,
            decision_note=note,
        )
        if not fixed:
            dispute = get(user_id, dispute_id)  # decided meanwhile: answer from what it is now
            if dispute.status == rows.ACCEPTED and dispute.credited_cents == amount_cents:
                return Decision(dispute, changed=False)
    if dispute.status != rows.ACCEPTING or dispute.credited_cents != amount_cents:
        raise _conflict(dispute, f"accept {amount_cents} cents of")
    try:
        ledger.dispute_credit(user_id, dispute_id, dispute.project_id, amount_cents, key=credit_key(dispute_id))
    except ledger.ExceedsCharge as exc:
        rows.move(dispute, [rows.ACCEPTING], rows.OPEN, credited_cents=None)
        raise _invalid(str(exc)) from exc
    if not rows.move(dispute, [rows.ACCEPTING], rows.ACCEPTED, decided_at=now_ms()):
        return Decision(get(user_id, dispute_id), changed=False)  # a concurrent retry finished it
    audit.record(
        operator,
        "dispute.accept",
        dispute.project_id,
        {"disputeId": dispute_id, "userId": user_id, "amountCents": amount_cents, "note": note},
        now_ms(),
    )
    return Decision(dispute, changed=True)


def reject(operator: str, user_id: str, dispute_id: str, reason: str) -> Decision:
    """Close the dispute without credit; `reason` is told to the client."""
    if not reason.strip():
        raise _invalid("reason is required")
    dispute = get(user_id, dispute_id)
    if dispute.status == rows.REJECTED:
        return Decision(dispute, changed=False)
    now = now_ms()
    moved = rows.move(
        dispute,
        [rows.OPEN, rows.FILING],
        rows.REJECTED,
        decision_note=reason,
        decided_by=operator,
        decided_at=now,
    )
    if not moved:
        current = get(user_id, dispute_id)
        if current.status == rows.REJECTED:
            return Decision(current, changed=False)
        raise _conflict(current, "reject")
    audit.record(
        operator,
        "dispute.reject",
        dispute.project_id,
        {"disputeId": dispute_id, "userId": user_id, "reason": reason},
        now,
    )
    return Decision(dispute, changed=True)
