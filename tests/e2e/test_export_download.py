"""A client outside the platform's process downloads an export through retrieveProject's presigned URL."""

import json
import time
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from pycocotools.coco import COCO

from bytebridge.settings import resource_name
from bytebridge.signing import signed_headers

pytestmark = pytest.mark.xdist_group("platform")


def call(platform, path: str, params: dict) -> dict:
    body = json.dumps({"userId": platform.user_id, "params": params})
    headers = signed_headers(platform.user_id, body, platform.secret, int(time.time() * 1000))
    response = requests.post(platform.base_url + path, data=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def finish_items(platform, project_id: str) -> None:
    """Stand in for the engine: mark the project's uploaded items labeled, through the local S3 endpoint
    (moto's server shares the platform's emulated DynamoDB)."""
    port = urlsplit(platform.base_url).port + 1  # the platform's default S3 endpoint port
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    items = dynamodb.query(
        TableName=resource_name("items"),
        KeyConditionExpression="project_id = :p",
        ExpressionAttributeValues={":p": {"S": project_id}},
    )["Items"]
    for n, item in enumerate(items):
        answer = {"imageWidth": 100, "imageHeight": 80, "boxes": [{"label": "car", "x": n, "y": 2, "w": 10, "h": 5}]}
        result = {"endNode": "end", "path": ["frame", "end"], "answers": {"frame": answer}}
        dynamodb.update_item(
            TableName=resource_name("items"),
            Key={"project_id": item["project_id"], "item_id": item["item_id"]},
            UpdateExpression="SET #s = :s, #r = :r",
            ExpressionAttributeNames={"#s": "status", "#r": "result"},
            ExpressionAttributeValues={":s": {"S": "completed"}, ":r": {"S": json.dumps(result)}},
        )


def test_the_download_url_serves_the_export_to_an_outside_client(platform, tmp_path):
    created = call(
        platform,
        "/api/v1/projects",
        {
            "projectName": f"export download {time.time_ns()}",
            "type": "image_rectangle_frame_select",
            "target": "cars",
            "taskType": "rectangle_frame_select",
        },
    )
    project_id = created["data"]["projectId"]
    urls = [f"https://data.example.com/{n}.jpg" for n in range(2)]
    submitted = call(
        platform,
        "/api/v1/projects/submitResource",
        {"projectId": project_id, "resourceType": "image", "resourceURLs": urls},
    )
    assert submitted["code"] == 0, submitted
    finish_items(platform, project_id)

    exported = call(platform, "/api/v1/projects/exportResult", {"projectId": project_id, "format": "coco"})
    extra = call(platform, "/api/v1/projects/retrieveProject", {"projectId": project_id})["data"]["extraInfo"]

    assert exported["data"]["status"] == "done", exported
    assert extra["downloadableResultNum"] == 2
    download = requests.get(extra["downloadResultURL"], timeout=30)
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    path = tmp_path / "export.json"
    path.write_bytes(download.content)
    coco = COCO(str(path))
    assert sorted(img["coco_url"] for img in coco.imgs.values()) == urls
    assert sorted(ann["bbox"][0] for ann in coco.anns.values()) == [0, 1]
