"""Errors every call shares: 1 unknown, 2 invalid params, 3 not JSON, 4 unknown path, 5 wrong method,
6 unknown user; each answered in the documented envelope and each changing nothing."""

import json

import pytest

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.errors import ErrorCode
from tests.support.client_api import (
    ALTER,
    CREATE,
    RETRIEVE,
    SAMPLE_CREATE,
    SET,
    SUBMIT,
    assert_error,
    body,
    nothing_changes,
    raw_call,
)

ALL_CALLS = [CREATE, SET, RETRIEVE, SUBMIT, ALTER]


def test_an_unexpected_failure_is_code_1_with_http_500_logged_and_writes_nothing(api, caplog):
    account_before = AccountModel.get(api.user_id, consistent_read=True).to_simple_dict()
    ProjectModel.delete_table()  # the store fails underneath the call

    status, out = raw_call(api, CREATE, body(api, SAMPLE_CREATE))

    assert status == 500
    assert_error(out, ErrorCode.UNKNOWN, api)
    assert "detail" not in out  # internals stay in the log
    assert any(record.getMessage() == "unexpected error" and record.exc_info for record in caplog.records)
    assert AccountModel.get(api.user_id, consistent_read=True).to_simple_dict() == account_before


@pytest.mark.parametrize(
    "raw_body",
    [
        '{"params": {}}',  # no userId
        '{"userId": 7, "params": {}}',
        '{"userId": "", "params": {}}',
        "[1, 2]",
    ],
)
def test_a_body_without_a_usable_user_id_is_code_2(api, raw_body):
    with nothing_changes(authenticated=False):
        out = api.call(SUBMIT, body=raw_body)

    assert_error(out, ErrorCode.PARAMETER_INVALID)


@pytest.mark.parametrize("path", ALL_CALLS)
def test_a_signed_body_without_params_is_code_2(api, path):
    with nothing_changes():
        out = api.call(path, body=json.dumps({"userId": api.user_id}))

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert out["detail"] == "params: Field required"


@pytest.mark.parametrize("raw_body", ["", "not json", '{"userId": "U_1", ', "userId=U_1&params="])
def test_a_body_that_is_not_json_is_code_3(api, raw_body):
    with nothing_changes(authenticated=False):
        out = api.call(CREATE, body=raw_body)

    assert_error(out, ErrorCode.JSON_PARSE_FAILED)


def test_a_body_that_is_not_utf8_is_code_3(api):
    from client_api.handler import lambda_handler

    from bytebridge.signing import signed_headers
    from local.emulator import LocalContext
    from local.gateway import proxy_event

    raw = b'{"userId": "\xff\xfe"}'
    headers = signed_headers(api.user_id, "x", api.secret, 0)
    with nothing_changes(authenticated=False):
        response = lambda_handler(proxy_event("POST", CREATE, headers, raw, "127.0.0.1"), LocalContext("x"))

    assert response["statusCode"] == 200
    assert_error(json.loads(response["body"]), ErrorCode.JSON_PARSE_FAILED)


def test_a_body_sent_as_another_content_type_is_code_3(api):
    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE, headers={"Content-Type": "text/plain"})

    assert_error(out, ErrorCode.JSON_PARSE_FAILED, api)


@pytest.mark.parametrize("path", ["/api/v1/projects/nope", "/api/v1/project", "/api/v2/projects", "/api/v1"])
def test_an_unknown_path_is_code_4(api, path):
    with nothing_changes(authenticated=False):
        out = api.call(path, SAMPLE_CREATE)

    assert_error(out, ErrorCode.URL_INVALID, api)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", CREATE), ("PUT", CREATE), ("DELETE", SET), ("PATCH", ALTER), ("GET", "/api/v1/nothing-here")],
)
def test_any_method_but_post_is_code_5(api, method, path):
    with nothing_changes(authenticated=False):
        out = api.call(path, SAMPLE_CREATE, method=method)

    assert_error(out, ErrorCode.PERMISSION_DENIED, api)


@pytest.mark.parametrize("user_id", ["U_" + "0" * 32, "U_" + "0" * 200, "someone"])
def test_a_user_id_without_an_account_is_code_6(api, user_id):
    api.user_id = user_id  # signed correctly, but for a user that does not exist
    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE)

    assert_error(out, ErrorCode.USER_NOT_FOUND, api)
