"""The one place that talks to Stripe: customers, saved cards (SetupIntents), off-session top-ups (PaymentIntents),
refunds and webhook signatures. The secret key and the webhook signing secret come from Secrets Manager
(settings.stripe_secret_name, JSON {"secretKey", "webhookSecret", "publishableKey"}); they are never logged or returned.
settings.stripe_api_base points the official SDK at another server (the local runtime's localstripe).

Answers are plain dataclasses: callers never see Stripe objects, and what Stripe calls an error (a declined card,
402) is an outcome here, not an exception."""

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from bytebridge.aws import client
from bytebridge.settings import get_settings

if TYPE_CHECKING:
    import stripe

# The SDK (aiohttp under it) is imported by the functions that call Stripe, not with the module: most handlers that
# import the billing package never call Stripe, and it was a sixth of the client API's import time.

WEBHOOK_PATH = "/stripe/v1/webhook"
WEBHOOK_TOLERANCE_SECONDS = 300
CURRENCY = "usd"

ChargeStatus = Literal["succeeded", "processing", "declined", "requires_action"]


@dataclass(frozen=True)
class Card:
    payment_method_id: str
    brand: str
    last4: str


@dataclass(frozen=True)
class SetupIntent:
    id: str
    client_secret: str
    status: str
    customer: str | None
    payment_method_id: str | None


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    payment_id: str | None  # the PaymentIntent (None when Stripe refused before making one)
    amount_cents: int
    failure: str | None = None  # Stripe's decline or error code


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    status: str  # pending | succeeded | failed | canceled | requires_action


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not verify."""


@dataclass(frozen=True)
class _Keys:
    secret_key: str
    webhook_secret: str
    publishable_key: str


@cache
def _keys() -> _Keys:
    value = json.loads(
        client("secretsmanager").get_secret_value(SecretId=get_settings().stripe_secret_name)["SecretString"]
    )
    return _Keys(value["secretKey"], value["webhookSecret"], value.get("publishableKey") or "")


@cache
def _stripe_client() -> "stripe.StripeClient":
    import stripe

    base = get_settings().stripe_api_base
    return stripe.StripeClient(
        _keys().secret_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=2,  # safe: every write carries an idempotency key
    )


def _v1() -> Any:
    return _stripe_client().v1


def publishable_key() -> str:
    """Stripe.js's key (public): the setting if a stage sets one, else the secret's."""
    return get_settings().stripe_publishable_key or _keys().publishable_key


def create_customer(user_id: str, email: str, *, key: str) -> str:
    customer = _v1().customers.create(
        params={"email": email, "metadata": {"userId": user_id}}, options={"idempotency_key": key}
    )
    return str(customer.id)


def create_setup_intent(customer_id: str, user_id: str) -> SetupIntent:
    intent = _v1().setup_intents.create(
        params={"customer": customer_id, "usage": "off_session", "metadata": {"userId": user_id}}
    )
    return _setup_intent(intent)


def retrieve_setup_intent(setup_intent_id: str) -> SetupIntent | None:
    import stripe

    try:
        return _setup_intent(_v1().setup_intents.retrieve(setup_intent_id))
    except stripe.InvalidRequestError:
        return None


def _setup_intent(intent: Any) -> SetupIntent:
    return SetupIntent(
        id=intent.id,
        client_secret=intent.client_secret,
        status=intent.status,
        customer=intent.customer,
        payment_method_id=intent.payment_method,
    )


def confirm_setup_intent(setup_intent_id: str, payment_method_id: str) -> SetupIntent:
    """Confirm a SetupIntent with a payment method server-side, as Stripe.js does in the browser (the local
    runtime's demo account and the test harness save test cards this way)."""
    intent = _v1().setup_intents.confirm(setup_intent_id, params={"payment_method": payment_method_id})
    return _setup_intent(intent)


def save_default_card(customer_id: str, payment_method_id: str) -> Card:
    """Attach the card to the customer (Stripe does it when a SetupIntent succeeds; localstripe does not, and
    attaching twice is harmless) and make it the customer's default for invoices and off-session charges."""
    method = _v1().payment_methods.attach(payment_method_id, params={"customer": customer_id})
    _v1().customers.update(customer_id, params={"invoice_settings": {"default_payment_method": payment_method_id}})
    card = method.card
    return Card(payment_method_id=method.id, brand=str(card.brand), last4=str(card.last4))


def charge(
    customer_id: str, payment_method_id: str, amount_cents: int, *, key: str, metadata: dict[str, str]
) -> ChargeResult:
    """An off-session PaymentIntent on the saved card, confirmed at once. A declined card (402 card_declined) and
    a card that wants 3-D Secure (real Stripe: 402 authentication_required; localstripe: 200 requires_action) are
    outcomes, not errors. Other Stripe errors propagate (nothing was charged, or the retry with `key` finds it)."""
    params = {
        "amount": amount_cents,
        "currency": CURRENCY,
        "customer": customer_id,
        "payment_method": payment_method_id,
        "off_session": True,
        "confirm": True,
        "metadata": metadata,
    }
    import stripe

    try:
        intent = _v1().payment_intents.create(params=params, options={"idempotency_key": key})
    except stripe.CardError as exc:
        error = exc.error
        intent_id = getattr(getattr(error, "payment_intent", None), "id", None) if error else None
        code = exc.code or "card_declined"
        status: ChargeStatus = "requires_action" if code == "authentication_required" else "declined"
        return ChargeResult(status, intent_id, amount_cents, failure=code)
    return ChargeResult(_charge_status(intent.status), intent.id, amount_cents, failure=_failure(intent))


def _charge_status(stripe_status: str) -> ChargeStatus:
    if stripe_status == "succeeded":
        return "succeeded"
    if stripe_status == "processing":
        return "processing"
    if stripe_status == "requires_action":
        return "requires_action"
    return "declined"  # requires_payment_method, canceled


def _failure(intent: Any) -> str | None:
    if intent.status == "succeeded":
        return None
    if intent.status == "requires_action":
        return "authentication_required"
    error = getattr(intent, "last_payment_error", None)
    return (error.get("code") if isinstance(error, dict) else getattr(error, "code", None)) or None


def refund(payment_id: str, amount_cents: int, *, key: str, metadata: dict[str, str]) -> RefundResult:
    result = _v1().refunds.create(
        params={"payment_intent": payment_id, "amount": amount_cents, "metadata": metadata},
        options={"idempotency_key": key},
    )
    return RefundResult(refund_id=result.id, status=result.status)


def verified_event(payload: bytes, signature_header: str | None) -> dict:
    """The event of a webhook whose Stripe-Signature verifies (HMAC-SHA256 with the endpoint's secret, timestamp
    within 300 s), as a plain dict; InvalidWebhook otherwise."""
    import stripe

    try:
        event = stripe.Webhook.construct_event(
            payload, signature_header, _keys().webhook_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidWebhook(str(exc)) from exc
    return event.to_dict()
