"""bytebridge.signing against the documentation's own signing code (API密钥签名请求), copied verbatim."""

import hashlib
import hmac
import json

import pytest

from bytebridge.signing import SIGN_TYPE_HMAC, SIGN_TYPE_MD5, compute_sign, matches_any, sign_string, signed_headers

# The documented sample credentials and request.
secret_key = "test_78pbttim3mykypuoswidgzor6fv1u2rj"
user_id = "U_10BF4B46DD4811EA93476C96CFDDE73D"
TIMESTAMP = "1597388950604"  # the documented create response's timestamp
SAMPLE_BODY = json.dumps(
    {
        "userId": user_id,
        "params": {
            "projectName": "api test project",
            "type": "image_classification",
            "instruction": "demo for test",
            "question": "Is the creature in the picture a cat or a dog",
            "taskType": "single_choice",
            "options": [{"value": "cat"}, {"value": "dog"}, {"value": "unknown"}],
        },
    }
)


# sign string  (verbatim from the docs)
def get_sig_str(headers, body):
    sign_str = """userID=%s&Body=%s&SignType=md5&Timestamp=%s&secretKey=%s""" % (  # noqa: UP031
        user_id,
        body,
        headers["Timestamp"],
        secret_key,
    )
    return hashlib.md5(sign_str.encode()).hexdigest().upper()


def _documented(body: str, timestamp: str = TIMESTAMP) -> str:
    return get_sig_str({"Timestamp": timestamp}, body)


def test_the_documented_sample_signs_like_the_docs_code():
    ours = compute_sign(user_id, SAMPLE_BODY, TIMESTAMP, secret_key)

    assert ours == _documented(SAMPLE_BODY)
    assert len(ours) == 32 and ours == ours.upper()
    assert sign_string(user_id, SAMPLE_BODY, TIMESTAMP, secret_key) == (
        f"userID={user_id}&Body={SAMPLE_BODY}&SignType=md5&Timestamp={TIMESTAMP}&secretKey={secret_key}"
    )


def test_the_documented_empty_params_request_signs_like_the_docs_code():
    body = json.dumps({"userId": user_id, "params": {}})

    assert compute_sign(user_id, body, "1597657529770", secret_key) == _documented(body, "1597657529770")


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"userId": user_id, "params": {"projectName": "猫还是狗"}}, ensure_ascii=False),
        json.dumps({"userId": user_id, "params": {"projectName": "猫还是狗"}}),  # \u escapes, as json.dumps sends
        json.dumps({"userId": user_id, "params": {"projectName": "emoji 🐱 and é"}}, ensure_ascii=False),
    ],
)
def test_non_ascii_bodies_sign_their_utf8_bytes(body):
    assert compute_sign(user_id, body, TIMESTAMP, secret_key) == _documented(body)


def test_escaped_and_raw_non_ascii_are_different_bodies():
    raw = json.dumps({"n": "猫"}, ensure_ascii=False)
    escaped = json.dumps({"n": "猫"})

    assert compute_sign(user_id, raw, TIMESTAMP, secret_key) != compute_sign(user_id, escaped, TIMESTAMP, secret_key)


@pytest.mark.parametrize(
    "body",
    [
        SAMPLE_BODY.replace(", ", ",\n\t"),
        " " + SAMPLE_BODY + "\r\n",
        SAMPLE_BODY.replace(": ", ":\u00a0"),  # a no-break space
        json.dumps(json.loads(SAMPLE_BODY), indent=4),
        json.dumps(json.loads(SAMPLE_BODY), separators=(",", ":")),
    ],
)
def test_any_whitespace_signs_as_sent(body):
    ours = compute_sign(user_id, body, TIMESTAMP, secret_key)

    assert ours == _documented(body)
    assert ours != _documented(SAMPLE_BODY)


def test_key_order_signs_as_sent():
    reordered = json.dumps(dict(reversed(list(json.loads(SAMPLE_BODY).items()))))
    sign = compute_sign(user_id, reordered, TIMESTAMP, secret_key)

    assert sign == _documented(reordered) != _documented(SAMPLE_BODY)
    assert matches_any(user_id, reordered, TIMESTAMP, [secret_key], SIGN_TYPE_MD5, sign)
    assert not matches_any(user_id, SAMPLE_BODY, TIMESTAMP, [secret_key], SIGN_TYPE_MD5, sign)


def test_the_hmac_variant_keys_sha256_with_the_secret_over_the_same_string():
    text = sign_string(user_id, SAMPLE_BODY, TIMESTAMP, secret_key).encode()
    expected = hmac.new(secret_key.encode(), text, hashlib.sha256).hexdigest().upper()

    ours = compute_sign(user_id, SAMPLE_BODY, TIMESTAMP, secret_key, SIGN_TYPE_HMAC)

    assert ours == expected and len(ours) == 64
    assert ours != compute_sign(user_id, SAMPLE_BODY, TIMESTAMP, secret_key)


def test_an_unknown_sign_type_is_refused():
    with pytest.raises(ValueError, match="SignType"):
        compute_sign(user_id, SAMPLE_BODY, TIMESTAMP, secret_key, "sha1")


def test_any_active_secret_verifies_and_case_or_padding_do_not_matter():
    rotated = "test_" + "n" * 32
    sign = compute_sign(user_id, SAMPLE_BODY, TIMESTAMP, rotated)

    assert matches_any(user_id, SAMPLE_BODY, TIMESTAMP, [secret_key, rotated], SIGN_TYPE_MD5, sign)
    assert matches_any(user_id, SAMPLE_BODY, TIMESTAMP, [rotated, secret_key], SIGN_TYPE_MD5, f" {sign.lower()} ")
    assert not matches_any(user_id, SAMPLE_BODY, TIMESTAMP, [secret_key], SIGN_TYPE_MD5, sign)
    assert not matches_any(user_id, SAMPLE_BODY, TIMESTAMP, [], SIGN_TYPE_MD5, sign)


@pytest.mark.parametrize("given", ["", "not hex", "é" * 32, _documented(SAMPLE_BODY)[:-1]])
def test_malformed_signatures_do_not_verify(given):
    assert not matches_any(user_id, SAMPLE_BODY, TIMESTAMP, [secret_key], SIGN_TYPE_MD5, given)


def test_the_user_id_and_timestamp_are_signed():
    sign = compute_sign(user_id, SAMPLE_BODY, TIMESTAMP, secret_key)

    assert not matches_any("U_" + "0" * 32, SAMPLE_BODY, TIMESTAMP, [secret_key], SIGN_TYPE_MD5, sign)
    assert not matches_any(user_id, SAMPLE_BODY, str(int(TIMESTAMP) + 1), [secret_key], SIGN_TYPE_MD5, sign)


def test_signed_headers_are_the_documented_headers():
    headers = signed_headers(user_id, SAMPLE_BODY, secret_key, int(TIMESTAMP))

    assert headers == {
        "Content-Type": "application/json",
        "Timestamp": TIMESTAMP,
        "SignType": "md5",
        "RequestSign": _documented(SAMPLE_BODY),
    }
