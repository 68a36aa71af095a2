"""refund / listRefunds: running projects pause first and their reservations come back, then each payment's unspent
cash goes back to that payment's card, newest payment first, never more than it brought in minus what was spent
or refunded; bonus credit is never refunded."""

import pytest

from bytebridge.billing import ledger, topups
from bytebridge.dal.history import history
from bytebridge.enums import ProjectStatus
from tests.support.client import ClientApi
from tests.support.stripe import carded_api, running_project, status_of, stripe_v1

REFUND = "/api/v1/billing/refund"
LIST = "/api/v1/billing/listRefunds"


@pytest.fixture
def api(aws) -> ClientApi:
    return carded_api()


def _pay(api: ClientApi, shortfall: int, key: str) -> str:
    outcome = topups.top_up_for(api.user_id, shortfall, key=key)
    assert outcome.ok, outcome
    assert outcome.payment_id
    return outcome.payment_id


def _stripe_refunds(payment_id: str) -> list[int]:
    return [r.amount for r in stripe_v1().refunds.list(params={"payment_intent": payment_id}).data]


def test_refunds_go_back_newest_payment_first_each_capped_by_what_it_has_left(api):
    older = _pay(api, 5000, "a")  # $50
    newer = _pay(api, 10000, "b")  # $100
    project_id = running_project(api)
    ledger.reserve(api.user_id, project_id, 3000, key="confirm")  # drawn from the older payment
    ledger.debit_usage(api.user_id, project_id, "i1", 0, 2000)  # finished items: charged, not refundable

    out = api.call(REFUND, {})

    assert out["code"] == 0, out
    data = out["data"]
    assert [(r["paymentId"], r["amountCents"], r["status"]) for r in data["refunds"]] == [
        (newer, 10000, "succeeded"),
        (older, 3000, "succeeded"),  # 5000 in, 2000 spent; the unused 1000 of the reservation came back first
    ]
    assert data["refundedCents"] == 13000 and data["pausedProjectIds"] == [project_id]
    assert _stripe_refunds(newer) == [10000] and _stripe_refunds(older) == [3000]
    state = ledger.balance(api.user_id)
    assert state.available_cents == 0 and state.reserved_cents == {} and state.refundable_by_payment == {}
    assert ledger.project_charge(api.user_id, project_id) == 2000  # what it consumed stays charged
    assert status_of(api, project_id) is ProjectStatus.PAUSED
    assert history(project_id)[-1].reason == "refund"


def test_a_second_refund_finds_nothing_left_and_listRefunds_shows_each_with_its_status(api):
    payment = _pay(api, 100, "a")
    first = api.call(REFUND, {})["data"]

    second = api.call(REFUND, {})["data"]
    listed = api.call(LIST, {})["data"]["refunds"]

    assert second["refunds"] == [] and second["refundedCents"] == 0
    assert listed == first["refunds"]
    assert listed[0]["paymentId"] == payment and listed[0]["status"] == "succeeded"
    assert _stripe_refunds(payment) == [5000]  # one refund at Stripe, however often asked


def test_bonus_credit_is_never_refunded(api):
    payment = _pay(api, 100, "a")
    ledger.bonus(api.user_id, 2500, "welcome", key="welcome")

    data = api.call(REFUND, {})["data"]

    assert [(r["paymentId"], r["amountCents"]) for r in data["refunds"]] == [(payment, 5000)]
    assert data["bonusCents"] == 2500
    assert ledger.balance(api.user_id).available_cents == 2500


def test_an_account_with_only_bonus_has_nothing_to_refund(api):
    ledger.bonus(api.user_id, 2500, "welcome", key="welcome")

    data = api.call(REFUND, {})["data"]

    assert data["refunds"] == [] and data["bonusCents"] == 2500


def test_a_refund_pending_after_a_crash_is_driven_on_by_the_next_call(api):
    from bytebridge.clock import now_ms
    from bytebridge.dal import payments

    payment = _pay(api, 100, "a")
    payments.add_refund(api.user_id, "rf_crashed", payment, 5000, "rq_1", now_ms())  # crashed before the ledger

    listed = api.call(LIST, {})["data"]["refunds"]

    assert [(r["refundId"], r["status"]) for r in listed] == [("rf_crashed", "succeeded")]
    assert _stripe_refunds(payment) == [5000]
    assert ledger.balance(api.user_id).available_cents == 0


def test_tenants_never_see_each_others_refunds(api):
    _pay(api, 100, "a")
    api.call(REFUND, {})
    other = carded_api("other@example.com")

    assert other.call(LIST, {})["data"]["refunds"] == []


def test_no_refund_while_a_chargeback_is_open(api):
    from bytebridge.dal.accounts import freeze_for_chargeback
    from bytebridge.errors import ErrorCode

    payment = _pay(api, 100, "a")
    freeze_for_chargeback(api.user_id, "dp_1")  # the bank takes the payment back already

    out = api.call(REFUND, {})

    assert out["code"] == ErrorCode.UNSETTLED_CREDIT
    assert _stripe_refunds(payment) == []
    assert ledger.balance(api.user_id).refundable_by_payment == {payment: 5000}
