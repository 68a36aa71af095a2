"""The scheduled top-up: across all running projects of an account, when its balance (with their reservations) will
not cover the next period's expected usage (each project's recent rate), the card is charged once for the whole
account, in $50 units; a re-run in the same period charges nothing more; a failure is handled as any failed charge."""

import pytest

from bytebridge import clock
from bytebridge.billing import ledger, topups
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import ProjectStatus
from bytebridge.settings import get_settings
from local.emulator import LocalContext
from local.outbox import parsed_mails
from tests.support.client import ClientApi
from tests.support.client_api import project
from tests.support.stripe import DECLINING_CARD, account_row, carded_api, running_project, status_of, stripe_v1

HOUR_MS = 3_600_000


def _run() -> dict:
    from scheduled.handler import scheduled_top_ups

    return scheduled_top_ups({}, LocalContext("scheduled-top-ups"))


def _started_hours_ago(api: ClientApi, project_id: str, hours: float) -> None:
    row = project(api, project_id)
    row.update(
        actions=[ProjectModel.started_at.set(clock.now_ms() - int(hours * HOUR_MS))], add_version_condition=False
    )


def _use(api: ClientApi, project_id: str, cents: int, item: str) -> None:
    ledger.debit_usage(api.user_id, project_id, item, 0, cents)


def _charges(api: ClientApi) -> list[int]:
    customer = account_row(api).stripe_customer_id
    return [pi.amount for pi in stripe_v1().payment_intents.list(params={"limit": 100}).data if pi.customer == customer]


@pytest.fixture
def api(aws) -> ClientApi:
    assert get_settings().topup_horizon_seconds == 86400  # the next period: one day
    return carded_api()


def test_the_expected_usage_of_all_running_projects_is_charged_once_for_the_account(api):
    ledger.bonus(api.user_id, 1000, "welcome", key="w")
    first, second = running_project(api, "one"), running_project(api, "two")
    _started_hours_ago(api, first, 12)
    _started_hours_ago(api, second, 48)
    _use(api, first, 1000, "i1")  # 1000 in 12 h: 2000 a day
    _use(api, second, 3000, "i2")  # 3000 in the last day (it ran longer): 3000 a day
    # available now: 0 (the bonus paid 1000, the rest is owed: 3000 receivable)

    report = _run()

    # expected 5000 + owed 3000 - covered 0 = 8000 → two $50 units, one charge
    assert report == {"accounts": 1, "charged": 1, "failed": 0, "charged_cents": 10000}
    assert _charges(api) == [10000]
    state = ledger.balance(api.user_id)
    assert state.receivable_cents == 0 and state.available_cents == 7000


def test_a_second_run_in_the_same_period_charges_nothing_more(api):
    project_id = running_project(api)
    _started_hours_ago(api, project_id, 24)
    _use(api, project_id, 20000, "i1")

    assert _run()["charged"] == 1
    _use(api, project_id, 20000, "i2")  # more usage within the period: the next period's run covers it
    assert _run()["charged"] == 0

    assert _charges(api) == [40000]


def test_usage_older_than_the_period_does_not_count(api):
    project_id = running_project(api)
    _started_hours_ago(api, project_id, 100)
    _use(api, project_id, 6000, "i1")
    topups.top_up_for(api.user_id, 6000, key="manual")  # pays what is owed: 10000 in, 4000 left
    clock.advance(2 * 86400)  # two quiet days: its recent rate is nothing

    assert _run() == {"accounts": 1, "charged": 0, "failed": 0, "charged_cents": 0}
    assert _charges(api) == [10000]


def test_a_balance_that_covers_the_next_period_is_not_topped_up(api):
    project_id = running_project(api)
    _started_hours_ago(api, project_id, 24)
    topups.top_up_for(api.user_id, 10000, key="manual")
    _use(api, project_id, 4000, "i1")  # 4000 a day; 6000 left

    assert _run()["charged"] == 0
    assert _charges(api) == [10000]


def test_a_projects_reservation_counts_as_covering_its_usage(api):
    project_id = running_project(api)
    _started_hours_ago(api, project_id, 24)
    topups.top_up_for(api.user_id, 20000, key="confirm")
    ledger.reserve(api.user_id, project_id, 20000, key="confirm")
    _use(api, project_id, 5000, "i1")  # 15000 still reserved, 5000 a day

    assert _run()["charged"] == 0


def test_accounts_without_running_projects_are_not_visited(api):
    paused = running_project(api)
    _started_hours_ago(api, paused, 24)
    _use(api, paused, 5000, "i1")
    project(api, paused).update(
        actions=[ProjectModel.status.set(ProjectStatus.PAUSED.value)], add_version_condition=False
    )

    assert _run()["accounts"] == 0
    assert _charges(api) == []


def test_a_declined_scheduled_charge_pauses_the_accounts_projects_and_mails_the_client(aws):
    api = carded_api(card=DECLINING_CARD)
    project_id = running_project(api)
    _started_hours_ago(api, project_id, 24)
    _use(api, project_id, 3000, "i1")

    report = _run()

    assert report["failed"] == 1 and report["charged"] == 0
    assert status_of(api, project_id) is ProjectStatus.PAUSED
    assert [m.kind for m in parsed_mails()].count("payment_failed") == 1
