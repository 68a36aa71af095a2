"""Bucket imports (issue 12): importS3 with access keys or a role ARN + external id, importGCS with a service-account
key file against a real GCS emulator; the import job pages through the bucket (resumable, idempotent on redelivery),
counts listed / added / skipped as duplicate / refused with reasons, mails the client when done; credentials are
sealed, never logged or returned, and dropped once the project no longer reads the bucket."""

import base64
import json
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from bytebridge import clock
from bytebridge.aws import client
from bytebridge.dal.imports import ImportModel, get_import
from bytebridge.dal.items import ItemModel
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.ingest import origins
from bytebridge.logic.imports import IMPORT_QUEUE, ImportMessage, run_step
from bytebridge.settings import resource_name
from bytebridge.workers.tokens import create_worker
from infra.catalog import QUEUES
from local.client_bucket import fill_s3, fill_s3_in_process, png, sample_objects
from local.gcs import running, sample_key_file
from local.scheduler import drain
from tests.support.client_api import (
    ALTER,
    FRAME_CREATE,
    assert_error,
    create_project,
    nothing_changes,
    second_account,
    set_status,
)
from tests.support.delivery import sent_mail

IMPORT_S3 = "/api/v1/projects/importS3"
IMPORT_GCS = "/api/v1/projects/importGCS"
RETRIEVE_IMPORT = "/api/v1/projects/retrieveImport"
LIST_IMPORTS = "/api/v1/projects/listImports"
IMPORTS = next(spec for spec in QUEUES if spec.name == IMPORT_QUEUE)

ACCESS_KEY = "AKIACLIENTEXAMPLE001"
SECRET_KEY = "client-secret-key-never-shown-0123456789abcd"
CLIENT_ACCOUNT = "210987654321"
ROLE_ARN = f"arn:aws:iam::{CLIENT_ACCOUNT}:role/bytebridge-reader"
EXTERNAL_ID = "bb-external-id-7f3a"


key_file = sample_key_file


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Pages of 10 keys, so a few dozen objects take the job through several pages (the scale test keeps 1,000)."""
    monkeypatch.setattr(origins, "PAGE_KEYS", 10)


def client_bucket(count: int, bucket: str = "client-photos", extra: bool = True) -> str:
    """The client's bucket: `count` images under photos/, plus (extra) a folder marker, a text file, an empty image."""
    fill_s3_in_process(bucket, sample_objects(count))
    if extra:
        fill_s3_in_process(
            bucket, [("photos/sub/", b"", ""), ("photos/readme.md", b"# hi", ""), ("photos/empty.png", b"", "")]
        )
    return bucket


def import_s3(api, project_id: str, bucket: str, **changes) -> dict:
    params = {"projectId": project_id, "bucket": bucket, "accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY}
    params.update(changes)
    return api.call(IMPORT_S3, {key: value for key, value in params.items() if value is not None})


def retrieve(api, project_id: str, import_id: str) -> dict:
    out = api.call(RETRIEVE_IMPORT, {"projectId": project_id, "importId": import_id})
    assert out["code"] == 0, out
    return out["data"]


def test_an_s3_import_pages_through_the_bucket_counts_and_mails(api, capfd):
    project_id = create_project(api, FRAME_CREATE)
    bucket = client_bucket(25)

    started = import_s3(api, project_id, bucket, prefix="photos/")
    assert started["code"] == 0, started
    data = started["data"]
    assert (data["kind"], data["bucket"], data["prefix"], data["status"]) == ("s3", bucket, "photos/", "listing")
    assert drain(IMPORTS) >= 1

    done = retrieve(api, project_id, data["importId"])
    assert done["status"] == "done", done
    assert done["counts"] == {"listed": 27, "added": 25, "skippedDuplicate": 0, "refused": 2}
    reasons = {entry["key"]: entry["reason"] for entry in done["refusals"]}
    assert set(reasons) == {"photos/readme.md", "photos/empty.png"}
    assert "not a image file (.md" in reasons["photos/readme.md"] and "empty" in reasons["photos/empty.png"]
    assert get_import(data["importId"]).pages == 3  # 10 keys a page (the folder marker is not counted)

    items = list(ItemModel.query(project_id))
    assert len(items) == 25 and {item.origin for item in items} == {data["importId"]}
    assert {item.status for item in items} == {ItemStatus.NOT_STARTED.value}  # checked from their bytes: images
    assert items[0].url == f"s3://{bucket}/photos/0000000.png" and items[0].image_width == 64

    (mail,) = [mail for mail in sent_mail() if mail.kind == "import_finished"]
    assert "25 new item(s)" in mail.subject and "Objects listed: 27" in mail.text and "Refused: 2" in mail.text

    # Credentials: sealed in the row, in no answer, no log line.
    row = get_import(data["importId"])
    assert SECRET_KEY not in json.dumps(row.attribute_values) and ACCESS_KEY not in json.dumps(row.attribute_values)
    listed = api.call(LIST_IMPORTS, {"projectId": project_id})
    for answer in (started, done, listed):
        assert SECRET_KEY not in json.dumps(answer) and ACCESS_KEY not in json.dumps(answer)
    out, err = capfd.readouterr()
    assert SECRET_KEY not in out + err


def test_a_second_import_of_the_same_bucket_adds_nothing(api):
    project_id = create_project(api, FRAME_CREATE)
    bucket = client_bucket(12, extra=False)
    first = import_s3(api, project_id, bucket)["data"]["importId"]
    drain(IMPORTS)
    second = import_s3(api, project_id, bucket)["data"]["importId"]
    drain(IMPORTS)

    assert retrieve(api, project_id, second)["counts"] == {
        "listed": 12,
        "added": 0,
        "skippedDuplicate": 12,
        "refused": 0,
    }
    assert sum(1 for _ in ItemModel.query(project_id)) == 12
    listed = api.call(LIST_IMPORTS, {"projectId": project_id})["data"]["imports"]
    assert [entry["importId"] for entry in listed] == [second, first]  # newest first


def test_a_run_low_on_time_queues_its_next_page_and_a_redelivered_page_counts_nothing_twice(api):
    project_id = create_project(api, FRAME_CREATE)
    bucket = client_bucket(21, extra=False)
    import_id = import_s3(api, project_id, bucket)["data"]["importId"]
    queue = client("sqs").get_queue_url(QueueName=resource_name(IMPORT_QUEUE))["QueueUrl"]
    client("sqs").purge_queue(QueueUrl=queue)  # the call's own message: this test runs the steps itself

    assert run_step(ImportMessage(import_id=import_id), lambda: 0) == "continued at page 1"
    row = get_import(import_id)
    assert (row.pages, row.listed, row.added, row.status) == (1, 10, 10, "listing")
    (queued,) = client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert ImportMessage.model_validate_json(queued["Body"]) == ImportMessage(import_id=import_id, page=1)

    assert run_step(ImportMessage(import_id=import_id), lambda: 0) == "stale"  # page 0 again: a redelivery
    assert get_import(import_id).listed == 10

    assert run_step(ImportMessage(import_id=import_id, page=1), lambda: 10**9) == "done"
    assert run_step(ImportMessage(import_id=import_id, page=1), lambda: 10**9) == "stale"
    row = get_import(import_id)
    assert (row.listed, row.added, row.skipped_duplicate, row.pages) == (21, 21, 0, 3)
    assert sum(1 for _ in ItemModel.query(project_id)) == 21


def test_an_import_through_a_role_of_the_clients_account(api):
    """The client's bucket lives in the client's own AWS account; the platform reaches it only by assuming the role
    the client named, with its external id (temporary keys for each use: nothing stored)."""
    role = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=ROLE_ARN, RoleSessionName="setup", ExternalId=EXTERNAL_ID
    )["Credentials"]
    as_client = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=role["AccessKeyId"],
        aws_secret_access_key=role["SecretAccessKey"],
        aws_session_token=role["SessionToken"],
    )
    fill_s3(as_client, "client-private", sample_objects(5))
    project_id = create_project(api, FRAME_CREATE)

    out = api.call(
        IMPORT_S3,
        {"projectId": project_id, "bucket": "client-private", "roleArn": ROLE_ARN, "externalId": EXTERNAL_ID},
    )
    assert out["code"] == 0, out
    assert out["data"]["kind"] == "s3-role" and out["data"]["roleArn"] == ROLE_ARN
    assert EXTERNAL_ID not in json.dumps(out)
    drain(IMPORTS)
    data = retrieve(api, project_id, out["data"]["importId"])
    assert (data["status"], data["counts"]["added"]) == ("done", 5)
    assert get_import(data["importId"]).sealed_credentials is None  # nothing stored but the role's name

    item = next(iter(ItemModel.query(project_id)))
    link = origins.presigned_get(data["importId"], item.url, 300)
    assert "X-Amz-Security-Token=" in link and role["AccessKeyId"] not in link  # a session of its own
    assert origins.read_head(data["importId"], item.url, 8) == png(64, 48)[:8]


def test_roles_of_the_platforms_own_account_are_refused(api):
    project_id = create_project(api, FRAME_CREATE)
    own = f"arn:aws:iam::{client('sts').get_caller_identity()['Account']}:role/bytebridge-local-lambda"
    with nothing_changes():
        out = api.call(IMPORT_S3, {"projectId": project_id, "bucket": "b-ucket", "roleArn": own, "externalId": "xx"})
    assert_error(out, ErrorCode.RESOURCE_LINK_INVALID)
    assert "own AWS account" in out["detail"]


@pytest.mark.parametrize(
    ("changes", "code", "detail"),
    [
        ({"bucket": "no-such-bucket"}, ErrorCode.RESOURCE_LINK_INVALID, "bucket: the bucket cannot be listed"),
        ({"roleArn": ROLE_ARN, "externalId": EXTERNAL_ID}, ErrorCode.PARAMETER_INVALID, "either accessKeyId"),
        ({"secretAccessKey": None}, ErrorCode.PARAMETER_INVALID, "either accessKeyId"),
        ({"accessKeyId": None, "secretAccessKey": None, "roleArn": ROLE_ARN}, ErrorCode.PARAMETER_INVALID, "roleArn"),
        ({"resourceType": "hologram"}, ErrorCode.RESOURCE_INVALID, "resourceType"),
        ({"resourceType": "text"}, ErrorCode.RESOURCE_INVALID, "takes"),
        ({"bucket": resource_name("data")}, ErrorCode.RESOURCE_LINK_INVALID, "not a bucket of yours"),
    ],
)
def test_unusable_imports_are_refused_with_the_documented_codes(api, changes, code, detail):
    project_id = create_project(api, FRAME_CREATE)
    client_bucket(3, extra=False)
    with nothing_changes():
        out = import_s3(api, project_id, **{"bucket": "client-photos", **changes})
    assert_error(out, code)
    assert detail in out["detail"], out
    assert SECRET_KEY not in json.dumps(out)


def test_imports_are_per_tenant_and_need_a_project_that_takes_uploads(api):
    project_id = create_project(api, FRAME_CREATE)
    bucket = client_bucket(2, extra=False)
    import_id = import_s3(api, project_id, bucket)["data"]["importId"]
    other = second_account()
    assert_error(import_s3(other, project_id, bucket), ErrorCode.PROJECT_NOT_FOUND)
    assert_error(
        other.call(RETRIEVE_IMPORT, {"projectId": project_id, "importId": import_id}), ErrorCode.PROJECT_NOT_FOUND
    )
    mine = create_project(other, FRAME_CREATE, projectName="other's")
    out = other.call(RETRIEVE_IMPORT, {"projectId": mine, "importId": import_id})
    assert_error(out, ErrorCode.PARAMETER_INVALID)

    set_status(api, project_id, ProjectStatus.COMPLETED)
    assert_error(import_s3(api, project_id, bucket), ErrorCode.UPLOAD_NOT_ALLOWED)


def test_credentials_go_when_the_project_is_deleted(api):
    project_id = create_project(api, FRAME_CREATE)
    bucket = client_bucket(3, extra=False)
    import_id = import_s3(api, project_id, bucket)["data"]["importId"]
    drain(IMPORTS)
    url = f"s3://{bucket}/photos/0000000.png"
    assert origins.read_head(import_id, url, 4) == png(64, 48)[:4]

    assert api.call(ALTER, {"projectId": project_id, "type": "delete"})["code"] == 0
    assert get_import(import_id).sealed_credentials is None
    clock.advance(origins.ORIGIN_CACHE_MS / 1000)  # what a process read in the last minute, it still has
    with pytest.raises(origins.OriginUnreadable, match="dropped"):
        origins.read_head(import_id, url, 4)


def test_a_completed_project_drops_its_import_credentials(api):
    from bytebridge.delivery import events

    project_id = create_project(api, FRAME_CREATE)
    import_id = import_s3(api, project_id, client_bucket(1, extra=False))["data"]["importId"]
    set_status(api, project_id, ProjectStatus.COMPLETED)
    events.on_project_status(project_id, ProjectStatus.IN_PROGRESS.value, ProjectStatus.COMPLETED.value)
    assert get_import(import_id).sealed_credentials is None


def test_origins_read_only_their_own_bucket(api):
    project_id = create_project(api, FRAME_CREATE)
    bucket = client_bucket(1, extra=False)
    fill_s3_in_process("someone-elses", sample_objects(1))
    import_id = import_s3(api, project_id, bucket)["data"]["importId"]
    for url in ("s3://someone-elses/photos/0000000.png", f"gs://{bucket}/photos/0000000.png", f"s3://{bucket}/"):
        with pytest.raises(origins.OriginUnreadable, match="not an object of this import's bucket"):
            origins.read_head(import_id, url, 4)
    with pytest.raises(origins.OriginUnreadable, match="no such import"):
        origins.read_head("m-nope", f"s3://{bucket}/photos/0000000.png", 4)


# ---- GCS -----------------------------------------------------------------------------------------------------


def gcs_bucket(count: int, bucket: str = "client-gcs") -> str:
    emulator = running()
    assert emulator is not None
    emulator.seed(bucket, sample_objects(count))
    emulator.seed(bucket, [("photos/notes.txt", b"hello", "text/plain")])
    return bucket


@pytest.mark.parametrize("as_text", [False, True])
def test_a_gcs_import_through_the_emulator(api, as_text):
    project_id = create_project(api, FRAME_CREATE)
    bucket = gcs_bucket(12)
    key = json.dumps(key_file()) if as_text else key_file()

    out = api.call(IMPORT_GCS, {"projectId": project_id, "bucket": bucket, "keyFile": key, "prefix": "photos/"})
    assert out["code"] == 0, out
    assert key_file()["private_key"][40:80] not in json.dumps(out)
    drain(IMPORTS)
    data = retrieve(api, project_id, out["data"]["importId"])
    assert data["status"] == "done" and data["kind"] == "gcs"
    assert data["counts"] == {"listed": 13, "added": 12, "skippedDuplicate": 0, "refused": 1}
    assert get_import(data["importId"]).pages == 2

    item = min(ItemModel.query(project_id), key=lambda item: item.url)
    assert item.url == f"gs://{bucket}/photos/0000000.png" and item.image_height == 48
    link = origins.presigned_get(data["importId"], item.url, 300)
    assert "X-Goog-Signature=" in link and "importer%40client-project" in link  # signed with the key file
    assert requests.get(link, timeout=5).content == png(64, 48)


@pytest.mark.parametrize(
    ("key", "code", "detail"),
    [
        ({"type": "authorized_user"}, ErrorCode.RESOURCE_LINK_INVALID, "keyFile: keyFile is not a service-account key"),
        (
            {"type": "service_account", "client_email": "x@y"},
            ErrorCode.RESOURCE_LINK_INVALID,
            "keyFile: keyFile is not a usable",
        ),
        ("not json", ErrorCode.PARAMETER_INVALID, "keyFile must be the key file's JSON"),
    ],
)
def test_unusable_gcs_key_files_are_refused(api, key, code, detail):
    project_id = create_project(api, FRAME_CREATE)
    with nothing_changes():
        out = api.call(IMPORT_GCS, {"projectId": project_id, "bucket": "client-gcs", "keyFile": key})
    assert_error(out, code)
    assert detail in out["detail"], out


def test_a_missing_gcs_bucket_is_refused(api):
    project_id = create_project(api, FRAME_CREATE)
    out = api.call(IMPORT_GCS, {"projectId": project_id, "bucket": "no-such-gcs", "keyFile": key_file()})
    assert_error(out, ErrorCode.RESOURCE_LINK_INVALID)
    assert out["detail"].startswith("bucket: the bucket cannot be listed")


def test_the_import_row_holds_no_plaintext_key_file(api):
    project_id = create_project(api, FRAME_CREATE)
    out = api.call(IMPORT_GCS, {"projectId": project_id, "bucket": gcs_bucket(1), "keyFile": key_file()})
    row = ImportModel.get(out["data"]["importId"])
    assert "PRIVATE KEY" not in json.dumps(row.attribute_values)
    context = {"userId": api.user_id, "purpose": f"import:{row.import_id}"}  # bound to the account and the import
    sealed = base64.b64decode(row.sealed_credentials)
    assert json.loads(client("kms").decrypt(CiphertextBlob=sealed, EncryptionContext=context)["Plaintext"]) == {
        "keyFile": key_file()
    }
    with pytest.raises(ClientError):  # another import's (or account's) context does not open it
        client("kms").decrypt(CiphertextBlob=sealed, EncryptionContext={**context, "purpose": "import:other"})


def test_annotators_get_links_signed_with_the_imports_credentials(api):
    from tests.integration.test_worker_api import call, claim
    from tests.support.engine import items_of, running_project

    project_id = running_project(api, ["dog"])
    bucket = client_bucket(1, extra=False)
    import_id = import_s3(api, project_id, bucket)["data"]["importId"]
    (item,) = items_of(project_id)
    url = f"s3://{bucket}/photos/0000000.png"
    item.update(actions=[ItemModel.url.set(url), ItemModel.origin.set(import_id)])  # as the import admitted it
    _, token = create_worker("annotator")
    data = urlsplit(claim(token)["dataUrl"])

    response = call("GET", f"{data.path}?{data.query}")

    assert response.status == 302, response.text
    location = response.headers["Location"]
    assert f"X-Amz-Credential={ACCESS_KEY}" in location and "photos/0000000.png" in location
    assert SECRET_KEY not in location and not location.startswith("s3://")
    assert requests.get(location, timeout=5).content == png(64, 48)  # the client's object, through moto

    api.call(ALTER, {"projectId": project_id, "type": "end"})
    assert get_import(import_id).sealed_credentials is None  # ended: nothing reads the bucket any more
    clock.advance(origins.ORIGIN_CACHE_MS / 1000)
    with pytest.raises(origins.OriginUnreadable, match="dropped"):
        origins.presigned_get(import_id, url, 300)


def test_listing_pages_keep_s3s_order_prefix_and_continuation(aws):
    """local.moto_speedups.paged_listing serves these pages (the import job's listing of big buckets)."""
    fill_s3_in_process("listing", [(f"{p}/{n:03d}", b"x", "") for p in ("a", "b") for n in range(25)])
    client("s3").delete_object(Bucket="listing", Key="a/003")
    pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket="listing", Prefix="a/", MaxKeys=10)
    listed = [[entry["Key"] for entry in page.get("Contents", [])] for page in pages]
    assert [len(keys) for keys in listed] == [10, 10, 4]
    assert [key for keys in listed for key in keys] == [f"a/{n:03d}" for n in range(25) if n != 3]
    after = client("s3").list_objects_v2(Bucket="listing", StartAfter="b/020")
    assert [entry["Key"] for entry in after["Contents"]] == [f"b/{n:03d}" for n in range(21, 25)]
    assert after["IsTruncated"] is False and after["KeyCount"] == 4
