"""A hardened edge (issue 12): every malformed request to the client API gets the documented envelope (code 2 or 3)
and every malformed request to the worker API gets its error object — any nesting depth, any bytes, any content
type, any size — never a 5xx; body sizes are capped; the local gateway passes such bodies through as API Gateway
would (and refuses what API Gateway refuses: payloads over 10 MB)."""

import json

import pytest
from client_api.handler import MAX_BODY_BYTES as CLIENT_MAX_BODY_BYTES
from client_api.handler import lambda_handler as client_handler
from worker_api.handler import MAX_BODY_BYTES as WORKER_MAX_BODY_BYTES
from worker_api.handler import lambda_handler as worker_handler

from bytebridge.clock import now_ms
from bytebridge.errors import ErrorCode
from bytebridge.models.client_api import MAX_URL_LENGTH, MAX_URLS_PER_CALL
from bytebridge.signing import signed_headers
from bytebridge.workers.tokens import create_worker
from local.emulator import LocalContext
from local.gateway import GATEWAY_MAX_BODY_BYTES, dispatch, proxy_event
from tests.support.client_api import CREATE, SUBMIT, assert_error, nothing_changes

CLAIM = "/worker/v1/assignments/claim"
SUBMIT_ANSWER = "/worker/v1/assignments/a-1/submit"


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def nested_in_body(user_id: str, depth: int) -> bytes:
    return b'{"userId": "' + user_id.encode() + b'", "params": ' + nested(depth) + b"}"


def client_call(api, raw: bytes, content_type: str = "application/json", path: str = CREATE) -> tuple[int, dict]:
    headers = signed_headers(api.user_id, raw.decode("utf-8", "replace"), api.secret, now_ms())
    headers["Content-Type"] = content_type
    response = client_handler(proxy_event("POST", path, headers, raw, "127.0.0.1"), LocalContext("client-api"))
    return response["statusCode"], json.loads(response["body"])


def worker_call(raw: bytes, token: str | None, path: str = CLAIM, content_type: str = "application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = worker_handler(proxy_event("POST", path, headers, raw, "127.0.0.1"), LocalContext("worker-api"))
    return response["statusCode"], json.loads(response["body"])


# --- client API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_deep_is_code_3_on_the_client_api(api, depth):
    with nothing_changes(authenticated=False):
        status, out = client_call(api, nested(depth))

    assert status == 200
    assert_error(out, ErrorCode.JSON_PARSE_FAILED)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_params_of_a_usable_user_id_are_answered_in_the_envelope(api, depth):
    with nothing_changes(authenticated=False):
        status, out = client_call(api, nested_in_body(api.user_id, depth))

    assert status == 200
    assert_error(out, ErrorCode.JSON_PARSE_FAILED)


@pytest.mark.parametrize("raw", [b"\xff\xfe\xfd", b'{"userId": "\xc3\x28"}', b"\x80" * 100, b"\x00\x01\x02"])
def test_invalid_utf8_is_code_3_on_the_client_api(api, raw):
    with nothing_changes(authenticated=False):
        status, out = client_call(api, raw)

    assert status == 200
    assert_error(out, ErrorCode.JSON_PARSE_FAILED)


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/octet-stream",
        "",
        "application/json; charset=latin-1",
        "\x00",
    ],
)
def test_any_content_type_is_answered_in_the_envelope(api, content_type):
    raw = json.dumps({"userId": api.user_id, "params": {}}).encode()
    read_as_json = content_type in ("", "application/json; charset=latin-1")
    with nothing_changes(authenticated=read_as_json):
        status, out = client_call(api, raw, content_type)

    assert status == 200
    assert_error(out, ErrorCode.PARAMETER_INVALID if read_as_json else ErrorCode.JSON_PARSE_FAILED, api)


def test_a_body_over_the_client_cap_is_code_2_with_a_clear_message(api):
    raw = json.dumps({"userId": api.user_id, "params": {"x": "a" * CLIENT_MAX_BODY_BYTES}}).encode()
    with nothing_changes(authenticated=False):
        status, out = client_call(api, raw)

    assert status == 200
    assert_error(out, ErrorCode.PARAMETER_INVALID)
    assert f"{CLIENT_MAX_BODY_BYTES} bytes" in out["detail"]


def test_the_largest_legitimate_submit_resource_body_fits_under_the_client_cap(api):
    url = "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/") - 4) + ".jpg"
    params = {"projectId": "p", "resourceType": "image", "resourceURLs": [url] * MAX_URLS_PER_CALL}
    largest = json.dumps({"userId": api.user_id, "params": params}).encode()
    assert len(largest) < CLIENT_MAX_BODY_BYTES

    status, out = client_call(api, largest, path=SUBMIT)

    assert status == 200
    assert out["code"] != ErrorCode.UNKNOWN
    assert "bytes" not in out.get("detail", "")  # not refused for its size


# --- worker API ---------------------------------------------------------------------------------------------------


@pytest.fixture
def worker_token(aws) -> str:
    return create_worker("Edge Tester")[1]


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("path", [CLAIM, SUBMIT_ANSWER])
def test_json_nested_deep_is_the_worker_error_object(worker_token, depth, path):
    status, out = worker_call(nested(depth), worker_token, path)

    assert status == 422
    assert out["error"]["code"] == "invalidRequest"


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_json_without_a_token_is_unauthorized(aws, depth):
    status, out = worker_call(nested(depth), None)

    assert status == 401
    assert out["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("raw", [b"\xff\xfe\xfd", b'{"waitSeconds": "\xc3\x28"}', b"\x80" * 100])
@pytest.mark.parametrize("path", [CLAIM, SUBMIT_ANSWER])
def test_invalid_utf8_is_the_worker_error_object(worker_token, raw, path):
    status, out = worker_call(raw, worker_token, path)

    assert status == 422
    assert out["error"]["code"] == "invalidRequest"


@pytest.mark.parametrize("content_type", ["multipart/form-data", "text/plain", "", "\x00"])
def test_any_content_type_is_read_as_json_by_the_worker_api(worker_token, content_type):
    status, out = worker_call(b'{"waitSeconds": "x"}', worker_token, content_type=content_type)

    assert status == 422
    assert out["error"]["code"] == "invalidRequest"


def test_a_body_over_the_worker_cap_is_refused_with_a_clear_message(worker_token):
    raw = json.dumps({"answer": {"x": "a" * WORKER_MAX_BODY_BYTES}}).encode()
    status, out = worker_call(raw, worker_token, SUBMIT_ANSWER)

    assert status == 413
    assert out["error"]["code"] == "bodyTooLarge"
    assert f"{WORKER_MAX_BODY_BYTES} bytes" in out["error"]["message"]


def test_the_worker_cap_is_smaller_than_the_client_cap():
    assert WORKER_MAX_BODY_BYTES < CLIENT_MAX_BODY_BYTES


# --- the local gateway --------------------------------------------------------------------------------------------


def test_the_gateway_passes_hostile_bodies_through_to_the_envelope(api):
    for raw in (nested(100_000), b"\xff\xfe", nested_in_body(api.user_id, 1_000)):
        headers = signed_headers(api.user_id, "x", api.secret, 0)
        headers["Content-Type"] = "multipart/form-data"
        status, _, out = dispatch("POST", CREATE, headers, raw)

        assert status == 200
        assert json.loads(out)["code"] == ErrorCode.JSON_PARSE_FAILED


def test_the_gateway_passes_hostile_bodies_through_to_the_worker_error_object(worker_token):
    for raw in (nested(100_000), b"\xff\xfe"):
        headers = {"Authorization": f"Bearer {worker_token}"}
        status, _, out = dispatch("POST", CLAIM, headers, raw)

        assert status == 422
        assert json.loads(out)["error"]["code"] == "invalidRequest"


def test_the_gateway_refuses_payloads_over_10_mb_as_api_gateway_does(aws):
    assert GATEWAY_MAX_BODY_BYTES == 10 * 1024 * 1024
    status, _, out = dispatch("POST", CREATE, {}, b"x" * (GATEWAY_MAX_BODY_BYTES + 1))

    assert status == 413
    assert json.loads(out) == {"message": "Request Too Long"}


def test_the_local_server_refuses_a_declared_length_over_10_mb_without_reading_it(aws):
    import http.client
    import threading

    from local.gateway import serve

    server = serve("127.0.0.1", 0, {})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        connection.putrequest("POST", CREATE)
        connection.putheader("Content-Length", str(GATEWAY_MAX_BODY_BYTES + 1))
        connection.endheaders()  # the body never comes: the answer must not wait for it
        response = connection.getresponse()

        assert response.status == 413
        assert json.loads(response.read()) == {"message": "Request Too Long"}
    finally:
        server.shutdown()
        server.server_close()
