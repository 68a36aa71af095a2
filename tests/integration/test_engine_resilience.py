"""The engine when things go wrong: unreadable messages, lost slot messages re-issued when a visit's timer runs
out, surplus copies of slots, items nobody answers, repeated launches, pausing and resuming, a repeated visit or
consensus step, and deleted projects.

(local.emulator makes moto give every attempt of a wait-for-token state a new token, as Step Functions does, so
a re-entered visit's old token really is gone.)"""

import json
import threading
import time
from collections import Counter

from engine.handler import consensus

from bytebridge import clock
from bytebridge.aws import client
from bytebridge.dal.judgments import JudgmentModel, item_key
from bytebridge.engine.launch import execution_name, launch_items, top_up
from bytebridge.engine.queues import TASKS_DLQ, family_queue_url
from bytebridge.enums import ProjectStatus
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
    fixed_overlap,
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
    crowd = workers(6)

    work_until(completed(api, project_id), crowd)
    wait_for(lambda: claiming.claim(crowd[0], None, 0) is None and queue_depths()[TASKS_DLQ] == len(POISON))

    assert sorted(peek(dlq_url())) == sorted(POISON)
    assert [received[body] for body in POISON] == [5, 5]  # maxReceiveCount: the sixth receive parks it
    assert queue_depths()["tasks-choice"] == 0
    assert all(row.item_id in {i.item_id for i in items_of(project_id)} for row in judgment_rows(project_id))
    assert counters(api, project_id) == ("completed", 0, 0, 2, 2, 0)


def test_given_a_visit_whose_slot_messages_were_lost_then_it_reissues_them_and_the_item_finishes(api):
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="2"):
        project_id = running_project(api, ["dog"], flow=fixed_overlap(3))
        wait_for(lambda: queue_depths()["tasks-choice"] == 3)
        client("sqs").purge_queue(QueueUrl=family_queue_url("choice"))  # lost (as if parked in the DLQ)
        # the visit's timer runs out and it is entered again: the missing slots come back
        wait_for(lambda: queue_depths()["tasks-choice"] == 3, seconds=10, tick=0.1)
        crowd = workers(3)
        claims = [claim_within(worker, seconds=3) for worker in crowd]
        for worker, claimed in zip(crowd, claims, strict=True):
            work.submit(worker, claimed.assignment_id, {"choice": "dog"})
        wait_for(completed(api, project_id), seconds=10, tick=0.1)

    rows = judgment_rows(project_id)
    assert len(rows) == 3 and {row.status for row in rows} == {"submitted"}
    executions_ended()
    (execution,) = executions()
    kinds = Counter(event["type"] for event in history(execution["executionArn"]))
    assert kinds["TaskTimedOut"] >= 1 and execution["status"] == "SUCCEEDED"
    assert counters(api, project_id) == ("completed", 0, 0, 1, 1, 0)
    wait_for(lambda: claiming.claim(crowd[0], None, 0) is None and queue_depths()["tasks-choice"] == 0)


def test_given_a_reissued_visit_then_surplus_copies_of_held_slots_are_dropped_not_handed_out(api):
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="2"):
        project_id = running_project(api, ["dog"], flow=fixed_overlap(2))
        crowd = workers(4)
        held = [claim_within(worker) for worker in crowd[:2]]  # both slots held, leases running
        # a surplus copy of a slot, as a re-issue sends it while the slots' own messages are hidden by the leases
        client("sqs").send_message(
            QueueUrl=family_queue_url("choice"), MessageBody=json.dumps({"task": slot_of(project_id)})
        )

        assert claiming.claim(crowd[2], None, 0) is None  # every slot is held: nobody else gets the task
        for worker, claimed in zip(crowd[:2], held, strict=True):
            work.submit(worker, claimed.assignment_id, {"choice": "dog"})
        wait_for(completed(api, project_id))

    assert len(judgment_rows(project_id)) == 2 and queue_depths()["tasks-choice"] == 0  # the copy was dropped
    assert counters(api, project_id) == ("completed", 0, 0, 1, 1, 0)


def slot_of(project_id: str) -> dict:
    (item,) = items_of(project_id)
    return {"projectId": project_id, "itemId": item.item_id, "round": 0, "step": 0, "nodeId": "classify", "slot": 9}


def single_attempt_flow() -> dict:
    return fixed_overlap(1)


def test_given_an_item_nobody_answers_then_it_ends_failed_once_its_visit_times_out(api):
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="1", ASSIGNMENT_TIMEOUT_SECONDS="2"):
        project_id = running_project(api, ["dog"], flow=single_attempt_flow())
        wait_for(completed(api, project_id), seconds=25, tick=0.1)  # the clock runs on while its visit waits

    (item,) = items_of(project_id)
    assert item.status == "failed" and item.failure == "nobody answered task classify"
    assert item.result is None and item.cost_cents == 0
    assert counters(api, project_id) == ("completed", 0, 0, 1, 0, 1)
    assert project_row(api, project_id).amount_spent_cents == 0
    executions_ended()
    (execution,) = executions()
    assert execution["status"] == "SUCCEEDED"
    kinds = Counter(e["type"] for e in history(execution["executionArn"]))
    assert kinds["TaskTimedOut"] >= 1  # its visit timed out and was entered again (how long it waits is load)


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
        project_id = running_project(api, ["dog", "dog"], flow=fixed_overlap(3))
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
    project_id = running_project(api, ["dog"], flow=fixed_overlap(3))
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


def test_given_a_finished_item_when_its_visit_or_consensus_step_runs_again_then_nothing_changes(api):
    project_id = running_project(api, ["cat"])
    work_until(completed(api, project_id), workers(6))
    (item,) = items_of(project_id)
    (execution,) = executions()
    base = {"userId": api.user_id, "projectId": project_id, "itemId": item.item_id, "round": 0, "flowVersion": 1}
    slot = {"projectId": project_id, "itemId": item.item_id, "round": 0, "slot": 0}
    before = table_state()

    replays = [
        {"state": base, "taskToken": "a-late-attempt"},  # a visit entered again
        {"answered": {**slot, "step": 0, "nodeId": "classify"}},  # a late consensus call
        {"answered": {**slot, "step": 1, "nodeId": "box"}},
    ]
    outs = [consensus(event, LocalContext("consensus")) for event in replays]
    failed = consensus({**base, "error": {"Error": "X", "Cause": "late retry"}}, LocalContext("consensus"))

    assert outs == [{}, {}, {}] and failed["action"] == "end"
    assert table_state() == before
    assert [e["executionArn"] for e in executions()] == [execution["executionArn"]]
    (after,) = items_of(project_id)
    assert after.status == "completed" and after.result["path"] == ["classify", "box", "boxed"]


def deleted_with_queued_slots(api) -> str:
    project_id = running_project(api, ["dog"], flow=fixed_overlap(3))
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


def test_given_a_deleted_project_then_its_execution_ends_at_its_visits_next_entry_without_reissuing(api):
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="1"):
        project_id = deleted_with_queued_slots(api)
        (alice,) = workers(1)
        assert claiming.claim(alice, None, 0) is None

        deadline = time.monotonic() + 10
        while executions("RUNNING") and time.monotonic() < deadline:
            assert queue_depths()["tasks-choice"] == 0, "a slot of the deleted project was sent again"
            clock.advance(0.2)
            time.sleep(0.1)

    assert executions("RUNNING") == []
    (execution,) = executions()
    assert execution["status"] == "SUCCEEDED"
    assert judgment_rows(project_id) == []


def test_given_the_last_answers_of_a_task_submitted_at_once_then_it_settles_once(api):
    project_id = running_project(api, ["dog"], flow=fixed_overlap(2))
    crowd = workers(2)
    claims = [claim_within(worker) for worker in crowd]
    results: list[bool] = []
    submits = [
        threading.Thread(target=lambda w=w, c=c: results.append(work.submit(w, c.assignment_id, {"choice": "dog"})))
        for w, c in zip(crowd, claims, strict=True)
    ]

    for thread in submits:
        thread.start()
    for thread in submits:
        thread.join()
    wait_for(completed(api, project_id))

    assert results == [False, False]  # both accepted, neither a duplicate
    (item,) = items_of(project_id)
    assert item.result["path"] == ["classify", "other"] and item.result["answers"]["classify"] == {"choice": "dog"}
    assert counters(api, project_id) == ("completed", 0, 0, 1, 1, 0)
    executions_ended()
    (execution,) = executions()
    kinds = Counter(event["type"] for event in history(execution["executionArn"]))
    assert execution["status"] == "SUCCEEDED" and kinds["TaskSucceeded"] == 1  # one token, completed once


def test_given_a_task_wanting_an_annotator_nobody_brings_then_it_settles_with_its_answers_a_heartbeat_later(api):
    flow = fixed_overlap(2)
    flow["nodes"][0]["overlap"]["maxOverlap"] = 3  # a split vote asks for a third annotator
    with settings(ASSIGNMENT_HEARTBEAT_SECONDS="1", ASSIGNMENT_TIMEOUT_SECONDS="30"):
        project_id = running_project(api, ["dog"], flow=flow)
        crowd = workers(2)  # everyone there is: the third slot finds no taker
        for worker, vote in zip(crowd, ("dog", "cat"), strict=True):
            claimed = claim_within(worker)
            work.submit(worker, claimed.assignment_id, {"choice": vote})
        assert all(claiming.claim(worker, None, 0) is None for worker in crowd)
        # settled a heartbeat or two later with its two answers (a "cat" goes on to a box nobody draws: failed
        # once that visit's 30 s are up)
        wait_for(completed(api, project_id), seconds=30, tick=0.2)

    (item,) = items_of(project_id)
    classify = [row for row in judgment_rows(project_id) if row.node_id == "classify"]
    assert len(classify) == 2 and {row.status for row in classify} == {"submitted"}
    if item.status == "completed":
        assert item.result["path"] == ["classify", "other"]
    else:
        assert item.failure == "nobody answered task box"
