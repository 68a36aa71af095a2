"""Gold tasks on the running engine: a classify node with gold rate 0.5 (a custom flow from the classify-then-box
template) and known answers added by submitGold. Gold grades annotators (blocking below 70% after 5 gold
answers), never counts as a judgment of a real item, and moves vote weights in consensus."""

import json
import uuid

import pytest
from worker_api.handler import lambda_handler as worker_api

from bytebridge import clock
from bytebridge.consensus import Judgment, consolidate
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel, item_key
from bytebridge.dal.workers import DAY_MS, WorkerModel
from bytebridge.engine.launch import activate_project
from bytebridge.flows.model import Overlap
from bytebridge.flows.templates import classify_then_box
from bytebridge.workers import claim as claiming
from bytebridge.workers import work
from bytebridge.workers.errors import WorkerError, WorkerErrorCode
from bytebridge.workers.tokens import authenticate, create_worker
from local.emulator import LocalContext
from local.gateway import proxy_event
from tests.support.client_api import ALTER, SUBMIT, create_project
from tests.support.delivery import RETRIEVE_RESULT
from tests.support.engine import (
    SET_FLOW,
    claim_within,
    completed,
    image_urls,
    items_of,
    label_of,
    truthful,
    work_until,
    workers,
)
from tests.support.timing import advance_past

SUBMIT_GOLD = "/api/v1/projects/submitGold"
GOLD_LABELS = ["cat", "dog", "cat", "dog", "cat", "dog"]


def gold_flow(**overlap) -> dict:
    flow = classify_then_box().dump()
    classify = flow["nodes"][0]
    assert classify["id"] == "classify"
    classify["gold"] = {"rate": 0.5, "qualifying": 0}  # these tests meet real tasks from the first claim
    if overlap:
        classify["overlap"] = Overlap(**overlap).model_dump(by_alias=True)
    return flow


def gold_urls(labels: list[str]) -> list[str]:
    return [f"https://files.example.com/{label}/gold-{n}-{uuid.uuid4().hex[:6]}.jpg" for n, label in enumerate(labels)]


def gold_project(api, labels: list[str], flow: dict) -> str:
    """A project of `flow` with one image per label and six gold images of the classify node, running."""
    project_id = create_project(
        api, projectName=f"gold {uuid.uuid4().hex[:8]}", options=[{"value": "cat"}, {"value": "dog"}]
    )
    assert api.call(SET_FLOW, {"projectId": project_id, "flow": flow})["code"] == 0
    gold = [{"resourceURL": url, "answer": {"choice": label_of(url)}} for url in gold_urls(GOLD_LABELS)]
    out = api.call(SUBMIT_GOLD, {"projectId": project_id, "nodeId": "classify", "resourceType": "image", "items": gold})
    assert out["code"] == 0 and len(out["data"]["goldIds"]) == len(GOLD_LABELS), out
    urls = image_urls(labels)
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    activate_project(api.user_id, project_id)
    return project_id


def annotator(name: str) -> tuple[WorkerModel, str]:
    _, token = create_worker(name)
    return authenticate("Bearer " + token), token


def fresh(worker: WorkerModel) -> WorkerModel:
    return WorkerModel.get(worker.worker_id, consistent_read=True)


def is_gold(url: str) -> bool:
    return "/gold-" in url


def wrong(label: str) -> str:
    return "dog" if label == "cat" else "cat"


def worker_call(method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = worker_api(proxy_event(method, path, headers, raw, "127.0.0.1"), LocalContext("worker-api"))
    return response["statusCode"], json.loads(response["body"]) if response["body"] else {}


def me(token: str) -> dict:
    status, profile = worker_call("GET", "/worker/v1/me", token)
    assert status == 200, profile
    return profile


def answer_gold(worker: WorkerModel, count: int, answer, real_claims: str = "give back") -> int:
    """Claim until `count` gold tasks were answered with answer(truth); real tasks met on the way are given back
    (skip=False: they may come again). Returns the claims it took."""
    answered = claims = 0
    while answered < count:
        claims += 1
        assert claims < 200, "the gold rate did not serve gold"
        claimed = claim_within(fresh(worker))
        url = work.data_location(claimed.assignment_id, claimed.data_token)
        if is_gold(url):
            assert work.submit(worker, claimed.assignment_id, {"choice": answer(label_of(url))}) is False
            answered += 1
        else:
            work.release(worker, claimed.assignment_id, skip=False)
    return claims


def next_day() -> None:
    """Move the clock to 01:00 UTC of the next day: /me shows gold answers of settled blocks only, which settle at
    UTC midnight (bytebridge.workers.gold.settled_record)."""
    advance_past((clock.now_ms() // DAY_MS + 1) * DAY_MS + 3_600_000)


def test_given_an_annotator_who_answers_gold_wrong_then_they_are_blocked_after_five_gold_answers(api):
    next_day()
    gold_project(api, ["dog"], gold_flow())
    bad, token = annotator("careless")

    answer_gold(bad, 4, wrong)
    assert (fresh(bad).status, fresh(bad).gold_total, fresh(bad).gold_correct) == ("active", 4, 0)
    answer_gold(bad, 1, wrong)

    blocked = fresh(bad)
    assert (blocked.status, blocked.gold_total, blocked.gold_correct) == ("blocked", 5, 0)
    assert blocked.blocked_at is not None
    with pytest.raises(WorkerError) as raised:
        claiming.claim(blocked, None, 0)
    assert (raised.value.code, raised.value.status) == (WorkerErrorCode.BLOCKED, 403)
    status, body = worker_call("POST", "/worker/v1/assignments/claim", token, {})
    assert (status, body["error"]["code"]) == (403, "blocked")
    profile = me(token)  # blocked at once (the rule is published), but the day's gold answers are not shown yet
    assert (profile["status"], profile["goldAnswered"], profile["goldCorrect"]) == ("blocked", 0, 0)
    assert profile["submitted"] == 5
    next_day()
    profile = me(token)
    assert (profile["status"], profile["goldAnswered"], profile["goldCorrect"]) == ("blocked", 5, 0)
    assert profile["estimatedAccuracy"] == round(8 / 15, 4)  # Beta(8, 2) prior: (0 + 8) / (5 + 10)


def test_given_gold_answers_then_me_shows_them_only_in_settled_blocks_never_right_after_a_submit(api):
    """No figure of /me moves with a gold submit differently from a real one: the gold record appears in blocks of
    at least five answers, from the UTC midnight after the newest of them."""
    next_day()
    gold_project(api, ["dog", "cat", "dog"], gold_flow())
    worker, token = annotator("steady")
    shown = me(token)

    answer_gold(worker, 3, lambda truth: truth)
    assert me(token) == {**shown, "submitted": 3}  # only the count of submits moved, as with any task
    next_day()
    assert me(token)["goldAnswered"] == 0  # a settled day, but a block of three: not shown
    answer_gold(worker, 2, lambda truth: truth)
    assert (me(token)["goldAnswered"], me(token)["submitted"]) == (0, 5)
    next_day()
    settled = me(token)
    assert (settled["goldAnswered"], settled["goldCorrect"]) == (5, 5)
    assert settled["estimatedAccuracy"] == round(13 / 15, 4)  # Beta(8, 2) prior: (5 + 8) / (5 + 10)
    answer_gold(worker, 1, wrong)  # a new block: the wrong answer does not show
    assert me(token) == {**settled, "submitted": 6}
    assert (fresh(worker).gold_total, fresh(worker).gold_correct) == (6, 5)  # the live record (consensus) has it


def test_given_good_annotators_then_their_gold_record_grows_and_gold_never_counts_as_a_judgment(api):
    project_id = gold_project(api, ["dog"], gold_flow())
    crowd = [annotator(f"good{n}") for n in range(3)]
    for worker, _ in crowd:
        answer_gold(worker, 2, lambda truth: truth)

    work_until(completed(api, project_id), [w for w, _ in crowd])

    for worker, token in crowd:
        record = fresh(worker)
        assert record.status == "active" and record.gold_total >= 2 and record.gold_correct == record.gold_total
        profile = me(token)  # fewer than five gold answers, all today: none shown; every submit counted
        assert (profile["goldAnswered"], profile["estimatedAccuracy"]) == (0, 0.8)
        assert profile["submitted"] == 1 + record.gold_total
    (item,) = items_of(project_id)
    rows = list(JudgmentModel.query(item_key(project_id, item.item_id), consistent_read=True))
    assert len(rows) == 3 and not any(row.gold for row in rows)
    assert {row.status for row in rows} == {"submitted"}
    gold_rows = [row for row in JudgmentModel.scan(JudgmentModel.gold == True) if row.project_id == project_id]  # noqa: E712
    assert len(gold_rows) == sum(fresh(w).gold_total for w, _ in crowd)
    assert item.item_id not in {row.item_id for row in gold_rows}
    result = api.call(RETRIEVE_RESULT, {"projectId": project_id, "itemId": item.item_id})
    assert result["code"] == 0, result
    judgments = result["data"]["judgments"]
    assert len(judgments) == 3 and {j["answer"]["choice"] for j in judgments} == {"dog"}
    assert item.result["answers"]["classify"] == {"choice": "dog"}


def test_given_gold_skill_when_two_annotators_disagree_then_the_better_one_decides(api):
    project_id = gold_project(api, ["dog"], gold_flow(min_overlap=2, max_overlap=2))
    skilled, newcomer = annotator("skilled")[0], annotator("newcomer")[0]
    answer_gold(skilled, 3, lambda truth: truth)  # 3 of 3 right: accuracy (3 + 8) / (3 + 10) = 0.85

    votes = {skilled.worker_id: "dog", newcomer.worker_id: "cat"}
    for worker in (skilled, newcomer):
        while True:
            claimed = claim_within(fresh(worker))
            url = work.data_location(claimed.assignment_id, claimed.data_token)
            if not is_gold(url):
                work.submit(worker, claimed.assignment_id, {"choice": votes[worker.worker_id]})
                break
            if worker is skilled:
                work.submit(worker, claimed.assignment_id, truthful(claimed, url))
            else:  # the newcomer keeps the prior: they skip gold
                work.release(worker, claimed.assignment_id, skip=True)
    work_until(lambda: items_of(project_id)[0].step == 1, [])

    (item,) = items_of(project_id)
    answers = item.result["answers"] if item.result else item.progress["answers"]
    assert answers["classify"] == {"choice": "dog"}
    assert (fresh(newcomer).gold_total, fresh(skilled).gold_correct) == (0, fresh(skilled).gold_total)
    # Unweighted, the same two votes tie, and a tie goes to the smallest choice: "cat".
    judgments = [Judgment(worker_id=w, answer={"choice": c}) for w, c in votes.items()]
    assert consolidate("single_choice", judgments, Overlap(min_overlap=2, max_overlap=2)).answer == {"choice": "cat"}
    rows = list(JudgmentModel.query(item_key(project_id, item.item_id), consistent_read=True))
    assert sorted((row.worker_id, row.answer["choice"]) for row in rows) == sorted(votes.items())


def test_given_an_annotator_blocked_while_holding_a_task_when_they_disagree_with_a_newcomer_then_they_do_not_decide(
    api,
):
    project_id = gold_project(api, ["dog"], gold_flow(min_overlap=2, max_overlap=2))
    (careless, _), (newcomer, _) = annotator("careless"), annotator("newcomer")
    while True:  # the careless annotator takes one real slot and keeps it…
        held = claim_within(fresh(careless))
        url = work.data_location(held.assignment_id, held.data_token)
        if not is_gold(url):
            break
        work.release(careless, held.assignment_id, skip=False)  # the gold stays available to them
    answer_gold(careless, 5, wrong)  # …while failing five gold tasks
    assert fresh(careless).status == "blocked"

    # issue 12: a blocked annotator's held tasks are withdrawn, so the held answer is refused, not merely outweighed
    with pytest.raises(WorkerError) as raised:
        work.submit(fresh(careless), held.assignment_id, {"choice": "cat"})
    assert raised.value.code == WorkerErrorCode.BLOCKED
    while True:
        claimed = claim_within(fresh(newcomer))
        url = work.data_location(claimed.assignment_id, claimed.data_token)
        if not is_gold(url):
            work.submit(newcomer, claimed.assignment_id, {"choice": "dog"})
            break
        work.release(newcomer, claimed.assignment_id, skip=True)
    third, _ = annotator("third")
    work_until(completed(api, project_id), [third])

    (item,) = items_of(project_id)
    assert item.result["answers"]["classify"] == {"choice": "dog"}
    rows = list(JudgmentModel.query(item_key(project_id, item.item_id), consistent_read=True))
    assert sorted((row.worker_id, row.answer["choice"]) for row in rows if row.status == "submitted") == sorted(
        [(newcomer.worker_id, "dog"), (third.worker_id, "dog")]
    )
    assert [(row.worker_id, row.status) for row in rows if row.status != "submitted"] == [
        (careless.worker_id, "released")
    ]


def test_given_an_annotator_holding_tasks_when_they_are_blocked_then_the_tasks_are_withdrawn_and_go_to_others(api):
    gold_project(api, ["dog", "cat", "dog"], gold_flow())
    bad, token = annotator("hoarder")
    held = claim_within(bad)
    while held is not None and is_gold(work.data_location(held.assignment_id, held.data_token)):
        work.release(bad, held.assignment_id, skip=False)
        held = claim_within(bad)
    assert held is not None
    handle = AssignmentModel.get(held.assignment_id, consistent_read=True)
    held_row = JudgmentModel.get(handle.item_key, handle.judgment_key, consistent_read=True)

    answer_gold(bad, 5, wrong)  # blocked at the fifth wrong gold answer, while holding a real task

    assert fresh(bad).status == "blocked"
    withdrawn = JudgmentModel.get(handle.item_key, handle.judgment_key, consistent_read=True)
    assert withdrawn.status == "released" and withdrawn.data_token is None
    status, body = worker_call(
        "POST", f"/worker/v1/assignments/{held.assignment_id}/submit", token, {"answer": {"choice": "dog"}}
    )
    assert (status, body["error"]["code"]) == (403, "blocked")
    with pytest.raises(WorkerError) as raised:
        work.submit(fresh(bad), held.assignment_id, {"choice": "dog"})
    assert raised.value.code == WorkerErrorCode.BLOCKED
    status, _ = worker_call("POST", f"/worker/v1/assignments/{held.assignment_id}/heartbeat", token, {})
    assert status == 403
    with pytest.raises(WorkerError):
        work.data_location(held.assignment_id, held.data_token)  # the data link died with the claim
    assert not fresh(bad).held
    # the task went back to its queue: another annotator gets it
    (good,) = workers(1, "after-")
    for _ in range(60):
        claimed = claim_within(good)
        assert claimed is not None
        other = AssignmentModel.get(claimed.assignment_id, consistent_read=True)
        row = JudgmentModel.get(other.item_key, other.judgment_key, consistent_read=True)
        if row.item_id == held_row.item_id and not row.gold:
            break
        work.release(good, claimed.assignment_id, skip=True)
    else:
        pytest.fail("the withdrawn task never reached another annotator")
