"""Saving a card: setupCard → the browser confirms the SetupIntent (localstripe's Stripe.js stand-in: the same API
call) → confirmCard records the card on the Stripe customer (default payment method) and on the account (brand and
last four only), which is what code 12 depends on. A new account has no card."""

import json
from contextlib import suppress

import pytest
import stripe

from bytebridge.billing import stripe_gateway
from bytebridge.dal.accounts import set_credit_state
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic.accounts import create_account
from bytebridge.settings import get_settings
from local.stripe_local import LOCAL_PUBLISHABLE_KEY, LOCAL_SECRET_KEY, LOCAL_WEBHOOK_SECRET
from tests.support.client import ClientApi
from tests.support.client_api import ALTER, project_with_resources
from tests.support.stripe import AUTHENTICATING_CARD, account_row, carded_api, status_of, stripe_v1

SETUP = "/api/v1/billing/setupCard"
CONFIRM = "/api/v1/billing/confirmCard"


@pytest.fixture
def new_api(aws) -> ClientApi:
    """An account as sign-up makes it: no card."""
    return ClientApi(*create_account("new@example.com", card_bound=get_settings().signup_card_bound))


def _save(api: ClientApi, payment_method: str) -> dict:
    setup = api.call(SETUP, {})
    assert setup["code"] == 0, setup
    # What Stripe.js's confirmCardSetup does in the browser; a decline shows there, and confirmCard must not save it.
    with suppress(stripe.CardError):
        stripe_gateway.confirm_setup_intent(setup["data"]["setupIntentId"], payment_method)
    return api.call(CONFIRM, {"setupIntentId": setup["data"]["setupIntentId"]})


def test_a_new_account_has_no_card_and_cannot_start(new_api):
    project_id = project_with_resources(new_api)

    out = new_api.call(ALTER, {"projectId": project_id, "type": "start"})

    assert out["code"] == ErrorCode.CARD_REQUIRED
    assert account_row(new_api).card_bound is False


def test_setup_card_answers_a_client_secret_and_the_publishable_key_never_the_secret_key(new_api):
    out = new_api.call(SETUP, {})

    assert out["code"] == 0, out
    data = out["data"]
    assert data["setupIntentId"].startswith("seti_")
    assert data["clientSecret"].startswith(data["setupIntentId"] + "_secret_")
    assert data["publishableKey"] == LOCAL_PUBLISHABLE_KEY
    text = json.dumps(out)
    assert LOCAL_SECRET_KEY not in text and LOCAL_WEBHOOK_SECRET not in text
    # one Stripe customer per account, made on first use and kept
    customer = account_row(new_api).stripe_customer_id
    assert customer and customer.startswith("cus_")
    assert new_api.call(SETUP, {})["code"] == 0
    assert account_row(new_api).stripe_customer_id == customer


def test_a_confirmed_card_is_the_customers_default_and_the_accounts_card(new_api):
    out = _save(new_api, "pm_card_visa")

    assert out["code"] == 0, out
    assert out["data"] == {"cardBound": True, "brand": "visa", "last4": "4242", "settled": True}
    account = account_row(new_api)
    assert account.card_bound and account.card_brand == "visa" and account.card_last4 == "4242"
    customer = stripe_v1().customers.retrieve(account.stripe_customer_id)
    assert customer.invoice_settings.default_payment_method == account.card_payment_method
    method = stripe_v1().payment_methods.retrieve(account.card_payment_method)
    assert method.customer == account.stripe_customer_id  # attached (localstripe's SetupIntent does not do it)
    project_id = project_with_resources(new_api)
    assert new_api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    assert status_of(new_api, project_id) is ProjectStatus.CHECKING


def test_a_card_declined_at_setup_is_not_saved(new_api):
    out = _save(new_api, "pm_card_visa_chargeDeclined")

    assert out["code"] == ErrorCode.CARD_REQUIRED
    assert "not saved" in out["detail"]
    assert account_row(new_api).card_bound is False


def test_a_card_the_bank_wants_authenticated_is_not_saved_until_it_is(new_api):
    method = stripe_v1().payment_methods.create(
        params={
            "type": "card",
            "card": {"number": AUTHENTICATING_CARD, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )

    out = _save(new_api, method.id)

    assert out["code"] == ErrorCode.CARD_REQUIRED
    assert "authenticate" in out["detail"]
    assert account_row(new_api).card_bound is False


def test_another_accounts_setup_intent_is_refused(new_api):
    other = carded_api("other@example.com")
    foreign = other.call(SETUP, {})["data"]["setupIntentId"]
    stripe_gateway.confirm_setup_intent(foreign, "pm_card_visa")
    new_api.call(SETUP, {})  # new_api has a customer too, just not that one

    out = new_api.call(CONFIRM, {"setupIntentId": foreign})

    assert out["code"] == ErrorCode.PARAMETER_INVALID
    assert account_row(new_api).card_bound is False


def test_a_malformed_setup_intent_id_is_code_2(new_api):
    assert new_api.call(CONFIRM, {"setupIntentId": "pi_123"})["code"] == ErrorCode.PARAMETER_INVALID


def test_a_new_card_settles_an_account_a_failed_charge_left_unsettled(new_api):
    _save(new_api, "pm_card_visa")
    set_credit_state(new_api.user_id, CreditState.UNSETTLED, only_from=CreditState.OK)  # a charge failed

    out = _save(new_api, "pm_card_visa")

    assert out["data"]["settled"] is True
    assert account_row(new_api).credit_state == CreditState.OK
