"""POST /api/v1/projects/setProject: change a draft (codes 0, 8, 9, 28)."""

import pytest

from bytebridge.dal.unique_keys import UniqueKeyModel, project_name_key
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ErrorCode
from tests.support.client_api import (
    ALTER,
    CREATE,
    FRAME_CREATE,
    RETRIEVE,
    SAMPLE_CREATE,
    SET,
    assert_error,
    create_project,
    nothing_changes,
    params,
    project,
    project_with_resources,
    second_account,
    set_status,
)

# The documented setProject sample's params (its projectId is filled in per test).
SAMPLE_SET = {
    "projectName": "first change for demo",
    "type": "image_classification",
    "instruction": "change it for demo ok?",
    "question": "dog or pig in picture",
    "taskType": "single_choice",
    "options": [{"value": "dog"}, {"value": "pig"}, {"value": "unknown"}],
}


def test_set_project_answers_the_documented_sample_shape(api):
    project_id = create_project(api)

    out = api.call(SET, {"projectId": project_id, **SAMPLE_SET})

    assert out["code"] == 0, out
    data = out["data"]
    assert data["projectId"] == project_id
    assert data["name"] == "first change for demo" and data["instruction"] == "change it for demo ok?"
    assert data["qiestion"] == data["question"] == "dog or pig in picture"
    assert data["extra"] == {"options": SAMPLE_SET["options"]}
    assert data["projectStatus"] == 0 and isinstance(data["projectStatus"], int)
    assert abs(data["created"] - out["timestamp"] // 1000) <= 1  # when this configuration was written
    retrieved = api.call(RETRIEVE, {"projectId": project_id})["data"]["projectData"]
    assert retrieved["projectName"] == "first change for demo" and retrieved["question"] == "dog or pig in picture"
    assert retrieved["options"] == SAMPLE_SET["options"]


def test_omitted_fields_keep_their_values(api):
    project_id = create_project(api)

    out = api.call(SET, {"projectId": project_id, "instruction": "only this"})

    assert out["code"] == 0
    assert out["data"]["name"] == SAMPLE_CREATE["projectName"] and out["data"]["instruction"] == "only this"
    assert out["data"]["extra"]["options"] == SAMPLE_CREATE["options"]


def test_switching_to_a_frame_type_needs_the_target_and_may_clear_the_question(api):
    project_id = create_project(api)

    out = api.call(
        SET,
        {"projectId": project_id, "type": "image_stroke", "taskType": "stroke", "target": "roads", "question": ""},
    )

    assert out["code"] == 0, out
    stored = project(api, project_id)
    assert (stored.type, stored.task_type, stored.target, stored.question) == ("image_stroke", "stroke", "roads", None)


def test_a_rename_moves_the_name_claim(api):
    project_id = create_project(api, projectName="old")

    assert api.call(SET, {"projectId": project_id, "projectName": "new"})["code"] == 0

    assert UniqueKeyModel.get(project_name_key(api.user_id, "new")).owner == project_id
    assert UniqueKeyModel.count(project_name_key(api.user_id, "old")) == 0
    assert create_project(api, projectName="old").startswith("p2_")  # the old name is free again
    assert_error(api.call(CREATE, params(SAMPLE_CREATE, projectName="new")), ErrorCode.PROJECT_CREATE_FAILED)


def test_renaming_to_a_taken_name_is_code_9_and_writes_nothing(api):
    create_project(api, projectName="taken")
    project_id = create_project(api, projectName="mine")

    with nothing_changes():
        out = api.call(SET, {"projectId": project_id, "projectName": "taken", "instruction": "x"})

    assert_error(out, ErrorCode.PROJECT_UPDATE_FAILED, api)
    assert "projectName" in out["detail"]


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "image_rectangle_frame_select"},  # keeps single_choice: wrong for frame select
        {"taskType": "cube_circle"},
        {"type": "audio_classification"},
        {"options": []},
        {"question": ""},
        {"type": "image_stroke", "taskType": "stroke"},  # no target
    ],
    ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()),
)
def test_a_configuration_create_would_refuse_is_code_9_and_writes_nothing(api, changes):
    project_id = create_project(api)

    with nothing_changes():
        out = api.call(SET, {"projectId": project_id, **changes})

    assert_error(out, ErrorCode.PROJECT_UPDATE_FAILED, api)


def test_a_started_project_cannot_be_changed_code_28(api):
    project_id = project_with_resources(api)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0

    with nothing_changes():
        out = api.call(SET, {"projectId": project_id, **SAMPLE_SET})

    assert_error(out, ErrorCode.MODIFY_AFTER_OPEN, api)


@pytest.mark.parametrize("status", [s for s in ProjectStatus if s not in (ProjectStatus.DRAFT, ProjectStatus.DELETED)])
def test_every_opened_status_is_code_28(api, status):
    project_id = create_project(api)
    set_status(api, project_id, status)

    with nothing_changes():
        out = api.call(SET, {"projectId": project_id, "instruction": "late"})

    assert_error(out, ErrorCode.MODIFY_AFTER_OPEN, api)


def test_code_28_is_answered_before_the_configuration_is_checked(api):
    project_id = create_project(api)
    set_status(api, project_id, ProjectStatus.CHECKING)

    assert_error(api.call(SET, {"projectId": project_id, "type": "nonsense"}), ErrorCode.MODIFY_AFTER_OPEN)


def test_unknown_and_other_accounts_projects_are_code_8(api):
    other = second_account()
    theirs = create_project(other, projectName="theirs")

    with nothing_changes():
        out = api.call(SET, {"projectId": theirs, "projectName": "stolen"})
    assert_error(out, ErrorCode.PROJECT_NOT_FOUND, api)
    assert_error(api.call(SET, {"projectId": "p1_AAAAAAAA", "instruction": "x"}), ErrorCode.PROJECT_NOT_FOUND)
    assert project(other, theirs).name == "theirs"


def test_a_frame_project_can_be_changed_to_another_frame_task(api):
    project_id = create_project(api, FRAME_CREATE)

    out = api.call(SET, {"projectId": project_id, "taskType": "free_point", "target": "eyes"})

    assert out["code"] == 0, out
    assert out["data"]["taskType"] == "free_point" and out["data"]["target"] == "eyes"
    assert out["data"]["qiestion"] is None


def test_a_missing_project_id_is_code_2(api):
    with nothing_changes():
        out = api.call(SET, SAMPLE_SET)

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert out["detail"].startswith("params.projectId")
