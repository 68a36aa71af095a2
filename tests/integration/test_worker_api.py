"""The worker API (/worker/v1) over API Gateway proxy events: bearer tokens, the assignment it hands out, status
codes of every call and their {"error": {"code", "message"}} bodies, the data redirect, the profile."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from worker_api.handler import lambda_handler

from bytebridge.clock import now_ms
from bytebridge.dal.items import ItemModel
from bytebridge.flows.templates import classify_then_box
from bytebridge.settings import get_settings
from bytebridge.workers.tasks import lease_margin
from bytebridge.workers.tokens import create_worker
from local.emulator import LocalContext
from local.gateway import proxy_event
from tests.support.engine import items_of, running_project
from tests.support.timing import POLL_SECONDS, advance_past, settings

CLAIM = "/worker/v1/assignments/claim"
ME = "/worker/v1/me"
ASSIGNMENT_FIELDS = {
    "assignmentId",
    "family",
    "taskType",
    "instruction",
    "question",
    "options",
    "labels",
    "resourceType",
    "dataUrl",
    "dataLocation",
    "leaseExpiresAt",
}


class Response:
    def __init__(self, raw: dict):
        self.status = raw["statusCode"]
        headers = {key: ", ".join(values) for key, values in (raw.get("multiValueHeaders") or {}).items()}
        self.headers = {**headers, **(raw.get("headers") or {})}
        self.text = raw.get("body") or ""
        self.json = json.loads(self.text) if self.text else None

    @property
    def error(self) -> str:
        return self.json["error"]["code"]


def call(method: str, path: str, token: str | None = None, body: dict | str | None = None, **headers) -> Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    raw = (body if isinstance(body, str) else json.dumps(body)).encode() if body is not None else b""
    headers.setdefault("Content-Type", "application/json")
    event = proxy_event(method, path, headers, raw, "127.0.0.1")
    return Response(lambda_handler(event, LocalContext("worker-api")))


def claim(token: str, seconds: float = 15, **body) -> dict:
    """The assignment a claim hands out, retrying while the executions send their messages."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = call("POST", CLAIM, token, body)
        assert response.status == 200, response.text
        if response.json["assignment"] is not None:
            return response.json["assignment"]
        time.sleep(POLL_SECONDS)
    raise AssertionError("no assignment")


def assignment_path(assignment: dict | str, action: str) -> str:
    assignment_id = assignment if isinstance(assignment, str) else assignment["assignmentId"]
    return f"/worker/v1/assignments/{assignment_id}/{action}"


@pytest.fixture
def annotators(aws) -> list[tuple[str, str]]:
    return [create_worker(f"annotator{n}") for n in range(3)]


@pytest.fixture
def project(api) -> str:
    return running_project(api, ["dog"])


def test_given_no_or_a_wrong_token_then_every_call_answers_401(aws, annotators):
    worker_id, token = annotators[0]
    wrong_secret = f"{worker_id}.{'x' * 43}"
    calls = [
        ("POST", CLAIM, {}),
        ("GET", ME, None),
        ("POST", assignment_path("a_x", "submit"), {"answer": {"choice": "dog"}}),
        ("POST", assignment_path("a_x", "heartbeat"), None),
        ("POST", assignment_path("a_x", "release"), {"skip": True}),
    ]
    for method, path, body in calls:
        for headers in ({}, {"Authorization": f"Bearer {wrong_secret}"}, {"Authorization": f"Basic {token}"}):
            response = call(method, path, body=body, **headers)
            assert (response.status, response.error) == (401, "unauthorized"), (path, headers, response.text)
        assert call(method, path, token="w_nobody.secret", body=body).status == 401
    assert call("GET", ME, token).status == 200


def test_given_no_token_and_an_invalid_body_then_it_still_answers_401(aws):
    response = call("POST", CLAIM, body={"waitSeconds": 99})

    assert (response.status, response.error) == (401, "unauthorized")


def test_given_work_when_claimed_then_the_assignment_has_the_documented_fields_and_no_project_or_client_ids(
    api, project, annotators
):
    _, token = annotators[0]
    before = now_ms()

    assignment = claim(token)

    # Settings of other task types (a skeleton, overlapping spans, video sampling) come along, null or default.
    task_settings = {"skeleton", "overlappingSpans", "sampleEvery"}
    assert ASSIGNMENT_FIELDS <= set(assignment) <= ASSIGNMENT_FIELDS | {"reworkComment"} | task_settings
    assert (assignment["family"], assignment["taskType"], assignment["resourceType"]) == (
        "choice",
        "single_choice",
        "image",
    )
    assert assignment["options"] == ["cat", "dog"] and assignment["labels"] == []
    assert assignment["question"] == "Is this a cat or a dog?" and assignment["reworkComment"] is None
    lease_ms = assignment["leaseExpiresAt"] - before
    assert 1800_000 - 5_000 <= lease_ms <= 1800_000 + 5_000  # LEASE_SECONDS default: 30 minutes
    data = urlsplit(assignment["dataUrl"])
    assert data.path == assignment_path(assignment, "data") and parse_qs(data.query)["token"]
    (item,) = items_of(project)
    # Where the data link redirects now (the client's own link: the client chose to host it), so a workbench
    # saves the data call; nothing else names the item, and no project, client or item id is handed out.
    assert assignment["dataLocation"] == item.url
    text = json.dumps({**assignment, "dataLocation": None})
    for secret in (project, api.user_id, item.item_id, item.url):
        assert secret not in text
    assert call("POST", CLAIM, token, {}).json == {"assignment": None}  # one slot of a task per annotator


def test_given_an_empty_queue_when_claiming_then_the_assignment_is_null(aws, annotators):
    _, token = annotators[0]

    response = call("POST", CLAIM, token, {"waitSeconds": 0, "families": ["boxes", "choice"]})

    assert (response.status, response.json) == (200, {"assignment": None})


INVALID_CLAIMS = [
    ({"waitSeconds": 21}, "waitSeconds"),
    ({"waitSeconds": -1}, "waitSeconds"),
    ({"waitSeconds": "soon"}, "waitSeconds"),
    ({"families": ["bogus"]}, "bogus"),
    ({"families": ["choice", "sounds"]}, "sounds"),
    ({"families": ["choice"] * 11}, "families"),
    ({"colour": "red"}, "colour"),
    ("not json", ""),
]


def test_given_an_invalid_claim_body_then_it_answers_422_and_takes_nothing(api, project, annotators):
    _, token = annotators[0]

    for body, says in INVALID_CLAIMS:
        response = call("POST", CLAIM, token, body)

        assert (response.status, response.error) == (422, "invalidRequest"), (body, response.text)
        assert says in response.json["error"]["message"], (body, response.text)
    assert claim(token)["family"] == "choice"  # the task was left for a valid claim


@pytest.mark.parametrize("action", ["claim", "release"])
def test_given_a_call_without_a_body_then_its_defaults_apply(api, project, annotators, action):
    _, token = annotators[0]
    path = CLAIM if action == "claim" else assignment_path(claim(token), "release")

    response = call("POST", path, token)

    assert response.status == 200, response.text


def test_given_an_assignment_then_submit_heartbeat_and_release_answer_their_status_codes(api, project, annotators):
    (_, alice), (_, bob), (_, carol) = annotators
    mine, theirs, third = claim(alice), claim(bob), claim(carol)

    heartbeat = call("POST", assignment_path(mine, "heartbeat"), alice)
    assert heartbeat.status == 200 and set(heartbeat.json) == {"assignmentId", "leaseExpiresAt"}
    assert heartbeat.json["leaseExpiresAt"] >= mine["leaseExpiresAt"]
    invalid = call("POST", assignment_path(mine, "submit"), alice, {"answer": {"choice": "bird"}})
    assert (invalid.status, invalid.error) == (422, "invalidAnswer") and "bird" in invalid.json["error"]["message"]
    no_answer = call("POST", assignment_path(mine, "submit"), alice, {"choice": "dog"})
    assert (no_answer.status, no_answer.error) == (422, "invalidRequest")
    submitted = call("POST", assignment_path(mine, "submit"), alice, {"answer": {"choice": "dog"}})
    assert (submitted.status, submitted.json) == (
        200,
        {"assignmentId": mine["assignmentId"], "status": "submitted", "duplicate": False},
    )
    again = call("POST", assignment_path(mine, "submit"), alice, {"answer": {"choice": "dog"}})
    assert (again.status, again.json["duplicate"]) == (200, True)
    done = call("POST", assignment_path(mine, "heartbeat"), alice)
    assert (done.status, done.error) == (409, "expired")  # nothing left to hold after the submit

    for path in (assignment_path("a_unknown", "submit"), assignment_path(theirs, "submit")):  # bob's is not hers
        response = call("POST", path, alice, {"answer": {"choice": "dog"}})
        assert (response.status, response.error) == (404, "notFound")
    for action, body in (("heartbeat", None), ("release", {"skip": True})):
        for assignment in ("a_unknown", theirs):
            response = call("POST", assignment_path(assignment, action), alice, body)
            assert (response.status, response.error) == (404, "notFound"), (action, response.text)

    released = call("POST", assignment_path(theirs, "release"), bob, {"skip": True})
    assert (released.status, released.json) == (200, {"assignmentId": theirs["assignmentId"], "status": "released"})
    late = call("POST", assignment_path(theirs, "submit"), bob, {"answer": {"choice": "dog"}})
    assert (late.status, late.error) == (409, "released")
    assert call("POST", assignment_path(third, "release"), carol, {"skip": False}).status == 200


def test_given_a_lease_that_ran_out_then_submit_and_heartbeat_answer_409(api, annotators):
    with settings(LEASE_SECONDS="1"):
        running_project(api, ["dog"])
        _, token = annotators[0]
        assignment = claim(token)
        advance_past(assignment["leaseExpiresAt"])

        submit = call("POST", assignment_path(assignment, "submit"), token, {"answer": {"choice": "dog"}})
        heartbeat = call("POST", assignment_path(assignment, "heartbeat"), token)
        data = call("GET", urlsplit(assignment["dataUrl"]).path + "?" + urlsplit(assignment["dataUrl"]).query)

    assert (submit.status, submit.error) == (409, "expired")
    assert (heartbeat.status, heartbeat.error) == (409, "expired")
    assert (data.status, data.error) == (404, "notFound")


def test_given_a_claimed_task_when_its_data_is_fetched_then_it_redirects_to_the_data(api, project, annotators):
    _, token = annotators[0]
    assignment = claim(token)
    url = urlsplit(assignment["dataUrl"])
    (item,) = items_of(project)

    response = call("GET", f"{url.path}?{url.query}")  # a browser's <img>: no Authorization header

    assert response.status == 302 and response.headers["Location"] == item.url
    assert response.headers["Cache-Control"] == "no-store"
    wrong = call("GET", f"{url.path}?token=nope")
    assert (wrong.status, wrong.error) == (404, "notFound")
    assert call("GET", url.path).status == 404


def test_given_an_annotator_then_me_shows_their_profile_and_counts_their_submits(api, project, annotators):
    worker_id, token = annotators[0]

    before = call("GET", ME, token)
    call("POST", assignment_path(claim(token), "submit"), token, {"answer": {"choice": "dog"}})
    after = call("GET", ME, token)

    assert before.status == 200 and before.json == {
        "workerId": worker_id,
        "name": "annotator0",
        "status": "active",
        "goldAnswered": 0,
        "goldCorrect": 0,
        "estimatedAccuracy": 0.8,
        "submitted": 0,
    }
    assert after.json == {**before.json, "submitted": 1}
    assert call("GET", ME, authorization=f"Bearer {token}").json == after.json  # header names in any case


def test_given_a_json_body_sent_without_its_content_type_then_it_is_read_as_json(api):
    _, token = create_worker("curl user")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}
    event = proxy_event("POST", "/worker/v1/assignments/claim", headers, b'{"waitSeconds": 0}', "127.0.0.1")

    response = lambda_handler(event, LocalContext("worker-api"))

    assert response["statusCode"] == 200, response
    assert json.loads(response["body"]) == {"assignment": None}


@pytest.mark.parametrize("ours", [True, False], ids=["our data bucket", "a client's bucket"])
def test_given_an_s3_item_then_its_data_is_presigned_in_our_bucket_and_never_handed_out_raw(
    api, project, annotators, ours
):
    (item,) = items_of(project)
    bucket = get_settings().data_bucket if ours else "client-private-bucket"
    key = f"{api.user_id}/{project}/dog.jpg"
    item.update(actions=[ItemModel.url.set(f"s3://{bucket}/{key}")])  # as submitResource stored an s3:// link
    _, token = annotators[0]
    url = urlsplit(claim(token)["dataUrl"])

    response = call("GET", f"{url.path}?{url.query}")

    if ours:
        location = urlsplit(response.headers["Location"])
        assert response.status == 302 and location.scheme in {"http", "https"}
        assert location.path.endswith(f"{bucket}/{key}") or location.path == f"/{key}"
        assert "X-Amz-Signature" in location.query
    else:
        assert (response.status, response.error) == (404, "notFound")
        assert "s3://" not in response.text and bucket not in response.text


def test_given_an_annotator_whose_lease_ran_out_then_they_may_claim_that_task_again(api, annotators):
    # Walking away is not refusing: only a submit or a skip keeps a task from its annotator for good. One slot, so
    # the task can only come back to this annotator (else a crowd that walked away could leave it unclaimable).
    flow = classify_then_box().dump()
    flow["nodes"][0]["overlap"] = {"minOverlap": 1, "maxOverlap": 1}
    with settings(LEASE_SECONDS="1"):
        running_project(api, ["dog"], flow=flow)
        _, token = annotators[0]
        first = claim(token)
        advance_past(first["leaseExpiresAt"] + lease_margin(1) * 1000)  # its message is visible again
        again = claim(token)
        late = call("POST", assignment_path(first, "submit"), token, {"answer": {"choice": "dog"}})
        submitted = call("POST", assignment_path(again, "submit"), token, {"answer": {"choice": "dog"}})

    assert again["assignmentId"] != first["assignmentId"]
    assert late.status == 409
    assert submitted.status == 200, submitted.text


def test_given_submit_with_next_then_it_stores_the_answer_and_claims_the_next_task_in_the_same_call(api, annotators):
    project = running_project(api, ["dog", "cat"])  # two items: two classify tasks
    (_, alice), (_, bob), _ = annotators
    urls = {item.url for item in items_of(project)}
    first = claim(alice)
    next_claim = {"families": ["choice"], "waitSeconds": 0}

    chained = call("POST", assignment_path(first, "submit"), alice, {"answer": {"choice": "dog"}, "next": next_claim})

    assert chained.status == 200, chained.text
    following = chained.json["next"]["assignment"]
    assert {k: chained.json[k] for k in ("assignmentId", "status", "duplicate")} == {
        "assignmentId": first["assignmentId"],
        "status": "submitted",
        "duplicate": False,
    }
    assert following is not None and following["assignmentId"] != first["assignmentId"]
    assert set(following) >= ASSIGNMENT_FIELDS and following["taskType"] == "single_choice"
    assert {first["dataLocation"], following["dataLocation"]} == urls  # the other item: never the same task twice
    # The chained assignment is an ordinary lease: its data link, heartbeat and submit work as a claim's do.
    data = urlsplit(following["dataUrl"])
    assert call("GET", f"{data.path}?{data.query}").headers["Location"] == following["dataLocation"]
    assert call("POST", assignment_path(following, "heartbeat"), alice).status == 200
    last = call("POST", assignment_path(following, "submit"), alice, {"answer": {"choice": "cat"}, "next": next_claim})
    assert (last.status, last.json["next"]) == (200, {"assignment": None})  # she has judged both tasks
    assert call("GET", ME, alice).json["submitted"] == 2
    # Without `next` the answer is the one it always was, and a repeated submit with `next` is still a duplicate.
    theirs = claim(bob)
    plain = call("POST", assignment_path(theirs, "submit"), bob, {"answer": {"choice": "dog"}})
    assert set(plain.json) == {"assignmentId", "status", "duplicate"}
    again = call("POST", assignment_path(theirs, "submit"), bob, {"answer": {"choice": "dog"}, "next": next_claim})
    assert again.status == 200 and again.json["duplicate"] is True and "next" in again.json


def test_given_an_invalid_next_claim_then_submit_answers_422_and_stores_nothing(api, project, annotators):
    _, token = annotators[0]
    assignment = claim(token)

    bad = call("POST", assignment_path(assignment, "submit"), token, {"answer": {"choice": "dog"}, "next": {"x": 1}})

    assert (bad.status, bad.error) == (422, "invalidRequest")
    assert call("GET", ME, token).json["submitted"] == 0
    assert call("POST", assignment_path(assignment, "submit"), token, {"answer": {"choice": "dog"}}).status == 200
