"""Web upload (issue 12): createUpload hands out presigned POSTs (exact key under the account and project, pinned
Content-Type and resource type, a content-length-range of exactly the declared size) or, for large files, a multipart
upload with presigned part URLs; completeUpload turns uploaded objects into items through admission, idempotently.
The uploads go over HTTP through the local S3 door (local.s3_door), which checks signatures and POST policies as
S3 does: the policy-limit tests depend on it."""

from collections.abc import Iterator

import boto3
import pytest
import requests

from bytebridge.aws import client, reset_clients
from bytebridge.dal.items import ItemModel
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic.uploads import safe_name
from bytebridge.models.data_in_api import MiB
from bytebridge.settings import get_settings
from local.client_bucket import png
from local.s3_door import DoorServer, Signer
from tests.support.client_api import (
    FRAME_CREATE,
    assert_error,
    create_project,
    nothing_changes,
    second_account,
    set_status,
)

CREATE_UPLOAD = "/api/v1/projects/createUpload"
COMPLETE_UPLOAD = "/api/v1/projects/completeUpload"
IMAGE = png(64, 48)


@pytest.fixture
def door(aws, monkeypatch) -> Iterator[str]:
    """The S3 door on a free port (as `make run` starts it); presigned links name it."""
    credentials = boto3.session.Session().get_credentials().get_frozen_credentials()
    server = DoorServer("127.0.0.1", 0, Signer(credentials.access_key, credentials.secret_key, "us-east-1")).start()
    endpoint = f"http://127.0.0.1:{server.port}"
    monkeypatch.setenv("S3_PUBLIC_ENDPOINT", endpoint)
    reset_clients()
    try:
        yield endpoint
    finally:
        server.stop()


def files(*entries: tuple[str, int, str]) -> list[dict]:
    return [{"name": name, "size": size, "contentType": content_type} for name, size, content_type in entries]


def create_upload(api, project_id: str, entries: list[dict], resource_type: str = "image") -> dict:
    out = api.call(CREATE_UPLOAD, {"projectId": project_id, "resourceType": resource_type, "files": entries})
    assert out["code"] == 0, out
    return out["data"]


def post(target: dict, content: bytes, **field_changes: str) -> requests.Response:
    fields = {**target["post"]["fields"], **field_changes}
    return requests.post(target["post"]["url"], data=fields, files={"file": ("x", content)}, timeout=10)


def test_files_upload_through_presigned_posts_and_become_items_once(api, door):
    project_id = create_project(api, FRAME_CREATE)
    data = create_upload(
        api, project_id, files(("cat.png", len(IMAGE), "image/png"), ("C:\\photos\\cat.png", len(IMAGE), "image/png"))
    )
    first, second = data["files"]
    prefix = f"{api.user_id}/{project_id}/uploads/{data['uploadId']}/"
    assert (first["key"], second["key"]) == (prefix + "cat.png", prefix + "cat-2.png")
    assert first["method"] == "post" and first["multipart"] is None
    assert first["url"] == f"s3://{get_settings().data_bucket}/{first['key']}"
    assert first["post"]["url"].startswith(door)

    for target in data["files"]:
        answer = post(target, IMAGE)
        assert answer.status_code == 204, answer.text

    keys = [first["key"], second["key"], prefix + "never-uploaded.png"]
    done = api.call(COMPLETE_UPLOAD, {"projectId": project_id, "keys": keys})
    assert done["code"] == 0, done
    assert done["data"]["addedURLs"] == [first["url"], second["url"]]
    assert done["data"]["missingKeys"] == [prefix + "never-uploaded.png"] and done["data"]["refused"] == []
    items = sorted(ItemModel.query(project_id), key=lambda item: item.url)
    assert [item.status for item in items] == [ItemStatus.NOT_STARTED.value] * 2  # checked: real PNGs
    assert (items[0].image_width, items[0].image_height, items[0].origin) == (64, 48, None)

    again = api.call(COMPLETE_UPLOAD, {"projectId": project_id, "keys": keys[:2]})
    assert again["data"]["addedURLs"] == [] and again["data"]["existingURLs"] == [first["url"], second["url"]]
    assert sum(1 for _ in ItemModel.query(project_id)) == 2


def test_the_post_policy_holds_the_key_type_and_size(api, door):
    """S3 (here: the door) refuses what the policy does not allow: another key, another Content-Type or resource
    type, an empty file, a file of another size than the declared one."""
    project_id = create_project(api, FRAME_CREATE)
    (target,) = create_upload(api, project_id, files(("a.png", len(IMAGE), "image/png")))["files"]
    other_key = f"{api.user_id}/{project_id}/uploads/elsewhere/a.png"
    for changes in ({"key": other_key}, {"Content-Type": "text/html"}, {"x-amz-meta-resource-type": "text"}):
        answer = post(target, IMAGE, **changes)
        assert answer.status_code == 403, (changes, answer.text)
    assert post(target, b"").status_code in (400, 403)  # content-length-range: exactly the declared size
    assert post(target, IMAGE + b"more").status_code == 400  # EntityTooLarge
    assert post(target, IMAGE[:-1]).status_code == 400  # EntityTooSmall
    bucket = get_settings().data_bucket
    assert client("s3").list_objects_v2(Bucket=bucket, Prefix=f"{api.user_id}/").get("KeyCount") == 0
    assert post(target, IMAGE).status_code == 204


def test_a_large_file_uploads_in_parts_and_is_completed_by_the_platform(api, door):
    project_id = create_project(api, FRAME_CREATE)
    size = 70 * MiB
    (target,) = create_upload(api, project_id, files(("big.png", size, "image/png")))["files"]
    assert target["method"] == "multipart" and target["post"] is None
    parts = target["multipart"]["parts"]
    assert target["multipart"]["partSize"] == 16 * MiB and [p["partNumber"] for p in parts] == [1, 2, 3, 4, 5]
    content = IMAGE + b"\0" * (size - len(IMAGE))
    part_size = target["multipart"]["partSize"]
    for part in parts:
        start = (part["partNumber"] - 1) * part_size
        answer = requests.put(part["url"], data=content[start : start + part_size], timeout=30)
        assert answer.status_code == 200, answer.text

    done = api.call(COMPLETE_UPLOAD, {"projectId": project_id, "keys": [target["key"]]})
    assert done["data"]["addedURLs"] == [target["url"]], done
    head = client("s3").head_object(Bucket=get_settings().data_bucket, Key=target["key"])
    assert head["ContentLength"] == size and head["ContentType"] == "image/png"
    (item,) = ItemModel.query(project_id)
    assert (item.status, item.image_width) == (ItemStatus.NOT_STARTED.value, 64)


def test_completing_a_multipart_upload_before_every_part_is_sent_keeps_nothing(api, door):
    project_id = create_project(api, FRAME_CREATE)
    (target,) = create_upload(api, project_id, files(("big.png", 70 * MiB, "image/png")))["files"]
    part_size = target["multipart"]["partSize"]
    for part in target["multipart"]["parts"][:2]:
        assert requests.put(part["url"], data=IMAGE + b"\0" * (part_size - len(IMAGE)), timeout=30).status_code == 200

    out = api.call(COMPLETE_UPLOAD, {"projectId": project_id, "keys": [target["key"]]})

    (refused,) = out["data"]["refused"]
    assert refused["reason"].startswith(f"incomplete: {2 * part_size} of {70 * MiB} bytes")
    assert out["data"]["addedURLs"] == [] and not list(ItemModel.query(project_id))
    bucket = get_settings().data_bucket
    assert client("s3").list_objects_v2(Bucket=bucket, Prefix=target["key"]).get("KeyCount") == 0


def test_objects_that_break_the_limits_are_refused_and_removed(api):
    """A multipart upload cannot be bounded by a policy, and objects may be written around createUpload: completion
    checks the size, type and declared resource type itself."""
    project_id = create_project(
        api,
        FRAME_CREATE,
        type="text_classification",
        taskType="single_choice",
        question="q",
        options=[{"value": "a"}, {"value": "b"}],
    )
    prefix = f"{api.user_id}/{project_id}/uploads/u1/"
    bucket = get_settings().data_bucket
    s3 = client("s3")
    s3.put_object(
        Bucket=bucket,
        Key=prefix + "big.txt",
        Body=b"a" * (16 * MiB + 1),
        ContentType="text/plain",
        Metadata={"resource-type": "text"},
    )
    s3.put_object(
        Bucket=bucket,
        Key=prefix + "page.txt",
        Body=b"<html>",
        ContentType="text/html",
        Metadata={"resource-type": "text"},
    )
    s3.put_object(Bucket=bucket, Key=prefix + "plain.txt", Body=b"hello", ContentType="text/plain")
    s3.put_object(
        Bucket=bucket,
        Key=prefix + "ok.txt",
        Body=b"hello",
        ContentType="text/plain",
        Metadata={"resource-type": "text"},
    )

    keys = [prefix + name for name in ("big.txt", "page.txt", "plain.txt", "ok.txt")]
    out = api.call(COMPLETE_UPLOAD, {"projectId": project_id, "keys": keys})
    assert out["code"] == 0, out
    reasons = {entry["key"].rsplit("/", 1)[-1]: entry["reason"] for entry in out["data"]["refused"]}
    assert set(reasons) == {"big.txt", "page.txt", "plain.txt"}
    assert "larger than" in reasons["big.txt"] and "Content-Type" in reasons["page.txt"]
    assert "createUpload" in reasons["plain.txt"]
    assert out["data"]["addedURLs"] == [f"s3://{bucket}/{prefix}ok.txt"]
    left = [entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    assert left == [prefix + "ok.txt"]


@pytest.mark.parametrize(
    ("resource_type", "entries", "code", "detail"),
    [
        ("image", files(("a.png", 10, "text/html")), ErrorCode.RESOURCE_INVALID, "contentType"),
        ("image", files(("a.png", 100 * MiB + 1, "image/png")), ErrorCode.RESOURCE_INVALID, "larger than"),
        ("hologram", files(("a.png", 10, "image/png")), ErrorCode.RESOURCE_INVALID, "resourceType"),
        ("image", files(*[(f"{n}.png", 10, "image/png") for n in range(101)]), ErrorCode.PARAMETER_INVALID, ""),
        ("image", files(("a.png", 0, "image/png")), ErrorCode.PARAMETER_INVALID, ""),
    ],
)
def test_create_upload_refuses_what_cannot_become_an_item(api, resource_type, entries, code, detail):
    project_id = create_project(api, FRAME_CREATE)
    with nothing_changes():
        out = api.call(CREATE_UPLOAD, {"projectId": project_id, "resourceType": resource_type, "files": entries})
    assert_error(out, code)
    assert detail in (out.get("detail") or "")


def test_uploads_are_per_tenant_and_per_project_status(api):
    project_id = create_project(api, FRAME_CREATE)
    other = second_account()
    entries = files(("a.png", 10, "image/png"))
    assert_error(
        other.call(CREATE_UPLOAD, {"projectId": project_id, "resourceType": "image", "files": entries}),
        ErrorCode.PROJECT_NOT_FOUND,
    )
    theirs = create_project(other, FRAME_CREATE)
    foreign_key = f"{api.user_id}/{project_id}/uploads/u1/a.png"
    for key in (foreign_key, f"{other.user_id}/{theirs}/uploads/../x/a.png", f"{other.user_id}/{theirs}/a.png"):
        out = other.call(COMPLETE_UPLOAD, {"projectId": theirs, "keys": [key]})
        assert_error(out, ErrorCode.RESOURCE_LINK_INVALID)

    set_status(api, project_id, ProjectStatus.COMPLETED)
    out = api.call(CREATE_UPLOAD, {"projectId": project_id, "resourceType": "image", "files": entries})
    assert_error(out, ErrorCode.UPLOAD_NOT_ALLOWED)
    assert_error(
        api.call(COMPLETE_UPLOAD, {"projectId": project_id, "keys": [foreign_key]}), ErrorCode.UPLOAD_NOT_ALLOWED
    )


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("cat.png", "cat.png"),
        ("C:\\Users\\me\\cat.png", "cat.png"),
        ("../../etc/passwd", "passwd"),
        ("a b\x00c\n.png", "a_bc.png"),
        (".hidden.png", "hidden.png"),
        ("猫.png", "猫.png"),
        ("...", "file"),
        ("x" * 300 + ".jpeg", "x" * 115 + ".jpeg"),  # 120 characters
    ],
)
def test_file_names_are_made_safe_for_keys(name, safe):
    assert safe_name(name) == safe
