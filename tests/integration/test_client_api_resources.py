"""POST /api/v1/projects/submitResource: links become items (codes 0, 2, 8, 10, 24, 25)."""

import pytest

from bytebridge.dal.items import ItemModel
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from tests.support.client_api import (
    ALTER,
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
    assert list(data) == ["projectId", "resourceType", "resourceDta", "resourceData", "created"]
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
    project_id = create_project(api)

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
        ("image", ["https://x.example/no-extension"]),
        ("image", ["https://x.example/photos.jpg/"]),
        ("audio", ["https://x.example/a.png"]),
        ("text", ["https://x.example/a.mp3"]),
        ("graphic", ["https://x.example/a.txt"]),
        ("image", []),
        ("image", [SAMPLE_URLS[0], SAMPLE_URLS[1], SAMPLE_URLS[0]]),
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
