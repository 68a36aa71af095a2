"""The engine when things go wrong: unreadable messages, slots re-issued after their heartbeat ran out, items
nobody answers, repeated launches, pausing and resuming, a repeated consensus step, and deleted projects.

(local.emulator makes moto give every attempt of a wait-for-token state a new token, as Step Functions does, so
a re-issued slot's old message really is stale.)"""

import json
import threading
import time
from collections import Counter
from pathlib import Path

from engine.handler import consensus

from bytebridge.aws import client
from bytebridge.dal.judgments import JudgmentModel, item_key
from bytebridge.engine.launch import execution_name, launch_items, top_up
from bytebridge.engine.queues import TASKS_DLQ, family_queue_url
from bytebridge.enums import ProjectStatus
from bytebridge.flows.templates import classify_then_box
from bytebridge.settings import resource_name
from bytebridge.workers import claim as claiming
from bytebridge.workers import tasks, work
from local.emulator import LocalContext
from tests.support.client_api import ALTER, set_status, table_state
from tests.support.engine import (
    claim_within,
    completed,
    executions,
    executions_ended,
    items_of,
    project_row,
    queue_depths,
    running_project,
    work_until,
    workers,
)
from tests.support.timing import settings, wait_for


def peek(queue_url: str) -> list[str]:
    """The bodies of a queue's visible messages, left visible (each look counts as a receive)."""
    messages = client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [message["Body"] for message in messages.get("Messages", [])]


def dlq_url() -> str:
    return client("sqs").get_queue_url(QueueName=resource_name(TASKS_DLQ))["QueueUrl"]


def history(execution_arn: str) -> list[dict]:
    return client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def task_failures(execution_arn: str) -> list[dict]:
    return [event for event in history(execution_arn) if event["type"] == "TaskFailed"]


def judgment_rows(project_id: str) -> list[JudgmentModel]:
    return [row for item in items_of(project_id) for row in JudgmentModel.query(item_key(project_id, item.item_id))]


def counters(api, project_id: str) -> tuple:
    p = project_row(api, project_id)
    return (p.status, p.not_started_count, p.processing_count, p.completed_count, p.success_count, p.failed_count)


POISON = ["not json at all", json.dumps({"taskToken": "", "task": {"projectId": "p"}})]


def test_given_poison_messages_on_a_task_queue_then_they_are_never_handed_out_and_end_in_the_dlq(api, monkeypatch):
    sqs = client("sqs")
    for body in POISON:
        sqs.send_message(QueueUrl=family_queue_url("choice"), MessageBody=body)
    received: Counter = Counter()
    receive = tasks.receive

    def counting(queue_url, wait_seconds, lease_seconds):
        message = receive(queue_url, wait_seconds, lease_seconds)
        if message is not None:
            received[message["Body"]] += 1
        return message

    monkeypatch.setattr(tasks, "receive", counting)
    project_id = running_project(api, ["dog", "cat"])
    crowd = workers(3)

    work_until(completed(api, project_id), crowd)
    wait_for(lambda: claiming.claim(crowd[0], None, 0) is None and queue_depths()[TASKS_DLQ] == len(POISON))

    assert sorted(peek(dlq_url())) == sorted(POISON)
    assert [received[body] for body in POISON] == [5, 5]  # maxReceiveCount: the sixth receive parks it
    assert queue_depths()["tasks-choice"] == 0
    assert all(row.item_id in {i.item_id for i in items_of(project_id)} for row in judgment_rows(project_id))
    assert counters(api, project_id) == ("completed", 0, 0, 2, 2, 0)


def test_given_a_slot_whose_heartbeat_ran_out_then_only_its_reissued_message_is_handed_out(api, monkeypatch):
    leased_tokens: list[str] = []
    lease = claiming.lease

    def recording(*args, **kwargs):
        out = lease(*args, **kwargs)
        if out is not None:
            leased_tokens.append(kwargs["token"])
        return out

    monkeypatch.setattr(claiming, "lease", recording)
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="2"):
        project_id = running_project(api, ["dog"])
        wait_for(lambda: queue_depths()["tasks-choice"] == 3)
        stale = {json.loads(body)["taskToken"] for body in peek(family_queue_url("choice"))}
        # every slot timed out and was re-sent; the clock runs on 0.1 s a poll (a re-sent slot times out again
        # 2 s after it was sent: there would be 9)
        wait_for(lambda: queue_depths()["tasks-choice"] == 6, seconds=10, tick=0.1)
        crowd = workers(3)

        claims = [claim_within(worker, seconds=3) for worker in crowd]
        for worker, claimed in zip(crowd, claims, strict=True):
            work.submit(worker, claimed.assignment_id, {"choice": "dog"})
        work_until(completed(api, project_id), [])

    assert len(stale) == 3 and len(set(leased_tokens)) == 3
    assert not stale & set(leased_tokens)  # no claim ever leased a stale token
    rows = judgment_rows(project_id)
    assert len(rows) == 3 and {row.status for row in rows} == {"submitted"}
    assert queue_depths()["tasks-choice"] == 0  # the stale messages were dropped, the fresh ones consumed
    executions_ended()
    (execution,) = executions()
    kinds = Counter(event["type"] for event in history(execution["executionArn"]))
    assert kinds["TaskTimedOut"] >= 3 and execution["status"] == "SUCCEEDED"
    assert counters(api, project_id) == ("completed", 0, 0, 1, 1, 0)


def reissues_after_timeout() -> int:
    definition = json.loads((Path(__file__).resolve().parents[2] / "statemachines" / "item-flow.asl.json").read_text())
    judgment = definition["States"]["Annotate"]["ItemProcessor"]["States"]["Judgment"]
    (retrier,) = [r for r in judgment["Retry"] if "States.HeartbeatTimeout" in r["ErrorEquals"]]
    return retrier["MaxAttempts"]


def single_attempt_flow() -> dict:
    flow = classify_then_box().dump()
    flow["nodes"][0]["overlap"] = {"minOverlap": 1, "maxOverlap": 1}
    return flow


def test_given_an_item_nobody_answers_then_it_ends_failed_after_its_slots_lapse(api):
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="1", ASSIGNMENT_TIMEOUT_SECONDS="2"):
        project_id = running_project(api, ["dog"], flow=single_attempt_flow())
        wait_for(completed(api, project_id), seconds=25, tick=0.1)  # the clock runs on while its slots lapse

    (item,) = items_of(project_id)
    assert item.status == "failed" and item.failure == "nobody answered task classify"
    assert item.result is None and item.cost_cents == 0
    assert counters(api, project_id) == ("completed", 0, 0, 1, 0, 1)
    assert project_row(api, project_id).amount_spent_cents == 0
    executions_ended()
    (execution,) = executions()
    assert execution["status"] == "SUCCEEDED"
    sent = Counter(e["type"] for e in history(execution["executionArn"]))["TaskSubmitted"]
    assert sent == 1 + reissues_after_timeout()  # the slot's message, then one per re-issue of the Map's Retry


def test_given_items_launched_twice_and_concurrently_then_each_starts_one_execution(api):
    with settings(MAX_ACTIVE_ITEMS="1"):
        project_id = running_project(api, ["dog", "dog", "cat"])  # the first wave: one item
        ids = [item.item_id for item in items_of(project_id)]
        assert counters(api, project_id) == ("inProgress", 2, 1, 0, 0, 0)
        started: list[int] = []
        callers = [threading.Thread(target=lambda: started.append(launch_items(project_id, ids))) for _ in range(3)]
        callers.append(threading.Thread(target=lambda: started.append(top_up())))

        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()

        assert sum(started) == 2 and launch_items(project_id, ids) == 0 and top_up() == 0
    assert counters(api, project_id) == ("inProgress", 0, 3, 0, 0, 0)
    names = sorted(e["name"] for e in executions())
    assert names == sorted(execution_name(item_id, 0) for item_id in ids)
    assert {item.status for item in items_of(project_id)} == {"processing"}


def test_given_a_paused_project_then_no_new_item_starts_in_flight_tasks_finish_and_resume_starts_the_next(api):
    with settings(MAX_ACTIVE_ITEMS="1"):
        project_id = running_project(api, ["dog", "dog"])
        crowd = workers(3)
        claims = [claim_within(worker) for worker in crowd]
        assert api.call(ALTER, {"projectId": project_id, "type": "pause"})["code"] == 0

        for worker, claimed in zip(crowd, claims, strict=True):
            assert work.submit(worker, claimed.assignment_id, {"choice": "dog"}) is False
        wait_for(lambda: project_row(api, project_id).processing_count == 0)

        assert top_up() == 0
        assert counters(api, project_id) == ("paused", 1, 0, 1, 1, 0)
        assert len(executions()) == 1 and claiming.claim(crowd[0], None, 0) is None
        assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
        assert counters(api, project_id) == ("inProgress", 0, 1, 1, 1, 0)
        assert len(executions()) == 2
        work_until(completed(api, project_id), crowd)

    assert counters(api, project_id) == ("completed", 0, 0, 2, 2, 0)


def test_given_a_project_whose_last_items_finish_while_paused_when_it_is_resumed_then_it_completes(api):
    project_id = running_project(api, ["dog"])
    crowd = workers(3)
    claims = [claim_within(worker) for worker in crowd]
    assert api.call(ALTER, {"projectId": project_id, "type": "pause"})["code"] == 0
    for worker, claimed in zip(crowd, claims, strict=True):
        work.submit(worker, claimed.assignment_id, {"choice": "dog"})
    wait_for(lambda: project_row(api, project_id).processing_count == 0)
    assert counters(api, project_id) == ("paused", 0, 0, 1, 1, 0)

    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    top_up()  # and the launcher's next run

    assert counters(api, project_id) == ("completed", 0, 0, 1, 1, 0)


def test_given_a_finished_item_when_the_consensus_step_runs_again_then_nothing_changes(api):
    project_id = running_project(api, ["cat"])
    work_until(completed(api, project_id), workers(3))
    (item,) = items_of(project_id)
    (execution,) = executions()
    base = {"userId": api.user_id, "projectId": project_id, "itemId": item.item_id, "round": 0, "flowVersion": 1}
    before = table_state()

    replays = [
        base,  # the execution's first step
        {**base, "task": {"nodeId": "classify", "step": 0, "asked": 3}, "action": "assign"},
        {**base, "task": {"nodeId": "box", "step": 1, "asked": 3}, "action": "assign"},
        {**base, "task": {"nodeId": "box", "step": 1, "asked": 3}, "error": {"Error": "X", "Cause": "late retry"}},
    ]
    outs = [consensus(event, LocalContext("consensus")) for event in replays]

    assert [out["action"] for out in outs] == ["end"] * len(replays)
    assert all(out["slots"] == [] for out in outs)
    assert table_state() == before
    assert [e["executionArn"] for e in executions()] == [execution["executionArn"]]
    (after,) = items_of(project_id)
    assert after.status == "completed" and after.result["path"] == ["classify", "box", "boxed"]


def deleted_with_queued_slots(api) -> str:
    project_id = running_project(api, ["dog"])
    wait_for(lambda: queue_depths()["tasks-choice"] == 3)
    set_status(api, project_id, ProjectStatus.COMPLETED)  # deletable (completed or draft)
    assert api.call(ALTER, {"projectId": project_id, "type": "delete"})["code"] == 0
    return project_id


def test_given_a_deleted_project_when_its_queued_messages_are_claimed_then_they_are_dropped(api):
    project_id = deleted_with_queued_slots(api)
    (alice,) = workers(1)

    assert claiming.claim(alice, None, 0) is None

    assert queue_depths()["tasks-choice"] == 0
    assert judgment_rows(project_id) == []
    (execution,) = executions()
    failed = wait_for(lambda: (f := task_failures(execution["executionArn"])) and len(f) >= 3 and f)
    failures = [event["taskFailedEventDetails"]["error"] for event in failed]
    assert failures == ["TaskObsolete"] * 3  # SendTaskFailure for each slot, none handed out


def test_given_a_deleted_project_when_its_slots_are_dropped_then_its_execution_ends_without_reissuing_them(api):
    project_id = deleted_with_queued_slots(api)
    (alice,) = workers(1)
    assert claiming.claim(alice, None, 0) is None

    deadline = time.monotonic() + 6
    while executions("RUNNING") and time.monotonic() < deadline:
        assert queue_depths()["tasks-choice"] == 0, "a dropped slot of the deleted project was sent again"
        time.sleep(0.2)

    assert executions("RUNNING") == []
    assert judgment_rows(project_id) == []
