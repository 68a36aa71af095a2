"""POST /api/v1/projects: the documented create call (codes 0, 7) and the project id and name rules."""

import re
import threading

import pytest

from bytebridge.dal.accounts import AccountModel, get_account
from bytebridge.dal.unique_keys import UniqueKeyModel, project_name_key
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic import projects
from bytebridge.models.client_api import CreateProjectParams
from tests.support.client_api import (
    CREATE,
    FRAME_CREATE,
    SAMPLE_CREATE,
    assert_error,
    create_project,
    nothing_changes,
    params,
    project,
    second_account,
)

DOCUMENTED_COMBINATIONS = [
    (project_type, task_type)
    for project_types, task_types in (
        (("image_classification", "text_classification"), ("single_choice", "multiple_choice")),
        (
            ("image_rectangle_frame_select", "image_stroke"),
            ("rectangle_frame_select", "free_point", "stroke", "cube_circle"),
        ),
    )
    for project_type in project_types
    for task_type in task_types
]


def test_create_answers_the_documented_sample_shape(api):
    out = api.call(CREATE, SAMPLE_CREATE)

    assert out["code"] == 0 and out["successMsg"] == "success" and out["userId"] == api.user_id
    data = out["data"]
    assert re.fullmatch(r"p1_[A-Za-z0-9]{8}", data["projectId"])
    assert list(data) == [
        "projectId",
        "type",
        "name",
        "taskType",
        "instruction",
        "qiestion",
        "question",
        "target",
        "extra",
        "created",
    ]
    assert data["name"] == "api test project"
    assert data["type"] == "image_classification" and data["taskType"] == "single_choice"
    assert data["instruction"] == "demo for test"
    assert data["qiestion"] == data["question"] == SAMPLE_CREATE["question"]
    assert data["extra"] == {"options": SAMPLE_CREATE["options"]}
    assert abs(data["created"] - out["timestamp"] // 1000) <= 1
    stored = project(api, data["projectId"])
    assert stored.status == ProjectStatus.DRAFT and stored.name == "api test project"
    assert [o.value for o in stored.options] == ["cat", "dog", "unknown"]


def test_project_ids_count_up_per_account(api):
    first = create_project(api, projectName="one")
    second = create_project(api, projectName="two")
    other = second_account()
    theirs = create_project(other, projectName="one")

    assert first.startswith("p1_") and second.startswith("p2_") and theirs.startswith("p1_")
    assert AccountModel.get(api.user_id).project_seq == 2


def test_creates_racing_for_the_account_counter_each_get_their_own_number(api):
    # Every racer read project_seq = 0 before any wrote: all but one must retry with a fresh number.
    stale_accounts = [get_account(api.user_id) for _ in range(4)]
    created: list[str] = []

    def create(n: int) -> None:
        request = CreateProjectParams.model_validate(params(SAMPLE_CREATE, projectName=f"project {n}"))
        created.append(projects.create_project(stale_accounts[n], request).project_id)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(project_id.split("_")[0] for project_id in created) == ["p1", "p2", "p3", "p4"]
    assert AccountModel.get(api.user_id).project_seq == 4


def test_the_trailing_slash_path_is_the_same_call(api):
    out = api.call(CREATE + "/", SAMPLE_CREATE)

    assert out["code"] == 0 and out["data"]["projectId"].startswith("p1_")


@pytest.mark.parametrize(("project_type", "task_type"), DOCUMENTED_COMBINATIONS)
def test_every_documented_type_and_task_type_pair_is_accepted(api, project_type, task_type):
    base = SAMPLE_CREATE if project_type.endswith("classification") else FRAME_CREATE
    out = api.call(CREATE, params(base, type=project_type, taskType=task_type))

    assert out["code"] == 0, out
    assert out["data"]["type"] == project_type and out["data"]["taskType"] == task_type


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "video_classification"},
        {"taskType": "rectangle_frame_select"},  # a frame task for a classification project
        {"taskType": "polygon"},  # a flow-builder task type, not a documented API one
        {"type": "image_stroke", "target": "cats"},  # stroke project, choice task
        {"question": None},
        {"question": "   "},
        {"options": None},
        {"options": []},
        {"options": [{"value": "cat"}, {"value": "cat"}]},
    ],
    ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()),
)
def test_a_configuration_the_docs_do_not_allow_is_code_7_and_writes_nothing(api, changes):
    with nothing_changes():
        out = api.call(CREATE, params(SAMPLE_CREATE, **changes))

    assert_error(out, ErrorCode.PROJECT_CREATE_FAILED, api)
    assert out["detail"]


def test_a_frame_project_without_its_target_is_code_7(api):
    with nothing_changes():
        out = api.call(CREATE, params(FRAME_CREATE, target=None))

    assert_error(out, ErrorCode.PROJECT_CREATE_FAILED, api)
    assert "target" in out["detail"]


def test_a_taken_name_is_code_7_and_neither_the_project_nor_the_counter_moves(api):
    create_project(api)

    with nothing_changes():
        out = api.call(CREATE, params(SAMPLE_CREATE, instruction="another"))

    assert_error(out, ErrorCode.PROJECT_CREATE_FAILED, api)
    assert "projectName" in out["detail"]
    assert AccountModel.get(api.user_id).project_seq == 1


def test_names_are_compared_after_trimming(api):
    create_project(api, projectName="cats")

    out = api.call(CREATE, params(SAMPLE_CREATE, projectName="  cats "))

    assert_error(out, ErrorCode.PROJECT_CREATE_FAILED, api)


def test_another_account_may_use_the_same_name(api):
    mine = create_project(api)
    theirs = create_project(second_account())

    assert UniqueKeyModel.get(project_name_key(api.user_id, "api test project")).owner == mine
    assert theirs.startswith("p1_")


@pytest.mark.parametrize(
    "bad_params",
    [
        params(SAMPLE_CREATE, projectName=None),
        params(SAMPLE_CREATE, type=None),
        params(SAMPLE_CREATE, taskType=None),
        params(SAMPLE_CREATE, projectName=""),
        params(SAMPLE_CREATE, projectName=12),
        params(SAMPLE_CREATE, options="cat,dog"),
        params(SAMPLE_CREATE, options=[{"label": "cat"}]),
        params(SAMPLE_CREATE, options=[{"value": str(n)} for n in range(101)]),
    ],
)
def test_missing_or_mistyped_params_are_code_2(api, bad_params):
    with nothing_changes():
        out = api.call(CREATE, bad_params)

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert out["detail"].startswith("params")
