"""POST /api/v1/projects/acceptResults: accept or reject delivered items, one or a batch; rejected items
inside 21 days are reworked free; refused requests change nothing; repeated ones are idempotent."""

import pytest

from bytebridge.dal.items import ItemModel
from bytebridge.enums import Acceptance
from bytebridge.errors import ErrorCode
from bytebridge.models.results import MAX_ACCEPT_BATCH
from tests.support.client_api import assert_error, nothing_changes, second_account
from tests.support.delivery import ACCEPT, DAY_MS, delivered_project


def _item(project_id: str, item: ItemModel) -> ItemModel:
    return ItemModel.get(project_id, item.item_id, consistent_read=True)


def _decide(api, project_id: str, items: list, decision: str, comment: str = "") -> dict:
    return api.call(
        ACCEPT,
        {"projectId": project_id, "itemIds": [i.item_id for i in items], "decision": decision, "comment": comment},
    )


def test_accepting_a_batch_and_repeating_it_changes_things_once(api):
    project_id, items = delivered_project(api, 3)

    first = _decide(api, project_id, items, "accept", "looks right")
    with nothing_changes():
        second = _decide(api, project_id, items, "accept", "looks right")

    assert first["code"] == 0 and first["data"]["changed"] == [i.item_id for i in items]
    assert first["data"]["unchanged"] == [] and first["data"]["conflicts"] == []
    assert second["code"] == 0 and second["data"]["changed"] == []
    assert second["data"]["unchanged"] == [i.item_id for i in items]
    stored = _item(project_id, items[0])
    assert stored.acceptance == Acceptance.ACCEPTED and stored.acceptance_comment == "looks right"
    assert stored.accepted_at is not None and stored.accepted_at >= stored.delivered_at


def test_a_batch_with_one_ineligible_item_changes_nothing(api):
    project_id, items = delivered_project(api, 3)
    _decide(api, project_id, items[:1], "accept")

    with nothing_changes():
        out = _decide(api, project_id, items, "reject", "boxes too loose")

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert f"{items[0].item_id} was already accepted" in out["detail"]
    assert _item(project_id, items[1]).acceptance == Acceptance.PENDING


def test_rejecting_after_21_days_is_refused(api):
    project_id, items = delivered_project(api, 1, age_ms=21 * DAY_MS + 60_000)
    with nothing_changes():
        out = _decide(api, project_id, items, "reject", "wrong label")
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert "21 days" in out["detail"]
    # Accepting late is still fine: acceptance is what the window ends in anyway.
    assert _decide(api, project_id, items, "accept")["data"]["changed"] == [items[0].item_id]


def test_an_item_not_yet_delivered_takes_no_decision(api):
    project_id, items = delivered_project(api, 2, delivered=1)
    for decision in ("accept", "reject"):
        with nothing_changes():
            out = _decide(api, project_id, items[1:], decision, "x")
        assert_error(out, ErrorCode.PARAMETER_INVALID, api)
        assert "not delivered yet" in out["detail"]


def test_unknown_items_are_a_query_failure(api):
    project_id, items = delivered_project(api, 1)
    _, other_items = delivered_project(api, 1)
    with nothing_changes():
        out = _decide(api, project_id, [items[0], other_items[0]], "accept")
    assert_error(out, ErrorCode.QUERY_FAILED, api)
    assert other_items[0].item_id in out["detail"]


@pytest.mark.parametrize(
    "change",
    [
        {"decision": "maybe"},
        {"decision": "reject", "comment": "   "},  # a rejection says what to redo
        {"itemIds": []},
        {"itemIds": ["i1"] * 2},
        {"itemIds": [f"i{n}" for n in range(MAX_ACCEPT_BATCH + 1)]},
        {"comment": "x" * 1001},
    ],
)
def test_bad_params_are_code_2_and_change_nothing(api, change):
    project_id, items = delivered_project(api, 1)
    call = {"projectId": project_id, "itemIds": [items[0].item_id], "decision": "accept", **change}
    with nothing_changes():
        out = api.call(ACCEPT, call)
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_another_accounts_items_are_not_found(api):
    project_id, items = delivered_project(api, 1)
    intruder = second_account()
    with nothing_changes():
        out = _decide(intruder, project_id, items, "accept")
    assert_error(out, ErrorCode.PROJECT_NOT_FOUND, intruder)
