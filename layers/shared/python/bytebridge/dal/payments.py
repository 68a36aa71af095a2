"""The card side of an account's money, as we asked Stripe for it: top-up attempts (one row per business key, with
the attempt number a retry after a decline moves on) and refunds (one row per refund, with Stripe's status).
The money itself is in the ledger (bytebridge.dal.ledger); these rows make our calls to Stripe idempotent and let
the client see each refund's status. Stripe's ids are claimed in unique-keys too, so a webhook finds the account
a payment belongs to, and an event id is handled once."""

from collections.abc import Iterator
from contextlib import suppress

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, save, table, update_if
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.unique_keys import UniqueKeyModel, owner_of

TOPUP = "topup#"
REFUND = "refund#"


class PaymentModel(Model):
    class Meta(BaseMeta):
        table_name = table("payments")

    user_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # "topup#<business key>" | "refund#<our refund id>"
    amount_cents = IntAttribute()
    # top-up: charging | succeeded | processing | declined | requires_action
    # refund: pending (ledger posted, Stripe not yet asked or not done) | succeeded | failed | canceled
    status = UnicodeAttribute()
    attempt = IntAttribute(default=1)  # top-ups: the Stripe idempotency key's suffix
    payment_id = UnicodeAttribute(null=True)  # the PaymentIntent (top-up: once Stripe made one; refund: refunded one)
    stripe_refund_id = UnicodeAttribute(null=True)
    failure = UnicodeAttribute(null=True)  # Stripe's decline / error code
    reason = UnicodeAttribute(null=True)  # top-up: confirm | scheduled | arrears …; refund: the request id
    created_at = TimestampMs()
    updated_at = TimestampMs()

    @property
    def refund_id(self) -> str:
        return self.sk.removeprefix(REFUND)


def _failure(code: str | None):
    return PaymentModel.failure.set(code) if code else PaymentModel.failure.remove()


def get_top_up(user_id: str, key: str) -> PaymentModel | None:
    return get_or_none(PaymentModel, user_id, TOPUP + key)


def begin_top_up(
    user_id: str, key: str, amount_cents: int, reason: str, now: int, *, after: PaymentModel | None
) -> PaymentModel | None:
    """The next attempt of the top-up `key` (the first if `after` is None, else the one after the failed `after`),
    status charging; None if someone else moved the row first."""
    attempt = 1 if after is None else after.attempt + 1
    row = PaymentModel(
        user_id,
        TOPUP + key,
        amount_cents=amount_cents,
        status="charging",
        attempt=attempt,
        reason=reason,
        created_at=now if after is None else after.created_at,
        updated_at=now,
    )
    P = PaymentModel
    condition = P.sk.does_not_exist() if after is None else (P.attempt == after.attempt) & (P.status == after.status)
    try:
        save(row, condition)
    except ConditionFailed:
        return None
    return row


def end_top_up(row: PaymentModel, status: str, payment_id: str | None, failure: str | None, now: int) -> bool:
    """Record the outcome of the row's attempt, unless a later attempt or a webhook's success came first."""
    P = PaymentModel
    actions = [P.status.set(status), P.updated_at.set(now), _failure(failure)]
    if payment_id:
        actions.append(P.payment_id.set(payment_id))
    return update_if(row, actions, (P.attempt == row.attempt) & (P.status != "succeeded"))


def mark_top_up(user_id: str, key: str, payment_id: str, status: str, failure: str | None, now: int) -> bool:
    """A webhook's news about the top-up `key`'s PaymentIntent: success always wins; a failure only lands on the
    attempt that made this PaymentIntent and never undoes a success."""
    P = PaymentModel
    row = PaymentModel(user_id, TOPUP + key)
    condition = P.sk.exists() & (P.status != "succeeded")
    if status != "succeeded":
        condition &= (P.payment_id == payment_id) | P.payment_id.does_not_exist()
    actions = [P.status.set(status), P.payment_id.set(payment_id), P.updated_at.set(now), _failure(failure)]
    return update_if(row, actions, condition)


def add_refund(
    user_id: str, refund_id: str, payment_id: str, amount_cents: int, request_id: str, now: int
) -> PaymentModel:
    """A refund the ledger has posted (status pending until Stripe says otherwise); the existing row on a retry."""
    row = PaymentModel(
        user_id,
        REFUND + refund_id,
        amount_cents=amount_cents,
        status="pending",
        payment_id=payment_id,
        reason=request_id,
        created_at=now,
        updated_at=now,
    )
    try:
        save(row, PaymentModel.sk.does_not_exist())
    except ConditionFailed:
        existing = get_or_none(PaymentModel, user_id, REFUND + refund_id)
        assert existing is not None
        return existing
    return row


def set_refund_status(user_id: str, refund_id: str, status: str, stripe_refund_id: str | None, now: int) -> bool:
    """Stripe's status of our refund; a final status (succeeded, failed, canceled) is never overwritten by pending."""
    P = PaymentModel
    actions = [P.status.set(status), P.updated_at.set(now)]
    if stripe_refund_id:
        actions.append(P.stripe_refund_id.set(stripe_refund_id))
    condition = P.sk.exists()
    if status == "pending":
        condition &= P.status == "pending"
    return update_if(PaymentModel(user_id, REFUND + refund_id), actions, condition)


def refunds_of(user_id: str) -> list[PaymentModel]:
    """The account's refunds, newest first."""
    rows = PaymentModel.query(user_id, PaymentModel.sk.startswith(REFUND), consistent_read=True)
    return sorted(rows, key=lambda row: (row.created_at, row.sk), reverse=True)


def pending_refunds(user_id: str) -> Iterator[PaymentModel]:
    for row in PaymentModel.query(user_id, PaymentModel.sk.startswith(REFUND), consistent_read=True):
        if row.status == "pending":
            yield row


# ---- Stripe ids → our accounts, and events handled ---------------------------------------------------------------


def _payment_key(payment_id: str) -> str:
    return f"stripe-payment#{payment_id}"


def _event_key(event_id: str) -> str:
    return f"stripe-event#{event_id}"


def remember_payment(payment_id: str, user_id: str) -> None:
    """Which account a PaymentIntent belongs to (idempotent)."""
    U = UniqueKeyModel
    try:
        save(U(_payment_key(payment_id), owner=user_id), U.key.does_not_exist() | (U.owner == user_id))
    except ConditionFailed as exc:
        raise ValueError(f"payment {payment_id} belongs to another account") from exc


def payment_owner(payment_id: str) -> str | None:
    return owner_of(_payment_key(payment_id))


def event_handled(event_id: str) -> bool:
    return owner_of(_event_key(event_id)) is not None


def mark_event_handled(event_id: str, event_type: str) -> None:
    U = UniqueKeyModel
    # A concurrent delivery of the same event may finish first: the same effects, applied idempotently.
    with suppress(ConditionFailed):
        save(U(_event_key(event_id), owner=event_type), U.key.does_not_exist())
