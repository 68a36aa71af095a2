"""redeliverCallback: an event from the project's delivery log queued again, with the same event id, the item's
current state and a new signature, to the project's current URL; not queued twice when asked again within a minute."""

import json

import pytest

from bytebridge import clock
from bytebridge.aws import client
from bytebridge.delivery import events
from bytebridge.delivery.callbacks import REDELIVERY_WINDOW_MS
from bytebridge.delivery.queue import CALLBACK_QUEUE, queue_url
from bytebridge.errors import ErrorCode
from local.scheduler import drain
from tests.support.callback_receiver import Receiver, webhook_secret_of
from tests.support.client_api import assert_error, nothing_changes, second_account
from tests.support.delivery import SET_CALLBACK, delivered_project

from .test_callbacks import CALLBACKS, no_backoff  # noqa: F401 - the fixture

REDELIVER = "/api/v1/projects/redeliverCallback"
DELIVERIES = "/api/v1/projects/listCallbackDeliveries"


def _redeliver(api, project_id: str, event_id: str) -> dict:
    return api.call(REDELIVER, {"projectId": project_id, "eventId": event_id})


def _log(api, project_id: str) -> list[dict]:
    out = api.call(DELIVERIES, {"projectId": project_id})
    assert out["code"] == 0, out
    return out["data"]["deliveries"]


def _signed_at(post) -> int:
    return int(post.headers["ByteBridge-Signature"].split(",")[0].removeprefix("t="))


def test_a_logged_event_is_delivered_again_with_its_event_id_and_a_new_signature(api):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})
        events.on_item_finished(project_id, items[0].item_id)
        assert drain(CALLBACKS) == 1
        (logged,) = _log(api, project_id)
        clock.advance(120)
        out = _redeliver(api, project_id, logged["eventId"])
        assert out["code"] == 0, out
        assert out["data"] == {"projectId": project_id, "eventId": logged["eventId"], "queued": True}
        assert drain(CALLBACKS) == 1

    first, again = receiver.received
    assert again.signature_ok and again.headers["ByteBridge-Event-Id"] == logged["eventId"]
    assert _signed_at(again) >= _signed_at(first) + 120  # signed when sent, not when first sent
    body, original = json.loads(again.body)["data"], json.loads(first.body)["data"]
    assert (body["event"], body["eventId"], body["attempt"]) == ("itemFinished", logged["eventId"], 1)
    assert body["occurredAt"] == original["occurredAt"] and body["item"] == original["item"]
    assert [(e["eventId"], e["attempt"], e["statusCode"]) for e in _log(api, project_id)] == [
        (logged["eventId"], 1, 200),
        (logged["eventId"], 1, 200),
    ]


def test_a_project_status_event_keeps_its_statuses(api):
    project_id, _ = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})
        events.on_project_status(project_id, "inProgress", "completed")
        drain(CALLBACKS)
        (logged,) = _log(api, project_id)
        assert _redeliver(api, project_id, logged["eventId"])["data"]["queued"] is True
        drain(CALLBACKS)
    bodies = [json.loads(post.body)["data"] for post in receiver.received]
    assert [(b["event"], b["oldStatus"], b["newStatus"]) for b in bodies] == [
        ("projectStatus", "inProgress", "completed")
    ] * 2


def test_asking_again_within_a_minute_queues_nothing_more(api):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)
        (logged,) = _log(api, project_id)
        assert _redeliver(api, project_id, logged["eventId"])["data"]["queued"] is True
        repeated = _redeliver(api, project_id, logged["eventId"])  # a client retrying after a timeout
        assert repeated["code"] == 0 and repeated["data"]["queued"] is False
        assert drain(CALLBACKS) == 1
        clock.advance(REDELIVERY_WINDOW_MS / 1000 + 1)
        assert _redeliver(api, project_id, logged["eventId"])["data"]["queued"] is True
        assert drain(CALLBACKS) == 1
    assert len(receiver.received) == 3


def test_an_event_that_failed_for_good_goes_to_the_fixed_url(api, no_backoff):  # noqa: F811 - the fixture
    project_id, items = delivered_project(api, 1)
    secret = webhook_secret_of(api.user_id)
    with Receiver(api.user_id, secret, statuses=[500] * 100) as broken:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": broken.url})
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)  # every attempt fails: parked in the DLQ
    failed = _log(api, project_id)
    assert {entry["eventId"] for entry in failed} == {failed[0]["eventId"]} and failed[0]["error"] == "HTTP 500"
    with Receiver(api.user_id, secret) as fixed:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": fixed.url})
        assert _redeliver(api, project_id, failed[0]["eventId"])["data"]["queued"] is True
        drain(CALLBACKS)
    (post,) = fixed.received
    assert post.signature_ok and post.headers["ByteBridge-Event-Id"] == failed[0]["eventId"]
    assert _log(api, project_id)[0] == {**_log(api, project_id)[0], "attempt": 1, "statusCode": 200, "error": None}


def test_refusals(api):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": receiver.url})
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)
    (logged,) = _log(api, project_id)
    other = second_account()
    with nothing_changes():
        assert_error(_redeliver(api, project_id, "0" * 32), ErrorCode.PARAMETER_INVALID, api)
    with nothing_changes():  # another account's project
        assert_error(_redeliver(other, project_id, logged["eventId"]), ErrorCode.PROJECT_NOT_FOUND, other)
    api.call(SET_CALLBACK, {"projectId": project_id, "callbackUrl": ""})
    assert_error(_redeliver(api, project_id, logged["eventId"]), ErrorCode.PARAMETER_INVALID, api)
    queued = client("sqs").receive_message(QueueUrl=queue_url(CALLBACK_QUEUE), MaxNumberOfMessages=10)
    assert queued.get("Messages", []) == []


@pytest.mark.parametrize("event_id", ["", "x" * 65])
def test_the_event_id_is_validated(api, event_id):
    project_id, _ = delivered_project(api, 1)
    out = _redeliver(api, project_id, event_id)
    assert out["code"] != 0 and "data" not in out
