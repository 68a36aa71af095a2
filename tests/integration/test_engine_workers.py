"""Annotators against the running engine (bytebridge.workers in-process, executions in moto): duplicate and late
submits, one slot per annotator per task, release with and without skip, invalid answers, heartbeats, and the
data link of a claimed task."""

import time
import uuid

import pytest
import requests

from bytebridge import clock
from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel, item_key
from bytebridge.engine.launch import activate_project
from bytebridge.enums import JudgmentStatus
from bytebridge.settings import get_settings
from bytebridge.workers import claim as claiming
from bytebridge.workers import work
from bytebridge.workers.claim import Claimed
from bytebridge.workers.errors import WorkerError, WorkerErrorCode
from bytebridge.workers.tasks import lease_margin
from local.annotators import IMAGE_HEIGHT, IMAGE_WIDTH
from local.web_standin import picture
from tests.support.client_api import ALTER, SUBMIT, create_project, table_state
from tests.support.engine import (
    CAT_BOX,
    SET_FLOW,
    claim_within,
    completed,
    executions,
    fixed_overlap,
    items_of,
    queue_depths,
    running_project,
    truthful,
    work_until,
    workers,
)
from tests.support.timing import advance_past, settings

THREE_EACH = fixed_overlap(3)  # the slots these tests count


def row_of(assignment_id: str) -> JudgmentModel:
    handle = AssignmentModel.get(assignment_id, consistent_read=True)
    return JudgmentModel.get(handle.item_key, handle.judgment_key, consistent_read=True)


def rows_of(project_id: str, item_id: str) -> list[JudgmentModel]:
    return list(JudgmentModel.query(item_key(project_id, item_id), consistent_read=True))


def refused(code: WorkerErrorCode, call, *args) -> WorkerError:
    with pytest.raises(WorkerError) as raised:
        call(*args)
    assert raised.value.code == code, raised.value
    return raised.value


def wait_past(epoch_ms: int) -> None:
    advance_past(epoch_ms)


def history_length(execution_arn: str) -> int:
    sfn = client("stepfunctions")
    return len(sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"])


def settled_history(execution_arn: str) -> int:
    """The execution's history length once it stops growing (its last hand-over was taken in)."""
    last = history_length(execution_arn)
    while True:
        time.sleep(0.3)
        now = history_length(execution_arn)
        if now == last:
            return now
        last = now


def engine_snapshot(project_id: str) -> dict:
    (execution,) = executions()
    return {
        "tables": table_state(),
        "queues": queue_depths(),
        "executions": [(e["name"], e["status"]) for e in executions()],
        "history": settled_history(execution["executionArn"]),
    }


def test_given_a_submitted_assignment_when_it_is_submitted_again_then_it_answers_duplicate_and_changes_nothing(api):
    project_id = running_project(api, ["dog"], flow=THREE_EACH)
    alice, *_ = workers(3)
    claimed = claim_within(alice)
    assert work.submit(alice, claimed.assignment_id, {"choice": "dog"}) is False
    before = engine_snapshot(project_id)

    again = work.submit(alice, claimed.assignment_id, {"choice": "dog"})
    other_answer = work.submit(alice, claimed.assignment_id, {"choice": "cat"})

    assert again is True and other_answer is True
    assert engine_snapshot(project_id) == before
    (row,) = rows_of(project_id, items_of(project_id)[0].item_id)
    assert (row.status, row.answer) == (JudgmentStatus.SUBMITTED, {"choice": "dog"})


def test_given_a_lease_that_ran_out_when_the_annotator_submits_then_it_is_refused_and_the_task_goes_to_another(api):
    with settings(LEASE_SECONDS="1"):
        project_id = running_project(api, ["dog"], flow=THREE_EACH)
        late, bob, carol, dave = workers(4)
        claimed = claim_within(late)
        wait_past(claimed.lease_until)
        before = table_state()

        refused(WorkerErrorCode.EXPIRED, work.submit, late, claimed.assignment_id, {"choice": "dog"})

        assert table_state() == before
        for worker in (bob, carol):  # the two slots nobody held
            work.submit(worker, claim_within(worker).assignment_id, {"choice": "dog"})
        clock.advance(lease_margin(1))  # the late annotator's message stays hidden that much longer than its lease
        reissued = claim_within(dave, seconds=10)  # the late annotator's slot, once its message is visible again
        assert reissued is not None
        work.submit(dave, reissued.assignment_id, {"choice": "dog"})
        work_until(completed(api, project_id), [])

    (item,) = items_of(project_id)
    rows = {row.worker_id: row for row in rows_of(project_id, item.item_id)}
    assert rows[late.worker_id].status == JudgmentStatus.CLAIMED and rows[late.worker_id].answer is None
    assert {w.worker_id for w in (bob, carol, dave)} == {w for w, r in rows.items() if r.status == "submitted"}
    assert item.status == "completed" and item.result["answers"]["classify"] == {"choice": "dog"}


def test_given_one_annotator_when_they_claim_twice_then_they_hold_one_slot_and_the_others_stay_for_others(api):
    project_id = running_project(api, ["dog"], flow=THREE_EACH)
    alice, bob, carol = workers(3)
    first = claim_within(alice)

    second = claiming.claim(alice, None, 0)

    assert first is not None and second is None
    assert queue_depths()["tasks-choice"] == 3  # one held by alice, two visible for others
    (item,) = items_of(project_id)
    assert [row.worker_id for row in rows_of(project_id, item.item_id)] == [alice.worker_id]
    others = [claim_within(bob), claim_within(carol)]
    assert all(others) and len({c.assignment_id for c in [first, *others]}) == 3
    for worker, claimed in zip((alice, bob, carol), [first, *others], strict=True):
        work.submit(worker, claimed.assignment_id, {"choice": "dog"})
    work_until(completed(api, project_id), [])
    rows = rows_of(project_id, item.item_id)
    assert sorted(row.worker_id for row in rows) == sorted(w.worker_id for w in (alice, bob, carol))


def test_given_a_skipped_task_when_the_annotator_claims_again_then_it_goes_to_others_and_never_back_to_them(api):
    project_id = running_project(api, ["dog"], flow=THREE_EACH)
    skipper, *others = workers(4)
    claimed = claim_within(skipper)

    assert work.release(skipper, claimed.assignment_id, skip=True) == "released"

    assert claiming.claim(skipper, None, 0) is None
    assert queue_depths()["tasks-choice"] == 3  # the skipped slot is back for the others
    served: list[str] = []

    def record(worker, claimed: Claimed, url: str) -> dict:
        served.append(worker.worker_id)
        return truthful(claimed, url)

    work_until(completed(api, project_id), [skipper, *others], answer=record)

    assert skipper.worker_id not in served and sorted(served) == sorted(w.worker_id for w in others)
    (item,) = items_of(project_id)
    statuses = {row.worker_id: row.status for row in rows_of(project_id, item.item_id)}
    assert statuses.pop(skipper.worker_id) == JudgmentStatus.RELEASED
    assert set(statuses.values()) == {JudgmentStatus.SUBMITTED}
    refused(WorkerErrorCode.RELEASED, work.submit, skipper, claimed.assignment_id, {"choice": "dog"})


def test_given_a_task_given_back_without_skip_when_the_annotator_claims_again_then_they_can_get_it_again(api):
    project_id = running_project(api, ["dog"], flow=THREE_EACH)
    (alice,) = workers(1)
    first = claim_within(alice)
    url = work.data_location(first.assignment_id, first.data_token)

    assert work.release(alice, first.assignment_id, skip=False) == "released"
    again = claim_within(alice)

    assert again is not None and again.assignment_id != first.assignment_id
    assert work.data_location(again.assignment_id, again.data_token) == url  # the same task
    assert work.submit(alice, again.assignment_id, {"choice": "dog"}) is False
    (item,) = items_of(project_id)
    (row,) = rows_of(project_id, item.item_id)
    assert (row.worker_id, row.assignment_id, row.status) == (alice.worker_id, again.assignment_id, "submitted")


def test_given_a_released_assignment_and_a_new_claim_of_the_task_when_the_old_id_is_used_then_it_is_refused(api):
    # Found at abcc945 (the old id acted on the new claim); fixed by workers/work.py _row checking the row's assignment.
    running_project(api, ["dog"], flow=THREE_EACH)
    (alice,) = workers(1)
    old = claim_within(alice)
    work.release(alice, old.assignment_id, skip=False)
    new = claim_within(alice)
    before = table_state()

    for call, args in [
        (work.submit, ({"choice": "cat"},)),
        (work.heartbeat, ()),
        (work.release, (True,)),
        (work.release, (False,)),
    ]:
        with pytest.raises(WorkerError) as raised:
            call(alice, old.assignment_id, *args)
        assert raised.value.code in (WorkerErrorCode.EXPIRED, WorkerErrorCode.RELEASED, WorkerErrorCode.NOT_FOUND)

    assert table_state() == before
    assert row_of(new.assignment_id).status == JudgmentStatus.CLAIMED
    assert work.submit(alice, new.assignment_id, {"choice": "dog"}) is False
    assert row_of(new.assignment_id).answer == {"choice": "dog"}


INVALID_CHOICES = [
    ({"choice": "bird"}, "not an option"),
    ({"choice": "cat", "confidence": 0.9}, "confidence"),
    ({"choices": ["cat"]}, "choice"),
    ({}, "choice"),
]


def box_answer(**box) -> dict:
    return {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "boxes": [{**CAT_BOX, **box}]}


INVALID_BOXES = [
    (box_answer(x=IMAGE_WIDTH - 10), "outside"),
    (box_answer(y=IMAGE_HEIGHT - 1, h=20), "outside"),
    (box_answer(label="dog"), "not a label"),
    (box_answer(w=0), "w"),
    ({**box_answer(), "note": "x"}, "note"),
    (box_answer(z=3), "z"),
]


def assert_invalid_then_valid(worker, claimed: Claimed, invalid: list[tuple[dict, str]], valid: dict) -> None:
    for payload, says in invalid:
        error = refused(WorkerErrorCode.INVALID_ANSWER, work.submit, worker, claimed.assignment_id, payload)
        assert error.status == 422 and says in error.message, (payload, error.message)
        row = row_of(claimed.assignment_id)
        assert (row.status, row.answer, row.task_token) == (JudgmentStatus.CLAIMED, None, None)  # the visit holds it
    assert work.data_location(claimed.assignment_id, claimed.data_token)  # the claim is still open
    assert work.submit(worker, claimed.assignment_id, valid) is False


def test_given_an_invalid_answer_when_submitted_then_it_is_refused_and_the_claim_stays_open(api):
    project_id = running_project(api, ["cat"], flow=THREE_EACH)
    crowd = workers(3)
    claims = [claim_within(worker) for worker in crowd]

    assert_invalid_then_valid(crowd[0], claims[0], INVALID_CHOICES, {"choice": "cat"})
    for worker, claimed in zip(crowd[1:], claims[1:], strict=True):
        work.submit(worker, claimed.assignment_id, {"choice": "cat"})
    boxer = claim_within(crowd[0], families=["boxes"])
    assert boxer is not None and boxer.node.id == "box"
    assert_invalid_then_valid(crowd[0], boxer, INVALID_BOXES, box_answer())

    (item,) = items_of(project_id)
    assert item.progress["answers"]["classify"] == {"choice": "cat"}


def test_given_a_heartbeat_when_the_original_lease_ends_then_a_submit_inside_the_extended_lease_succeeds(api):
    with settings(LEASE_SECONDS="3"):
        project_id = running_project(api, ["dog"], flow=THREE_EACH)
        keeper, idler = workers(2)
        kept, idle = claim_within(keeper), claim_within(idler)
        clock.advance(1.5)

        extended = work.heartbeat(keeper, kept.assignment_id)

        assert extended >= kept.lease_until + 1500
        assert row_of(kept.assignment_id).lease_until == extended
        wait_past(max(kept.lease_until, idle.lease_until))
        assert now_ms() < extended
        assert work.submit(keeper, kept.assignment_id, {"choice": "dog"}) is False
        refused(WorkerErrorCode.EXPIRED, work.submit, idler, idle.assignment_id, {"choice": "dog"})
        refused(WorkerErrorCode.EXPIRED, work.heartbeat, idler, idle.assignment_id)
    assert row_of(kept.assignment_id).status == JudgmentStatus.SUBMITTED
    assert row_of(idle.assignment_id).status == JudgmentStatus.CLAIMED
    assert project_id


def test_given_a_data_link_then_it_works_only_with_its_token_while_the_lease_lasts_and_for_that_assignment(api):
    with settings(LEASE_SECONDS="2"):
        project_id = running_project(api, ["dog"], flow=THREE_EACH)
        alice, bob = workers(2)
        mine, theirs = claim_within(alice), claim_within(bob)
        (item,) = items_of(project_id)

        assert work.data_location(mine.assignment_id, mine.data_token) == item.url
        for assignment_id, token in [
            (mine.assignment_id, "x" + mine.data_token[1:]),
            (mine.assignment_id, ""),
            (mine.assignment_id, theirs.data_token),  # bob's token on alice's assignment
            (theirs.assignment_id, mine.data_token),  # another annotator's assignment id
            ("a_" + uuid.uuid4().hex, mine.data_token),
        ]:
            refused(WorkerErrorCode.NOT_FOUND, work.data_location, assignment_id, token)
        work.submit(alice, mine.assignment_id, {"choice": "dog"})
        refused(WorkerErrorCode.NOT_FOUND, work.data_location, mine.assignment_id, mine.data_token)  # used up
        assert work.data_location(theirs.assignment_id, theirs.data_token) == item.url
        wait_past(theirs.lease_until)
        refused(WorkerErrorCode.NOT_FOUND, work.data_location, theirs.assignment_id, theirs.data_token)  # ran out


def started_project(api, urls: list[str]) -> str:
    """A classify-then-box project of these resource URLs, started and activated."""
    project_id = create_project(
        api, projectName=f"bucket {uuid.uuid4().hex[:8]}", options=[{"value": "cat"}, {"value": "dog"}]
    )
    assert api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})["code"] == 0
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    activate_project(api.user_id, project_id)
    return project_id


def test_given_an_item_in_the_data_bucket_when_its_data_link_is_opened_then_a_presigned_url_downloads_it(api):
    # Under the caller's own prefix: since issue 12 other keys of our bucket are refused (another tenant's files).
    bucket, key = get_settings().data_bucket, f"{api.user_id}/uploads/{uuid.uuid4().hex}/cat.jpg"
    content = picture("JPEG", 64, 48)  # a real JPEG: admission checks the bytes (issue 12)
    client("s3").put_object(Bucket=bucket, Key=key, Body=content)
    started_project(api, [f"s3://{bucket}/{key}"])
    (alice,) = workers(1)
    claimed = claim_within(alice)

    link = work.data_location(claimed.assignment_id, claimed.data_token)

    assert link.startswith(f"https://{bucket}.s3.amazonaws.com/{key}?")
    assert "X-Amz-Signature=" in link and "X-Amz-Expires=300" in link
    download = requests.get(link, timeout=10)
    assert (download.status_code, download.content) == (200, content)


def test_the_tasks_one_annotator_may_hold_at_once_default_to_five():
    assert get_settings().max_held_tasks == 5


def test_given_an_annotator_holding_the_most_tasks_when_they_claim_again_then_it_is_refused_until_one_is_done(api):
    from worker_api.handler import lambda_handler as worker_api

    from bytebridge.workers.tokens import authenticate, create_worker
    from local.emulator import LocalContext
    from local.gateway import proxy_event

    running_project(api, ["dog", "cat", "dog", "cat", "dog", "cat"])
    token = create_worker("greedy")[1]
    alice = authenticate("Bearer " + token)
    with settings(MAX_HELD_TASKS="2"):
        first, second = claim_within(alice), claim_within(alice)
        assert first is not None and second is not None

        error = refused(WorkerErrorCode.HELD_LIMIT, claiming.claim, alice, None, 0)
        assert error.status == 409 and "2 tasks" in error.message
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        event = proxy_event("POST", "/worker/v1/assignments/claim", headers, b"{}", "127.0.0.1")
        response = worker_api(event, LocalContext("worker-api"))
        assert response["statusCode"] == 409 and '"heldLimit"' in response["body"]

        work.submit(alice, first.assignment_id, {"choice": "dog"})  # one done: a slot is free again
        third = claim_within(alice)
        assert third is not None
        refused(WorkerErrorCode.HELD_LIMIT, claiming.claim, alice, None, 0)

        work.release(alice, second.assignment_id, skip=True)  # given back: free again
        fourth = claim_within(alice)
        assert fourth is not None
        refused(WorkerErrorCode.HELD_LIMIT, claiming.claim, alice, None, 0)

        advance_past(max(third.lease_until, fourth.lease_until))  # leases that ran out are held no more
        assert claim_within(alice) is not None
