"""POST /api/v1/projects/alterState: start, pause, delete and the status rules (codes 0, 8, 10–23)."""

import threading

import pytest

from bytebridge.clock import now_ms
from bytebridge.dal.accounts import get_account
from bytebridge.dal.projects import OptionMap, ProjectModel
from bytebridge.dal.unique_keys import UniqueKeyModel, project_name_key
from bytebridge.delivery.retention import purge_unstarted_items
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.errors import NO_LIVE_RESOURCES_MESSAGE, ApiError, ErrorCode
from bytebridge.logic.project_state import alter_state, start_lock
from bytebridge.models.client_api import AlterStateParams
from tests.support.client import ClientApi
from tests.support.client_api import (
    ALTER,
    RETRIEVE,
    SAMPLE_CREATE,
    SAMPLE_URLS,
    SET,
    SUBMIT,
    assert_error,
    create_project,
    nothing_changes,
    project,
    project_with_resources,
    second_account,
    set_account,
    set_status,
)

S = ProjectStatus


def _alter(api, project_id: str, alter_type: str) -> dict:
    return api.call(ALTER, {"projectId": project_id, "type": alter_type})


def _refused(api, project_id: str, alter_type: str, code: ErrorCode, message: str | None = None) -> dict:
    with nothing_changes():
        out = _alter(api, project_id, alter_type)
    assert_error(out, code, api, message)
    return out


# ---- start ------------------------------------------------------------------------------------------------


def test_start_sends_a_draft_with_resources_to_review(api):
    project_id = project_with_resources(api)

    out = _alter(api, project_id, "start")

    assert out["code"] == 0, out
    assert out["data"] == {"projectId": project_id, "alterType": "start", "created": out["data"]["created"]}
    assert abs(out["data"]["created"] - out["timestamp"] // 1000) <= 1
    stored = project(api, project_id)
    assert stored.status == S.CHECKING and stored.start_lock_until is None


def test_start_without_any_resources_is_code_11(api):
    _refused(api, create_project(api), "start", ErrorCode.NO_RESOURCES)


def test_start_after_every_file_was_purged_is_code_10_with_its_second_text(api):
    project_id = project_with_resources(api)
    assert purge_unstarted_items(project(api, project_id)) == 2

    _refused(api, project_id, "start", ErrorCode.RESOURCE_LINK_INVALID, NO_LIVE_RESOURCES_MESSAGE)

    assert api.call(RETRIEVE, {"projectId": project_id})["data"]["projectData"]["projectItemQuantity"] == 0


def test_start_without_a_bound_card_is_code_12(aws):
    from bytebridge.logic.accounts import create_account

    api = ClientApi(*create_account("nocard@example.com", card_bound=False))
    _refused(api, project_with_resources(api), "start", ErrorCode.CARD_REQUIRED)


@pytest.mark.parametrize("status", [S.CHECKING, S.TRIAL, S.TRIAL_DONE, S.WAITING_PAYMENT])
def test_start_under_review_is_code_13(api, status):
    project_id = project_with_resources(api)
    set_status(api, project_id, status)

    _refused(api, project_id, "start", ErrorCode.UNDER_REVIEW)


def test_a_second_start_is_code_13_as_documented(api):
    project_id = project_with_resources(api)
    assert _alter(api, project_id, "start")["code"] == 0

    out = _refused(api, project_id, "start", ErrorCode.UNDER_REVIEW)

    assert out["errorMsg"] == "The project is under review"


def test_start_of_a_running_project_is_code_14(api):
    project_id = project_with_resources(api)
    set_status(api, project_id, S.IN_PROGRESS)

    _refused(api, project_id, "start", ErrorCode.ALREADY_RUNNING)


def test_start_of_a_completed_project_is_code_15(api):
    project_id = project_with_resources(api)
    set_status(api, project_id, S.COMPLETED)

    _refused(api, project_id, "start", ErrorCode.ALREADY_COMPLETED)


@pytest.mark.parametrize(
    ("credit_state", "code"),
    [(CreditState.UNSETTLED, ErrorCode.UNSETTLED_CREDIT), (CreditState.SETTLING, ErrorCode.SETTLEMENT_IN_PROGRESS)],
)
def test_start_while_credit_is_unsettled_or_settling_is_code_16_or_17(api, credit_state, code):
    project_id = project_with_resources(api)
    set_account(api, credit_state=credit_state)

    _refused(api, project_id, "start", code)


def test_start_while_another_start_is_in_flight_is_code_18(api):
    project_id = project_with_resources(api)

    with start_lock(project(api, project_id)):
        out = _refused(api, project_id, "start", ErrorCode.CHECKING_STATUS)

    assert "start" in out["detail"]
    assert _alter(api, project_id, "start")["code"] == 0  # the lock is gone with its holder


def test_an_expired_start_lock_does_not_block(api):
    project_id = project_with_resources(api)
    project(api, project_id).update(
        actions=[ProjectModel.start_lock_until.set(now_ms() - 1)], add_version_condition=False
    )

    assert _alter(api, project_id, "start")["code"] == 0


def test_concurrent_starts_open_the_project_once(api):
    project_id = project_with_resources(api)
    account = get_account(api.user_id)
    outcomes: list[int] = []

    def start() -> None:
        try:
            alter_state(account, AlterStateParams(project_id=project_id, type="start"))
            outcomes.append(0)
        except ApiError as error:
            outcomes.append(int(error.code))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == 0 and outcomes.count(0) == 1
    assert set(outcomes) <= {0, ErrorCode.UNDER_REVIEW, ErrorCode.CHECKING_STATUS}
    assert project(api, project_id).status == S.CHECKING


def test_start_with_a_stored_configuration_that_fails_validation_is_code_19(api):
    # A configuration the API refuses can still be stored by another writer (a dashboard draft, an old
    # record); start re-checks it.
    project_id = project_with_resources(api)
    project(api, project_id).update(actions=[ProjectModel.options.set([])], add_version_condition=False)

    out = _refused(api, project_id, "start", ErrorCode.START_FAILED)

    assert "options" in out["detail"]


def test_code_19_also_covers_a_mismatched_stored_task_type(api):
    project_id = project_with_resources(api)
    project(api, project_id).update(
        actions=[ProjectModel.task_type.set("stroke"), ProjectModel.options.set([OptionMap(value="a")])],
        add_version_condition=False,
    )

    _refused(api, project_id, "start", ErrorCode.START_FAILED)


# ---- pause and resume -------------------------------------------------------------------------------------


def test_pause_then_start_resumes_a_running_project(api):
    project_id = project_with_resources(api)
    set_status(api, project_id, S.IN_PROGRESS)

    paused = _alter(api, project_id, "pause")
    assert paused["code"] == 0 and paused["data"]["alterType"] == "pause"
    assert project(api, project_id).status == S.PAUSED

    resumed = _alter(api, project_id, "start")
    assert resumed["code"] == 0
    assert project(api, project_id).status == S.IN_PROGRESS


def test_resume_checks_the_account_like_a_start(api):
    project_id = project_with_resources(api)
    set_status(api, project_id, S.PAUSED)
    set_account(api, credit_state=CreditState.UNSETTLED)

    _refused(api, project_id, "start", ErrorCode.UNSETTLED_CREDIT)


def test_pausing_a_paused_project_is_code_20(api):
    project_id = project_with_resources(api)
    set_status(api, project_id, S.PAUSED)

    _refused(api, project_id, "pause", ErrorCode.PAUSED)


@pytest.mark.parametrize("status", [S.DRAFT, S.CHECKING, S.TRIAL, S.TRIAL_DONE, S.WAITING_PAYMENT, S.COMPLETED])
def test_pausing_a_project_that_is_not_running_is_code_21(api, status):
    project_id = project_with_resources(api)
    set_status(api, project_id, status)

    _refused(api, project_id, "pause", ErrorCode.PAUSE_FAILED)


# ---- delete -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DRAFT, S.TRIAL_DONE, S.COMPLETED])
def test_delete_hides_the_project_and_frees_its_name(api, status):
    project_id = project_with_resources(api)
    set_status(api, project_id, status)

    out = _alter(api, project_id, "delete")

    assert out["code"] == 0 and out["data"]["alterType"] == "delete"
    assert project(api, project_id).status == S.DELETED
    assert UniqueKeyModel.count(project_name_key(api.user_id, SAMPLE_CREATE["projectName"])) == 0
    for path, call_params in [
        (RETRIEVE, {"projectId": project_id}),
        (SET, {"projectId": project_id, "instruction": "x"}),
        (SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": SAMPLE_URLS}),
        (ALTER, {"projectId": project_id, "type": "start"}),
        (ALTER, {"projectId": project_id, "type": "delete"}),
    ]:
        assert_error(api.call(path, call_params), ErrorCode.PROJECT_NOT_FOUND)
    assert create_project(api).startswith("p2_")


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.PAUSED])
def test_deleting_a_project_with_work_under_way_is_code_22(api, status):
    project_id = project_with_resources(api)
    set_status(api, project_id, status)

    _refused(api, project_id, "delete", ErrorCode.DELETE_NOT_ALLOWED)


@pytest.mark.parametrize("status", [S.CHECKING, S.TRIAL, S.WAITING_PAYMENT])
def test_deleting_a_project_under_review_or_payment_is_code_23(api, status):
    project_id = project_with_resources(api)
    set_status(api, project_id, status)

    _refused(api, project_id, "delete", ErrorCode.DELETE_FAILED)


# ---- any alteration ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("alter_type", ["start", "pause", "delete"])
def test_another_accounts_project_is_code_8_and_stays_as_it_was(api, alter_type):
    other = second_account()
    theirs = project_with_resources(other)
    set_status(other, theirs, S.IN_PROGRESS if alter_type == "pause" else S.DRAFT)
    before = project(other, theirs).status

    _refused(api, theirs, alter_type, ErrorCode.PROJECT_NOT_FOUND)

    assert project(other, theirs).status == before


@pytest.mark.parametrize("alter_type", ["resume", "START", "", None])
def test_an_undocumented_type_is_code_2(api, alter_type):
    project_id = project_with_resources(api)

    with nothing_changes():
        out = api.call(ALTER, {"projectId": project_id, "type": alter_type})

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
