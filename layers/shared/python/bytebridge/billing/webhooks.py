"""Stripe's webhook events: verified (Stripe-Signature, 300 s tolerance), each event id applied once, and designed
so that any order of delivery converges on the same state:

- payment_intent.succeeded: the ledger credits the PaymentIntent (key = its id: once, whether our charge call or
  this event reports it first); the top-up row becomes succeeded (success always wins over a failure);
- payment_intent.payment_failed: lands only on a top-up still charging or processing (never undoes a success, and
  a failure our charge call already handled is not handled twice): unsettled, running projects paused, mail;
- charge.refunded: the payment is credited first if its success has not arrived yet (a refunded charge succeeded),
  then each refund: ours (metadata refundId) gets Stripe's status; one made outside our API (Stripe's dashboard)
  is posted to the ledger under Stripe's refund id (capped like ours);
- charge.dispute.created (a chargeback): the account's new spending is frozen (no start, confirm or top-up) and
  the operators are mailed;
- setup_intent.succeeded: the card is saved as confirmCard saves it (for a browser that never called confirmCard).

Stripe retries a delivery that did not answer 2xx, for days: an event that fails half-way is re-applied whole,
which the idempotent steps make harmless. The event id is recorded after its effects, so a crash in between only
means one more harmless replay."""

import logging
from collections.abc import Callable
from typing import Any

from bytebridge.billing import cards, ledger, topups
from bytebridge.billing.stripe_gateway import InvalidWebhook, verified_event
from bytebridge.clock import now_ms
from bytebridge.dal import payments
from bytebridge.dal.accounts import freeze_for_chargeback, get_account, set_credit_state
from bytebridge.delivery import notices
from bytebridge.enums import CreditState
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)

__all__ = ["InvalidWebhook", "handle"]


def handle(payload: bytes, signature_header: str | None) -> str:
    """Apply one webhook delivery: "applied", "duplicate" (this event id was applied before) or "ignored" (a type
    or an object we do not handle). InvalidWebhook for a bad signature, a stale timestamp or a malformed body."""
    event = verified_event(payload, signature_header)
    event_id, event_type = str(event.get("id", "")), str(event.get("type", ""))
    if not event_id.startswith("evt_"):
        raise InvalidWebhook("not an event")
    if payments.event_handled(event_id):
        return "duplicate"
    apply = _HANDLERS.get(event_type)
    outcome = "ignored"
    if apply is not None and apply(event.get("data", {}).get("object") or {}):
        outcome = "applied"
    payments.mark_event_handled(event_id, event_type)
    log.info("stripe event", extra={"eventId": event_id, "type": event_type, "outcome": outcome})
    return outcome


def _owner(intent_id: str | None, claimed: str | None = None) -> str | None:
    """Our account behind a PaymentIntent: the one we recorded, else the metadata's (our charges set it) if such an
    account exists. A metadata claim that contradicts our record is not believed."""
    if not intent_id:
        return None
    recorded = payments.payment_owner(intent_id)
    if recorded is not None:
        return recorded if claimed in (None, recorded) else None
    if claimed and get_account(claimed) is not None:
        payments.remember_payment(intent_id, claimed)
        return claimed
    return None


def _metadata(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _intent_succeeded(intent: dict) -> bool:
    user_id = _owner(intent.get("id"), _metadata(intent).get("userId"))
    if user_id is None:
        return False
    amount = int(intent.get("amount_received") or intent.get("amount") or 0)
    topups.credit_payment(user_id, intent["id"], amount)
    if key := _metadata(intent).get("topUpKey"):
        payments.mark_top_up(user_id, key, intent["id"], "succeeded", None, now_ms())
    _settled(user_id)
    return True


def _settled(user_id: str) -> None:
    """Money arrived: a settling or unsettled state with nothing owed is ok again."""
    if ledger.balance(user_id).receivable_cents > 0:
        return
    for state in (CreditState.SETTLING, CreditState.UNSETTLED):
        if set_credit_state(user_id, CreditState.OK, only_from=state):
            return


def _intent_failed(intent: dict) -> bool:
    user_id = _owner(intent.get("id"), _metadata(intent).get("userId"))
    key = _metadata(intent).get("topUpKey")
    if user_id is None or not key:
        return False
    row = payments.get_top_up(user_id, key)
    if row is None or row.status not in ("charging", "processing"):
        return False  # succeeded (success wins), or a failure the charge call already handled
    status = "requires_action" if intent.get("status") == "requires_action" else "declined"
    error = intent.get("last_payment_error") or {}
    if not payments.mark_top_up(user_id, key, intent["id"], status, error.get("code"), now_ms()):
        return False
    for state in (CreditState.SETTLING, CreditState.OK):
        if set_credit_state(user_id, CreditState.UNSETTLED, only_from=state):
            break
    topups.charge_failed(user_id, row.amount_cents, status)
    return True


def _charge_refunded(charge: dict) -> bool:
    intent_id = charge.get("payment_intent")
    user_id = _owner(intent_id)
    if user_id is None or not intent_id:
        return False
    # A refunded charge succeeded: its credit comes first if its own event is late (the same posting either way).
    topups.credit_payment(user_id, intent_id, int(charge.get("amount_captured") or charge.get("amount") or 0))
    for refund in (charge.get("refunds") or {}).get("data") or []:
        _refund_seen(user_id, intent_id, refund)
    return True


def _refund_seen(user_id: str, intent_id: str, refund: dict) -> None:
    ours = _metadata(refund).get("refundId")
    status = str(refund.get("status") or "succeeded")
    if ours:
        payments.set_refund_status(user_id, ours, status, refund.get("id"), now_ms())
        return
    # Made outside our API (Stripe's dashboard): the ledger follows, capped like our own refunds.
    refund_id, amount = str(refund["id"]), int(refund.get("amount") or 0)
    payments.add_refund(user_id, refund_id, intent_id, amount, "stripe", now_ms())
    try:
        ledger.refund(user_id, intent_id, amount, refund_id=refund_id)
    except ledger.InsufficientBalance:
        log.error("refund beyond the payment's unspent cash", extra={"userId": user_id, "refundId": refund_id})
    payments.set_refund_status(user_id, refund_id, status, refund_id, now_ms())


def _dispute_created(dispute: dict) -> bool:
    user_id = _owner(dispute.get("payment_intent"))
    if user_id is None:
        return False
    if freeze_for_chargeback(user_id, str(dispute["id"])):
        notices.send_to(
            get_settings().operators_email,
            "chargeback_opened",
            "en",
            user_id=user_id,
            amount=topups.dollars(int(dispute.get("amount") or 0)),
            payment_id=dispute.get("payment_intent"),
        )
    return True


def _setup_succeeded(intent: dict) -> bool:
    user_id, method = _metadata(intent).get("userId"), intent.get("payment_method")
    account = get_account(str(user_id)) if user_id else None
    if account is None or not method or not account.stripe_customer_id:
        return False
    if intent.get("customer") != account.stripe_customer_id:
        return False  # not the customer we made for that account: not believed
    if account.card_payment_method != method:
        cards.save_card(account, str(method))
    return True


_HANDLERS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "setup_intent.succeeded": _setup_succeeded,
}
