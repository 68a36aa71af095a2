"""Helpers of the client API tests: documented sample params, whole-table snapshots (a rejected request
must change nothing), direct state set-up for statuses only the lifecycle reaches, raw handler calls."""

import json
from contextlib import contextmanager

from bytebridge.aws import client
from bytebridge.billing import ledger
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.replay import SeenRequestModel
from bytebridge.dal.tables import ALL_MODELS
from bytebridge.enums import ProjectStatus
from bytebridge.errors import MESSAGES, ErrorCode
from tests.support.client import ClientApi, signed_event

CREATE = "/api/v1/projects"
SET = "/api/v1/projects/setProject"
RETRIEVE = "/api/v1/projects/retrieveProject"
SUBMIT = "/api/v1/projects/submitResource"
ALTER = "/api/v1/projects/alterState"

# The documented create sample's params.
SAMPLE_CREATE = {
    "projectName": "api test project",
    "type": "image_classification",
    "instruction": "demo for test",
    "question": "Is the creature in the picture a cat or a dog",
    "taskType": "single_choice",
    "options": [{"value": "cat"}, {"value": "dog"}, {"value": "unknown"}],
}
FRAME_CREATE = {
    "projectName": "boxes",
    "type": "image_rectangle_frame_select",
    "instruction": "box every car",
    "target": "cars",
    "taskType": "rectangle_frame_select",
}
SAMPLE_URLS = [
    "https://d301.paixin.com/thumbs/1092213/119132616/staff_1024.jpg",
    "https://d301.paixin.com/thumbs/1902695/106230432/staff_1024.jpg",
]


def params(base: dict, **changes) -> dict:
    """`base` with `changes`; a change to None drops the key."""
    out = {**base, **changes}
    return {key: value for key, value in out.items() if value is not None}


def create_project(api: ClientApi, base: dict = SAMPLE_CREATE, **changes) -> str:
    out = api.call(CREATE, params(base, **changes))
    assert out["code"] == 0, out
    return out["data"]["projectId"]


def project_with_resources(api: ClientApi, urls: list[str] = SAMPLE_URLS, **changes) -> str:
    project_id = create_project(api, **changes)
    out = api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})
    assert out["code"] == 0, out
    return project_id


def project(api: ClientApi, project_id: str) -> ProjectModel:
    return ProjectModel.get(api.user_id, project_id, consistent_read=True)


def set_status(api: ClientApi, project_id: str, status: ProjectStatus) -> None:
    """Put a project in a status only operators or the lifecycle reach (review, trial, payment, run)."""
    project(api, project_id).update(actions=[ProjectModel.status.set(status.value)], add_version_condition=False)


def set_account(api: ClientApi, **values) -> None:
    account = AccountModel.get(api.user_id, consistent_read=True)
    account.update(actions=[getattr(AccountModel, name).set(value) for name, value in values.items()])


def second_account(email: str = "other@example.com", **kwargs) -> ClientApi:
    from bytebridge.logic.accounts import create_account

    api = ClientApi(*create_account(email, card_bound=True, **kwargs))
    fund(api.user_id)
    return api


TEST_BONUS_CENTS = 100_000


def fund(user_id: str, cents: int = TEST_BONUS_CENTS) -> None:
    """A test account's balance: bonus credit, so projects started in tests pay their usage as a client's would
    (a confirm pre-charges from it; without it usage would be owed: code 16 for the next start)."""
    ledger.bonus(user_id, cents, "test account", key="test-account")


def assert_error(out: dict, code: ErrorCode, api: ClientApi | None = None, message: str | None = None) -> None:
    assert out["code"] == code, out
    assert out["errorMsg"] == (message or MESSAGES[code]), out
    assert "data" not in out and "successMsg" not in out
    if api is not None:
        assert out["userId"] == api.user_id


def table_state() -> dict[str, list[str]]:
    """Every item of every table, as sorted JSON lines."""
    state = {}
    for model in ALL_MODELS:
        name = model.Meta.table_name
        pages = client("dynamodb").get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
        state[name] = sorted(json.dumps(item, sort_keys=True) for page in pages for item in page["Items"])
    return state


@contextmanager
def nothing_changes(*, authenticated: bool = True):
    """Assert the block changes no table. An authenticated request leaves exactly one trace: its signature
    in the replay log (so it cannot be replayed, even though it was refused)."""
    before = table_state()
    yield
    after = table_state()
    replay_log = SeenRequestModel.Meta.table_name
    others = [name for name in before if name != replay_log]
    assert {name: after[name] for name in others} == {name: before[name] for name in others}
    assert len(after[replay_log]) - len(before[replay_log]) == (1 if authenticated else 0)


def raw_call(api: ClientApi, path: str, body: str, **overrides) -> tuple[int, dict]:
    """(HTTP status, JSON body) of a signed call, whatever the status."""
    from client_api.handler import lambda_handler

    from local.emulator import LocalContext

    response = lambda_handler(signed_event(path, body, api.user_id, api.secret, **overrides), LocalContext("x"))
    return response["statusCode"], json.loads(response["body"])


def body(api: ClientApi, call_params: dict, user_id: str | None = None) -> str:
    return json.dumps({"userId": user_id or api.user_id, "params": call_params})
