"""The SDK's transport against a scripted server: retries re-sign (never replaying a signature), calls that
create something are never retried, error envelopes become their typed exceptions, and params are checked
before anything is sent."""

import pytest
import requests
from bytebridge_client import ByteBridgeHTTPError, Client, errors
from pydantic import ValidationError

from bytebridge.errors import MESSAGES, ErrorCode
from tests.sdk.recorder import RESET, error, ok, recording


def client(url: str) -> Client:
    made = Client("U_1", "secret", url, max_retries=3)
    made._transport._sleep = lambda seconds: None  # no backoff waits in tests
    return made


def test_a_read_answered_502_twice_is_retried_with_a_fresh_signature_each_time():
    replies = [(502, {"message": "Internal server error"}), (502, {"message": "x"}), ok({"projectId": "p1"})]
    with recording(replies) as server:
        data = client(server.url).call("/api/v1/projects/retrieveProject", {"projectId": "p1"})

    assert data == {"projectId": "p1"}
    signs = [r["headers"]["RequestSign"] for r in server.requests]
    stamps = [int(r["headers"]["Timestamp"]) for r in server.requests]
    assert len(signs) == 3 and len(set(signs)) == 3  # never the same signature twice: code 27 otherwise
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


def test_a_dropped_connection_is_retried():
    with recording([RESET, ok({"balance": 1})]) as server:
        assert client(server.url).call("/api/v1/billing/retrieveBalance", {}) == {"balance": 1}
    assert len(server.requests) == 2


def test_a_call_that_creates_something_is_not_retried():
    replies = [(502, {"message": "Internal server error"}), ok({"projectId": "p1"})]
    with recording(replies) as server, pytest.raises(ByteBridgeHTTPError) as raised:
        client(server.url).create_project(
            projectName="x", type="image_classification", taskType="single_choice", instruction="i"
        )
    assert raised.value.status == 502 and len(server.requests) == 1


def test_retries_stop_after_the_limit():
    with recording([(503, {"message": "busy"})]) as server, pytest.raises(ByteBridgeHTTPError):
        client(server.url).call("/api/v1/projects/retrieveProject", {"projectId": "p1"})
    assert len(server.requests) == 4  # the call and 3 retries


@pytest.mark.parametrize("code", [c for c in ErrorCode if c != ErrorCode.SUCCESS])
def test_every_documented_error_code_raises_its_own_exception(code):
    with (
        recording([error(code.value, MESSAGES[code], "what exactly")]) as server,
        pytest.raises(errors.ByteBridgeError) as raised,
    ):
        client(server.url).call("/api/v1/projects/retrieveProject", {"projectId": "p1"})
    exc = raised.value
    assert type(exc) is errors.BY_CODE[code.value] and exc.code == code.value
    assert exc.message == MESSAGES[code] and exc.detail == "what exactly"
    assert len(server.requests) == 1  # an answered error is not retried


def test_the_sdk_knows_every_documented_code():
    assert set(errors.BY_CODE) == {c.value for c in ErrorCode} - {0}
    assert errors.ProjectNotFound.code == 8 and errors.SignatureInvalid.code == 27


def test_invalid_params_are_refused_before_anything_is_sent():
    with recording([ok({})]) as server:
        with pytest.raises(ValidationError):
            client(server.url).retrieve_project(projectIdd="p1")
        with pytest.raises(TypeError):
            client(server.url).retrieve_project(client_models_params(), projectId="p2")
    assert server.requests == []


def client_models_params():
    from bytebridge_client import models

    return models.RetrieveProjectParams(projectId="p1")


def test_typed_calls_answer_models():
    progress = {
        "projectData": {
            "projectName": "n", "projectInstruction": "i", "question": None, "target": None,
            "projectType": "image_classification", "taskType": "single_choice", "projectItemQuantity": 2,
            "processingQuantity": 0, "projectStatus": "completed", "completedQuantity": 2, "noStartQuantity": 0,
            "successQuantity": 2, "failedQuantity": 0, "outputQuantity": 2, "amountSpent": 0.04, "options": [],
        },
        "extraInfo": {"downloadableResultNum": 2, "downloadResultURL": ""},
    }  # fmt: skip
    with recording([ok(progress)]) as server:
        answer = client(server.url).retrieve_project(projectId="p1")
    assert answer.projectData.completedQuantity == 2 and answer.projectData.projectStatus == "completed"


def test_the_secret_is_not_in_the_client_repr():
    made = Client("U_1", "very-secret-key", "http://127.0.0.1:9")
    assert "very-secret-key" not in repr(made._transport.credentials)
    with pytest.raises(requests.ConnectionError):
        made._transport.max_retries = 0
        made.call("/api/v1/prices", {})
