"""The five request samples of the documentation, run verbatim (only the host, the credentials and the sample
project ids replaced) against the local platform, in the documentation's order.

The samples print `json.dumps(json.loads(res))`, which raises on a Response object and falls back to
`print(res.text)`: what they print is our answer as sent.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.xdist_group("platform")

SAMPLES = Path(__file__).parent / "samples"
DOCUMENTED_HOST = "http://api.bytebridge.io:20000"
DOCUMENTED_USER_ID = "U_10BF4B46DD4811EA93476C96CFDDE73D"
DOCUMENTED_SECRET = "test_78pbttim3mykypuoswidgzor6fv1u2rj"
DOCUMENTED_PROJECT_IDS = ("p272_TJMngfdY", "p273_j85WwxK7")
SUCCESS_KEYS = {"code", "successMsg", "timestamp", "userId", "data"}
ERROR_KEYS = {"code", "errorMsg", "timestamp", "userId"}


def run_sample(name: str, platform, project_id: str = "") -> dict:
    source = (SAMPLES / name).read_text(encoding="utf-8")
    assert DOCUMENTED_HOST in source and DOCUMENTED_SECRET in source
    source = (
        source.replace(DOCUMENTED_HOST, platform.base_url)
        .replace(DOCUMENTED_SECRET, platform.secret)
        .replace(DOCUMENTED_USER_ID, platform.user_id)
    )
    for documented_id in DOCUMENTED_PROJECT_IDS:
        source = source.replace(documented_id, project_id)
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["userId"] == platform.user_id
    return printed


def _success(printed: dict) -> dict:
    assert set(printed) == SUCCESS_KEYS, printed
    assert printed["code"] == 0 and printed["successMsg"] == "success"
    return printed["data"]


def test_the_documented_samples_run_against_the_local_platform(platform):
    # 项目创建 (its url ends in "/": the trailing-slash variant through the gateway)
    created = _success(run_sample("create_project.py", platform))
    project_id = created["projectId"]
    assert project_id.startswith("p") and "_" in project_id
    assert {"projectId", "type", "name", "taskType", "instruction", "qiestion", "extra", "created"} <= set(created)
    assert created["name"] == "api test project" and created["qiestion"] == created["question"]
    assert created["extra"]["options"] == [{"value": "cat"}, {"value": "dog"}, {"value": "unknown"}]

    # 项目更新
    updated = _success(run_sample("update_project.py", platform, project_id))
    assert updated["projectId"] == project_id and updated["name"] == "first change for demo"
    assert updated["qiestion"] == "dog or pig in picture" and updated["projectStatus"] == 0

    # 项目检索
    retrieved = _success(run_sample("retrieve_project.py", platform, project_id))
    assert retrieved["projectData"]["projectName"] == "first change for demo"
    assert retrieved["projectData"]["projectStatus"] == "draft"
    assert retrieved["extraInfo"] == {"downloadableResultNum": 0, "downloadResultURL": ""}

    # 资源上传
    submitted = _success(run_sample("submit_resource.py", platform, project_id))
    assert submitted["resourceType"] == "image" and len(submitted["resourceDta"]) == 2
    assert submitted["resourceDta"] == submitted["resourceData"]

    # 项目状态: start, then the documented answer to starting again
    started = _success(run_sample("alter_state.py", platform, project_id))
    assert started["projectId"] == project_id and started["alterType"] == "start"
    again = run_sample("alter_state.py", platform, project_id)
    assert set(again) >= ERROR_KEYS and again["code"] == 13
    assert again["errorMsg"] == "The project is under review"

    # and the documented retrieve response: under review, with its items counted
    progress = _success(run_sample("retrieve_project.py", platform, project_id))["projectData"]
    assert progress["projectStatus"] == "checking"
    assert progress["projectItemQuantity"] == progress["noStartQuantity"] == 2
    assert progress["amountSpent"] == 0.0


def test_the_openapi_document_is_served_over_http(platform):
    response = requests.get(f"{platform.base_url}/api/v1/openapi.json", timeout=10)

    assert response.status_code == 200
    assert "/api/v1/projects/alterState" in response.json()["paths"]


def test_documented_errors_come_back_with_http_200_in_the_envelope(platform):
    response = requests.post(f"{platform.base_url}/api/v1/projects/nothing", data="{}", timeout=10)
    wrong_method = requests.get(f"{platform.base_url}/api/v1/projects", timeout=10)

    assert response.status_code == 200 and response.json()["code"] == 4
    assert wrong_method.status_code == 200 and wrong_method.json()["code"] == 5
