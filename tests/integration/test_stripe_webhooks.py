"""POST /stripe/v1/webhook: Stripe-Signature verified (300 s tolerance), each event id applied once, and any order
of delivery converges on the same ledger and state."""

import threading
import time

import pytest

from bytebridge import clock
from bytebridge.billing import ledger, topups
from bytebridge.dal import payments
from bytebridge.dal.accounts import start_settling
from bytebridge.dal.ledger import LedgerModel
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.settings import get_settings
from local.outbox import parsed_mails
from tests.support.client import ClientApi
from tests.support.client_api import ALTER, project_with_resources
from tests.support.stripe import (
    account_row,
    carded_api,
    deliver,
    intent,
    new_event,
    refunded_charge,
    running_project,
    send_event,
    signed,
    status_of,
)
from tests.support.timing import wait_for


@pytest.fixture
def api(aws) -> ClientApi:
    return carded_api()


def _succeeded(api: ClientApi, payment_id: str = "pi_web1", amount: int = 5000, key: str | None = None) -> dict:
    return new_event("payment_intent.succeeded", intent(payment_id, api.user_id, amount, key=key))


def _ledger_rows(user_id: str) -> int:
    return sum(1 for _ in LedgerModel.query(user_id, consistent_read=True))


def test_a_forged_signature_is_refused_and_changes_nothing(api):
    payload, header = signed(_succeeded(api), secret="whsec_forged")

    status, body = deliver(payload, header)

    assert status == 400 and body == {"error": "invalid signature"}
    assert ledger.balance(api.user_id).available_cents == 0


def test_a_body_changed_after_signing_is_refused(api):
    payload, header = signed(_succeeded(api, amount=5000))

    status, _ = deliver(payload.replace(b"5000", b"9000"), header)

    assert status == 400
    assert ledger.balance(api.user_id).available_cents == 0


def test_a_stale_timestamp_is_refused_a_fresh_one_accepted(api):
    event = _succeeded(api)

    assert deliver(*signed(event, at=int(time.time()) - 301))[0] == 400
    assert deliver(*signed(event, at=int(time.time()) - 200))[0] == 200
    assert ledger.balance(api.user_id).available_cents == 5000


def test_a_missing_signature_is_refused(api):
    payload, _ = signed(_succeeded(api))

    assert deliver(payload, None)[0] == 400


def test_a_replayed_event_is_applied_once(api):
    event = _succeeded(api)

    first = send_event(event)
    rows = _ledger_rows(api.user_id)
    second = send_event(event)

    assert first["outcome"] == "applied" and second["outcome"] == "duplicate"
    assert ledger.balance(api.user_id).available_cents == 5000
    assert _ledger_rows(api.user_id) == rows


def test_the_same_payment_reported_by_the_charge_call_and_its_webhook_is_credited_once(api):
    outcome = topups.top_up_for(api.user_id, 100, key="k")

    body = send_event(_succeeded(api, outcome.payment_id, outcome.amount_cents, key="k"))

    assert body["outcome"] == "applied"
    assert ledger.balance(api.user_id).available_cents == 5000


def test_an_event_for_a_payment_of_another_account_is_not_believed(api):
    other = carded_api("other@example.com")
    send_event(_succeeded(api, "pi_mine"))
    forged = new_event("payment_intent.succeeded", intent("pi_mine", other.user_id, 5000))

    assert send_event(forged)["outcome"] == "ignored"
    assert ledger.balance(other.user_id).available_cents == 0


def _converged_state(user_id: str) -> tuple:
    state = ledger.balance(user_id)
    return (
        state.available_cents,
        state.refundable_by_payment,
        {name: cents for name, cents in ledger.accounts(user_id).items()},
        [(row.status, row.amount_cents) for row in payments.refunds_of(user_id)],
    )


@pytest.mark.parametrize("order", ["in order", "refund first"])
def test_a_refund_before_its_payment_converges(aws, order):
    api = carded_api(f"{order.replace(' ', '')}@example.com")
    paid = _succeeded(api, "pi_conv", 10000)
    refund = {"id": "re_outside", "object": "refund", "amount": 4000, "status": "succeeded", "metadata": {}}
    refunded = new_event("charge.refunded", refunded_charge("pi_conv", 10000, [refund]))
    payments.remember_payment("pi_conv", api.user_id)  # our charge call recorded the payment's account

    for event in [paid, refunded] if order == "in order" else [refunded, paid]:
        send_event(event)

    # a refund made in Stripe's dashboard: followed in the ledger, shown in listRefunds
    assert _converged_state(api.user_id) == (
        6000,
        {"pi_conv": 6000},
        {"card:pi_conv": -10000, "cash:pi_conv": 6000, "refunded:pi_conv": 4000},
        [("succeeded", 4000)],
    )


def test_a_failure_after_the_success_changes_nothing(api):
    running = running_project(api)
    outcome = topups.top_up_for(api.user_id, 100, key="k")
    failed = new_event(
        "payment_intent.payment_failed",
        intent(outcome.payment_id, api.user_id, 5000, status="requires_payment_method", key="k"),
    )

    assert send_event(failed)["outcome"] == "ignored"

    assert ledger.balance(api.user_id).available_cents == 5000
    assert payments.get_top_up(api.user_id, "k").status == "succeeded"
    assert account_row(api).credit_state == CreditState.OK
    assert status_of(api, running) is ProjectStatus.IN_PROGRESS
    assert not [m for m in parsed_mails() if m.kind == "payment_failed"]


def test_a_payment_still_processing_then_failed_then_succeeded_ends_credited_and_settled(api):
    running = running_project(api)
    # a top-up Stripe answered `processing` (bank debits do): the account stays settling until its webhook
    row = payments.begin_top_up(api.user_id, "k", 5000, "scheduled", 1, after=None)
    payments.end_top_up(row, "processing", "pi_slow", None, 2)
    assert start_settling(api.user_id, 1, clock.now_ms() + topups.SETTLING_MS)

    send_event(
        new_event(
            "payment_intent.payment_failed",
            intent("pi_slow", api.user_id, 5000, status="requires_payment_method", key="k"),
        )
    )

    assert account_row(api).credit_state == CreditState.UNSETTLED
    assert status_of(api, running) is ProjectStatus.PAUSED
    assert [m.kind for m in parsed_mails()].count("payment_failed") == 1

    send_event(_succeeded(api, "pi_slow", 5000, key="k"))  # the client authenticated it later: success wins

    assert ledger.balance(api.user_id).available_cents == 5000
    assert payments.get_top_up(api.user_id, "k").status == "succeeded"
    assert account_row(api).credit_state == CreditState.OK


def test_a_chargeback_freezes_new_spending_and_alerts_operators_once(api):
    outcome = topups.top_up_for(api.user_id, 100, key="k")
    draft = project_with_resources(api)
    dispute = new_event(
        "charge.dispute.created",
        {"id": "dp_1", "object": "dispute", "amount": 5000, "charge": "ch_1", "payment_intent": outcome.payment_id},
    )

    assert send_event(dispute)["outcome"] == "applied"
    send_event(new_event("charge.dispute.created", dispute["data"]["object"]))  # Stripe re-sent it as a new event

    assert account_row(api).chargeback_id == "dp_1"
    assert api.call(ALTER, {"projectId": draft, "type": "start"})["code"] == ErrorCode.UNSETTLED_CREDIT
    assert topups.top_up_for(api.user_id, 100, key="k2").status == "frozen"
    alerts = [m for m in parsed_mails() if m.kind == "chargeback_opened"]
    assert len(alerts) == 1
    assert alerts[0].to == [get_settings().operators_email] and api.user_id in alerts[0].text


def test_an_unhandled_event_type_is_acknowledged(api):
    assert send_event(new_event("customer.created", {"id": "cus_1", "object": "customer"}))["outcome"] == "ignored"


def test_localstripes_own_signed_deliveries_verify_and_apply(api):
    """localstripe signs and POSTs payment_intent.succeeded to the registered endpoint (the local gateway)."""
    from local.gateway import serve
    from local.stripe_local import local_stripe

    server = serve("127.0.0.1", 0, {}, {})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        local_stripe().deliver_webhooks_to(f"http://127.0.0.1:{server.server_address[1]}")
        assert topups.top_up_for(api.user_id, 100, key="k").ok
        # the delivery comes about a second later, on localstripe's thread: wait for the event it applies
        wait_for(_delivered)
    finally:
        server.shutdown()
        server.server_close()
    assert ledger.balance(api.user_id).available_cents == 5000


def _delivered() -> bool:
    """An event of type payment_intent.succeeded was handled (its id is localstripe's)."""
    from bytebridge.dal.unique_keys import UniqueKeyModel

    handled = UniqueKeyModel.scan(UniqueKeyModel.key.startswith("stripe-event#"))
    return any(row.owner == "payment_intent.succeeded" for row in handled)


def test_stripes_news_of_our_own_refund_updates_its_status_and_nothing_else(api):
    outcome = topups.top_up_for(api.user_id, 100, key="k")
    assert outcome.payment_id
    # our refund as a slow card network leaves it: posted to the ledger, Stripe still `pending`
    ledger.refund(api.user_id, outcome.payment_id, 5000, refund_id="rf_ours")
    payments.add_refund(api.user_id, "rf_ours", outcome.payment_id, 5000, "rq_1", clock.now_ms())
    payments.set_refund_status(api.user_id, "rf_ours", "pending", "re_stripe", clock.now_ms())
    refund = {"id": "re_stripe", "object": "refund", "amount": 5000, "status": "succeeded"}
    refund["metadata"] = {"refundId": "rf_ours", "userId": api.user_id}
    before = ledger.accounts(api.user_id)

    send_event(new_event("charge.refunded", refunded_charge(outcome.payment_id, 5000, [refund])))

    [row] = payments.refunds_of(api.user_id)
    assert (row.refund_id, row.status, row.stripe_refund_id) == ("rf_ours", "succeeded", "re_stripe")
    assert ledger.accounts(api.user_id) == before  # the money left the balance when we asked for the refund


def test_a_card_the_browser_confirmed_is_saved_by_setup_intent_succeeded_without_confirmCard(aws):
    from bytebridge.billing import cards, stripe_gateway
    from bytebridge.logic.accounts import create_account

    api = ClientApi(*create_account("browser@example.com"))
    account = account_row(api)
    setup = cards.setup_card(account)
    intent = stripe_gateway.confirm_setup_intent(setup.setup_intent_id, "pm_card_visa")  # the browser, then gone
    obj = {"id": intent.id, "object": "setup_intent", "status": "succeeded", "customer": intent.customer}
    obj |= {"payment_method": intent.payment_method_id, "metadata": {"userId": api.user_id}}

    assert send_event(new_event("setup_intent.succeeded", obj))["outcome"] == "applied"
    forged = obj | {"customer": "cus_someone_else"}
    other = ClientApi(*create_account("victim@example.com"))
    cards.setup_card(account_row(other))
    assert (
        send_event(new_event("setup_intent.succeeded", forged | {"metadata": {"userId": other.user_id}}))["outcome"]
        == "ignored"
    )

    saved = account_row(api)
    assert saved.card_bound and saved.card_payment_method == intent.payment_method_id and saved.card_last4 == "4242"
    assert account_row(other).card_bound is False
