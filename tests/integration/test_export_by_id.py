"""Exports by id (issue 12): exportResult's exportId, retrieveExport and listExports with each export's own
status, counts, format and download link; retrieveProject's downloadResultURL stays the newest finished one."""

import json
from urllib.parse import urlsplit

from bytebridge import clock, ids
from bytebridge.aws import client
from bytebridge.dal import exports as export_rows
from bytebridge.dal.exports import ExportModel
from bytebridge.exports import jobs
from bytebridge.settings import get_settings
from tests.integration.test_export_job import EXPORT, write_items
from tests.support.client_api import FRAME_CREATE, RETRIEVE, create_project, second_account

RETRIEVE_EXPORT = "/api/v1/projects/retrieveExport"
LIST_EXPORTS = "/api/v1/projects/listExports"


def fetch(url: str) -> bytes:
    key = "/".join(urlsplit(url).path.split("/")[-3:])  # ends with <userId>/<projectId>/<exportId>.<ext>
    return client("s3").get_object(Bucket=get_settings().exports_bucket, Key=key)["Body"].read()


def test_each_export_is_retrievable_by_id_with_its_own_link(api):
    project_id = create_project(api, FRAME_CREATE)
    write_items(project_id, api.user_id)
    coco_id = api.call(EXPORT, {"projectId": project_id, "format": "coco"})["data"]["exportId"]
    json_id = api.call(EXPORT, {"projectId": project_id, "format": "json"})["data"]["exportId"]

    coco = api.call(RETRIEVE_EXPORT, {"projectId": project_id, "exportId": coco_id})
    native = api.call(RETRIEVE_EXPORT, {"projectId": project_id, "exportId": json_id})

    assert coco["code"] == 0, coco
    data = coco["data"]
    assert (data["exportId"], data["format"], data["status"], data["itemCount"]) == (coco_id, "coco", "done", 3)
    assert data["summary"]["exported"] == {"rectangle_frame_select": 3}
    assert data["sizeBytes"] > 0 and data["finishedAt"] >= data["createdAt"]
    assert data["error"] is None
    assert f"/{coco_id}.json?" in data["downloadURL"]
    assert len(json.loads(fetch(data["downloadURL"]))["images"]) == 3
    assert f"/{json_id}.jsonl?" in native["data"]["downloadURL"]
    assert len(fetch(native["data"]["downloadURL"]).splitlines()) == 3
    # The documented download stays the newest finished export.
    extra = api.call(RETRIEVE, {"projectId": project_id})["data"]["extraInfo"]
    assert f"/{json_id}.jsonl?" in extra["downloadResultURL"]


def test_list_exports_is_newest_first_and_shows_unfinished_ones_without_a_link(api):
    project_id = create_project(api, FRAME_CREATE)
    write_items(project_id, api.user_id)
    first = api.call(EXPORT, {"projectId": project_id, "format": "voc"})["data"]["exportId"]
    clock.advance(1)
    second = api.call(EXPORT, {"projectId": project_id, "format": "labelme"})["data"]["exportId"]
    clock.advance(1)
    # An export whose function has not run yet (as when the asynchronous invocation is still on its way).
    queued = ids.new_export_id(clock.now_ms())
    export_rows.create_export(
        project_id,
        queued,
        user_id=api.user_id,
        fmt="coco",
        s3_key=jobs.object_key(api.user_id, project_id, queued, jobs.ExportFormat.COCO),
        now=clock.now_ms(),
    )

    out = api.call(LIST_EXPORTS, {"projectId": project_id})

    assert out["code"] == 0, out
    exports = out["data"]["exports"]
    assert [e["exportId"] for e in exports] == [queued, second, first]
    assert [(e["format"], e["status"]) for e in exports] == [("coco", "queued"), ("labelme", "done"), ("voc", "done")]
    assert (exports[0]["downloadURL"], exports[0]["itemCount"], exports[0]["summary"]) == ("", 0, None)
    assert all(e["downloadURL"] and e["itemCount"] == 3 for e in exports[1:])
    # The documented download is the newest *finished* export.
    extra = api.call(RETRIEVE, {"projectId": project_id})["data"]["extraInfo"]
    assert f"/{second}.zip?" in extra["downloadResultURL"]


def test_an_empty_project_lists_no_exports(api):
    project_id = create_project(api, FRAME_CREATE)

    out = api.call(LIST_EXPORTS, {"projectId": project_id})

    assert (out["code"], out["data"]["exports"]) == (0, [])


def test_another_accounts_project_or_export_is_not_found(api):
    project_id = create_project(api, FRAME_CREATE)
    write_items(project_id, api.user_id)
    export_id = api.call(EXPORT, {"projectId": project_id, "format": "coco"})["data"]["exportId"]
    other = second_account()
    other_project = create_project(other, FRAME_CREATE)

    assert other.call(RETRIEVE_EXPORT, {"projectId": project_id, "exportId": export_id})["code"] == 8
    assert other.call(LIST_EXPORTS, {"projectId": project_id})["code"] == 8
    # Their own project id with our export id: not one of that project's exports.
    assert other.call(RETRIEVE_EXPORT, {"projectId": other_project, "exportId": export_id})["code"] == 2
    assert api.call(RETRIEVE_EXPORT, {"projectId": project_id, "exportId": "nope"})["code"] == 2
    assert api.call(RETRIEVE_EXPORT, {"projectId": project_id})["code"] == 2
    assert ExportModel.get(project_id, export_id).user_id == api.user_id
