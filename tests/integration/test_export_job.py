"""Export jobs on emulated AWS: exportResult → asynchronous invocation → items queried from DynamoDB →
writer → S3 (multipart when large) → retrieveProject's presigned download URL."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from pycocotools.coco import COCO

from bytebridge import ids
from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.items import ItemModel
from bytebridge.enums import ExportStatus, ItemStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.exports import jobs
from bytebridge.exports.downloads import latest_download
from bytebridge.exports.s3sink import MIN_PART_BYTES, S3Sink
from bytebridge.settings import get_settings
from tests.support.client_api import FRAME_CREATE, RETRIEVE, create_project, second_account

EXPORT = "/api/v1/projects/exportResult"

BOXES = [
    [{"label": "car", "x": 10, "y": 20, "w": 30, "h": 40}],
    [{"label": "car", "x": 0, "y": 0, "w": 5, "h": 5}, {"label": "truck", "x": 50.5, "y": 60, "w": 20, "h": 10}],
    [],
]


def write_items(project_id: str, user_id: str) -> list[str]:
    """Three finished items (via the DAL, as the engine leaves them) and one still being labeled."""
    now = now_ms()
    item_ids = []
    for position, boxes in enumerate([*BOXES, None]):
        item = ItemModel(
            project_id,
            ids.new_item_id(now, position),
            user_id=user_id,
            resource_type="image",
            url=f"https://data.example.com/{position}.jpg",
            created_at=now,
            updated_at=now,
        )
        if boxes is not None:
            answer = {"imageWidth": 640, "imageHeight": 480, "boxes": boxes}
            item.status = ItemStatus.COMPLETED.value
            item.result = {"endNode": "end", "path": ["frame", "end"], "answers": {"frame": answer}}
            item_ids.append(item.item_id)
        else:
            item.status = ItemStatus.PROCESSING.value
        item.save()
    return item_ids


def read_export(key: str, tmp_path) -> str:
    path = tmp_path / "export.json"
    path.write_bytes(client("s3").get_object(Bucket=get_settings().exports_bucket, Key=key)["Body"].read())
    return str(path)


def test_export_result_runs_the_job_and_retrieve_project_offers_the_download(api, tmp_path):
    project_id = create_project(api, FRAME_CREATE)
    item_ids = write_items(project_id, api.user_id)

    out = api.call(EXPORT, {"projectId": project_id, "format": "coco"})

    assert out["code"] == 0, out
    export_id = out["data"]["exportId"]
    # The asynchronous invocation reached the export function (inline in the emulator): the job is done.
    assert out["data"]["status"] == "done"
    export = ExportModel.get(project_id, export_id)
    assert export.status == ExportStatus.DONE
    assert export.item_count == 3
    assert export.s3_key == f"{api.user_id}/{project_id}/{export_id}.json"
    assert export.summary["exported"] == {"rectangle_frame_select": 3}

    extra = api.call(RETRIEVE, {"projectId": project_id})["data"]["extraInfo"]
    assert extra["downloadableResultNum"] == 3
    url = urlsplit(extra["downloadResultURL"])
    assert url.path.endswith(f"/{export.s3_key}")
    assert parse_qs(url.query)["X-Amz-Expires"] == [str(get_settings().presign_seconds)]

    coco = COCO(read_export(export.s3_key, tmp_path))
    assert [coco.imgs[i]["bytebridge"]["item_id"] for i in sorted(coco.imgs)] == item_ids
    assert len(coco.anns) == 3
    names = {c["id"]: c["name"] for c in coco.cats.values()}
    got = sorted((names[a["category_id"]], tuple(a["bbox"]), a["area"]) for a in coco.anns.values())
    assert got == [("car", (0, 0, 5, 5), 25), ("car", (10, 20, 30, 40), 1200), ("truck", (50.5, 60, 20, 10), 200)]


def test_latest_download_is_the_newest_finished_export(api):
    project_id = create_project(api, FRAME_CREATE)
    assert latest_download(api.user_id, project_id) == (0, "")
    write_items(project_id, api.user_id)
    first = api.call(EXPORT, {"projectId": project_id, "format": "voc"})["data"]["exportId"]
    second = api.call(EXPORT, {"projectId": project_id, "format": "json"})["data"]["exportId"]
    assert first < second

    count, url = latest_download(api.user_id, project_id)

    assert count == 3
    assert f"/{second}.jsonl?" in url
    assert latest_download(second_account().user_id, project_id) == (0, "")


def test_export_of_another_accounts_project_is_not_found_and_records_nothing(api):
    project_id = create_project(api, FRAME_CREATE)
    other = second_account()

    out = other.call(EXPORT, {"projectId": project_id, "format": "coco"})

    assert out["code"] == 8
    assert list(ExportModel.query(project_id)) == []


@pytest.mark.parametrize(
    "make_params",
    [lambda p: {"format": "coco"}, lambda p: {"projectId": p, "format": "yolo"}, lambda p: {"projectId": p}],
    ids=["no projectId", "unknown format", "no format"],
)
def test_bad_export_params_answer_code_2(api, make_params):
    project_id = create_project(api, FRAME_CREATE)

    out = api.call(EXPORT, make_params(project_id))

    assert out["code"] == 2, out
    assert list(ExportModel.query(project_id)) == []


def test_request_export_refuses_an_unknown_format_before_recording_anything(api):
    project_id = create_project(api, FRAME_CREATE)

    with pytest.raises(ApiError) as refused:
        jobs.request_export(api.user_id, project_id, "yolo")

    assert refused.value.code == ErrorCode.PARAMETER_INVALID
    assert list(ExportModel.query(project_id)) == []


def test_a_repeated_invocation_does_not_run_a_finished_export_again(api):
    project_id = create_project(api, FRAME_CREATE)
    write_items(project_id, api.user_id)
    export_id = api.call(EXPORT, {"projectId": project_id, "format": "labelme"})["data"]["exportId"]
    before = ExportModel.get(project_id, export_id)

    again = jobs.run_export(project_id, export_id)

    assert again.status == ExportStatus.DONE
    assert ExportModel.get(project_id, export_id).finished_at == before.finished_at


def test_a_failed_export_is_recorded_and_runs_again_on_retry(api, tmp_path):
    project_id = create_project(api, FRAME_CREATE)
    write_items(project_id, api.user_id)
    s3 = client("s3")
    bucket = get_settings().exports_bucket
    s3.delete_bucket(Bucket=bucket)

    export_id = jobs.request_export(api.user_id, project_id, jobs.ExportFormat.COCO)

    failed = ExportModel.get(project_id, export_id)
    assert failed.status == ExportStatus.FAILED
    assert "NoSuchBucket" in failed.error
    assert latest_download(api.user_id, project_id) == (0, "")

    s3.create_bucket(Bucket=bucket)
    retried = jobs.run_export(project_id, export_id)  # Lambda's async retry of the same event

    assert retried.status == ExportStatus.DONE
    assert len(COCO(read_export(retried.s3_key, tmp_path)).anns) == 3


def test_progress_is_written_while_items_stream(api, monkeypatch):
    project_id = create_project(api, FRAME_CREATE)
    export = ExportModel(project_id, "e1", user_id=api.user_id, format="json", s3_key="k", created_at=now_ms())
    export.save()
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    stream = jobs._with_progress(export, iter(range(5)))

    seen = [next(stream) for _ in range(5)]  # asking for the 5th means the writer is done with the 4th

    assert seen == [0, 1, 2, 3, 4]
    assert ExportModel.get(project_id, "e1").item_count == 4


def test_s3_sink_uploads_large_exports_in_parts(aws):
    bucket = get_settings().exports_bucket
    chunk = bytes(range(256)) * 4096  # 1 MiB
    sink = S3Sink(bucket, "big.bin", "application/octet-stream", part_bytes=MIN_PART_BYTES)
    for _ in range(11):
        sink.write(chunk)

    assert sink.complete() == 11 * len(chunk)

    head = client("s3").head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"].strip('"').endswith("-3")  # two full 5 MiB parts and the 1 MiB rest
    assert client("s3").get_object(Bucket=bucket, Key="big.bin")["Body"].read() == chunk * 11


def test_s3_sink_abort_leaves_no_object_and_no_parts(aws):
    bucket = get_settings().exports_bucket
    sink = S3Sink(bucket, "aborted.bin", "application/octet-stream", part_bytes=MIN_PART_BYTES)
    sink.write(b"x" * (MIN_PART_BYTES + 1))

    sink.abort()

    s3 = client("s3")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_small_exports_are_one_put(aws):
    bucket = get_settings().exports_bucket
    sink = S3Sink(bucket, "small.jsonl", "application/x-ndjson")
    sink.write(json.dumps({"a": 1}).encode())

    sink.complete()

    head = client("s3").head_object(Bucket=bucket, Key="small.jsonl")
    assert "-" not in head["ETag"]
    assert head["ContentType"] == "application/x-ndjson"
