"""Refunds of the unspent balance (seed: 退款政策): the client may take back what it paid and did not spend.

In order: the account's running projects pause (what they finished is already charged, item by item: seed 注1),
every project's reservation goes back to the balance, then each card payment's unspent cash goes back to that
payment, newest payment first, each at most what it brought in minus what was already refunded or spent (the
ledger's caps; localstripe caps nothing). Bonus credit stays: it is never refunded.

Each refund is a row first (pending), then its ledger posting (keyed by our refund id: the money leaves the balance
atomically, so no usage can draw it meanwhile), then Stripe's refund (idempotency key = our refund id). A crash
between those steps leaves a pending row that the next refund or listRefunds call drives on (`resume_pending`),
each step idempotent."""

import logging

from bytebridge.billing import ledger, stripe_gateway
from bytebridge.clock import now_ms
from bytebridge.dal import payments
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.history import transition
from bytebridge.dal.projects import projects_of
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.ids import new_id
from bytebridge.models.payments_api import ListRefundsData, RefundData, RefundRecord

log = logging.getLogger(__name__)


def refund(account: AccountModel) -> RefundData:
    """Code 16 while a chargeback is open: the bank is taking the payment back already (a refund would pay twice)."""
    if account.chargeback_id:
        raise ApiError(ErrorCode.UNSETTLED_CREDIT, "a card payment is disputed at the bank: refunds wait for it")
    user_id = account.user_id
    resume_pending(user_id)
    paused = _pause_running(user_id)
    request_id = new_id("rq")
    state = ledger.balance(user_id)
    for project_id in state.reserved_cents:
        ledger.release(user_id, project_id, key=f"refund:{request_id}:{project_id}")
    state = ledger.balance(user_id)
    rows = []
    # refundable_by_payment lists payments in arrival order: newest first is its reverse.
    for payment_id, cents in reversed(list(state.refundable_by_payment.items())):
        if cents <= 0:
            continue
        row = payments.add_refund(user_id, new_id("rf"), payment_id, cents, request_id, now_ms())
        rows.append(_drive(row))
    records = [_record(row) for row in rows]
    return RefundData(
        refunded_cents=sum(r.amount_cents for r in records if r.status != "canceled"),
        refunds=records,
        paused_project_ids=paused,
        bonus_cents=ledger.balance(user_id).bonus_cents,
    )


def list_refunds(account: AccountModel) -> ListRefundsData:
    resume_pending(account.user_id)
    return ListRefundsData(refunds=[_record(row) for row in payments.refunds_of(account.user_id)])


def resume_pending(user_id: str) -> None:
    """Drive refunds a crash left pending (ledger posting, then Stripe), each step idempotent."""
    for row in payments.pending_refunds(user_id):
        _drive(row)


def _pause_running(user_id: str) -> list[str]:
    paused = []
    for project in projects_of(user_id):
        running = project.status_enum is ProjectStatus.IN_PROGRESS
        if running and transition(project, ProjectStatus.PAUSED, by=user_id, now=now_ms(), reason="refund"):
            paused.append(project.project_id)
    return paused


def _drive(row: payments.PaymentModel) -> payments.PaymentModel:
    """One refund from pending to Stripe's answer: the ledger posting (capped), then the refund at Stripe."""
    user_id, refund_id = row.user_id, row.refund_id
    assert row.payment_id
    try:
        ledger.refund(user_id, row.payment_id, row.amount_cents, refund_id=refund_id)
    except ledger.InsufficientBalance:
        # Spent since the refund was planned (usage drew on it): nothing left the balance, nothing goes to the card.
        payments.set_refund_status(user_id, refund_id, "canceled", None, now_ms())
        row.status = "canceled"
        return row
    result = stripe_gateway.refund(
        row.payment_id,
        row.amount_cents,
        key=f"refund:{user_id}:{refund_id}",
        metadata={"userId": user_id, "refundId": refund_id},
    )
    payments.set_refund_status(user_id, refund_id, result.status, result.refund_id, now_ms())
    row.status, row.stripe_refund_id = result.status, result.refund_id
    log.info("refund sent", extra={"userId": user_id, "refundId": refund_id, "status": result.status})
    return row


def _record(row: payments.PaymentModel) -> RefundRecord:
    return RefundRecord(
        refund_id=row.refund_id,
        payment_id=row.payment_id or "",
        amount_cents=row.amount_cents,
        status=row.status,
        created_at=row.created_at,
    )
