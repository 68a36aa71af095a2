"""POST /api/v1/projects/submitResource: links become items (codes 0, 2, 8, 10, 24, 25)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bytebridge.dal.items import ItemModel
from bytebridge.delivery.retention import purge_unstarted_items
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.settings import get_settings
from tests.support.client_api import (
    ALTER,
    FRAME_CREATE,
    SAMPLE_CREATE,
    SAMPLE_URLS,
    SUBMIT,
    assert_error,
    create_project,
    nothing_changes,
    project,
    second_account,
    set_status,
)


def _submit(api, project_id: str, urls: list, resource_type: str = "image") -> dict:
    return api.call(SUBMIT, {"projectId": project_id, "resourceType": resource_type, "resourceURLs": urls})


def test_submit_answers_the_documented_sample_shape_and_adds_items(api):
    project_id = create_project(api)

    out = _submit(api, project_id, SAMPLE_URLS)

    assert out["code"] == 0, out
    data = out["data"]
    # The documented fields first (issue 12 adds addedURLs/existingURLs after them: which links were new).
    assert list(data) == [
        "projectId",
        "resourceType",
        "resourceDta",
        "resourceData",
        "created",
        "addedURLs",
        "existingURLs",
    ]
    assert (data["addedURLs"], data["existingURLs"]) == (SAMPLE_URLS, [])
    assert data["projectId"] == project_id and data["resourceType"] == "image"
    assert data["resourceDta"] == data["resourceData"] == SAMPLE_URLS
    assert abs(data["created"] - out["timestamp"] // 1000) <= 1
    items = list(ItemModel.query(project_id))
    assert [item.url for item in items] == SAMPLE_URLS  # ids sort in upload order
    assert {(item.status, item.resource_type, item.user_id) for item in items} == {
        (ItemStatus.NOT_STARTED, "image", api.user_id)
    }
    stored = project(api, project_id)
    assert (stored.item_count, stored.not_started_count, stored.resources_submitted) == (2, 2, 2)


def test_later_batches_add_up(api):
    project_id = create_project(api)
    _submit(api, project_id, SAMPLE_URLS)
    _submit(api, project_id, ["https://x.example/3.gif"])

    items = list(ItemModel.query(project_id))
    assert [item.url for item in items] == [*SAMPLE_URLS, "https://x.example/3.gif"]
    assert project(api, project_id).item_count == 3


def test_a_thousand_links_in_one_call_are_accepted(api):
    project_id = create_project(api)
    urls = [f"https://cdn.example.com/batch/{n:04d}.jpeg" for n in range(1000)]

    assert _submit(api, project_id, urls)["code"] == 0

    assert [item.url for item in ItemModel.query(project_id)] == urls
    assert project(api, project_id).not_started_count == 1000


@pytest.mark.parametrize(
    ("resource_type", "url"),
    [
        ("image", "https://x.example/a.JPG"),
        ("image", "http://x.example/a.jpeg?size=large#top"),
        ("image", "s3://client-bucket/photos/a.png"),
        ("image", "https://x.example/a%20b.gif"),
        ("graphic", "https://x.example/scan.png"),
        ("audio", "https://x.example/talk.mp3"),
        ("text", "https://x.example/review.txt"),
        ("image", "https://x.example/" + "a" * (2048 - len("https://x.example/") - 4) + ".jpg"),  # 2048 exactly
    ],
)
def test_links_of_every_documented_type_are_accepted(api, resource_type, url):
    # Text goes into a text project (issue 12: an image project takes no text).
    project_id = create_project(api, type="text_classification" if resource_type == "text" else "image_classification")

    out = _submit(api, project_id, [url], resource_type)

    assert out["code"] == 0, out
    assert ItemModel.count(project_id) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example/" + "a" * 2048 + ".jpg",  # longer than 2048
        "ftp://x.example/a.jpg",
        "file:///etc/a.jpg",
        "javascript:alert(1)//a.jpg",
        "https:///a.jpg",  # no host
        "https://x.example/a b.jpg",
        "https://x.example/a\n.jpg",
        "https://[::1/a.jpg",  # unparseable
        "x.example/a.jpg",
    ],
)
def test_a_link_too_long_or_not_http_or_s3_is_code_10(api, url):
    project_id = create_project(api)

    with nothing_changes():
        out = _submit(api, project_id, [SAMPLE_URLS[0], url])

    assert_error(out, ErrorCode.RESOURCE_LINK_INVALID, api)
    assert out["errorMsg"].startswith("Failed to submit the resource link")
    assert "resourceURLs[1]" in out["detail"]


@pytest.mark.parametrize(
    ("resource_type", "urls"),
    [
        ("image", ["https://x.example/clip.mp4"]),
        ("image", ["http://x.example/no-extension"]),  # extension-less picture links: https only (issue 12)
        ("image", ["https://x.example/photos.jpg/"]),
        ("audio", ["https://x.example/a.png"]),
        ("text", ["https://x.example/a.mp3"]),
        ("graphic", ["https://x.example/a.txt"]),
        ("image", []),
        ("video", SAMPLE_URLS),
    ],
)
def test_links_that_do_not_fit_the_resource_type_are_code_24(api, resource_type, urls):
    project_id = create_project(api)

    with nothing_changes():
        out = _submit(api, project_id, urls, resource_type)

    assert_error(out, ErrorCode.RESOURCE_INVALID, api)


@pytest.mark.parametrize(
    "bad_params",
    [
        {"resourceType": "image", "resourceURLs": [f"https://x.example/{n}.jpg" for n in range(1001)]},
        {"resourceType": "image", "resourceURLs": "https://x.example/a.jpg"},
        {"resourceType": "image", "resourceURLs": [42]},
        {"resourceURLs": SAMPLE_URLS},
        {"resourceType": "image"},
    ],
    ids=["1001 links", "not a list", "not text", "no type", "no links"],
)
def test_malformed_params_are_code_2(api, bad_params):
    project_id = create_project(api)

    with nothing_changes():
        out = api.call(SUBMIT, {"projectId": project_id, **bad_params})

    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


@pytest.mark.parametrize("status", [ProjectStatus.CHECKING, ProjectStatus.TRIAL, ProjectStatus.COMPLETED])
def test_uploads_while_under_review_or_after_completion_are_code_25(api, status):
    project_id = create_project(api)
    set_status(api, project_id, status)

    with nothing_changes():
        out = _submit(api, project_id, SAMPLE_URLS)

    assert_error(out, ErrorCode.UPLOAD_NOT_ALLOWED, api)


def test_a_started_project_takes_no_uploads_until_review_is_over(api):
    project_id = create_project(api)
    _submit(api, project_id, SAMPLE_URLS)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0

    assert_error(_submit(api, project_id, ["https://x.example/more.jpg"]), ErrorCode.UPLOAD_NOT_ALLOWED)


@pytest.mark.parametrize(
    "status",
    [ProjectStatus.TRIAL_DONE, ProjectStatus.WAITING_PAYMENT, ProjectStatus.IN_PROGRESS, ProjectStatus.PAUSED],
)
def test_batches_can_be_added_after_the_trial(api, status):
    project_id = create_project(api)
    set_status(api, project_id, status)

    assert _submit(api, project_id, SAMPLE_URLS)["code"] == 0

    assert project(api, project_id).item_count == 2


def test_the_project_status_is_checked_before_the_links(api):
    project_id = create_project(api)
    set_status(api, project_id, ProjectStatus.CHECKING)

    assert_error(_submit(api, project_id, ["ftp://x.example/a.jpg"]), ErrorCode.UPLOAD_NOT_ALLOWED)


def test_another_accounts_or_a_deleted_project_is_code_8(api):
    theirs = create_project(second_account())
    mine = create_project(api, projectName="gone")
    assert api.call(ALTER, {"projectId": mine, "type": "delete"})["code"] == 0

    for project_id in (theirs, mine):
        with nothing_changes():
            out = _submit(api, project_id, SAMPLE_URLS)
        assert_error(out, ErrorCode.PROJECT_NOT_FOUND, api)
    assert ItemModel.count(theirs) == 0


# ---- issue 12: idempotent uploads, tenancy of s3:// links, picture links without an extension ----------------


def _counters(api, project_id: str) -> tuple[int, int, int]:
    stored = project(api, project_id)
    return stored.item_count, stored.not_started_count, stored.resources_submitted


def test_the_same_links_twice_give_one_set_of_items_and_the_answer_says_they_were_there(api):
    project_id = create_project(api)
    urls = [f"https://cdn.example.com/retry/{n:04d}.jpg" for n in range(1000)]
    first = _submit(api, project_id, urls)

    with nothing_changes():  # a retry after a timeout: no item, no counter, no timestamp changes
        again = _submit(api, project_id, urls)

    assert (first["data"]["addedURLs"], first["data"]["existingURLs"]) == (urls, [])
    assert again["code"] == 0, again
    assert (again["data"]["addedURLs"], again["data"]["existingURLs"]) == ([], urls)
    assert again["data"]["resourceDta"] == again["data"]["resourceData"] == urls
    assert [item.url for item in ItemModel.query(project_id)] == urls
    assert _counters(api, project_id) == (1000, 1000, 1000)


def test_a_batch_overlapping_an_earlier_one_adds_only_the_new_links(api):
    project_id = create_project(api)
    _submit(api, project_id, [SAMPLE_URLS[0]])

    out = _submit(api, project_id, [SAMPLE_URLS[1], SAMPLE_URLS[0]])

    assert (out["data"]["addedURLs"], out["data"]["existingURLs"]) == ([SAMPLE_URLS[1]], [SAMPLE_URLS[0]])
    assert sorted(item.url for item in ItemModel.query(project_id)) == sorted(SAMPLE_URLS)
    assert _counters(api, project_id) == (2, 2, 2)


def test_a_link_repeated_inside_one_call_becomes_one_item(api):
    # Pinned before issue 12 as code 24; now a repeat is the same link, added once.
    project_id = create_project(api)
    urls = [SAMPLE_URLS[0], SAMPLE_URLS[1], SAMPLE_URLS[0], SAMPLE_URLS[1]]

    out = _submit(api, project_id, urls)

    assert out["code"] == 0, out
    assert out["data"]["resourceDta"] == urls
    assert (out["data"]["addedURLs"], out["data"]["existingURLs"]) == (SAMPLE_URLS, [])
    assert [item.url for item in ItemModel.query(project_id)] == SAMPLE_URLS
    assert _counters(api, project_id) == (2, 2, 2)


def test_two_concurrent_calls_with_the_same_links_add_and_count_each_link_once(api):
    project_id = create_project(api)
    urls = [f"https://cdn.example.com/race/{n:03d}.png" for n in range(150)]
    barrier = threading.Barrier(2)

    def call(order: list[str]) -> dict:
        barrier.wait()
        return _submit(api, project_id, order)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(call, [urls, list(reversed(urls))]))

    assert [out["code"] for out in answers] == [0, 0], answers
    added = [url for out in answers for url in out["data"]["addedURLs"]]
    assert sorted(added) == sorted(urls)  # every link added by exactly one of the calls
    for out in answers:
        assert set(out["data"]["addedURLs"]) | set(out["data"]["existingURLs"]) == set(urls)
    assert sorted(item.url for item in ItemModel.query(project_id)) == sorted(urls)
    assert _counters(api, project_id) == (150, 150, 150)


def test_purged_items_can_be_submitted_again(api):
    project_id = create_project(api)
    _submit(api, project_id, SAMPLE_URLS)
    assert purge_unstarted_items(project(api, project_id)) == 2

    out = _submit(api, project_id, SAMPLE_URLS)

    assert out["data"]["addedURLs"] == SAMPLE_URLS
    assert ItemModel.count(project_id) == 2


@pytest.mark.parametrize("base", [SAMPLE_CREATE, FRAME_CREATE], ids=["classification", "boxes"])
@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/img/8f14e45fceea167a5a36dedd4bea2543",
        "https://bucket.s3.amazonaws.com/photo?X-Amz-Signature=abc&X-Amz-Expires=900",
    ],
)
def test_https_picture_links_without_an_extension_are_accepted(api, base, url):
    project_id = create_project(api, base)

    for resource_type in ("image", "graphic"):
        assert _submit(api, project_id, [url], resource_type)["code"] == 0


@pytest.mark.parametrize(
    ("base", "resource_type", "url"),
    [
        (FRAME_CREATE, "image", "https://x.example/notes.txt"),  # a .txt item into a box task
        (FRAME_CREATE, "text", "https://x.example/notes.txt"),
        (FRAME_CREATE, "audio", "https://x.example/talk.mp3"),
        (SAMPLE_CREATE, "text", "https://x.example/notes.txt"),  # an image project takes no text
        ({**SAMPLE_CREATE, "type": "text_classification"}, "image", "https://x.example/cat.jpg"),
        ({**SAMPLE_CREATE, "type": "text_classification"}, "audio", "https://x.example/talk.mp3"),
        ({**SAMPLE_CREATE, "type": "text_classification"}, "text", "https://x.example/cat.jpg"),
        ({**SAMPLE_CREATE, "type": "text_classification"}, "text", "https://x.example/no-extension"),
        (SAMPLE_CREATE, "audio", "https://x.example/no-extension"),
    ],
)
def test_resources_that_contradict_the_project_or_resource_type_are_code_24(api, base, resource_type, url):
    project_id = create_project(api, base)

    with nothing_changes():
        out = _submit(api, project_id, [url], resource_type)

    assert_error(out, ErrorCode.RESOURCE_INVALID, api)


def test_s3_links_of_the_callers_own_prefix_are_accepted(api):
    project_id = create_project(api)
    url = f"s3://{get_settings().data_bucket}/{api.user_id}/{project_id}/cat.jpg"

    assert _submit(api, project_id, [url])["code"] == 0


@pytest.mark.parametrize(
    "key",
    [
        "{other}/{project}/cat.jpg",  # another tenant's file
        "cat.jpg",  # outside any account's prefix
        "{me}/../{other}/cat.jpg",
        "{me}//cat.jpg",
        "{me}x/cat.jpg",  # a user id that starts with the caller's
    ],
)
def test_s3_links_into_the_platforms_bucket_outside_the_callers_prefix_are_code_10(api, key):
    other = second_account(f"tenant-{uuid.uuid4().hex[:6]}@example.com")
    theirs = create_project(other)
    mine = create_project(api)
    url = f"s3://{get_settings().data_bucket}/" + key.format(other=other.user_id, project=theirs, me=api.user_id)

    with nothing_changes():
        out = _submit(api, mine, [SAMPLE_URLS[0], url])

    assert_error(out, ErrorCode.RESOURCE_LINK_INVALID, api)
    assert "resourceURLs[1]" in out["detail"]


def test_s3_links_into_the_exports_bucket_are_code_10(api):
    project_id = create_project(api)

    with nothing_changes():
        out = _submit(api, project_id, [f"s3://{get_settings().exports_bucket}/{api.user_id}/{project_id}/e.jpg"])

    assert_error(out, ErrorCode.RESOURCE_LINK_INVALID, api)
