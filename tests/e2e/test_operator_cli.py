"""The operator CLI (ops/cli.py, `make ops`) against the local platform over HTTP: it signs in as the demo
operator through /auth/v1 and drives the review of a project the demo client submitted."""

import json
import uuid

import pytest

from local.annotators import make_dataset, project_params
from local.simulate import Client
from ops.cli import main

pytestmark = pytest.mark.xdist_group("platform")


def _ops(capsys, platform, *args: str) -> dict:
    main(["--url", platform.base_url, *args])
    return json.loads(capsys.readouterr().out)


def test_reject_then_approve_through_the_cli(platform, capsys):
    client = Client(platform.base_url, platform.user_id, platform.secret)
    project_id = client.call("/api/v1/projects", project_params(f"cli {uuid.uuid4().hex[:8]}"))["projectId"]
    urls = list(make_dataset(3, seed=11))
    client.call(
        "/api/v1/projects/submitResource", {"projectId": project_id, "resourceType": "image", "resourceURLs": urls}
    )
    client.call("/api/v1/projects/alterState", {"projectId": project_id, "type": "start"})

    queue = _ops(capsys, platform, "reviews", "list")["reviews"]
    assert project_id in [entry["projectId"] for entry in queue]
    rejected = _ops(capsys, platform, "reject", project_id, "--reason", "flow_logic", "--note", "two questions in one")
    assert rejected["status"] == "draft" and rejected["reasons"] == ["flow_logic"]
    review = client.call("/api/v1/projects/retrieveProject", {"projectId": project_id})["review"]
    assert review == {"reasons": ["flow_logic"], "note": "two questions in one"}

    client.call("/api/v1/projects/alterState", {"projectId": project_id, "type": "start"})
    assert _ops(capsys, platform, "trial-size", project_id, "2")["trialSize"] == 2
    assert _ops(capsys, platform, "approve", project_id) == {"projectId": project_id, "status": "trial", "trialSize": 2}
    with pytest.raises(SystemExit, match="409 conflict"):
        main(["--url", platform.base_url, "approve", project_id])
    actions = [(e["action"], e["target"]) for e in _ops(capsys, platform, "audit")["entries"]]
    assert [a for a in actions if a[1] == project_id] == [
        ("reject", project_id),
        ("trialSize", project_id),
        ("approve", project_id),
    ]


def test_billing_disputes_through_the_cli(platform, capsys):
    assert "disputes" in _ops(capsys, platform, "billing-disputes")
    with pytest.raises(SystemExit, match="404 not_found"):
        main(["--url", platform.base_url, "accept-dispute", platform.user_id, "d-unknown", "100"])
    with pytest.raises(SystemExit, match="404 not_found"):
        main(["--url", platform.base_url, "reject-dispute", platform.user_id, "d-unknown", "not ours"])
