"""POST /api/v1/projects/listResults and retrieveResult: paging with an opaque cursor, filters, tenancy
(code 8), bad params (2 / 26) that change nothing."""

import base64
import json

import pytest

from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel
from bytebridge.enums import Acceptance, ItemStatus
from bytebridge.errors import ErrorCode
from tests.support.client_api import assert_error, nothing_changes, second_account
from tests.support.delivery import LIST, RETRIEVE_RESULT, delivered_project, items_of


def _pages(api, project_id: str, **filters) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        out = api.call(
            LIST,
            {"projectId": project_id, "cursor": cursor, **filters} if cursor else {"projectId": project_id, **filters},
        )
        assert out["code"] == 0, out
        pages.append(out["data"]["items"])
        cursor = out["data"]["nextCursor"]
        if cursor is None:
            return pages


def test_pages_through_delivered_items_in_delivery_order(api):
    project_id, items = delivered_project(api, 7, delivered=5)

    pages = _pages(api, project_id, limit=2)

    assert [len(page) for page in pages] == [2, 2, 1]
    listed = [record for page in pages for record in page]
    assert [r["itemId"] for r in listed] == [item.item_id for item in items[:5]]  # delivered a ms apart, in order
    first = listed[0]
    assert first["result"] == {
        "endNode": "end",
        "path": ["classify", "end"],
        "answers": {"classify": {"choice": "cat"}},
    }
    assert listed[1]["result"]["answers"]["classify"] == {"choice": "dog"}
    assert first["acceptance"] == "pending" and first["status"] == "completed"
    assert first["resourceURL"] == items[0].url and first["resourceType"] == "image"
    assert first["acceptDeadline"] == first["deliveredAt"] + 21 * 24 * 3600 * 1000


def test_upload_order_lists_finished_items_only(api):
    project_id, items = delivered_project(api, 4, delivered=2)
    items[3].update(actions=[ItemModel.status.set(ItemStatus.FAILED.value)])

    listed = [r["itemId"] for page in _pages(api, project_id, timeField="created") for r in page]
    failed = [r["itemId"] for page in _pages(api, project_id, timeField="created", status="failed") for r in page]

    assert listed == [items[0].item_id, items[1].item_id, items[3].item_id]  # item 2 is still not started
    assert failed == [items[3].item_id]


def test_filters_by_acceptance_and_delivery_window(api):
    project_id, items = delivered_project(api, 5)
    items[1].update(actions=[ItemModel.acceptance.set(Acceptance.ACCEPTED.value)])
    delivered = [ItemModel.get(project_id, item.item_id).delivered_at for item in items]

    accepted = api.call(LIST, {"projectId": project_id, "acceptance": "accepted"})["data"]["items"]
    window = api.call(LIST, {"projectId": project_id, "startTime": delivered[2], "endTime": str(delivered[3])})

    assert [r["itemId"] for r in accepted] == [items[1].item_id]
    assert [r["itemId"] for r in window["data"]["items"]] == [items[2].item_id, items[3].item_id]


def test_created_window_is_a_key_range(api):
    old_project, _ = delivered_project(api, 2)
    cutoff = now_ms() + 5
    out = api.call(LIST, {"projectId": old_project, "timeField": "created", "startTime": cutoff})
    assert out["code"] == 0 and out["data"]["items"] == [] and out["data"]["nextCursor"] is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"limit": 0}, ErrorCode.PARAMETER_INVALID),
        ({"limit": 101}, ErrorCode.PARAMETER_INVALID),
        ({"limit": "10"}, ErrorCode.PARAMETER_INVALID),
        ({"status": "processing"}, ErrorCode.PARAMETER_INVALID),
        ({"acceptance": "maybe"}, ErrorCode.PARAMETER_INVALID),
        ({"timeField": "updated"}, ErrorCode.PARAMETER_INVALID),
        ({"cursor": "not a cursor!"}, ErrorCode.PARAMETER_INVALID),
        ({"startTime": "yesterday"}, ErrorCode.QUERY_FAILED),
        ({"startTime": 20, "endTime": 10}, ErrorCode.QUERY_FAILED),
        ({"projectId": "p1_nothere"}, ErrorCode.PROJECT_NOT_FOUND),
    ],
)
def test_bad_list_params_answer_their_code_and_change_nothing(api, changes, code):
    project_id, _ = delivered_project(api, 1)
    with nothing_changes():
        out = api.call(LIST, {"projectId": project_id, **changes})
    assert_error(out, code, api)


def test_cursor_is_bound_to_its_listing_and_project(api):
    project_id, _ = delivered_project(api, 3)
    other_project, _ = delivered_project(api, 3)
    cursor = api.call(LIST, {"projectId": project_id, "limit": 1})["data"]["nextCursor"]
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    forged = dict(raw, k={**raw["k"], "project_id": {"S": other_project}})
    forged_cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()

    for call in (
        {"projectId": other_project, "cursor": cursor},  # another project's cursor
        {"projectId": project_id, "cursor": cursor, "timeField": "created"},  # another listing's cursor
        {"projectId": project_id, "cursor": forged_cursor},  # keys rewritten to another project
    ):
        assert_error(api.call(LIST, call), ErrorCode.PARAMETER_INVALID, api)
    second = api.call(LIST, {"projectId": project_id, "limit": 1, "cursor": cursor})
    assert second["code"] == 0 and len(second["data"]["items"]) == 1


def test_another_accounts_project_is_not_found(api):
    project_id, items = delivered_project(api, 2)
    intruder = second_account()
    with nothing_changes():
        listed = intruder.call(LIST, {"projectId": project_id})
    retrieved = intruder.call(RETRIEVE_RESULT, {"projectId": project_id, "itemId": items[0].item_id})
    assert_error(listed, ErrorCode.PROJECT_NOT_FOUND, intruder)
    assert_error(retrieved, ErrorCode.PROJECT_NOT_FOUND, intruder)


def test_retrieve_unknown_item_is_a_query_failure(api):
    project_id, _ = delivered_project(api, 1)
    _, other_items = delivered_project(api, 1)
    with nothing_changes():
        out = api.call(RETRIEVE_RESULT, {"projectId": project_id, "itemId": other_items[0].item_id})
    assert_error(out, ErrorCode.QUERY_FAILED, api)
    assert len(items_of(project_id)) == 1
