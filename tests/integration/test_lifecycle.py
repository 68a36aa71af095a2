"""The project lifecycle on the emulated platform: review by operators (operator API over the local gateway, JWT),
the trial through the real engine at no charge, the client's verdict in signed calls (acceptTrial, trialIssues,
submitTrialIssues, reconfigure), the operators' start, cloneProject and ending early; each transition, its history
row, and the refusals."""

import contextlib
import threading
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bytebridge import clock
from bytebridge.dal.flows import find_version
from bytebridge.dal.gold import all_gold
from bytebridge.dal.history import history
from bytebridge.dal.items import ItemModel
from bytebridge.delivery.notify import send_pending_notices
from bytebridge.engine.launch import activate_project
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.workers import claim as claiming
from bytebridge.workers import work
from tests.support.client import ClientApi
from tests.support.client_api import (
    ALTER,
    RETRIEVE,
    SET,
    SUBMIT,
    assert_error,
    create_project,
    second_account,
    set_status,
)
from tests.support.engine import SET_FLOW, executions_ended, image_urls, items_of, project_row, work_until, workers
from tests.support.identity import gateway, outbox, sign_up_client, staff

S = ProjectStatus
OPS = "/operator/v1"
ACCEPT_TRIAL = "/api/v1/projects/acceptTrial"
TRIAL_ISSUES = "/api/v1/projects/trialIssues"
SUBMIT_ISSUES = "/api/v1/projects/submitTrialIssues"
RECONFIGURE = "/api/v1/projects/reconfigure"
CLONE = "/api/v1/projects/cloneProject"
CLIENT_EMAIL = "client@example.com"  # the `account` fixture's address


@pytest.fixture
def ops(aws):
    return staff("ops@example.com")


def op(ops, method: str, path: str, body=None, token: str | None = None):
    return gateway(method, OPS + path, body, token=token or ops.id_token)


def submitted(api: ClientApi, count: int = 4) -> str:
    """A draft of `count` images (cat, dog, cat, …) with the documented one-question flow, submitted (checking)."""
    project_id = create_project(
        api,
        projectName=f"lifecycle {uuid.uuid4().hex[:8]}",
        options=[{"value": "cat"}, {"value": "dog"}],
        question="cat or dog?",
    )
    urls = image_urls(["cat" if n % 2 == 0 else "dog" for n in range(count)])
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": urls})["code"] == 0
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    return project_id


def status(api: ClientApi, project_id: str) -> str:
    return project_row(api, project_id).status


def retrieved(api: ClientApi, project_id: str) -> dict:
    out = api.call(RETRIEVE, {"projectId": project_id})
    assert out["code"] == 0, out
    return out["data"]


def labeled_until(api: ClientApi, project_id: str, wanted: ProjectStatus) -> None:
    work_until(lambda: status(api, project_id) == wanted, workers(3))
    executions_ended()


def in_trial_done(api: ClientApi, ops, count: int = 4, size: int | None = None) -> str:
    project_id = submitted(api, count)
    body = {"trialSize": size} if size else None
    answer = op(ops, "POST", f"/reviews/{project_id}/approve", body)
    assert answer[0] == 200, answer
    labeled_until(api, project_id, S.TRIAL_DONE)
    return project_id


def transitions(project_id: str) -> list[tuple[str, str, str]]:
    return [(row.from_status, row.to_status, row.by) for row in history(project_id)]


# ---- review ---------------------------------------------------------------------------------------------------


def test_reject_with_reasons_then_fix_resubmit_and_approve(api, ops):
    project_id = submitted(api)

    status_code, queue = op(ops, "GET", "/reviews")
    assert status_code == 200, queue
    [entry] = queue["reviews"]
    assert entry["projectId"] == project_id and entry["itemCount"] == 4 and entry["type"] == "image_classification"
    assert len(entry["sampleItems"]) == 4 and entry["sampleItems"][0]["dataUrl"].startswith("https://")
    assert entry["flow"]["nodes"] and entry["trialSize"] == 4
    assert entry["account"] == {"projects": 1, "rejections": 0, "completed": 0}

    code, body = op(ops, "POST", f"/reviews/{project_id}/reject", {"reasons": ["flow_logic"], "note": "cat vs dog?"})
    assert code == 200, body
    assert status(api, project_id) == S.DRAFT

    data = retrieved(api, project_id)
    assert data["projectData"]["projectStatus"] == "draft"
    assert data["review"] == {"reasons": ["flow_logic"], "note": "cat vs dog?"}
    assert [(h["from"], h["to"]) for h in data["history"]] == [("draft", "checking"), ("checking", "draft")]
    assert data["history"][1]["by"] == "ops@example.com" and "flow_logic" in data["history"][1]["reason"]
    [mail] = [m for m in outbox(CLIENT_EMAIL) if "Review" in m["subject"]]
    assert "cat vs dog?" in mail["text"] and mail["html"]

    # Editable again: fix and submit again; the operator approves with the default trial size.
    assert api.call(SET, {"projectId": project_id, "question": "Is it a cat or a dog?"})["code"] == 0
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    assert op(ops, "GET", "/reviews")[1]["reviews"][0]["account"]["rejections"] == 1
    code, body = op(ops, "POST", f"/reviews/{project_id}/approve")
    assert code == 200, body
    assert body == {"projectId": project_id, "status": "trial", "trialSize": 4}

    data = retrieved(api, project_id)
    assert data["review"] is None
    assert data["trial"]["size"] == 4 and data["trial"]["round"] == 1
    assert transitions(project_id)[-1] == ("checking", "trial", "ops@example.com")
    actions = [entry["action"] for entry in op(ops, "GET", "/audit")[1]["entries"]]
    assert actions == ["reject", "approve"]


def test_review_refusals(api, ops):
    project_id = submitted(api)
    draft = create_project(api, projectName="still a draft")

    assert op(ops, "POST", "/reviews/p999_nothere/approve")[0] == 404
    code, body = op(ops, "POST", f"/reviews/{draft}/approve")
    assert (code, body["error"]["code"]) == (409, "conflict")
    code, body = op(ops, "POST", f"/reviews/{project_id}/reject", {"reasons": ["ugly"], "note": ""})
    assert (code, body["error"]["code"]) == (400, "invalid")
    assert op(ops, "POST", f"/reviews/{project_id}/reject", {"reasons": [], "note": "x"})[0] == 400
    assert op(ops, "POST", f"/reviews/{project_id}/approve", {"trialSize": 0})[0] == 400
    assert op(ops, "POST", f"/projects/{project_id}/start")[0] == 409  # not waiting for payment
    assert status(api, project_id) == S.CHECKING
    assert op(ops, "GET", "/audit")[1]["entries"] == []  # refused actions leave no audit row

    # A size above the item count is capped; once the trial runs its size is fixed.
    assert op(ops, "POST", f"/reviews/{project_id}/approve", {"trialSize": 500})[1]["trialSize"] == 4
    code, body = op(ops, "POST", f"/projects/{project_id}/trialSize", {"size": 2})
    assert (code, body["error"]["code"]) == (409, "conflict")


def test_only_operators_reach_the_operator_api(api, ops):
    project_id = submitted(api)
    client = sign_up_client("someone@example.com")

    code, body = op(ops, "GET", "/reviews", token=client.id_token)
    assert (code, body["error"]["code"]) == (403, "forbidden")
    assert op(ops, "POST", f"/reviews/{project_id}/approve", token=client.id_token)[0] == 403
    assert gateway("GET", OPS + "/reviews")[0] == 401  # no token
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(ops.id_token, options={"verify_signature": False})
    forged = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})
    assert op(ops, "GET", "/reviews", token=forged)[0] == 401
    clock.advance(3601)
    assert op(ops, "GET", "/reviews")[0] == 401  # expired
    assert status(api, project_id) == S.CHECKING


def test_two_operators_approving_at_once_one_wins_the_other_gets_409(api, ops):
    project_id = submitted(api)
    other = staff("second.ops@example.com")
    answers: list = []

    def approve(who) -> None:
        answers.append(op(ops, "POST", f"/reviews/{project_id}/approve", token=who.id_token))

    threads = [threading.Thread(target=approve, args=(who,)) for who in (ops, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(code for code, _ in answers) == [200, 409]
    [refused] = [body for code, body in answers if code == 409]
    assert "trial" in refused["error"]["message"]
    assert [t[:2] for t in transitions(project_id)] == [("draft", "checking"), ("checking", "trial")]
    assert project_row(api, project_id).trial_count == 4
    assert sum(1 for item in items_of(project_id) if item.trial_round == 1) == 4


# ---- the trial ------------------------------------------------------------------------------------------------


def test_the_trial_labels_its_sample_free_then_accepting_waits_for_payment_and_start_runs_the_rest(api, ops):
    project_id = submitted(api, count=30)
    assert op(ops, "POST", f"/projects/{project_id}/trialSize", {"size": 3}) == (
        200,
        {"projectId": project_id, "trialSize": 3},
    )
    assert op(ops, "POST", f"/reviews/{project_id}/approve")[1]["trialSize"] == 3

    labeled_until(api, project_id, S.TRIAL_DONE)

    row = project_row(api, project_id)
    trial = [item for item in items_of(project_id) if item.trial_round == 1]
    assert len(trial) == 3 and all(item.status == ItemStatus.COMPLETED for item in trial)
    assert all(item.cost_cents == 0 and item.trial_cost_cents for item in trial)
    assert row.amount_spent_cents == 0 and row.trial_cost_cents == sum(item.trial_cost_cents for item in trial)
    assert (row.not_started_count, row.completed_count, row.trial_finished) == (27, 3, 3)
    data = retrieved(api, project_id)
    assert data["projectData"]["amountSpent"] == 0 and data["projectData"]["projectStatus"] == "trialDone"
    assert data["trial"]["finished"] == 3 and data["trial"]["size"] == 3
    assert transitions(project_id)[-1] == ("trial", "trialDone", "system")
    send_pending_notices()
    subjects = [mail["subject"] for mail in outbox(CLIENT_EMAIL)]
    assert any("Trial finished" in subject for subject in subjects)
    assert not any("ready" in subject for subject in subjects), subjects  # trial results are not "ready to accept"

    # Extra data after the trial is accepted (补传数据), before and after start.
    out = api.call(ACCEPT_TRIAL, {"projectId": project_id})
    assert out["code"] == 0 and out["data"]["projectStatus"] == "waitingPayment", out
    assert project_row(api, project_id).amount_spent_cents == 0  # no money moves before payment
    more = image_urls(["cat", "dog"])
    assert api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": more})["code"] == 0

    code, body = op(ops, "POST", f"/projects/{project_id}/start")
    assert code == 200 and body["status"] == "inProgress" and body["launched"] > 0, body
    assert op(ops, "POST", f"/projects/{project_id}/start")[0] == 409
    assert (
        api.call(SUBMIT, {"projectId": project_id, "resourceType": "image", "resourceURLs": image_urls(["cat"])})[
            "code"
        ]
        == 0
    )
    assert [t[:2] for t in transitions(project_id)][-2:] == [
        ("trialDone", "waitingPayment"),
        ("waitingPayment", "inProgress"),
    ]
    row = project_row(api, project_id)
    assert row.processing_count == body["launched"] and row.item_count == 33
    trial_ids = {item.item_id for item in trial}
    for item in items_of(project_id):  # the trial's items stay delivered; the real run launches the others
        if item.item_id in trial_ids:
            assert item.status == ItemStatus.COMPLETED and item.round == 0
        else:
            assert item.status in (ItemStatus.NOT_STARTED, ItemStatus.PROCESSING)


def test_uploads_are_refused_while_review_or_trial_run(api, ops):
    project_id = submitted(api)
    links = {"projectId": project_id, "resourceType": "image", "resourceURLs": image_urls(["cat"])}
    assert_error(api.call(SUBMIT, links), ErrorCode.UPLOAD_NOT_ALLOWED, api)
    op(ops, "POST", f"/reviews/{project_id}/approve")
    assert_error(api.call(SUBMIT, links), ErrorCode.UPLOAD_NOT_ALLOWED, api)
    set_status(api, project_id, S.PAUSED)  # after the trial was accepted and the project started
    assert api.call(SUBMIT, {**links, "resourceURLs": image_urls(["dog"])})["code"] == 0
    set_status(api, project_id, S.ENDING)
    assert_error(api.call(SUBMIT, {**links, "resourceURLs": image_urls(["dog"])}), ErrorCode.UPLOAD_NOT_ALLOWED, api)


def test_client_decisions_are_refused_outside_trial_done_and_for_other_tenants(api, ops):
    draft = create_project(api, projectName="a draft")
    out = api.call(ACCEPT_TRIAL, {"projectId": draft})
    assert_error(out, ErrorCode.START_FAILED, api)
    assert "alterState start" in out["detail"]
    project_id = submitted(api)
    for path in (ACCEPT_TRIAL, RECONFIGURE, SUBMIT_ISSUES):
        assert_error(api.call(path, {"projectId": project_id}), ErrorCode.UNDER_REVIEW, api)
    other = second_account()
    assert_error(other.call(ACCEPT_TRIAL, {"projectId": project_id}), ErrorCode.PROJECT_NOT_FOUND, other)
    assert_error(other.call(RECONFIGURE, {"projectId": project_id}), ErrorCode.PROJECT_NOT_FOUND, other)
    assert status(api, project_id) == S.CHECKING


def test_trial_issues_disputes_and_a_relabel_answer(api, ops):
    project_id = in_trial_done(api, ops)
    trial = [item.item_id for item in items_of(project_id) if item.trial_round == 1]
    outsider = api.call(TRIAL_ISSUES, {"projectId": project_id, "issues": [{"itemId": "i123", "comment": "?"}]})
    assert_error(outsider, ErrorCode.PARAMETER_INVALID, api)
    assert_error(api.call(SUBMIT_ISSUES, {"projectId": project_id}), ErrorCode.PARAMETER_INVALID, api)  # none yet

    issues = [{"itemId": trial[0], "comment": "that is a dog"}, {"itemId": trial[1], "comment": "blurry"}]
    out = api.call(TRIAL_ISSUES, {"projectId": project_id, "issues": issues})
    assert out["code"] == 0 and out["data"]["issues"] == 2, out
    replaced = [{"itemId": trial[1], "comment": "actually a cat"}]
    assert api.call(TRIAL_ISSUES, {"projectId": project_id, "issues": replaced})["data"]["issues"] == 2
    assert op(ops, "GET", "/disputes")[1]["disputes"] == []  # not submitted yet
    assert api.call(SUBMIT_ISSUES, {"projectId": project_id})["code"] == 0

    [dispute] = op(ops, "GET", "/disputes")[1]["disputes"]
    assert dispute["projectId"] == project_id
    assert {(i["itemId"], i["comment"]) for i in dispute["issues"]} == {
        (trial[0], "that is a dog"),
        (trial[1], "actually a cat"),
    }
    before = ItemModel.get(project_id, trial[0], consistent_read=True)
    code, body = op(
        ops, "POST", f"/projects/{project_id}/disputes/answer", {"text": "relabeling the first", "relabel": [trial[0]]}
    )
    assert code == 200 and body["relabeled"] == 1, body
    assert op(ops, "GET", "/disputes")[1]["disputes"] == []
    busy = api.call(ACCEPT_TRIAL, {"projectId": project_id})  # not while the relabel runs
    assert_error(busy, ErrorCode.CHECKING_STATUS, api)
    assert "relabeled" in busy["detail"]
    work_until(
        lambda: (
            ItemModel.get(project_id, trial[0], consistent_read=True).round == before.round + 1
            and ItemModel.get(project_id, trial[0], consistent_read=True).status == ItemStatus.COMPLETED
        ),
        workers(3),
    )
    executions_ended()
    row = project_row(api, project_id)
    assert row.status == S.TRIAL_DONE and row.amount_spent_cents == 0 and row.trial_finished == 4
    data = retrieved(api, project_id)
    assert data["trial"]["answer"] == "relabeling the first" and data["trial"]["issuesSubmitted"]
    assert any("answered" in mail["subject"] for mail in outbox(CLIENT_EMAIL))
    assert [e["action"] for e in op(ops, "GET", "/audit")[1]["entries"]] == ["approve", "disputes.answer"]
    bad = op(ops, "POST", f"/projects/{project_id}/disputes/answer", {"text": "again", "relabel": ["i000"]})
    assert bad[0] == 400


def test_reconfigure_then_relabel_runs_a_new_trial_without_review(api, ops):
    project_id = in_trial_done(api, ops)
    out = api.call(RECONFIGURE, {"projectId": project_id})
    assert out["code"] == 0 and out["data"]["projectStatus"] == "draft", out
    assert api.call(SET, {"projectId": project_id, "instruction": "look at the ears"})["code"] == 0

    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    row = project_row(api, project_id)
    assert row.status == S.TRIAL and row.trial_round == 2 and row.trial_finished == 0
    assert [t[:2] for t in transitions(project_id)][-2:] == [("trialDone", "draft"), ("draft", "trial")]
    assert op(ops, "GET", "/reviews")[1]["reviews"] == []
    labeled_until(api, project_id, S.TRIAL_DONE)
    row = project_row(api, project_id)
    assert (row.completed_count, row.output_count, row.trial_finished, row.amount_spent_cents) == (4, 4, 4, 0)
    assert all(item.trial_round == 2 and item.round == 1 for item in items_of(project_id))


# ---- clone, ending early ------------------------------------------------------------------------------------------


def test_clone_project_copies_settings_flow_and_gold_but_no_items(api):
    source = create_project(api, projectName="source", options=[{"value": "cat"}, {"value": "dog"}], question="?")
    assert api.call(SET_FLOW, {"projectId": source, "template": "classify-then-box"})["code"] == 0
    gold = {
        "projectId": source,
        "nodeId": "classify",
        "resourceType": "image",
        "items": [{"resourceURL": "https://files.example.com/g/cat.jpg", "answer": {"choice": "cat"}}],
    }
    assert api.call("/api/v1/projects/submitGold", gold)["code"] == 0, api.call("/api/v1/projects/submitGold", gold)
    assert (
        api.call(SUBMIT, {"projectId": source, "resourceType": "image", "resourceURLs": image_urls(["cat"])})["code"]
        == 0
    )

    out = api.call(CLONE, {"projectId": source, "name": "the copy"})
    assert out["code"] == 0, out
    clone = out["data"]["projectId"]
    assert clone != source and out["data"]["name"] == "the copy" and out["data"]["question"] == "?"
    row = project_row(api, clone)
    assert row.status == S.DRAFT and row.item_count == 0 and not items_of(clone)
    assert row.flow_origin == "template:classify-then-box"
    assert find_version(clone, row.flow_version).definition == find_version(source, 1).definition
    assert [(g.node_id, g.url) for g in all_gold(clone)] == [(g.node_id, g.url) for g in all_gold(source)][:1]
    assert_error(api.call(CLONE, {"projectId": source, "name": "the copy"}), ErrorCode.PROJECT_CREATE_FAILED, api)
    assert_error(second_account().call(CLONE, {"projectId": source, "name": "x"}), ErrorCode.PROJECT_NOT_FOUND)


def test_ending_early_withdraws_in_flight_items_keeps_finished_ones_then_delete_is_allowed(api):
    project_id = submitted(api, count=6)
    activate_project(api.user_id, project_id)
    crowd = workers(3)
    work_until(lambda: project_row(api, project_id).completed_count >= 1, crowd)
    assert project_row(api, project_id).processing_count > 0

    refused = api.call(ALTER, {"projectId": project_id, "type": "delete"})
    assert_error(refused, ErrorCode.DELETE_NOT_ALLOWED, api)
    assert "alterState end" in refused["detail"]

    out = api.call(ALTER, {"projectId": project_id, "type": "end"})
    assert out["code"] == 0 and out["data"]["alterType"] == "end", out
    # Annotators still holding (or claiming) tasks of withdrawn items change nothing: their items are not
    # processing any more, so the consensus step ends those executions (moto keeps a stopped execution RUNNING
    # until its waiting tasks time out; on AWS StopExecution ends it at once).
    for _ in range(3):
        for worker in crowd:
            if (claimed := claiming.claim(worker, None, 0)) is not None:
                with contextlib.suppress(Exception):
                    work.submit(worker, claimed.assignment_id, {"choice": "cat"})
    row = project_row(api, project_id)
    assert row.status == S.COMPLETED and row.processing_count == 0
    finished = [item for item in items_of(project_id) if item.status == ItemStatus.COMPLETED]
    spent = sum(item.cost_cents for item in finished)
    assert finished and row.amount_spent_cents == spent  # withdrawn items cost nothing
    assert all(item.status in (ItemStatus.COMPLETED, ItemStatus.NOT_STARTED) for item in items_of(project_id))
    assert row.not_started_count == sum(1 for item in items_of(project_id) if item.status == ItemStatus.NOT_STARTED)
    assert [t[:2] for t in transitions(project_id)][-2:] == [("inProgress", "ending"), ("ending", "completed")]
    assert_error(api.call(ALTER, {"projectId": project_id, "type": "end"}), ErrorCode.ALREADY_COMPLETED, api)
    assert api.call(ALTER, {"projectId": project_id, "type": "delete"})["code"] == 0


def test_ending_is_refused_before_the_project_runs(api):
    draft = create_project(api, projectName="draft")
    assert_error(api.call(ALTER, {"projectId": draft, "type": "end"}), ErrorCode.START_FAILED, api)
    project_id = submitted(api)
    out = api.call(ALTER, {"projectId": project_id, "type": "end"})
    assert_error(out, ErrorCode.UNDER_REVIEW, api)
    out = api.call(ALTER, {"projectId": project_id, "type": "delete"})
    assert_error(out, ErrorCode.DELETE_FAILED, api)
    assert "review" in out["detail"]


# ---- messages (engineer C's thread, the operator side) -------------------------------------------------------------


def test_operators_read_and_write_the_project_thread(api, ops):
    project_id = submitted(api)
    out = api.call("/api/v1/projects/messages", {"projectId": project_id, "text": "when will the review be done?"})
    assert out["code"] == 0, out

    code, thread = op(ops, "GET", f"/projects/{project_id}/messages")
    assert code == 200, thread
    assert [(m["sender"], m["text"]) for m in thread["messages"]] == [("client", "when will the review be done?")]
    code, posted = op(ops, "POST", f"/projects/{project_id}/messages", {"text": "today"})
    assert code == 200 and posted["message"]["sender"] == "operator", posted
    listed = api.call("/api/v1/projects/listMessages", {"projectId": project_id})["data"]
    assert [m["text"] for m in listed["messages"]] == ["when will the review be done?", "today"]

    assert op(ops, "POST", f"/projects/{project_id}/messages", {"text": ""})[0] == 400
    assert op(ops, "GET", "/projects/p404_nothing/messages")[0] == 404
    client = sign_up_client("someone@example.com")
    assert op(ops, "POST", f"/projects/{project_id}/messages", {"text": "x"}, token=client.id_token)[0] == 403
    assert [e["action"] for e in op(ops, "GET", "/audit")[1]["entries"]] == ["message"]
