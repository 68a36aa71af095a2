"""The S3 door's checks without a server: SigV4 presigned query signatures (made by botocore, verified against a
fixed clock) and POST policies (signed here as S3's documentation describes) with S3's condition rules."""

import base64
import calendar
import hashlib
import hmac
import json
import time

import boto3
import pytest
from botocore.config import Config

from local.s3_door import PostUpload, Refused, Signer, verify_presigned_post, verify_presigned_query

SIGNER = Signer("AKIALOCALTEST", "local-secret", "us-east-1")
HOST = "127.0.0.1:9001"


def _presigned(method: str = "get_object", expires: int = 60, **params) -> tuple[str, str, float]:
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=f"http://{HOST}",
        aws_access_key_id=SIGNER.access_key,
        aws_secret_access_key=SIGNER.secret_key,
        config=Config(signature_version="s3v4"),
    )
    url = s3.generate_presigned_url(method, Params={"Bucket": "data", "Key": "a b/c.png", **params}, ExpiresIn=expires)
    path, _, query = url.removeprefix(f"http://{HOST}").partition("?")
    signed_at = query.split("X-Amz-Date=")[1][:16]
    return path, query, float(calendar.timegm(time.strptime(signed_at, "%Y%m%dT%H%M%SZ")))


def _verify(path: str, query: str, now: float, method: str = "GET") -> str:
    return verify_presigned_query(SIGNER, method, HOST, path, query, {"host": HOST}, now)


def test_a_presigned_get_verifies_until_it_expires():
    path, query, now = _presigned(expires=60)
    assert _verify(path, query, now) == "GetObject"
    assert _verify(path, query, now + 60) == "GetObject"
    with pytest.raises(Refused, match="expired"):
        _verify(path, query, now + 61)


def test_the_signature_covers_method_path_host_and_query():
    path, query, now = _presigned()
    for changed in (
        lambda: _verify(path.replace("c.png", "d.png"), query, now),
        lambda: verify_presigned_query(SIGNER, "GET", "127.0.0.1:9002", path, query, {"host": "x"}, now),
        lambda: _verify(path, query.replace("X-Amz-Expires=60", "X-Amz-Expires=61"), now),
        lambda: _verify(path, query, now, method="HEAD"),
    ):
        with pytest.raises(Refused) as refused:
            changed()
        assert refused.value.code == "SignatureDoesNotMatch"


def test_other_keys_and_operations_are_refused():
    path, query, now = _presigned()
    other = Signer("AKIAOTHER", "local-secret", "us-east-1")
    with pytest.raises(Refused) as refused:
        verify_presigned_query(other, "GET", HOST, path, query, {"host": HOST}, now)
    assert refused.value.code == "InvalidAccessKeyId"
    same_key = Signer(SIGNER.access_key, "another-secret", "us-east-1")
    with pytest.raises(Refused) as refused:
        verify_presigned_query(same_key, "GET", HOST, path, query, {"host": HOST}, now)
    assert refused.value.code == "SignatureDoesNotMatch"
    path, query, now = _presigned("put_object")  # a plain PUT by link is not one of the door's operations
    with pytest.raises(Refused, match="presigned object downloads and uploads only"):
        _verify(path, query, now, method="PUT")


def test_multipart_operations_are_recognised():
    path, query, now = _presigned("upload_part", UploadId="u1", PartNumber=2)
    assert _verify(path, query, now, method="PUT") == "UploadPart"
    path, query, now = _presigned("complete_multipart_upload", UploadId="u1")
    assert _verify(path, query, now, method="POST") == "CompleteMultipartUpload"


# --- POST policies ---------------------------------------------------------------------------------------------

NOW = calendar.timegm((2026, 12, 2, 9, 0, 0))


def _form(conditions: list, fields: dict[str, str], *, expiration: str = "2026-12-02T09:05:00Z") -> dict[str, str]:
    credential = f"{SIGNER.access_key}/20261202/us-east-1/s3/aws4_request"
    signed_fields = {
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "x-amz-credential": credential,
        "x-amz-date": "20261202T085900Z",
    }
    policy = {"expiration": expiration, "conditions": [*conditions, *({k: v} for k, v in signed_fields.items())]}
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    signature = hmac.new(SIGNER.key("20261202"), encoded.encode(), hashlib.sha256).hexdigest()
    return {**fields, **signed_fields, "policy": encoded, "x-amz-signature": signature}


BASE = [{"bucket": "data"}, ["starts-with", "$key", "U_1/P_1/"], ["content-length-range", 10, 100]]


def _check(form: dict[str, str], size: int = 50, bucket: str = "data", now: float = NOW) -> None:
    verify_presigned_post(SIGNER, bucket, PostUpload(form, size), now)


def test_a_policy_within_its_conditions_passes():
    _check(_form(BASE, {"key": "U_1/P_1/x.png"}))
    _check(_form(BASE, {"key": "U_1/P_1/x.png"}), size=10)
    _check(_form(BASE, {"key": "U_1/P_1/x.png"}), size=100)


@pytest.mark.parametrize(("size", "code"), [(101, "EntityTooLarge"), (9, "EntityTooSmall")], ids=["over", "under"])
def test_content_length_range(size, code):
    with pytest.raises(Refused) as refused:
        _check(_form(BASE, {"key": "U_1/P_1/x.png"}), size=size)
    assert refused.value.code == code


def test_bucket_key_and_type_conditions():
    with pytest.raises(Refused, match="bucket"):
        _check(_form(BASE, {"key": "U_1/P_1/x.png"}), bucket="exports")
    with pytest.raises(Refused, match="Policy Condition failed"):
        _check(_form(BASE, {"key": "U_2/P_1/x.png"}))
    typed = [*BASE, ["starts-with", "$Content-Type", "image/"]]
    _check(_form(typed, {"key": "U_1/P_1/x.png", "content-type": "image/png"}))
    with pytest.raises(Refused, match="Policy Condition failed"):
        _check(_form(typed, {"key": "U_1/P_1/x.png", "content-type": "text/html"}))
    with pytest.raises(Refused, match="Policy Condition failed"):  # each of a list must match
        _check(_form(typed, {"key": "U_1/P_1/x.png", "content-type": "image/png,text/html"}))
    exact = [*BASE, ["eq", "$success_action_status", "201"]]
    with pytest.raises(Refused, match="Policy Condition failed"):
        _check(_form(exact, {"key": "U_1/P_1/x.png", "success_action_status": "200"}))


def test_every_field_must_be_covered_and_the_policy_signed_and_current():
    with pytest.raises(Refused, match="Extra input fields: x-amz-meta-owner"):
        _check(_form(BASE, {"key": "U_1/P_1/x.png", "x-amz-meta-owner": "me"}))
    _check(_form(BASE, {"key": "U_1/P_1/x.png", "x-ignore-note": "fine"}))
    form = _form(BASE, {"key": "U_1/P_1/x.png"})
    loosened = base64.b64encode(
        json.dumps({"expiration": "2030-01-01T00:00:00Z", "conditions": [{"bucket": "data"}]}).encode()
    ).decode()
    with pytest.raises(Refused) as refused:
        _check({**form, "policy": loosened})
    assert refused.value.code == "SignatureDoesNotMatch"
    with pytest.raises(Refused, match="Policy expired"):
        _check(_form(BASE, {"key": "U_1/P_1/x.png"}, expiration="2026-12-02T08:59:59.000Z"))
    missing = _form(BASE, {"key": "U_1/P_1/x.png"})
    del missing["x-amz-signature"]
    with pytest.raises(Refused, match="x-amz-signature"):
        _check(missing)
