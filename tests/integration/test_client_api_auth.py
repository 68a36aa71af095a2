"""The request signature on every call (code 27, and 2/3/6 for its headers and user): window, replay,
secrets, key rotation, signer = body userId. Formerly tests/integration/test_signature.py."""

import base64
import hashlib
import hmac
import json

import pytest

from bytebridge import clock
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.replay import SeenRequestModel
from bytebridge.errors import ErrorCode
from bytebridge.logic.accounts import revoke_secret, rotate_secret
from bytebridge.settings import get_settings
from bytebridge.signing import SIGN_TYPE_HMAC, signed_headers
from tests.support.client import ClientApi
from tests.support.client_api import (
    ALTER,
    CREATE,
    RETRIEVE,
    SAMPLE_CREATE,
    assert_error,
    body,
    create_project,
    nothing_changes,
    second_account,
)

WINDOW_MS = 300_000


def _now_ms() -> int:
    return clock.now_ms()  # the platform's clock, which signatures are checked against


def test_a_signed_request_is_accepted(api):
    out = api.call(CREATE, SAMPLE_CREATE)

    assert out["code"] == 0
    assert out["userId"] == api.user_id


def test_a_replayed_request_is_rejected_and_recorded_once(api):
    raw = body(api, SAMPLE_CREATE)
    ts = _now_ms()
    first = api.call(CREATE, body=raw, timestamp_ms=ts)

    with nothing_changes(authenticated=False):
        second = api.call(CREATE, body=raw, timestamp_ms=ts)

    assert first["code"] == 0
    assert_error(second, ErrorCode.SIGNATURE_FAILED, api)
    assert SeenRequestModel.count(api.user_id) == 1
    assert ProjectModel.count(api.user_id) == 1


@pytest.mark.parametrize("other_path", [ALTER, CREATE + "/"])
def test_a_signed_request_cannot_be_replayed_against_another_endpoint(api, other_path):
    project_id = create_project(api)
    raw = body(api, {"projectId": project_id, "type": "delete"})
    ts = _now_ms()
    assert api.call(RETRIEVE, body=raw, timestamp_ms=ts)["code"] == 0

    with nothing_changes(authenticated=False):
        out = api.call(other_path, body=raw, timestamp_ms=ts)

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)


def test_a_replay_is_detected_however_the_signature_is_cased(api):
    raw = body(api, SAMPLE_CREATE)
    ts = _now_ms()
    sign = signed_headers(api.user_id, raw, api.secret, ts)["RequestSign"]
    assert api.call(CREATE, body=raw, timestamp_ms=ts)["code"] == 0

    out = api.call(CREATE, body=raw, timestamp_ms=ts, headers={"RequestSign": f" {sign.lower()} "})

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)


def test_a_wrong_secret_is_rejected(api):
    api.secret = "test_" + "x" * 32

    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE)

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)


def test_a_body_changed_after_signing_is_rejected(api):
    signed = body(api, SAMPLE_CREATE)
    headers = signed_headers(api.user_id, signed, api.secret, _now_ms())
    tampered = signed.replace("api test project", "another project")

    with nothing_changes(authenticated=False):
        out = api.call(CREATE, body=tampered, headers=headers)

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)


def test_the_body_user_id_must_be_the_signer(api):
    victim = second_account()
    # Signed with the attacker's own secret, but the body claims the victim's userId.
    raw = body(api, SAMPLE_CREATE, user_id=victim.user_id)
    headers = signed_headers(victim.user_id, raw, api.secret, _now_ms())

    with nothing_changes(authenticated=False):
        out = api.call(CREATE, body=raw, headers=headers)

    assert_error(out, ErrorCode.SIGNATURE_FAILED, victim)
    assert ProjectModel.count(victim.user_id) == 0


def test_signing_as_oneself_for_anothers_body_is_rejected(api):
    victim = second_account()
    raw = body(api, SAMPLE_CREATE, user_id=victim.user_id)
    headers = signed_headers(api.user_id, raw, api.secret, _now_ms())  # userID in the sign string: the attacker

    with nothing_changes(authenticated=False):
        out = api.call(CREATE, body=raw, headers=headers)

    assert_error(out, ErrorCode.SIGNATURE_FAILED, victim)


@pytest.mark.parametrize("offset_ms", [-WINDOW_MS - 1_000, WINDOW_MS + 1_000, -86_400_000, "epoch"])
def test_a_timestamp_outside_five_minutes_is_rejected(api, offset_ms):
    timestamp_ms = 0 if offset_ms == "epoch" else _now_ms() + offset_ms
    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE, timestamp_ms=timestamp_ms)

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)
    assert "window" in out["detail"]


@pytest.mark.parametrize("offset_ms", [-WINDOW_MS + 5_000, WINDOW_MS - 5_000])
def test_a_timestamp_inside_the_window_is_accepted(api, offset_ms):
    assert api.call(CREATE, SAMPLE_CREATE, timestamp_ms=_now_ms() + offset_ms)["code"] == 0


def test_the_window_follows_signature_window_seconds(api, monkeypatch):
    monkeypatch.setenv("SIGNATURE_WINDOW_SECONDS", "60")
    get_settings.cache_clear()
    try:
        out = api.call(CREATE, SAMPLE_CREATE, timestamp_ms=_now_ms() - 120_000)
    finally:
        monkeypatch.delenv("SIGNATURE_WINDOW_SECONDS")
        get_settings.cache_clear()

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)


@pytest.mark.parametrize("timestamp", ["12a", "-1000", " 1700000000000", "1.7e12", "１２３", "²", "9" * 16])
def test_a_timestamp_that_is_not_plain_digits_is_code_3(api, timestamp):
    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE, headers={"Timestamp": timestamp})

    assert_error(out, ErrorCode.JSON_PARSE_FAILED, api)


@pytest.mark.parametrize("header", ["Timestamp", "SignType", "RequestSign"])
def test_a_missing_signature_header_is_code_2(api, header):
    headers = signed_headers(api.user_id, body(api, SAMPLE_CREATE), api.secret, _now_ms())
    event_headers = {key: ("" if key == header else value) for key, value in headers.items()}

    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE, headers=event_headers)

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_an_unknown_sign_type_is_code_2(api):
    with nothing_changes(authenticated=False):
        out = api.call(CREATE, SAMPLE_CREATE, headers={"SignType": "sha1"})

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_an_unsigned_invalid_body_gets_the_signature_verdict_not_a_field_list(api):
    api.secret = "test_" + "y" * 32

    with nothing_changes(authenticated=False):
        out = api.call(CREATE, {"nothing": "useful"})

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)
    assert "params" not in out.get("detail", "")


def test_hmac_sha256_over_the_same_string_is_accepted(api):
    raw = body(api, SAMPLE_CREATE)
    ts = str(_now_ms())
    sign_str = f"userID={api.user_id}&Body={raw}&SignType=md5&Timestamp={ts}&secretKey={api.secret}"
    sign = hmac.new(api.secret.encode(), sign_str.encode(), hashlib.sha256).hexdigest().upper()

    out = api.call(CREATE, body=raw, headers={"Timestamp": ts, "SignType": SIGN_TYPE_HMAC, "RequestSign": sign})

    assert out["code"] == 0, out


def test_an_md5_signature_does_not_pass_as_hmac(api):
    raw = body(api, SAMPLE_CREATE)
    ts = _now_ms()
    md5_sign = signed_headers(api.user_id, raw, api.secret, ts)["RequestSign"]

    out = api.call(CREATE, body=raw, timestamp_ms=ts, headers={"SignType": SIGN_TYPE_HMAC, "RequestSign": md5_sign})

    assert_error(out, ErrorCode.SIGNATURE_FAILED, api)


def test_sign_type_and_signature_case_do_not_matter(api):
    raw = body(api, SAMPLE_CREATE)
    ts = _now_ms()
    sign = signed_headers(api.user_id, raw, api.secret, ts)["RequestSign"].lower()

    out = api.call(CREATE, body=raw, timestamp_ms=ts, headers={"SignType": "MD5", "RequestSign": sign})

    assert out["code"] == 0, out


def test_during_rotation_both_secrets_work_and_a_revoked_one_stops(api):
    old_secret = api.secret
    key_id, new_secret = rotate_secret(api.user_id)

    assert ClientApi(api.user_id, old_secret).call(CREATE, SAMPLE_CREATE)["code"] == 0
    assert ClientApi(api.user_id, new_secret).call(CREATE, {**SAMPLE_CREATE, "projectName": "2"})["code"] == 0

    revoke_secret(api.user_id, "k1")
    revoked = ClientApi(api.user_id, old_secret).call(CREATE, {**SAMPLE_CREATE, "projectName": "3"})
    assert_error(revoked, ErrorCode.SIGNATURE_FAILED, api)
    assert ClientApi(api.user_id, new_secret).call(CREATE, {**SAMPLE_CREATE, "projectName": "4"})["code"] == 0
    assert key_id == "k2"


def test_non_ascii_bodies_sign_as_sent(api):
    call_params = {**SAMPLE_CREATE, "projectName": "猫还是狗 🐱"}
    raw = json.dumps({"userId": api.user_id, "params": call_params}, ensure_ascii=False)

    out = api.call(CREATE, body=raw)

    assert out["code"] == 0, out
    assert out["data"]["name"] == "猫还是狗 🐱"


def test_unusual_whitespace_and_key_order_sign_as_sent(api):
    raw = (
        '\n{\t"params" :\r\n {"taskType": "single_choice", "options": [ {"value":"a"},{"value":"b"} ],'
        '"question":"q",  "type":"image_classification", "projectName":"ws"},\n\n "userId":\t"' + api.user_id + '"  }\n'
    )

    out = api.call(CREATE, body=raw)

    assert out["code"] == 0, out
    assert out["data"]["name"] == "ws"


def test_secrets_never_reach_the_logs_even_at_debug_level(api, caplog):
    caplog.set_level("DEBUG")
    wrong = "test_" + "z" * 32
    api.call(CREATE, SAMPLE_CREATE)
    api.call(CREATE, SAMPLE_CREATE)  # a business error
    ClientApi(api.user_id, wrong).call(CREATE, SAMPLE_CREATE)  # a failed signature
    rotate_secret(api.user_id)  # seals a new secret

    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert any(getattr(record, "code", None) == ErrorCode.PROJECT_CREATE_FAILED for record in caplog.records)
    assert "kms" in logged.lower()  # KMS calls were made while capturing
    for secret in (api.secret, wrong):
        assert secret not in logged
        assert base64.b64encode(secret.encode()).decode() not in logged
