"""Items are checked, once (bytebridge.ingest): every submitted link is read (first bytes, through the SSRF-safe
fetcher), identified by its bytes, and either made ready with its media facts (image width×height) or refused with a
reason; refused items are never launched, counted or billed, and listRefusedItems lists them. Locally the check
runs inside submitResource (INGEST_CHECK_INLINE); the queue → ingest-check Lambda path is driven explicitly."""

import json
import struct

import numpy as np
import pytest
from pycocotools.coco import COCO

from bytebridge.aws import client
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.items import ItemModel
from bytebridge.engine.launch import activate_project
from bytebridge.enums import ItemStatus
from bytebridge.errors import ErrorCode
from bytebridge.logic.operators import review_queue
from bytebridge.settings import get_settings
from infra.catalog import QUEUES
from local import web_standin
from local.scheduler import drain, pump_queue
from local.web_standin import Reply
from tests.support.client_api import ALTER, FRAME_CREATE, SUBMIT, assert_error, create_project, project
from tests.support.engine import SET_FLOW
from tests.support.web import resolving

LIST_REFUSED = "/api/v1/projects/listRefusedItems"
EXPORT = "/api/v1/projects/exportResult"
TEXT_CREATE = {
    "projectName": "texts",
    "type": "text_classification",
    "instruction": "sentiment",
    "target": "text",
    "taskType": "single_choice",
    "question": "positive?",
    "options": [{"value": "yes"}, {"value": "no"}],
}
INGEST_CHECKS = next(queue for queue in QUEUES if queue.name == "ingest-checks")
HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>"


def submit(api, project_id: str, urls: list[str], resource_type: str = "image") -> dict:
    out = api.call(SUBMIT, {"projectId": project_id, "resourceType": resource_type, "resourceURLs": urls})
    assert out["code"] == 0, out
    return out["data"]


def items_by_url(project_id: str) -> dict[str, ItemModel]:
    return {item.url: item for item in ItemModel.query(project_id, consistent_read=True)}


def picture(form: str, size: tuple[int, int]) -> bytes:
    return web_standin.picture(form, *size)


def refused(api, project_id: str, **params) -> dict:
    out = api.call(LIST_REFUSED, {"projectId": project_id, **params})
    assert out["code"] == 0, out
    return out["data"]


@pytest.fixture
def names(monkeypatch) -> dict[str, list[str]]:
    return resolving(monkeypatch)


@pytest.fixture
def queued(monkeypatch):
    """Checks go through the ingest-checks queue, as when deployed (the test pumps it to the Lambda)."""
    monkeypatch.setenv("INGEST_CHECK_INLINE", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_links_are_checked_in_the_submit_call_and_pictures_get_their_true_size(api):
    project_id = create_project(api)
    urls = [
        "https://files.example.com/a/cat_1024x768.jpg",
        "https://files.example.com/a/dog_33x4000.png",
        "https://files.example.com/a/bird_500x501.gif",
        "https://files.example.com/a/dog_2x3.jpeg",
    ]
    submit(api, project_id, urls)

    items = items_by_url(project_id)
    got = {url: (i.status, i.mime, i.image_width, i.image_height) for url, i in items.items()}
    assert got == {
        urls[0]: (ItemStatus.NOT_STARTED, "image/jpeg", 1024, 768),
        urls[1]: (ItemStatus.NOT_STARTED, "image/png", 33, 4000),
        urls[2]: (ItemStatus.NOT_STARTED, "image/gif", 500, 501),
        urls[3]: (ItemStatus.NOT_STARTED, "image/jpeg", 2, 3),
    }
    assert all(item.byte_size and item.byte_size > 0 for item in items.values())
    stored = project(api, project_id)
    assert (stored.item_count, stored.not_started_count, stored.checking_count, stored.refused_count) == (4, 4, 0, 0)


def test_an_extensionless_https_picture_is_accepted_with_its_true_size(api):
    project_id = create_project(api)
    url = "https://cdn.example.com/i/7f3a9c?sig=abc"
    web_standin.register(url, Reply(picture("WEBP", (1234, 567)), content_type="application/octet-stream"))
    submit(api, project_id, [url])
    item = items_by_url(project_id)[url]
    assert (item.status, item.mime, item.image_width, item.image_height) == ("notStarted", "image/webp", 1234, 567)


def test_a_jpg_link_serving_html_is_refused_with_a_reason_and_listed(api):
    project_id = create_project(api)
    good, fake = "https://files.example.com/ok.jpg", "https://files.example.com/login.jpg"
    web_standin.register(fake, Reply(HTML, content_type="image/jpeg"))  # the declared type lies too

    data = submit(api, project_id, [good, fake])

    assert data["addedURLs"] == [good, fake]  # admitted, then checked (on AWS the check runs after the answer)
    items = items_by_url(project_id)
    assert (items[fake].status, items[fake].mime) == (ItemStatus.REFUSED, "text/html")
    assert items[fake].refusal == "the file is text/html, not a picture"
    assert items[good].status == ItemStatus.NOT_STARTED
    stored = project(api, project_id)
    assert (stored.item_count, stored.not_started_count, stored.refused_count, stored.resources_submitted) == (
        1,
        1,
        1,
        2,
    )
    listed = refused(api, project_id)
    assert (listed["checkingCount"], listed["refusedCount"], listed["nextCursor"]) == (0, 1, None)
    assert [(i["url"], i["reason"], i["mime"]) for i in listed["items"]] == [
        (fake, "the file is text/html, not a picture", "text/html")
    ]
    # Checked once: the same link again is already there (not fetched, not added again).
    before = web_standin.hits(fake)
    assert submit(api, project_id, [fake])["existingURLs"] == [fake]
    assert web_standin.hits(fake) == before


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(b"not here", status=404, content_type="text/plain"), "the link answered HTTP 404"),
        (Reply(b"\x89PNG\r\n\x1a\n" + bytes(8)), "the file is image/png: its header holds no readable size"),
        (
            Reply(b"II*\x00" + bytes(64)),
            "the file is image/tiff: TIFF pictures are not shown by most browsers, not a picture",
        ),
        (Reply(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"), "SVG is not accepted"),
        (Reply(b"late", delay_seconds=2.0), "the link could not be read (timed out)"),
    ],
    ids=["404", "broken png", "tiff", "svg", "slow"],
)
def test_unusable_pictures_are_refused_with_their_reason(api, monkeypatch, reply, reason):
    monkeypatch.setenv("FETCH_TIMEOUT_SECONDS", "0.3")
    get_settings.cache_clear()
    project_id = create_project(api)
    url = "https://files.example.com/bad.jpg"
    web_standin.register(url, reply)
    submit(api, project_id, [url])
    item = items_by_url(project_id)[url]
    assert item.status == ItemStatus.REFUSED and reason in item.refusal


def test_a_png_claiming_an_absurd_size_is_measured_from_its_header_only(api):
    project_id = create_project(api)
    url = "https://files.example.com/huge.png"
    body = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 60000, 50000, 8, 2, 0, 0, 0)
    web_standin.register(url, Reply(body + bytes(4)))
    submit(api, project_id, [url])
    item = items_by_url(project_id)[url]
    assert (item.status, item.image_width, item.image_height) == (ItemStatus.NOT_STARTED, 60000, 50000)


def _jpeg_with_big_exif(size: tuple[int, int]) -> bytes:
    """A JPEG whose frame header comes after ~180 KB of EXIF/maker-note segments."""
    jpeg = picture("JPEG", size)
    ifd = b"MM\x00\x2a" + struct.pack(">IHHHIHHI", 8, 1, 0x0112, 3, 1, 1, 0, 0)
    app1 = b"Exif\x00\x00" + ifd + bytes(60_000)
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return jpeg[:2] + segment * 3 + jpeg[2:]


def test_a_jpeg_with_more_than_64_kb_of_metadata_is_read_further_and_measured(api):
    project_id = create_project(api)
    url = "https://files.example.com/camera/IMG_0001.JPG"
    body = _jpeg_with_big_exif((4032, 3024))
    web_standin.register(url, Reply(body, content_type="image/jpeg"))
    submit(api, project_id, [url])
    item = items_by_url(project_id)[url]
    assert (item.status, item.image_width, item.image_height, item.byte_size) == ("notStarted", 4032, 3024, len(body))


def test_text_files_go_into_a_text_project_and_binary_named_txt_is_refused(api):
    project_id = create_project(api, TEXT_CREATE)
    ok, csv, binary = (f"https://data.example.com/t/{name}" for name in ("a.txt", "b.csv", "c.txt"))
    web_standin.register(binary, Reply(b"\x00\x01\x02\x03 not text", content_type="text/plain"))
    submit(api, project_id, [ok, csv, binary], resource_type="text")
    items = items_by_url(project_id)
    assert (items[ok].status, items[ok].mime) == (ItemStatus.NOT_STARTED, "text/plain")
    assert (items[csv].status, items[csv].mime) == (ItemStatus.NOT_STARTED, "text/csv")
    assert items[ok].image_width is None
    assert (items[binary].status, items[binary].refusal) == (
        ItemStatus.REFUSED,
        "the file is application/octet-stream, not UTF-8 text",
    )


def test_a_picture_named_txt_in_a_text_project_is_refused(api):
    project_id = create_project(api, TEXT_CREATE)
    url = "https://data.example.com/t/photo.txt"
    web_standin.register(url, Reply(picture("PNG", (10, 10)), content_type="text/plain"))
    submit(api, project_id, [url], resource_type="text")
    assert items_by_url(project_id)[url].refusal == "the file is image/png, not UTF-8 text"


def test_audio_in_an_image_classification_project_is_refused_when_its_flow_draws_boxes(api):
    project_id = create_project(api, options=[{"value": "cat"}, {"value": "dog"}], question="cat or dog?")
    assert api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})["code"] == 0
    assert project(api, project_id).flow_version is not None  # the saved flow the check reads
    url = "https://files.example.com/a/meow.mp3"
    submit(api, project_id, [url], resource_type="audio")
    item = items_by_url(project_id)[url]
    assert (item.status, item.mime) == (ItemStatus.REFUSED, "audio/mpeg")
    assert "need a picture" in item.refusal


def test_a_host_resolving_to_a_private_address_is_refused_and_never_contacted(api, names):
    names["intranet.example"] = ["10.0.0.8"]
    project_id = create_project(api)
    url = "https://intranet.example/a.jpg"
    submit(api, project_id, [url])
    item = items_by_url(project_id)[url]
    assert (item.status, item.refusal) == (
        ItemStatus.REFUSED,
        "the link could not be read (refused: the host is not a public address)",
    )
    assert web_standin.hits(url) == 0


@pytest.mark.parametrize("url", ["https://127.1/a.jpg", "https://0x7f000001/a.jpg", "http://169.254.169.254/a.jpg"])
def test_links_to_private_addresses_in_any_spelling_are_refused(api, url):
    project_id = create_project(api)
    submit(api, project_id, [url])
    assert "not a public address" in items_by_url(project_id)[url].refusal


def test_a_redirect_to_loopback_is_refused(api):
    project_id = create_project(api)
    url = "https://files.example.com/moved.jpg"
    port = web_standin.address().rsplit(":", 1)[1]
    web_standin.register(url, Reply(status=302, headers={"Location": f"http://127.0.0.1:{port}/cat.jpg"}))
    submit(api, project_id, [url])
    item = items_by_url(project_id)[url]
    assert item.refusal == "the link could not be read (redirect refused: the host is not a public address)"
    assert web_standin.hits(f"http://127.0.0.1:{port}/cat.jpg") == 0


def test_a_thousand_links_are_checked_in_the_submit_call(api):
    project_id = create_project(api)
    urls = [f"https://cdn.example.com/batch/{n:04d}_{100 + n}x{50 + n % 7}.jpg" for n in range(1000)]
    for n in range(0, 1000, 100):  # ten of them are login pages
        web_standin.register(urls[n], Reply(HTML, content_type="text/html"))

    submit(api, project_id, urls)

    items = items_by_url(project_id)
    assert len(items) == 1000
    bad = {urls[n] for n in range(0, 1000, 100)}
    assert {url for url, item in items.items() if item.status == ItemStatus.REFUSED} == bad
    for n, url in enumerate(urls):
        if url not in bad:
            assert (items[url].status, items[url].image_width, items[url].image_height) == (
                ItemStatus.NOT_STARTED,
                100 + n,
                50 + n % 7,
            )
    stored = project(api, project_id)
    assert (stored.item_count, stored.not_started_count, stored.checking_count, stored.refused_count) == (
        990,
        990,
        0,
        10,
    )
    first = refused(api, project_id, limit=4)
    second = refused(api, project_id, limit=100, cursor=first["nextCursor"])
    assert [i["url"] for i in first["items"] + second["items"]] == [urls[n] for n in range(0, 1000, 100)]


def test_through_the_queue_a_project_cannot_start_until_its_items_are_checked(api, queued):
    project_id = create_project(api)
    urls = [f"https://files.example.com/q/{n}_64x48.png" for n in range(30)]
    submit(api, project_id, urls)
    assert {item.status for item in items_by_url(project_id).values()} == {ItemStatus.CHECKING}
    stored = project(api, project_id)
    assert (stored.checking_count, stored.item_count, stored.resources_submitted) == (30, 0, 30)

    out = api.call(ALTER, {"projectId": project_id, "type": "start"})
    assert_error(out, ErrorCode.CHECKING_STATUS)
    assert refused(api, project_id)["checkingCount"] == 30

    assert drain(INGEST_CHECKS) == 2  # 25 ids per message: two messages, each handled by the ingest-check Lambda
    items = items_by_url(project_id)
    assert {(item.status, item.image_width, item.image_height) for item in items.values()} == {("notStarted", 64, 48)}
    stored = project(api, project_id)
    assert (stored.checking_count, stored.item_count, stored.not_started_count) == (0, 30, 30)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0


def test_a_redelivered_check_request_changes_nothing(api, queued):
    project_id = create_project(api)
    submit(api, project_id, ["https://files.example.com/r/a.jpg", "https://files.example.com/r/b.jpg"])
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=f"bytebridge-local-{INGEST_CHECKS.name}")["QueueUrl"]
    body = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["Body"]
    sqs.send_message(QueueUrl=url, MessageBody=body)  # the same request twice, as SQS may deliver it
    assert drain(INGEST_CHECKS) == 2
    stored = project(api, project_id)
    assert (stored.checking_count, stored.item_count, stored.not_started_count, stored.refused_count) == (0, 2, 2, 0)
    assert json.loads(body)["item_ids"] == [item.item_id for item in ItemModel.query(project_id)]
    assert pump_queue(INGEST_CHECKS) == 0


def test_refused_items_are_never_launched_counted_or_billed(api):
    project_id = create_project(api, options=[{"value": "cat"}, {"value": "dog"}], question="cat or dog?")
    assert api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})["code"] == 0
    good = [f"https://files.example.com/cat/{n}.jpg" for n in range(3)]
    bad = ["https://files.example.com/cat/fake.jpg", "https://files.example.com/cat/gone.jpg"]
    web_standin.register(bad[0], Reply(HTML, content_type="text/html"))
    web_standin.register(bad[1], Reply(b"", status=404))
    submit(api, project_id, good + bad)
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    (review,) = [entry for entry in review_queue() if entry["projectId"] == project_id]
    assert (review["itemCount"], [i["dataUrl"] for i in review["sampleItems"]]) == (3, good)  # operators see items

    activate_project(api.user_id, project_id)

    items = items_by_url(project_id)
    assert {url for url, item in items.items() if item.execution_arn} == set(good)
    for url in bad:
        assert (items[url].status, items[url].execution_arn, items[url].cost_cents) == (ItemStatus.REFUSED, None, 0)
    stored = project(api, project_id)
    assert stored.item_count == 3 and stored.processing_count + stored.not_started_count == 3
    assert stored.refused_count == 2


def test_coco_export_of_checked_items_carries_every_true_size(api, tmp_path):
    project_id = create_project(api, FRAME_CREATE)
    sizes = [(640, 480), (1920, 1080), (33, 4000), (500, 501)]
    urls = [f"https://files.example.com/c/{n}/car_{w}x{h}.jpg" for n, (w, h) in enumerate(sizes)]
    submit(api, project_id, urls)
    for n, item in enumerate(sorted(items_by_url(project_id).values(), key=lambda i: i.item_id)):
        width, height = sizes[n]
        answers = {}
        if n % 2 == 0:  # boxes, with the size the annotator's browser reported; the others no drawing answer
            boxes = [{"label": "car", "x": 1, "y": 2, "w": width // 2, "h": height // 3}]
            answers = {"frame": {"imageWidth": width, "imageHeight": height, "boxes": boxes}}
        item.update(
            actions=[
                ItemModel.status.set(ItemStatus.COMPLETED.value),
                ItemModel.result.set({"endNode": "end", "path": ["end"], "answers": answers}),
            ]
        )

    out = api.call(EXPORT, {"projectId": project_id, "format": "coco"})
    assert out["code"] == 0, out
    export = ExportModel.get(project_id, out["data"]["exportId"])
    path = tmp_path / "coco.json"
    path.write_bytes(client("s3").get_object(Bucket=get_settings().exports_bucket, Key=export.s3_key)["Body"].read())

    coco = COCO(str(path))
    by_url = {image["coco_url"]: (image["width"], image["height"]) for image in coco.imgs.values()}
    assert by_url == dict(zip(urls, sizes, strict=True))
    assert all("size_unknown" not in image["bytebridge"] for image in coco.imgs.values())
    assert len(coco.anns) == 2
    for annotation in coco.anns.values():
        image = coco.imgs[annotation["image_id"]]
        mask = coco.annToMask(annotation)
        assert mask.shape == (image["height"], image["width"]) and int(np.count_nonzero(mask)) > 0


def test_objects_of_our_data_bucket_are_read_with_a_ranged_get_and_missing_ones_refused(api):
    project_id = create_project(api)
    bucket = get_settings().data_bucket
    key = f"{api.user_id}/{project_id}/uploads/u1/scan.png"
    client("s3").put_object(Bucket=bucket, Key=key, Body=picture("PNG", (777, 333)), ContentType="image/png")
    present, missing = f"s3://{bucket}/{key}", f"s3://{bucket}/{api.user_id}/{project_id}/uploads/u1/none.png"

    submit(api, project_id, [present, missing])

    items = items_by_url(project_id)
    assert (items[present].status, items[present].image_width, items[present].image_height) == ("notStarted", 777, 333)
    assert items[present].byte_size == len(picture("PNG", (777, 333)))
    assert (items[missing].status, items[missing].refusal) == (
        ItemStatus.REFUSED,
        "no such file in the bucket (or it is empty)",
    )
