"""The local S3 door (local.s3_door) in front of the emulated platform's S3, over HTTP as a browser or client meets
it: links presigned by boto3 with the platform's credentials work; tampered, expired, unsigned and foreign ones, the
AWS APIs and /moto-api do not; presigned POST policies are enforced as S3 does."""

import datetime
import socket
from collections.abc import Iterator

import boto3
import botocore.auth
import botocore.signers
import jwt
import pytest
import requests
from botocore.config import Config

from bytebridge.aws import client
from bytebridge.settings import get_settings, resource_name
from local.s3_door import DoorServer, Signer

KEY = "exports/U_1/P_1/result.json"
BODY = b'{"hello": "world"}'
ORIGIN = "http://127.0.0.1:5173"


@pytest.fixture
def door(aws) -> Iterator[str]:
    """The door on a free port of 127.0.0.1 (as `make run` starts it), with one object in the exports bucket."""
    credentials = boto3.session.Session().get_credentials().get_frozen_credentials()
    signer = Signer(credentials.access_key, credentials.secret_key, "us-east-1")
    prefix = resource_name("")  # as local.platform: other buckets stand for clients' own
    server = DoorServer("127.0.0.1", 0, signer, own_bucket=lambda bucket: bucket.startswith(prefix)).start()
    client("s3").put_object(Bucket=get_settings().exports_bucket, Key=KEY, Body=BODY)
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def _s3(endpoint: str, **keys: str):
    return boto3.client(
        "s3", region_name="us-east-1", endpoint_url=endpoint, config=Config(signature_version="s3v4"), **keys
    )


def _get_url(endpoint: str, key: str = KEY, **client_keys: str) -> str:
    bucket = get_settings().exports_bucket
    return _s3(endpoint, **client_keys).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300
    )


def _error(response: requests.Response) -> str:
    assert "<Error>" in response.text, response.text
    return response.text.split("<Code>")[1].split("</Code>")[0]


def _post(
    endpoint: str,
    content: bytes,
    *,
    fields: dict | None = None,
    conditions: list | None = None,
    key: str = "uploads/U_1/P_1/a.png",
    form: dict | None = None,
    expires: int = 300,
) -> requests.Response:
    """A presigned POST made as the platform makes them (bucket, key, type and size limits), then sent."""
    post = _s3(endpoint).generate_presigned_post(
        get_settings().data_bucket,
        key,
        Fields={"Content-Type": "image/png", **(fields or {})},
        Conditions=conditions
        if conditions is not None
        else [{"Content-Type": "image/png"}, ["content-length-range", 1, 1024]],
        ExpiresIn=expires,
    )
    sent = {**post["fields"], **(form or {})}
    return requests.post(post["url"], data=sent, files={"file": ("a.png", content, "image/png")}, timeout=10)


def _stored(key: str) -> bytes | None:
    try:
        return client("s3").get_object(Bucket=get_settings().data_bucket, Key=key)["Body"].read()
    except client("s3").exceptions.NoSuchKey:
        return None


def test_a_presigned_download_is_served(door):
    response = requests.get(_get_url(door), timeout=10)
    assert response.status_code == 200
    assert response.content == BODY
    bucket = get_settings().exports_bucket
    head = requests.head(
        _s3(door).generate_presigned_url("head_object", Params={"Bucket": bucket, "Key": KEY}), timeout=10
    )
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(BODY))
    assert requests.head(_get_url(door), timeout=10).status_code == 403  # signed for GET, as on S3


def test_a_tampered_link_is_refused(door):
    url = _get_url(door)
    other_key = url.replace("result.json", "other.json")
    client("s3").put_object(Bucket=get_settings().exports_bucket, Key=KEY.replace("result", "other"), Body=b"secret")
    response = requests.get(other_key, timeout=10)
    assert response.status_code == 403
    assert _error(response) == "SignatureDoesNotMatch"
    flipped = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert _error(requests.get(flipped, timeout=10)) == "SignatureDoesNotMatch"
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=600")
    assert _error(requests.get(longer, timeout=10)) == "SignatureDoesNotMatch"


def test_an_expired_link_is_refused(door, monkeypatch):
    two_hours_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(hours=2)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: two_hours_ago)
    response = requests.get(_get_url(door), timeout=10)  # signed two hours ago, valid for five minutes
    assert response.status_code == 403
    assert "Request has expired" in response.text


def test_unsigned_and_foreign_requests_are_refused(door):
    bucket = get_settings().exports_bucket
    unsigned = requests.get(f"{door}/{bucket}/{KEY}", timeout=10)
    assert unsigned.status_code == 403
    assert _error(unsigned) == "AccessDenied"
    assert requests.get(f"{door}/{bucket}", timeout=10).status_code == 403  # no listing
    # signed by someone who knows the well-known test keys but not this run's
    foreign = requests.get(_get_url(door, aws_access_key_id="testing", aws_secret_access_key="testing"), timeout=10)
    assert foreign.status_code == 403
    assert _error(foreign) == "InvalidAccessKeyId"


def test_only_object_reads_are_presignable(door):
    """Even signed with the platform's own keys, a listing or a delete by link is not served."""
    s3 = _s3(door)
    bucket = get_settings().exports_bucket
    listing = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": bucket})
    deletion = s3.generate_presigned_url("delete_object", Params={"Bucket": bucket, "Key": KEY})
    assert requests.get(listing, timeout=10).status_code == 403
    assert requests.delete(deletion, timeout=10).status_code == 403
    assert _stored_export() == BODY


def _stored_export() -> bytes:
    return client("s3").get_object(Bucket=get_settings().exports_bucket, Key=KEY)["Body"].read()


def test_the_aws_apis_are_refused(door):
    """DynamoDB, KMS, Secrets Manager and S3's own API (header-signed) through the door, with the platform's own
    credentials even: all refused, nothing read or changed."""
    for service, call in (
        ("dynamodb", lambda c: c.list_tables()),
        ("kms", lambda c: c.list_keys()),
        ("secretsmanager", lambda c: c.list_secrets()),
        ("s3", lambda c: c.list_buckets()),
        ("s3", lambda c: c.delete_object(Bucket=get_settings().exports_bucket, Key=KEY)),
    ):
        api = boto3.client(
            service, region_name="us-east-1", endpoint_url=door, config=Config(retries={"max_attempts": 1})
        )
        with pytest.raises(api.exceptions.ClientError) as refused:
            call(api)
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] in (403, 400), service
    assert _stored_export() == BODY


def test_moto_api_is_not_reachable(door):
    assert requests.post(f"{door}/moto-api/reset", timeout=10).status_code == 404
    assert requests.get(f"{door}/moto-api/data.json", timeout=10).status_code == 404
    assert _stored_export() == BODY  # nothing was wiped


def test_it_listens_on_its_host_only(door):
    port = int(door.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    with pytest.raises(ConnectionRefusedError):  # another address of this machine: nothing listens there
        socket.create_connection(("127.0.0.2", port), timeout=2)


def test_a_browser_upload_within_the_policy_is_stored(door):
    response = _post(door, b"\x89PNG" + b"x" * 100)
    assert response.status_code == 204, response.text
    assert _stored("uploads/U_1/P_1/a.png") == b"\x89PNG" + b"x" * 100


def test_an_upload_over_the_size_range_is_refused(door):
    response = _post(door, b"x" * 1025)
    assert response.status_code == 400
    assert _error(response) == "EntityTooLarge"
    assert _stored("uploads/U_1/P_1/a.png") is None
    assert _error(_post(door, b"")) == "EntityTooSmall"


def test_an_upload_to_another_key_is_refused(door):
    response = _post(door, b"png", form={"key": "uploads/U_2/P_9/a.png"})
    assert response.status_code == 403
    assert "Policy Condition failed" in response.text
    assert _stored("uploads/U_2/P_9/a.png") is None


def test_a_key_prefix_condition_is_enforced(door):
    prefix = [["starts-with", "$key", "uploads/U_1/P_1/"], {"Content-Type": "image/png"}]
    inside = _post(
        door, b"png", key="uploads/U_1/P_1/${filename}", conditions=prefix, form={"key": "uploads/U_1/P_1/b"}
    )
    assert inside.status_code == 204, inside.text
    outside = _post(
        door, b"png", key="uploads/U_1/P_1/${filename}", conditions=prefix, form={"key": "uploads/U_2/P_1/b"}
    )
    assert outside.status_code == 403
    assert _stored("uploads/U_2/P_1/b") is None


def test_an_upload_with_another_content_type_is_refused(door):
    response = _post(door, b"<html>", form={"Content-Type": "text/html"})
    assert response.status_code == 403
    assert "Content-Type" in response.text or "content-type" in response.text
    assert _stored("uploads/U_1/P_1/a.png") is None


def test_a_form_field_the_policy_does_not_name_is_refused(door):
    response = _post(door, b"png", form={"acl": "public-read"})
    assert response.status_code == 403
    assert "Extra input fields: acl" in response.text


def test_a_tampered_or_expired_policy_is_refused(door, monkeypatch):
    post = _s3(door).generate_presigned_post(get_settings().data_bucket, "uploads/U_1/P_1/a.png", ExpiresIn=300)
    loose = {**post["fields"], "policy": post["fields"]["policy"][:-4] + "AAA="}
    sent = requests.post(post["url"], data=loose, files={"file": ("a", b"x", "image/png")}, timeout=10)
    assert _error(sent) == "SignatureDoesNotMatch"
    two_hours_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(hours=2)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: two_hours_ago)
    monkeypatch.setattr(botocore.signers, "get_current_datetime", lambda: two_hours_ago)  # the policy's expiration
    expired = _post(door, b"png")
    assert expired.status_code == 403
    assert "Policy expired" in expired.text


def test_a_resumable_upload_by_presigned_parts(door):
    s3 = client("s3")
    bucket, key = get_settings().data_bucket, "uploads/U_1/P_1/big.bin"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]  # the platform starts it
    links = _s3(door)
    part = b"p" * (5 * 1024 * 1024)
    etags = []
    for number in (1, 2):
        url = links.generate_presigned_url(
            "upload_part", Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": number}
        )
        sent = requests.put(url, data=part if number == 1 else b"tail", timeout=30)
        assert sent.status_code == 200, sent.text
        etags.append(sent.headers["ETag"])
    # a part link cannot be replayed as another part number
    forged = url.replace("partNumber=2", "partNumber=3")
    assert _error(requests.put(forged, data=b"x", timeout=10)) == "SignatureDoesNotMatch"
    complete = links.generate_presigned_url(
        "complete_multipart_upload", Params={"Bucket": bucket, "Key": key, "UploadId": upload_id}
    )
    manifest = "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>" for n, etag in enumerate(etags, 1)
    )
    done = requests.post(complete, data=f"<CompleteMultipartUpload>{manifest}</CompleteMultipartUpload>", timeout=30)
    assert done.status_code == 200, done.text
    assert _stored(key) == part + b"tail"


def test_cors_preflight_for_the_dashboard_only(door):
    bucket = get_settings().data_bucket
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = requests.options(f"{door}/{bucket}", headers={"Origin": ORIGIN, **asked}, timeout=10)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    other = requests.options(f"{door}/{bucket}", headers={"Origin": "https://evil.example", **asked}, timeout=10)
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers
    # a download answered to another origin carries no CORS grant (moto's own `*` is not passed on)
    download = requests.get(_get_url(door), headers={"Origin": "https://evil.example"}, timeout=10)
    assert download.status_code == 200
    assert "Access-Control-Allow-Origin" not in download.headers
    mine = requests.get(_get_url(door), headers={"Origin": ORIGIN}, timeout=10)
    assert mine.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_make_operator_asks_the_platform_since_the_door_refuses_cognito(door):
    """`make operator` (STAGE=local) used the emulated AWS endpoint; now the platform enrolls the operator, and
    never for a client's address (that would reset the client's password)."""
    from tests.support.identity import PASSWORD, gateway, sign_in, sign_up_client

    status, body = gateway("POST", "/local/operators", {"email": "ops2@example.com", "password": PASSWORD})
    assert (status, body["group"]) == (200, "operators")
    claims = jwt.decode(sign_in("ops2@example.com").id_token, options={"verify_signature": False})
    assert "operators" in claims["cognito:groups"]
    sign_up_client("client@example.com")
    status, body = gateway("POST", "/local/operators", {"email": "client@example.com", "password": "Other-pass-1"})
    assert status == 409
    sign_in("client@example.com")  # the client's password is unchanged
    assert gateway("POST", "/local/operators", {"email": "x@example.com"})[0] == 400


def test_a_clients_bucket_is_read_by_links_signed_with_the_clients_keys(door):
    """Bucket imports show annotators links to the client's own bucket signed with the client's keys (unknown to the
    door: another AWS account's). Reads are served; writes and the platform's buckets are not."""
    client("s3").create_bucket(Bucket="client-photos")
    client("s3").put_object(Bucket="client-photos", Key="a.png", Body=b"png")
    clients_keys = {"aws_access_key_id": "AKIAEXAMPLEEXAMPLE00", "aws_secret_access_key": "any"}
    links = _s3(door, **clients_keys)
    read = links.generate_presigned_url("get_object", Params={"Bucket": "client-photos", "Key": "a.png"})
    assert requests.get(read, timeout=10).content == b"png"
    write = links.generate_presigned_url("put_object", Params={"Bucket": "client-photos", "Key": "b.png"})
    assert requests.put(write, data=b"x", timeout=10).status_code == 403
    assert _error(requests.get(_get_url(door, **clients_keys), timeout=10)) == "InvalidAccessKeyId"


def test_a_form_field_given_twice_is_refused(door):
    """The policy would check one value and the store might take the other."""
    post = _s3(door).generate_presigned_post(
        get_settings().data_bucket,
        "uploads/U_1/P_1/a.png",
        Conditions=[["starts-with", "$key", "uploads/U_1/P_1/"]],
        ExpiresIn=300,
    )
    fields = [*post["fields"].items(), ("Key", "uploads/U_2/P_1/a.png")]
    sent = requests.post(post["url"], data=fields, files={"file": ("a", b"x", "image/png")}, timeout=10)
    assert (sent.status_code, _error(sent)) == (400, "InvalidArgument")
    assert _stored("uploads/U_2/P_1/a.png") is None and _stored("uploads/U_1/P_1/a.png") is None
