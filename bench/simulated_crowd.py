"""Simulated annotators working through the worker API, in-process: each call is an API Gateway proxy event
handed to the worker-api function (as local.gateway does), so authentication, validation and the data-link
redirect run as they would behind API Gateway, and each call is one API request.

Judgments are reproducible: an annotator's answer to a task is a function of (item, node, annotator) alone,
from an RNG seeded by that triple, so the fixed-overlap baselines can ask "what would annotator X have said
about this task" offline and get exactly what X said (or would have said) live.
"""

import json
import random
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import local.emulator
from bench.aws_meter import Meter
from bytebridge.settings import resource_name
from bytebridge.signing import signed_headers
from bytebridge.workers.tokens import create_worker
from bytebridge.workers.work import data_location
from local.annotators import SimulatedAnnotator, truth_of
from local.gateway import proxy_event

HOST = "api.bench.local"
FAMILIES = ["choice", "boxes"]  # the families this flow uses: an annotator trained on both polls just these


def judge(annotator: SimulatedAnnotator, seed: int, item_url: str, node_id: str, assignment: dict) -> dict:
    """The answer of `annotator` to the task (item, node): the same every time it is asked."""
    rng = random.Random(f"{seed}|{item_url}|{node_id}|{annotator.name}")
    return SimulatedAnnotator(annotator.name, annotator.accuracy, rng).answer(assignment, truth_of(item_url))


def _lambda(function: str, event: dict) -> dict:
    # Looked up at call time: the meter wraps local.emulator.invoke_handler.
    result, failed = local.emulator.invoke_handler(resource_name(function), event)
    if failed:
        raise RuntimeError(f"{function} failed: {result.get('errorMessage')}")
    return result


class ClientApi:
    """The signed client API through the client-api function, one API request per call."""

    def __init__(self, meter: Meter, user_id: str, secret: str):
        self.meter, self.user_id, self.secret = meter, user_id, secret

    def call(self, path: str, params: dict) -> dict:
        body = json.dumps({"userId": self.user_id, "params": params})
        headers = signed_headers(self.user_id, body, self.secret, _now_ms())
        self.meter.api_request(f"client POST {path.removeprefix('/api/v1')}")
        answer = json.loads(
            _lambda("client-api", proxy_event("POST", path, headers, body.encode(), "127.0.0.1"))["body"]
        )
        if answer["code"] != 0:
            raise RuntimeError(f"{path}: {answer}")
        return answer["data"]


def _location(response: dict) -> str:
    """The redirect's target, from a REST API proxy response (powertools sets multiValueHeaders)."""
    if location := (response.get("headers") or {}).get("Location"):
        return location
    values = (response.get("multiValueHeaders") or {}).get("Location")
    if response.get("statusCode") != 302 or not values:
        raise RuntimeError(f"data link did not redirect: {response.get('statusCode')} {response.get('body')}")
    return values[0]


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Task:
    """One task (item, node) as the live run saw it: who answered it, in claim order, and what."""

    item_url: str
    node_id: str
    annotators: list[str] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)


@dataclass
class CrowdStats:
    claims: int = 0
    empty_claims: int = 0
    submits: int = 0
    refused: dict[int, int] = field(default_factory=dict)  # HTTP status → refused submits


class Crowd:
    """A pool of annotators taking turns: each claims (no long poll), looks at the data, answers, submits."""

    def __init__(self, meter: Meter, pool: list[SimulatedAnnotator], seed: int, node_of_type: dict[str, str]):
        self.meter, self.pool, self.seed, self.node_of_type = meter, pool, seed, node_of_type
        created = {a.name: create_worker(a.name) for a in pool}
        self.worker_ids = {name: worker_id for name, (worker_id, _) in created.items()}
        self.tokens = {name: token for name, (_, token) in created.items()}
        self.tasks: dict[tuple[str, str], Task] = {}  # (item URL, node id) → the live judgments, in claim order
        self.stats = CrowdStats()
        self.data_route_error: str | None = None  # set when the worker API's data route fails

    def _call(self, annotator: SimulatedAnnotator, method: str, path: str, body: dict | None, route: str):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {self.tokens[annotator.name]}",
            "Content-Type": "application/json",
        }
        raw = json.dumps(body).encode() if body is not None else b""
        response = _lambda("worker-api", proxy_event(method, path, headers, raw, "127.0.0.1"))
        self.meter.api_request(route)
        return response

    def _look(self, annotator: SimulatedAnnotator, assignment: dict) -> str:
        """Follow the assignment's data link: its redirect names the item's URL, which holds the truth."""
        link = urlsplit(assignment["dataUrl"])
        route = "worker GET /assignments/{id}/data"
        if self.data_route_error is None:
            try:
                return _location(self._call(annotator, "GET", f"{link.path}?{link.query}", None, route))
            except RuntimeError as exc:
                self.data_route_error = str(exc).splitlines()[0]
        # The route is broken (reported with the figures): do what it would do, timed as the same function.
        token = parse_qs(link.query)["token"][0]
        direct = self.meter.invocations(lambda _name, _event: (data_location(assignment["assignmentId"], token), False))
        self.meter.api_request(route)
        return direct(resource_name("worker-api"), None)[0]

    def _claim(self, annotator: SimulatedAnnotator) -> dict | None:
        """One claim: the assignment it got, or None (counted as an empty claim)."""
        claimed = self._call(
            annotator,
            "POST",
            "/worker/v1/assignments/claim",
            {"families": FAMILIES, "waitSeconds": 0},
            "worker POST /assignments/claim",
        )
        self.stats.claims += 1
        assignment = json.loads(claimed["body"])["assignment"]
        if assignment is None:
            self.stats.empty_claims += 1
            self.meter.api_request("  of which found no work")
        return assignment

    def work_once(self, annotator: SimulatedAnnotator) -> bool:
        """One claim and, if it got a task, its data link and submit. Returns whether it got a task."""
        assignment = self._claim(annotator)
        if assignment is None:
            return False
        item_url = self._look(annotator, assignment)
        node_id = self.node_of_type[assignment["taskType"]]
        answer = judge(annotator, self.seed, item_url, node_id, assignment)
        path = f"/worker/v1/assignments/{assignment['assignmentId']}/submit"
        submitted = self._call(annotator, "POST", path, {"answer": answer}, "worker POST /assignments/{id}/submit")
        self.stats.submits += 1
        if submitted["statusCode"] != 200:
            status = submitted["statusCode"]
            self.stats.refused[status] = self.stats.refused.get(status, 0) + 1
            return True
        # One driver thread claims and submits in turn, so submit order is claim order.
        task = self.tasks.setdefault((item_url, node_id), Task(item_url, node_id))
        task.annotators.append(annotator.name)
        task.answers.append(answer)
        return True

    def round(self) -> int:
        """Every annotator once, in pool order; returns how many got a task."""
        return sum(self.work_once(annotator) for annotator in self.pool)
