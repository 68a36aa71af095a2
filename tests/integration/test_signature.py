import json
import time

from bytebridge.dal.replay import SeenRequestModel


def test_signed_request_is_accepted(api):
    out = api.call("/api/v1/projects", {"projectName": "x"})
    assert out["code"] == 0
    assert out["userId"] == api.user_id


def test_replayed_request_is_rejected_and_not_recorded_twice(api):
    body = json.dumps({"userId": api.user_id, "params": {}})
    ts = int(time.time() * 1000)
    first = api.call("/api/v1/projects", body=body, timestamp_ms=ts)
    second = api.call("/api/v1/projects", body=body, timestamp_ms=ts)
    assert first["code"] == 0
    assert second["code"] == 27
    assert SeenRequestModel.count(api.user_id) == 1


def test_wrong_secret_is_rejected(api):
    api.secret = "test_" + "x" * 32
    assert api.call("/api/v1/projects", {})["code"] == 27
