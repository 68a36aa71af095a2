"""Helpers of the engine tests: a running project of the classify-then-box flow on emulated AWS, annotators
working through bytebridge.workers in-process (the worker API's logic, without HTTP), and waits on the
asynchronous Step Functions executions (moto runs each in a thread)."""

import time
import uuid
from collections.abc import Callable

from bytebridge.aws import client
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.dal.workers import WorkerModel
from bytebridge.engine.launch import activate_project
from bytebridge.flows.templates import classify_then_box
from bytebridge.settings import get_settings
from bytebridge.workers import claim as claiming
from bytebridge.workers import work
from bytebridge.workers.claim import Claimed
from bytebridge.workers.tokens import authenticate, create_worker
from local.annotators import IMAGE_HEIGHT, IMAGE_WIDTH
from tests.support.client import ClientApi
from tests.support.client_api import ALTER, SUBMIT, create_project
from tests.support.timing import POLL_SECONDS, wait_for

SET_FLOW = "/api/v1/projects/setFlow"
RETRIEVE = "/api/v1/projects/retrieveProject"
CAT_BOX = {"label": "cat", "x": 10, "y": 20, "w": 100, "h": 80}


def image_urls(labels: list[str]) -> list[str]:
    return [f"https://files.example.com/{label}/{n:04d}-{uuid.uuid4().hex[:6]}.jpg" for n, label in enumerate(labels)]


def label_of(url: str) -> str:
    return url.split("/")[3]


def running_project(api: ClientApi, labels: list[str], *, template: str | None = "classify-then-box", flow=None) -> str:
    """A project with one image per label, its flow set, started and activated: executions are running."""
    project_id = create_project(
        api,
        projectName=f"engine {uuid.uuid4().hex[:8]}",
        options=[{"value": "cat"}, {"value": "dog"}],
        question="cat or dog?",
    )
    flow_params = {"flow": flow} if flow is not None else {"template": template}
    assert api.call(SET_FLOW, {"projectId": project_id, **flow_params})["code"] == 0
    urls = image_urls(labels)
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    activate_project(api.user_id, project_id)
    return project_id


def fixed_overlap(n: int, nodes: tuple[str, ...] = ("classify", "box")) -> dict:
    """classify-then-box asking exactly `n` annotators per task of `nodes` (tests that count slots and judgments;
    the template's own overlap is adaptive)."""
    flow = classify_then_box().dump()
    for node in flow["nodes"]:
        if node["id"] in nodes:
            node["overlap"] = {**node["overlap"], "minOverlap": n, "maxOverlap": n}
    return flow


def workers(count: int, prefix: str = "w") -> list[WorkerModel]:
    return [authenticate("Bearer " + create_worker(f"{prefix}{n}")[1]) for n in range(count)]


def claim_within(worker: WorkerModel, seconds: float = 15, families: list[str] | None = None) -> Claimed | None:
    """Claim, retrying while the executions have not yet sent their messages."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (claimed := claiming.claim(worker, families, 0)) is not None:
            return claimed
        time.sleep(POLL_SECONDS)
    return None


def truthful(claimed: Claimed, url: str) -> dict:
    """The right answer for the simulated image at `url`."""
    if claimed.node.task_type == "single_choice":
        return {"choice": label_of(url)}
    return {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "boxes": [CAT_BOX]}


Answerer = Callable[[WorkerModel, Claimed, str], dict | None]


def work_until(
    predicate: Callable[[], bool],
    crowd: list[WorkerModel],
    answer: Answerer = lambda w, c, u: truthful(c, u),
    seconds: float = 60,
) -> int:
    """Let the crowd claim and submit (answer → None: walk away) until `predicate()`; returns submits."""
    deadline, submitted = time.monotonic() + seconds, 0
    while not predicate():
        assert time.monotonic() < deadline, "the engine did not get there in time"
        idle = True
        for worker in crowd:
            claimed = claiming.claim(worker, None, 0)
            if claimed is None:
                continue
            idle = False
            url = work.data_location(claimed.assignment_id, claimed.data_token)
            payload = answer(worker, claimed, url)
            if payload is not None:
                work.submit(worker, claimed.assignment_id, payload)
                submitted += 1
        if idle:
            time.sleep(POLL_SECONDS)
    return submitted


def project_row(api: ClientApi, project_id: str) -> ProjectModel:
    return ProjectModel.get(api.user_id, project_id, consistent_read=True)


def completed(api: ClientApi, project_id: str) -> Callable[[], bool]:
    return lambda: project_row(api, project_id).status == "completed"


def items_of(project_id: str) -> list[ItemModel]:
    return sorted(ItemModel.query(project_id, consistent_read=True), key=lambda item: item.item_id)


def queue_depths() -> dict[str, int]:
    """Visible + in-flight messages of every task queue and the DLQ, by catalog name."""
    sqs, depths = client("sqs"), {}
    for url in sqs.list_queues(QueueNamePrefix="bytebridge-local-tasks")["QueueUrls"]:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        name = url.rsplit("/", 1)[1].removeprefix("bytebridge-local-")
        depths[name] = int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )
    return depths


def executions(status: str | None = None) -> list[dict]:
    """The item flow's executions (local.reset forgets them between tests)."""
    machine = get_settings().state_machine_arn
    kwargs = {"stateMachineArn": machine, **({"statusFilter": status} if status else {})}
    return client("stepfunctions").list_executions(**kwargs)["executions"]


def executions_ended(seconds: float = 10) -> None:
    """Wait until no execution runs: an execution ends a moment after its last step wrote its item."""
    wait_for(lambda: not executions("RUNNING"), seconds=seconds)
