"""Money on the local platform: the published prices, prices only operators negotiate (audited, frozen at start),
the estimate from the accepted trial, the confirm that pre-charges it and starts the project by itself, usage drawn
per finished item (once, however often the finish is retried), and the unused pre-charge released at completion and
at an early end. Test accounts hold a bonus (tests.support.client_api.fund); cards and top-ups: M2's tests."""

import contextlib
import threading
import uuid

import pytest

from bytebridge.annotations import TaskType
from bytebridge.billing import ledger
from bytebridge.clock import now_ms
from bytebridge.dal.audit import day_of, entries
from bytebridge.dal.history import history
from bytebridge.dal.items import mark_finished
from bytebridge.enums import CreditState, ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic.accounts import create_account
from bytebridge.pricing import UNIT_PRICE_CENTS
from bytebridge.workers import claim as claiming
from bytebridge.workers import work
from tests.support.client import ClientApi
from tests.support.client_api import (
    ALTER,
    SUBMIT,
    TEST_BONUS_CENTS,
    assert_error,
    create_project,
    set_account,
    set_status,
)
from tests.support.engine import SET_FLOW, executions_ended, image_urls, items_of, project_row, work_until, workers
from tests.support.identity import gateway, staff

S = ProjectStatus
OPS = "/operator/v1"
ACCEPT_TRIAL = "/api/v1/projects/acceptTrial"
ESTIMATE = "/api/v1/projects/estimate"
CONFIRM = "/api/v1/projects/confirm"
BALANCE = "/api/v1/billing/retrieveBalance"


@pytest.fixture
def ops(aws):
    return staff("ops@example.com")


def op(ops, method: str, path: str, body=None):
    return gateway(method, OPS + path, body, token=ops.id_token)


def draft(api: ClientApi, count: int) -> str:
    """A documented one-question project (single choice) with `count` images."""
    project_id = create_project(
        api, projectName=f"billing {uuid.uuid4().hex[:8]}", options=[{"value": "cat"}, {"value": "dog"}], question="?"
    )
    urls = image_urls(["cat" if n % 2 == 0 else "dog" for n in range(count)])
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    return project_id


def labeled_until(api: ClientApi, project_id: str, wanted: ProjectStatus) -> None:
    work_until(lambda: project_row(api, project_id).status == wanted, workers(3))
    executions_ended()


def waiting_payment(api: ClientApi, ops, count: int = 12, trial: int = 3) -> str:
    """A project whose trial of `trial` items was labeled and accepted."""
    project_id = draft(api, count)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    assert op(ops, "POST", f"/reviews/{project_id}/approve", {"trialSize": trial})[0] == 200
    labeled_until(api, project_id, S.TRIAL_DONE)
    assert api.call(ACCEPT_TRIAL, {"projectId": project_id})["code"] == 0
    return project_id


def ok(out: dict) -> dict:
    assert out["code"] == 0, out
    return out["data"]


# ---- prices -----------------------------------------------------------------------------------------------------


def test_the_price_table_is_published_unsigned(aws):
    status, body = gateway("GET", "/api/v1/prices")

    assert status == 200 and body["code"] == 0, body
    table = {row["taskType"]: row["unitPriceCents"] for row in body["data"]["prices"]}
    assert table == {task_type.value: cents for task_type, cents in UNIT_PRICE_CENTS.items()}
    assert body["data"]["currency"] == "USD" and "×" in body["data"]["formula"]
    levels = {row["level"]: (row["confidenceTarget"], row["priceFactor"]) for row in body["data"]["levels"]}
    assert levels == {"standard": (0.95, 0.9), "high": (0.985, 1.0), "premium": (0.997, 1.15)}
    boxes = next(row for row in body["data"]["prices"] if row["taskType"] == "rectangle_frame_select")
    assert boxes["centsByLevel"] == {"standard": 5, "high": 6, "premium": 7}  # 6 × 0.9 and × 1.15, to the cent


def test_a_client_cannot_set_a_price_on_a_flow_node(api):
    project_id = draft(api, 2)
    node = {"kind": "task", "id": "ask", "taskType": "single_choice", "question": "cat?", "options": ["a", "b"]}
    node["unitPriceCents"] = 0
    flow = {
        "start": "ask",
        "nodes": [node, {"kind": "end", "id": "end"}],
        "edges": [{"source": "ask", "target": "end"}],
    }

    out = api.call(SET_FLOW, {"projectId": project_id, "flow": flow})

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert "unitPriceCents cannot be set" in out["detail"], out
    del node["unitPriceCents"]
    assert api.call(SET_FLOW, {"projectId": project_id, "flow": flow})["code"] == 0  # the same flow, unpriced


def test_operators_negotiate_a_project_price_audited_then_frozen_with_the_flow_at_start(api, ops):
    project_id = draft(api, 4)
    code, body = op(ops, "PUT", f"/projects/{project_id}/prices", {"prices": {"single_choice": 1}})
    assert code == 200 and body["prices"] == {"single_choice": 1}, body
    assert op(ops, "PUT", f"/projects/{project_id}/prices", {"prices": {"single_choice": -1}})[0] == 400
    assert op(ops, "PUT", f"/projects/{project_id}/prices", {"prices": {"no_such_type": 1}})[0] == 400
    [audited] = [row for row in entries(day_of(now_ms())) if row.action == "prices"]
    assert audited.target == project_id and audited.operator == "ops@example.com"

    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    row = project_row(api, project_id)
    assert row.price_snapshot["flowVersion"] == row.flow_version and set(row.price_snapshot["cents"].values()) == {1}

    assert op(ops, "POST", f"/reviews/{project_id}/approve", {"trialSize": 2})[0] == 200
    assert op(ops, "PUT", f"/projects/{project_id}/prices", {"prices": {"single_choice": 5}})[0] == 409  # in trial
    labeled_until(api, project_id, S.TRIAL_DONE)
    trial = [item for item in items_of(project_id) if item.trial_round == 1]
    assert [item.trial_cost_cents for item in trial] == [1, 1]  # one task each, at the negotiated price


# ---- estimate → confirm → usage → release -------------------------------------------------------------------


def test_confirm_pre_charges_the_estimate_starts_the_project_and_usage_is_drawn_per_item(api, ops):
    project_id = waiting_payment(api, ops, count=12, trial=3)
    row = project_row(api, project_id)
    per_item = UNIT_PRICE_CENTS[TaskType.SINGLE_CHOICE]
    assert row.trial_cost_cents == 3 * per_item and row.not_started_count == 9

    estimate = ok(api.call(ESTIMATE, {"projectId": project_id}))
    assert estimate["estimateCents"] == 9 * per_item and estimate["itemsToLabel"] == 9
    assert estimate["trialItems"] == 3 and "not a quote" in estimate["note"]
    assert estimate["availableCents"] == TEST_BONUS_CENTS and estimate["topUpNeededCents"] == 0
    assert ledger.balance(api.user_id).reserved_cents == {}  # an estimate moves nothing

    confirmed = ok(api.call(CONFIRM, {"projectId": project_id}))
    assert confirmed["reservedCents"] == estimate["estimateCents"] and confirmed["projectStatus"] == "inProgress"
    assert ledger.balance(api.user_id).reserved_cents == {project_id: estimate["estimateCents"]}
    assert [(h.from_status, h.to_status, h.by) for h in history(project_id)][-1] == (
        "waitingPayment",
        "inProgress",
        api.user_id,
    )
    again = ok(api.call(CONFIRM, {"projectId": project_id}))  # a retried confirm: the same pre-charge, once
    assert again["reservedCents"] == confirmed["reservedCents"]
    reserves = [e for e in ledger.entries(api.user_id, cursor=None, limit=200)[0] if e.kind == "reserve"]
    assert sum(e.amount_cents for e in reserves if e.amount_cents > 0) == estimate["estimateCents"]

    labeled_until(api, project_id, S.COMPLETED)

    items = items_of(project_id)
    charged = [item for item in items if item.trial_round is None]
    assert len(charged) == 9 and all(item.status == ItemStatus.COMPLETED for item in charged)
    for item in charged:  # one usage posting per item, keyed by item and billed round, of its cost
        posting = ledger.posted(api.user_id, ledger.Kind.USAGE, ledger.usage_key(item.item_id, 0))
        assert posting is not None and posting.project_id == project_id
        assert sum(c for a, c in posting.entries if a.startswith("usage:")) == item.cost_cents == per_item
    for item in items:
        if item.trial_round is not None:  # the trial is free: recorded, never charged
            assert ledger.posted(api.user_id, ledger.Kind.USAGE, ledger.usage_key(item.item_id, 0)) is None
    charge = ledger.project_charge(api.user_id, project_id)
    assert charge == sum(item.cost_cents for item in charged) == project_row(api, project_id).amount_spent_cents

    # Completion released what the pre-charge did not use; the balance paid exactly the charge.
    balance = ledger.balance(api.user_id)
    assert balance.reserved_cents == {} and balance.available_cents == TEST_BONUS_CENTS - charge

    # A retried finish of a delivered item charges nothing.
    item = charged[0]
    charge_again = ledger.usage_charge(api.user_id, project_id, item.item_id, 0, item.cost_cents)
    assert not mark_finished(item, api.user_id, 0, item.result, item.cost_cents, charge_again)
    assert ledger.project_charge(api.user_id, project_id) == charge

    page = ok(api.call(BALANCE, {"limit": 5}))
    assert page["availableCents"] == TEST_BONUS_CENTS - charge and page["reservedCents"] == {}
    assert len(page["entries"]) == 5 and page["nextCursor"] and page["creditState"] == "ok"
    seen = page["entries"]
    while page["nextCursor"]:
        page = ok(api.call(BALANCE, {"cursor": page["nextCursor"], "limit": 5}))
        seen += page["entries"]
    assert sum(e["amountCents"] for e in seen) == 0  # every posting balances
    assert sum(e["amountCents"] for e in seen if e["account"].startswith(f"usage:{project_id}:")) == charge


def test_an_early_end_releases_the_unused_pre_charge(api, ops):
    project_id = waiting_payment(api, ops, count=30, trial=3)
    confirmed = ok(api.call(CONFIRM, {"projectId": project_id}))
    assert confirmed["reservedCents"] > 0
    crowd = workers(3)
    work_until(lambda: project_row(api, project_id).completed_count >= 4, crowd)  # the trial's 3 and one more

    assert api.call(ALTER, {"projectId": project_id, "type": "end"})["code"] == 0
    for worker in crowd:  # tasks of withdrawn items still handed out change nothing (test_lifecycle: ending early)
        if (claimed := claiming.claim(worker, None, 0)) is not None:
            with contextlib.suppress(Exception):
                work.submit(worker, claimed.assignment_id, {"choice": "cat"})

    assert project_row(api, project_id).status == S.COMPLETED
    balance = ledger.balance(api.user_id)
    charge = ledger.project_charge(api.user_id, project_id)
    assert balance.reserved_cents == {} and balance.available_cents == TEST_BONUS_CENTS - charge
    assert charge > 0
    assert charge == sum(i.cost_cents for i in items_of(project_id) if i.status == ItemStatus.COMPLETED)


# ---- refusals -----------------------------------------------------------------------------------------------------


def paying(api: ClientApi, count: int = 5) -> str:
    """A project set to waitingPayment without a trial (its flow frozen by start): the estimate falls back to the
    start task's price per item."""
    project_id = draft(api, count)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    set_status(api, project_id, S.WAITING_PAYMENT)
    return project_id


def test_estimate_and_confirm_only_for_a_project_waiting_for_payment(api):
    project_id = draft(api, 2)
    assert_error(api.call(ESTIMATE, {"projectId": project_id}), ErrorCode.UNDER_REVIEW, api)
    assert_error(api.call(CONFIRM, {"projectId": project_id}), ErrorCode.UNDER_REVIEW, api)
    set_status(api, project_id, S.IN_PROGRESS)
    assert_error(api.call(CONFIRM, {"projectId": project_id}), ErrorCode.ALREADY_RUNNING, api)
    other = ClientApi(*create_account("other@example.com", card_bound=True))
    assert_error(other.call(CONFIRM, {"projectId": project_id}), ErrorCode.PROJECT_NOT_FOUND, other)


@pytest.mark.parametrize(
    ("credit_state", "code"),
    [(CreditState.UNSETTLED, ErrorCode.UNSETTLED_CREDIT), (CreditState.SETTLING, ErrorCode.SETTLEMENT_IN_PROGRESS)],
)
def test_confirm_refuses_while_credit_is_unsettled_or_settling(api, credit_state, code):
    project_id = paying(api)
    set_account(api, credit_state=credit_state)
    assert_error(api.call(CONFIRM, {"projectId": project_id}), code, api)
    assert ledger.balance(api.user_id).reserved_cents == {} and project_row(api, project_id).status == S.WAITING_PAYMENT


def test_usage_beyond_the_balance_is_owed_and_refuses_the_next_confirm_with_16(aws):
    api = ClientApi(*create_account("broke@example.com", card_bound=True))  # no bonus, no top-up
    project_id = paying(api)
    ledger.debit_usage(api.user_id, "p9_elsewhere", "i-x", 0, 50)  # another project's usage the balance did not cover

    assert_error(api.call(CONFIRM, {"projectId": project_id}), ErrorCode.UNSETTLED_CREDIT, api)
    assert ok(api.call(BALANCE, {}))["receivableCents"] == 50
    assert ok(api.call(BALANCE, {}))["creditState"] == "unsettled"
    ledger.bonus(api.user_id, 1000, "goodwill", key="goodwill")  # money in settles what is owed first
    assert ok(api.call(BALANCE, {}))["receivableCents"] == 0
    assert ok(api.call(CONFIRM, {"projectId": project_id}))["projectStatus"] == "inProgress"


def test_a_short_balance_without_a_saved_card_is_code_12_and_reserves_nothing(aws):
    api = ClientApi(*create_account("nosaved@example.com", card_bound=True))  # card flag set, no Stripe card
    project_id = paying(api)

    out = api.call(CONFIRM, {"projectId": project_id})

    assert_error(out, ErrorCode.CARD_REQUIRED, api)
    assert "no card is saved" in out["detail"]
    assert ledger.balance(api.user_id).reserved_cents == {} and project_row(api, project_id).status == S.WAITING_PAYMENT


def test_confirm_without_a_card_is_code_12(aws):
    api = ClientApi(*create_account("nocard@example.com", card_bound=False))
    project_id = draft(api, 2)
    set_status(api, project_id, S.WAITING_PAYMENT)
    assert_error(api.call(CONFIRM, {"projectId": project_id}), ErrorCode.CARD_REQUIRED, api)


def test_two_confirms_at_once_reserve_once_and_start_the_project_once(api):
    project_id = paying(api, count=6)
    answers: list[dict] = []
    signed_at = now_ms()  # read once: each thread reading the clock could land on another's timestamp

    def confirm(n: int) -> None:  # three requests (signed apart: an identical one would be a replay, code 27)
        answers.append(api.call(CONFIRM, {"projectId": project_id}, timestamp_ms=signed_at - n))

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [out["code"] for out in answers] == [0, 0, 0], answers
    estimate = 6 * UNIT_PRICE_CENTS[TaskType.SINGLE_CHOICE]  # no trial: the start task's price per item
    assert {out["data"]["reservedCents"] for out in answers} == {estimate}
    reserves = {e.seq for e in ledger.entries(api.user_id, cursor=None, limit=200)[0] if e.kind == "reserve"}
    assert len(reserves) == 1 and ledger.balance(api.user_id).reserved_cents == {project_id: estimate}
    moves = [(h.from_status, h.to_status) for h in history(project_id)]
    assert moves.count(("waitingPayment", "inProgress")) == 1
