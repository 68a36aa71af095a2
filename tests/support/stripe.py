"""Helpers of the Stripe tests: accounts with a test card saved through localstripe (the dashboard's way), Stripe
events signed as Stripe signs them, delivered to the webhook function as API Gateway would, and localstripe read
back through the official SDK."""

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from bytebridge.billing import stripe_gateway
from bytebridge.dal.accounts import AccountModel
from bytebridge.enums import ProjectStatus
from local.gateway import proxy_event
from local.stripe_local import LOCAL_WEBHOOK_SECRET, save_test_card
from tests.support.client import ClientApi
from tests.support.client_api import project, project_with_resources, set_status

WEBHOOK = stripe_gateway.WEBHOOK_PATH
DECLINING_CARD = "pm_card_chargeCustomerFail"  # 4000000000000341: saves, then every charge is declined
AUTHENTICATING_CARD = "4000002760003184"  # every charge needs 3-D Secure


def carded_api(email: str = "cards@example.com", card: str = "pm_card_visa") -> ClientApi:
    """A new account (no card, as sign-up makes them) that then saved `card`."""
    from bytebridge.logic.accounts import create_account

    api = ClientApi(*create_account(email))
    save_test_card(api.user_id, card)
    return api


def stripe_v1() -> Any:
    """The official SDK's client on this process's localstripe (reading what our code did there)."""
    return stripe_gateway._stripe_client().v1


def save_authenticating_card(user_id: str) -> None:
    """Attach a card whose charges all need 3-D Secure as the account's card (a SetupIntent cannot finish it
    off-session, so it is attached directly, as a card saved before the bank began asking would be)."""
    from bytebridge.billing import cards
    from bytebridge.dal.accounts import get_account, set_card

    account = get_account(user_id)
    assert account is not None
    customer = cards.customer_of(account)
    method = stripe_v1().payment_methods.create(
        params={
            "type": "card",
            "card": {"number": AUTHENTICATING_CARD, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    card = stripe_gateway.save_default_card(customer, method.id)
    set_card(user_id, card.payment_method_id, card.brand, card.last4)


def running_project(api: ClientApi, name: str = "running") -> str:
    project_id = project_with_resources(api, projectName=name)
    set_status(api, project_id, ProjectStatus.IN_PROGRESS)
    return project_id


def status_of(api: ClientApi, project_id: str) -> ProjectStatus:
    return project(api, project_id).status_enum


def account_row(api: ClientApi) -> AccountModel:
    return AccountModel.get(api.user_id, consistent_read=True)


def new_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def signed(event: dict, *, secret: str = LOCAL_WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send (t=<unix time>,v1=HMAC-SHA256(t.body))."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={mac}"


def deliver(payload: bytes, signature: str | None) -> tuple[int, dict]:
    """POST the webhook to the stripe-webhook function as API Gateway would; (status, body)."""
    from stripe_webhook.handler import lambda_handler

    from local.emulator import LocalContext

    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    response = lambda_handler(proxy_event("POST", WEBHOOK, headers, payload, "127.0.0.1"), LocalContext("x"))
    return response["statusCode"], json.loads(response["body"])


def send_event(event: dict) -> dict:
    status, body = deliver(*signed(event))
    assert status == 200, body
    return body


def intent(payment_id: str, user_id: str, amount: int, *, status: str = "succeeded", key: str | None = None) -> dict:
    """A PaymentIntent as a webhook carries it (what our charges set in metadata)."""
    metadata = {"userId": user_id, **({"topUpKey": key} if key else {})}
    return {
        "id": payment_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": "usd",
        "status": status,
        "metadata": metadata,
        "last_payment_error": None if status == "succeeded" else {"code": "card_declined"},
    }


def refunded_charge(payment_id: str, amount: int, refunds: list[dict]) -> dict:
    return {
        "id": "ch_" + secrets.token_hex(8),
        "object": "charge",
        "payment_intent": payment_id,
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": sum(r["amount"] for r in refunds),
        "refunded": True,
        "refunds": {"object": "list", "data": refunds},
    }
