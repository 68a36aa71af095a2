"""The SDK signs as the documentation's own snippet does, byte for byte, and checks callbacks as the platform
signs them (bytebridge.delivery.callbacks), including the two signatures of a rotation's overlap."""

import hashlib
import json

from bytebridge_client import Client, signing, verify_callback

from bytebridge.delivery.callbacks import signature_header
from bytebridge.signing import SIGN_TYPE_HMAC, compute_sign
from tests.sdk.recorder import ok, recording

USER_ID = "U_10BF4B46DD4811EA93476C96CFDDE73D"  # the documented sample credentials
SECRET_KEY = "test_78pbttim3mykypuoswidgzor6fv1u2rj"
SAMPLE_PARAMS = {
    "projectName": "api test project",
    "type": "image_classification",
    "instruction": "demo for test",
    "question": "Is the creature in the picture a cat or a dog",
    "taskType": "single_choice",
    "options": [{"value": "cat"}, {"value": "dog"}, {"value": "unknown"}],
}


def documented_sign(body: str, timestamp: str) -> str:  # the docs' get_sig_str, verbatim but for its globals
    sign_str = """userID=%s&Body=%s&SignType=md5&Timestamp=%s&secretKey=%s""" % (  # noqa: UP031
        USER_ID,
        body,
        timestamp,
        SECRET_KEY,
    )
    return hashlib.md5(sign_str.encode()).hexdigest().upper()


def test_a_call_sends_the_documented_body_and_signature_byte_for_byte():
    with recording([ok({"projectId": "p1"})]) as server:
        Client(USER_ID, SECRET_KEY, server.url).call("/api/v1/projects", SAMPLE_PARAMS)

    (sent,) = server.requests
    documented_body = json.dumps({"userId": USER_ID, "params": SAMPLE_PARAMS})  # as the docs build it
    assert sent["body"] == documented_body
    headers = sent["headers"]
    assert headers["SignType"] == "md5" and headers["Content-Type"] == "application/json"
    assert headers["RequestSign"] == documented_sign(documented_body, headers["Timestamp"])


def test_the_hmac_variant_signs_as_the_platform_checks_it():
    with recording([ok({})]) as server:
        Client(USER_ID, SECRET_KEY, server.url, sign_type=signing.HMAC_SHA256).call("/api/v1/prices", {})
    (sent,) = server.requests
    headers = sent["headers"]
    expected = compute_sign(USER_ID, sent["body"], headers["Timestamp"], SECRET_KEY, SIGN_TYPE_HMAC)
    assert headers["SignType"] == "HMAC-SHA256" and headers["RequestSign"] == expected


def test_a_callback_signed_by_the_platform_verifies_and_a_changed_one_does_not():
    body = '{"event":"itemDelivered","data":{"eventId":"e1"}}'
    header = signature_header(["whsec_new", "whsec_old"], "e1", body, 1_800_000_000)
    headers = {"ByteBridge-Signature": header, "ByteBridge-Event-Id": "e1"}
    now = 1_800_000_010

    assert verify_callback(headers, body.encode(), "whsec_new", now=now)
    assert verify_callback(headers, body.encode(), "whsec_old", now=now)  # during a rotation's overlap
    assert not verify_callback(headers, body.encode(), "whsec_other", now=now)
    assert not verify_callback(headers, body.replace("e1", "e2").encode(), "whsec_new", now=now)
    assert not verify_callback({**headers, "ByteBridge-Event-Id": "e9"}, body.encode(), "whsec_new", now=now)
    assert not verify_callback(headers, body.encode(), "whsec_new", now=now + 301)  # too old: a replay
