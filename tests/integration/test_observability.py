"""Business metrics from real runs of the decorated handlers on emulated AWS: annotators claim and submit through
the worker API, the item state machine runs the consensus function on its own threads, the client API's
exportResult runs the export job inline. Each invocation writes what it counted as one CloudWatch EMF blob on
stdout (what Lambda ships to CloudWatch), and only what it counted."""

import json
import os

import pytest
from worker_api.handler import lambda_handler as worker_api

from bytebridge.enums import ItemStatus
from bytebridge.observability import BusinessMetric
from bytebridge.workers.tokens import create_worker
from local.emulator import LocalContext
from local.gateway import proxy_event
from tests.support.engine import items_of, running_project
from tests.support.timing import wait_for

CLAIM = "/worker/v1/assignments/claim"
EXPORT = "/api/v1/projects/exportResult"
CLAIM_METRICS = {BusinessMetric.CLAIMS_SERVED, BusinessMetric.CLAIMS_EMPTY}
ENGINE_METRICS = {BusinessMetric.CONSENSUS_ROUNDS, BusinessMetric.ITEMS_FINISHED, BusinessMetric.ITEMS_FAILED}


class Emf:
    """The EMF blobs written to stdout so far (other threads' too: capsys replaces sys.stdout for all)."""

    def __init__(self, capsys):
        self.capsys, self.blobs = capsys, []

    def read(self) -> list[dict]:
        out = self.capsys.readouterr().out
        self.blobs += [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
        return self.blobs

    def counted(self, blob: dict) -> dict[str, list[float]]:
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        return {metric["Name"]: blob[metric["Name"]] for metric in directive["Metrics"]}

    def total(self, name: str) -> float:
        return sum(sum(self.counted(blob).get(name, [])) for blob in self.read())


@pytest.fixture
def emf(aws, capsys, monkeypatch) -> Emf:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    return Emf(capsys)


def worker_call(path: str, token: str, body: dict) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    event = proxy_event("POST", path, headers, json.dumps(body).encode(), "127.0.0.1")
    response = worker_api(event, LocalContext("worker-api"))
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


def test_labeling_and_exporting_an_item_is_counted_by_each_invocation_that_did_it(api, emf):
    project_id = running_project(api, ["dog"])
    tokens = [create_worker(f"annotator{n}")[1] for n in range(3)]
    claims = served = 0

    def annotators_work() -> bool:
        nonlocal claims, served
        for token in tokens:
            assignment = worker_call(CLAIM, token, {})["assignment"]
            claims += 1
            if assignment is not None:
                served += 1
                path = f"/worker/v1/assignments/{assignment['assignmentId']}/submit"
                worker_call(path, token, {"answer": {"choice": "dog"}})
        return items_of(project_id)[0].status == ItemStatus.COMPLETED

    wait_for(annotators_work, seconds=60)
    wait_for(lambda: emf.total(BusinessMetric.ITEMS_FINISHED) >= 1)  # the consensus invocation ends after the write
    assert api.call(EXPORT, {"projectId": project_id, "format": "json"})["code"] == 0  # the export job runs inline

    blobs = emf.read()
    for blob in blobs:
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        assert (directive["Namespace"], directive["Dimensions"]) == ("ByteBridge", [["stage", "service"]])
        assert (blob["service"], blob["stage"]) == (os.environ["POWERTOOLS_SERVICE_NAME"], "local")
    counted = [emf.counted(blob) for blob in blobs]
    # Every claim call: one blob of its own, with its one count.
    claim_blobs = [c for c in counted if set(c) & CLAIM_METRICS]
    assert len(claim_blobs) == claims
    assert all(len(c) == 1 and next(iter(c.values())) == [1.0] for c in claim_blobs)
    assert emf.total(BusinessMetric.CLAIMS_SERVED) == served >= 1
    assert emf.total(BusinessMetric.CLAIMS_EMPTY) == claims - served
    # The consensus steps (on the executions' threads): rounds and the finished item, never a claim of the API's.
    engine_blobs = [c for c in counted if set(c) & ENGINE_METRICS]
    assert engine_blobs and all(set(c) <= ENGINE_METRICS for c in engine_blobs)
    assert emf.total(BusinessMetric.CONSENSUS_ROUNDS) >= 1
    assert emf.total(BusinessMetric.ITEMS_FINISHED) == 1
    assert emf.total(BusinessMetric.ITEMS_FAILED) == 0
    # exportResult: the export job's blob with the item it wrote; the client API invocation around it counted
    # nothing and wrote nothing.
    assert [c for c in counted if BusinessMetric.EXPORTED_ITEMS in c] == [{"ExportedItems": [1.0]}]
    assert len(blobs) == len(claim_blobs) + len(engine_blobs) + 1
