"""Top-ups: off-session PaymentIntents on the saved card in whole $50 units, once per business key, credited to the
ledger; a declined card or one that needs 3-D Secure pauses the account's running projects, leaves it unsettled
(code 16) and mails a link to fix the card; a charge in flight is code 17."""

from dataclasses import replace

import pytest

from bytebridge import clock
from bytebridge.billing import ledger, topups
from bytebridge.dal import payments
from bytebridge.dal.accounts import freeze_for_chargeback, start_settling
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic.accounts import create_account
from local.outbox import parsed_mails
from tests.support.client import ClientApi
from tests.support.client_api import ALTER, project_with_resources
from tests.support.stripe import (
    DECLINING_CARD,
    account_row,
    carded_api,
    running_project,
    save_authenticating_card,
    status_of,
    stripe_v1,
)


@pytest.mark.parametrize(
    ("shortfall", "charged"), [(1, 5000), (4999, 5000), (5000, 5000), (5001, 10000), (12_345, 15000), (0, 5000)]
)
def test_top_ups_are_whole_50_dollar_units(shortfall, charged):
    assert topups.units_for(shortfall) == charged


def _intents(api: ClientApi) -> list:
    customer = account_row(api).stripe_customer_id
    return [pi for pi in stripe_v1().payment_intents.list(params={"limit": 100}).data if pi.customer == customer]


def test_a_top_up_charges_the_saved_card_off_session_and_credits_the_ledger_once(aws):
    api = carded_api()

    outcome = topups.top_up_for(api.user_id, 7000, key="confirm:p1")
    again = topups.top_up_for(api.user_id, 7000, key="confirm:p1")  # a retried confirm

    assert outcome.status == "succeeded" and outcome.amount_cents == 10000
    assert again == replace(outcome, replayed=True)
    [intent] = _intents(api)
    assert intent.id == outcome.payment_id and intent.amount == 10000 and intent.status == "succeeded"
    assert intent.payment_method == account_row(api).card_payment_method
    assert intent.metadata["userId"] == api.user_id
    state = ledger.balance(api.user_id)
    assert state.available_cents == 10000 and state.refundable_by_payment == {outcome.payment_id: 10000}
    assert account_row(api).credit_state == CreditState.OK
    assert payments.payment_owner(outcome.payment_id) == api.user_id


def test_another_business_key_is_another_charge(aws):
    api = carded_api()

    first = topups.top_up_for(api.user_id, 100, key="a")
    second = topups.top_up_for(api.user_id, 100, key="b")

    assert first.payment_id != second.payment_id
    assert ledger.balance(api.user_id).available_cents == 10000


def test_a_declined_card_pauses_running_projects_leaves_the_account_unsettled_and_mails_a_fix_link(aws):
    api = carded_api(card=DECLINING_CARD)
    running = running_project(api)
    draft = project_with_resources(api, projectName="draft")

    outcome = topups.top_up_for(api.user_id, 2000, key="confirm:p1")

    assert outcome.status == "declined" and outcome.failure == "card_declined"
    assert ledger.balance(api.user_id).available_cents == 0
    assert status_of(api, running) is ProjectStatus.PAUSED
    assert status_of(api, draft) is ProjectStatus.DRAFT
    assert account_row(api).credit_state == CreditState.UNSETTLED
    assert api.call(ALTER, {"projectId": draft, "type": "start"})["code"] == ErrorCode.UNSETTLED_CREDIT
    [mail] = [m for m in parsed_mails() if m.kind == "payment_failed"]
    assert mail.to == ["cards@example.com"]
    assert "$50.00" in mail.subject and "declined" in mail.text and "/dashboard/#/billing" in mail.text


def test_after_a_decline_the_same_key_tries_again_with_the_new_card(aws):
    api = carded_api(card=DECLINING_CARD)
    assert topups.top_up_for(api.user_id, 2000, key="confirm:p1").status == "declined"
    from local.stripe_local import save_test_card

    save_test_card(api.user_id, "pm_card_visa")  # the client fixes the card
    assert account_row(api).credit_state == CreditState.OK  # nothing owed: settled again

    outcome = topups.top_up_for(api.user_id, 2000, key="confirm:p1")

    assert outcome.status == "succeeded"
    assert payments.get_top_up(api.user_id, "confirm:p1").attempt == 2
    assert ledger.balance(api.user_id).available_cents == 5000


def test_a_card_that_needs_authentication_off_session_is_handled_as_a_failed_charge(aws):
    api = carded_api()
    save_authenticating_card(api.user_id)
    running = running_project(api)

    outcome = topups.top_up_for(api.user_id, 100, key="scheduled:1")

    # localstripe answers 200 requires_action (real Stripe: 402 authentication_required): the same outcome
    assert outcome.status == "requires_action"
    assert ledger.balance(api.user_id).available_cents == 0
    assert status_of(api, running) is ProjectStatus.PAUSED
    assert account_row(api).credit_state == CreditState.UNSETTLED
    [mail] = [m for m in parsed_mails() if m.kind == "payment_failed"]
    assert "authenticate" in mail.text


def test_while_a_charge_is_in_flight_the_account_is_settling_code_17_and_no_second_charge_starts(aws):
    api = carded_api()
    draft = project_with_resources(api)
    now = clock.now_ms()
    assert start_settling(api.user_id, now, now + topups.SETTLING_MS)  # another charge holds it

    outcome = topups.top_up_for(api.user_id, 100, key="x")

    assert outcome.status == "in_progress"
    assert _intents(api) == []
    assert api.call(ALTER, {"projectId": draft, "type": "start"})["code"] == ErrorCode.SETTLEMENT_IN_PROGRESS
    clock.advance(topups.SETTLING_MS / 1000 + 1)  # its holder died: the hold lapses
    assert topups.top_up_for(api.user_id, 100, key="x").status == "succeeded"
    assert account_row(api).credit_state == CreditState.OK


def test_no_card_no_charge(aws):
    user_id, _ = create_account("nocard@example.com")

    assert topups.top_up_for(user_id, 100, key="x").status == "no_card"


def test_a_chargeback_freezes_top_ups(aws):
    api = carded_api()
    freeze_for_chargeback(api.user_id, "dp_1")

    assert topups.top_up_for(api.user_id, 100, key="x").status == "frozen"
    assert _intents(api) == []


def test_a_crash_between_the_charge_and_its_credit_is_credited_by_the_retry(aws):
    api = carded_api()
    charged = topups.top_up_for(api.user_id, 100, key="first")  # a real PaymentIntent to stand for the crashed one
    row = payments.begin_top_up(api.user_id, "crashed", 5000, "confirm", clock.now_ms(), after=None)
    payments.end_top_up(row, "succeeded", "pi_crashed", None, clock.now_ms())  # recorded, never credited

    outcome = topups.top_up_for(api.user_id, 100, key="crashed")

    assert outcome.status == "succeeded" and outcome.payment_id == "pi_crashed"
    assert ledger.balance(api.user_id).refundable_by_payment == {charged.payment_id: 5000, "pi_crashed": 5000}
    assert len(_intents(api)) == 1  # nothing charged again


def test_an_attempt_that_died_before_stripe_answered_is_sent_again_once_its_hold_lapsed(aws):
    api = carded_api()
    payments.begin_top_up(api.user_id, "k", 5000, "confirm", clock.now_ms(), after=None)  # then the process died

    assert topups.top_up_for(api.user_id, 100, key="k").status == "in_progress"
    clock.advance(topups.STALE_CHARGE_MS / 1000 + 1)
    outcome = topups.top_up_for(api.user_id, 100, key="k")

    assert outcome.status == "succeeded" and payments.get_top_up(api.user_id, "k").attempt == 1
    assert [pi.amount for pi in _intents(api)] == [5000]


def test_confirm_tops_up_a_short_balance_in_50_dollar_units_reserves_and_starts_the_project(aws):
    """The path of the issue's walk-through: a new account saves a test card, its trial is accepted, the estimate
    says what the card will be charged, Confirm charges it in $50 units, reserves the estimate and starts."""
    from tests.support.client_api import SUBMIT, create_project
    from tests.support.engine import executions_ended, image_urls, work_until, workers
    from tests.support.identity import gateway, staff

    api = carded_api()
    ops = staff("ops@example.com")
    project_id = create_project(api, options=[{"value": "cat"}, {"value": "dog"}], question="cat or dog?")
    urls = image_urls(["cat" if n % 2 == 0 else "dog" for n in range(12)])
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    approve = f"/operator/v1/reviews/{project_id}/approve"
    assert gateway("POST", approve, {"trialSize": 2}, token=ops.id_token)[0] == 200
    work_until(lambda: status_of(api, project_id) is ProjectStatus.TRIAL_DONE, workers(3))
    executions_ended()
    assert api.call("/api/v1/projects/acceptTrial", {"projectId": project_id})["code"] == 0

    estimate = api.call("/api/v1/projects/estimate", {"projectId": project_id})["data"]
    confirmed = api.call("/api/v1/projects/confirm", {"projectId": project_id})

    assert confirmed["code"] == 0, confirmed
    assert estimate["estimateCents"] > 0 and estimate["availableCents"] == 0
    assert estimate["topUpNeededCents"] == topups.units_for(estimate["estimateCents"])
    data = confirmed["data"]
    assert data["toppedUpCents"] == estimate["topUpNeededCents"] and data["toppedUpCents"] % topups.UNIT_CENTS == 0
    assert data["reservedCents"] == estimate["estimateCents"] and data["projectStatus"] == "inProgress"
    [intent] = _intents(api)
    assert intent.amount == data["toppedUpCents"]
    state = ledger.balance(api.user_id)
    assert state.reserved_cents == {project_id: estimate["estimateCents"]}
    assert state.available_cents == data["toppedUpCents"] - estimate["estimateCents"]
