"""Callbacks: setCallback, item-finished and project-status events POSTed to a real local receiver, signed
with the account's secret; failures retried with growing delays, then parked in the DLQ. The queue is
driven by the local runtime's poller (local.scheduler), as Lambda's SQS poller would drive it on AWS."""

import json

import pytest

from bytebridge.aws import client
from bytebridge.delivery import events
from bytebridge.delivery.callbacks import MAX_ATTEMPTS, retry_delay
from bytebridge.delivery.queue import CALLBACK_DLQ, CALLBACK_QUEUE, queue_url
from bytebridge.errors import ErrorCode
from bytebridge.settings import get_settings
from infra.catalog import QUEUES
from local.scheduler import drain, pump_queue
from tests.support.callback_receiver import Receiver
from tests.support.client_api import assert_error, nothing_changes, second_account
from tests.support.delivery import SET_CALLBACK, delivered_project

CALLBACKS = next(spec for spec in QUEUES if spec.name == CALLBACK_QUEUE)


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries without waiting, so a test walks every attempt (the delays themselves are tested apart)."""
    monkeypatch.setenv("CALLBACK_RETRY_BASE_SECONDS", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _messages(queue: str) -> list[dict]:
    out = client("sqs").receive_message(QueueUrl=queue_url(queue), MaxNumberOfMessages=10, AttributeNames=["All"])
    return out.get("Messages", [])


def _set_callback(api, project_id: str, url: str) -> dict:
    return api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": url})


def test_item_finished_is_posted_signed_with_the_account_secret(api):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret) as receiver:
        assert _set_callback(api, project_id, receiver.url)["data"]["callbackUrl"] == receiver.url
        events.on_item_finished(project_id, items[0].item_id)
        assert drain(CALLBACKS) == 1

    (post,) = receiver.received
    assert post.signature_ok
    envelope = json.loads(post.body)
    assert envelope["code"] == 0 and envelope["successMsg"] == "success" and envelope["userId"] == api.user_id
    data = envelope["data"]
    assert data["event"] == "itemFinished" and data["projectId"] == project_id and data["attempt"] == 1
    assert data["item"]["itemId"] == items[0].item_id
    assert data["item"]["result"]["answers"]["classify"] == {"choice": "cat"}
    assert _messages(CALLBACK_QUEUE) == [] and _messages(CALLBACK_DLQ) == []


def test_project_status_event(api):
    project_id, _ = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_project_status(project_id, "inProgress", "completed")
        drain(CALLBACKS)
    data = json.loads(receiver.received[0].body)["data"]
    assert (data["event"], data["oldStatus"], data["newStatus"]) == ("projectStatus", "inProgress", "completed")
    assert receiver.received[0].signature_ok


def test_without_a_callback_url_nothing_is_queued(api):
    project_id, items = delivered_project(api, 1)
    events.on_item_finished(project_id, items[0].item_id)
    assert _messages(CALLBACK_QUEUE) == []


def test_failed_attempts_are_retried_with_the_same_event_id(api, no_backoff):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret, statuses=[500, 503]) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)

    bodies = [json.loads(post.body)["data"] for post in receiver.received]
    assert [body["attempt"] for body in bodies] == [1, 2, 3]
    assert len({body["eventId"] for body in bodies}) == 1
    assert all(post.signature_ok for post in receiver.received)
    assert _messages(CALLBACK_QUEUE) == [] and _messages(CALLBACK_DLQ) == []


def test_an_endpoint_that_keeps_failing_ends_in_the_dlq(api, no_backoff):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret, statuses=[500] * 100) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)

    assert len(receiver.received) == MAX_ATTEMPTS
    (parked,) = _messages(CALLBACK_DLQ)
    body = json.loads(parked["Body"])
    assert body["attempt"] == MAX_ATTEMPTS and body["last_error"] == "HTTP 500"
    assert body["item_id"] == items[0].item_id
    assert _messages(CALLBACK_QUEUE) == []


def test_a_retry_waits_for_its_delay(api):
    """With the default backoff the second attempt is delayed: a poll right after the failure finds nothing."""
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret, statuses=[500]) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_item_finished(project_id, items[0].item_id)
        assert pump_queue(CALLBACKS) == 1  # handled: the failure became a delayed retry
        assert pump_queue(CALLBACKS) == 0
    assert len(receiver.received) == 1
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=queue_url(CALLBACK_QUEUE), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"
    assert [retry_delay(n) for n in range(2, MAX_ATTEMPTS + 1)] == [10, 40, 160, 640, 900]


def test_an_unreachable_endpoint_is_retried(api, no_backoff):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret) as receiver:
        closed_url = receiver.url
    _set_callback(api, project_id, closed_url)  # nothing listens there any more
    events.on_item_finished(project_id, items[0].item_id)
    drain(CALLBACKS)
    body = json.loads(_messages(CALLBACK_DLQ)[0]["Body"])
    assert body["attempt"] == MAX_ATTEMPTS and "URLError" in body["last_error"]


def test_a_malformed_message_is_a_partial_batch_failure_and_is_redriven(api):
    project_id, items = delivered_project(api, 1)
    sqs = client("sqs")
    url = queue_url(CALLBACK_QUEUE)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})  # redeliver at once
    with Receiver(api.user_id, api.secret) as receiver:
        _set_callback(api, project_id, receiver.url)
        sqs.send_message(QueueUrl=url, MessageBody="{not json")
        events.on_item_finished(project_id, items[0].item_id)
        handled = sum(pump_queue(CALLBACKS) for _ in range(CALLBACKS.max_receive_count + 2))

    assert handled == 1 and len(receiver.received) == 1  # the good record went through
    assert [m["Body"] for m in _messages(CALLBACK_DLQ)] == ["{not json"]  # redrive after max receives


def test_events_of_a_removed_callback_are_dropped(api, no_backoff):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, api.secret, statuses=[500]) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_item_finished(project_id, items[0].item_id)
        pump_queue(CALLBACKS)  # first attempt fails; the retry is queued
        assert _set_callback(api, project_id, "")["data"]["callbackUrl"] is None
        drain(CALLBACKS)
    assert len(receiver.received) == 1
    assert _messages(CALLBACK_QUEUE) == [] and _messages(CALLBACK_DLQ) == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "http://example.com/hook",  # plain http only to the local loopback
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest",
        "https://user:pw@example.com/hook",
        "not a url",
    ],
)
def test_bad_callback_urls_are_code_2_and_change_nothing(api, url):
    project_id, _ = delivered_project(api, 1)
    with nothing_changes():
        out = _set_callback(api, project_id, url)
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_another_accounts_project_takes_no_callback(api):
    project_id, _ = delivered_project(api, 1)
    intruder = second_account()
    with nothing_changes():
        out = _set_callback(intruder, project_id, "https://hooks.example.com/x")
    assert_error(out, ErrorCode.PROJECT_NOT_FOUND, intruder)
    assert _set_callback(api, project_id, "https://hooks.example.com/x")["code"] == 0
