"""POST /api/v1/projects/retrieveProject: configuration and progress (codes 0, 8, 26)."""

import pytest

from bytebridge import clock
from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from tests.support.client_api import (
    ALTER,
    RETRIEVE,
    SAMPLE_CREATE,
    SUBMIT,
    assert_error,
    create_project,
    nothing_changes,
    project,
    project_with_resources,
    second_account,
)

DOCUMENTED_PROJECT_DATA = [
    "projectName",
    "projectInstruction",
    "question",
    "projectType",
    "taskType",
    "projectItemQuantity",
    "processingQuantity",
    "projectStatus",
    "completedQuantity",
    "noStartQuantity",
    "successQuantity",
    "failedQuantity",
    "outputQuantity",
    "amountSpent",
    "options",
]


def _urls(prefix: str, count: int) -> list[str]:
    return [f"https://files.example.com/{prefix}/{n}.jpg" for n in range(count)]


def _submit(api, project_id: str, urls: list[str]) -> None:
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0


def _progress(api, project_id: str, **filters) -> dict:
    out = api.call(RETRIEVE, {"projectId": project_id, **filters})
    assert out["code"] == 0, out
    return out["data"]["projectData"]


def test_retrieve_answers_the_documented_sample_shape(api):
    project_id = project_with_resources(api)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0

    out = api.call(RETRIEVE, {"projectId": project_id})

    assert out["code"] == 0 and out["userId"] == api.user_id
    data = out["data"]
    assert set(DOCUMENTED_PROJECT_DATA) <= set(data["projectData"])
    assert data["extraInfo"] == {"downloadableResultNum": 0, "downloadResultURL": ""}
    progress = data["projectData"]
    assert progress["projectName"] == SAMPLE_CREATE["projectName"]
    assert progress["projectInstruction"] == SAMPLE_CREATE["instruction"]
    assert progress["question"] == SAMPLE_CREATE["question"]
    assert progress["projectType"] == "image_classification" and progress["taskType"] == "single_choice"
    assert progress["projectStatus"] == "checking"
    assert progress["projectItemQuantity"] == 2 and progress["noStartQuantity"] == 2
    assert progress["processingQuantity"] == progress["completedQuantity"] == progress["outputQuantity"] == 0
    assert progress["amountSpent"] == 0.0 and isinstance(progress["amountSpent"], float)
    assert progress["options"] == SAMPLE_CREATE["options"]


def test_without_filters_the_project_counters_are_reported(api):
    # The counters are the source (the engine keeps them current); no items exist behind these numbers.
    project_id = create_project(api)
    counters = {
        "item_count": 11,
        "not_started_count": 3,
        "processing_count": 4,
        "completed_count": 4,
        "success_count": 3,
        "failed_count": 1,
        "output_count": 2,
        "amount_spent_cents": 1234,
    }
    project(api, project_id).update(
        actions=[getattr(ProjectModel, name).set(value) for name, value in counters.items()],
        add_version_condition=False,
    )

    progress = _progress(api, project_id)

    assert progress["projectItemQuantity"] == 11 and progress["noStartQuantity"] == 3
    assert progress["processingQuantity"] == 4 and progress["completedQuantity"] == 4
    assert progress["successQuantity"] == 3 and progress["failedQuantity"] == 1 and progress["outputQuantity"] == 2
    assert progress["amountSpent"] == 12.34


def test_a_time_window_counts_the_items_uploaded_in_it(api):
    project_id = create_project(api)
    _submit(api, project_id, _urls("early", 3))
    clock.advance(0.003)
    boundary = now_ms()
    clock.advance(0.003)
    _submit(api, project_id, _urls("late", 2))
    end = now_ms()

    assert _progress(api, project_id, startTime=0, endTime=boundary)["projectItemQuantity"] == 3
    assert _progress(api, project_id, startTime=boundary, endTime=end)["projectItemQuantity"] == 2
    assert _progress(api, project_id, startTime=str(boundary))["projectItemQuantity"] == 2  # digits as text
    assert _progress(api, project_id, endTime=boundary)["projectItemQuantity"] == 3
    assert _progress(api, project_id, startTime=end + 1)["projectItemQuantity"] == 0
    assert _progress(api, project_id)["projectItemQuantity"] == 5


def test_a_time_window_counts_items_by_status_and_sums_their_cost(api):
    project_id = project_with_resources(api, [f"https://x.example/{n}.png" for n in range(5)])
    items = list(ItemModel.query(project_id))
    outcomes = [
        (ItemStatus.COMPLETED, True, 150),
        (ItemStatus.COMPLETED, False, 100),
        (ItemStatus.FAILED, False, 25),
        (ItemStatus.PROCESSING, False, 0),
    ]
    for item, (status, delivered, cost) in zip(items, outcomes, strict=False):
        actions = [ItemModel.status.set(status.value), ItemModel.cost_cents.set(cost)]
        if delivered:
            actions.append(ItemModel.delivered_at.set(now_ms()))
        item.update(actions=actions)

    progress = _progress(api, project_id, startTime=0, endTime=now_ms())

    assert progress["projectItemQuantity"] == 5
    assert progress["successQuantity"] == 2 and progress["failedQuantity"] == 1
    assert progress["completedQuantity"] == 3  # finished either way
    assert progress["processingQuantity"] == 1 and progress["noStartQuantity"] == 1
    assert progress["outputQuantity"] == 1
    assert progress["amountSpent"] == 2.75


@pytest.mark.parametrize(
    "filters",
    [
        {"startTime": 2000, "endTime": 1000},
        {"startTime": "abc"},
        {"endTime": ""},
        {"startTime": "1.5"},
        {"startTime": " 12"},
        {"startTime": -1},
        {"endTime": "-5"},
        {"endTime": 10**14},  # past the 13 digits item ids carry
        {"startTime": "１２３"},  # full-width digits
    ],
    ids=str,
)
def test_a_bad_time_filter_is_code_26(api, filters):
    project_id = create_project(api)

    with nothing_changes():
        out = api.call(RETRIEVE, {"projectId": project_id, **filters})

    assert_error(out, ErrorCode.QUERY_FAILED, api)


@pytest.mark.parametrize("filters", [{"startTime": 1.5}, {"endTime": True}, {"startTime": [1]}])
def test_a_time_filter_of_another_json_type_is_code_2(api, filters):
    project_id = create_project(api)

    assert_error(api.call(RETRIEVE, {"projectId": project_id, **filters}), ErrorCode.PARAMETER_INVALID)


def test_another_accounts_project_is_code_8_and_reveals_nothing(api):
    other = second_account()
    theirs = project_with_resources(other)

    with nothing_changes():
        out = api.call(RETRIEVE, {"projectId": theirs})

    assert_error(out, ErrorCode.PROJECT_NOT_FOUND, api)
    assert "detail" not in out
    assert _progress(other, theirs)["projectItemQuantity"] == 2


def test_unknown_and_deleted_projects_are_code_8(api):
    project_id = create_project(api)
    assert api.call(ALTER, {"projectId": project_id, "type": "delete"})["code"] == 0

    assert_error(api.call(RETRIEVE, {"projectId": project_id}), ErrorCode.PROJECT_NOT_FOUND)
    assert_error(api.call(RETRIEVE, {"projectId": "p9_nothere"}), ErrorCode.PROJECT_NOT_FOUND)
    assert project(api, project_id).status == ProjectStatus.DELETED


def test_a_project_id_longer_than_any_id_is_code_2(api):
    assert_error(api.call(RETRIEVE, {"projectId": "p" * 65}), ErrorCode.PARAMETER_INVALID)
