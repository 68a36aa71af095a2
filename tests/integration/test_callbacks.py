"""Callbacks: setCallback, item-finished and project-status events POSTed to a real local receiver, signed
with the account's secret; failures retried with growing delays, then parked in the DLQ. The queue is
driven by the local runtime's poller (local.scheduler), as Lambda's SQS poller would drive it on AWS."""

import json

import pytest

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.delivery import (
    CallbackAttempt,
    get_delivery,
    log_callback_attempt,
    set_callback_url,
)
from bytebridge.delivery import callbacks, events
from bytebridge.delivery.callbacks import MAX_ATTEMPTS, retry_delay
from bytebridge.delivery.queue import CALLBACK_DLQ, CALLBACK_QUEUE, queue_url
from bytebridge.errors import ErrorCode
from bytebridge.settings import Settings, get_settings
from infra.catalog import QUEUES
from local.scheduler import drain, pump_queue
from tests.support.callback_receiver import Receiver, self_signed, verify, webhook_secret_of
from tests.support.client_api import assert_error, nothing_changes, second_account
from tests.support.delivery import SET_CALLBACK, delivered_project
from tests.support.timing import settings

CALLBACKS = next(spec for spec in QUEUES if spec.name == CALLBACK_QUEUE)


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries without waiting, so a test walks every attempt (the delays themselves are tested apart)."""
    monkeypatch.setenv("CALLBACK_RETRY_BASE_SECONDS", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


PUBLIC_IP = "93.184.216.34"  # a global unicast address; nothing is ever sent to it in these tests


@pytest.fixture
def names(monkeypatch) -> dict[str, list[str]]:
    """Host names resolving as the test says (the machine has no DNS): the resolver is the outside world's seam.
    Names not listed, and numeric spellings, go to the system resolver as in production."""
    table: dict[str, list[str]] = {}
    real = callbacks.resolve_host
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return list(table[host]) if host in table else real(host, port)

    monkeypatch.setattr(callbacks, "resolve_host", resolve)
    table["__lookups__"] = lookups  # read by tests that count lookups
    return table


@pytest.fixture
def deployed_rules(monkeypatch):
    """The callback URL rules of a deployed stage: no loopback receivers (the local runtime allows its own)."""
    monkeypatch.setenv("ALLOW_PRIVATE_CALLBACKS", "false")
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
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
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
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
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
    with Receiver(api.user_id, webhook_secret_of(api.user_id), statuses=[500, 503]) as receiver:
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
    with Receiver(api.user_id, webhook_secret_of(api.user_id), statuses=[500] * 100) as receiver:
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
    with Receiver(api.user_id, webhook_secret_of(api.user_id), statuses=[500]) as receiver:
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
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        closed_url = receiver.url
    _set_callback(api, project_id, closed_url)  # nothing listens there any more
    events.on_item_finished(project_id, items[0].item_id)
    drain(CALLBACKS)
    body = json.loads(_messages(CALLBACK_DLQ)[0]["Body"])
    assert body["attempt"] == MAX_ATTEMPTS and "ConnectionRefusedError" in body["last_error"]


def test_a_malformed_message_is_a_partial_batch_failure_and_is_redriven(api):
    project_id, items = delivered_project(api, 1)
    sqs = client("sqs")
    url = queue_url(CALLBACK_QUEUE)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})  # redeliver at once
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        _set_callback(api, project_id, receiver.url)
        sqs.send_message(QueueUrl=url, MessageBody="{not json")
        events.on_item_finished(project_id, items[0].item_id)
        handled = sum(pump_queue(CALLBACKS) for _ in range(CALLBACKS.max_receive_count + 2))

    assert handled == 1 and len(receiver.received) == 1  # the good record went through
    assert [m["Body"] for m in _messages(CALLBACK_DLQ)] == ["{not json"]  # redrive after max receives


def test_events_of_a_removed_callback_are_dropped(api, no_backoff):
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id), statuses=[500]) as receiver:
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


def test_another_accounts_project_takes_no_callback(api, names):
    names["hooks.example.com"] = [PUBLIC_IP]
    project_id, _ = delivered_project(api, 1)
    intruder = second_account()
    with nothing_changes():
        out = _set_callback(intruder, project_id, "https://hooks.example.com/x")
    assert_error(out, ErrorCode.PROJECT_NOT_FOUND, intruder)
    assert _set_callback(api, project_id, "https://hooks.example.com/x")["code"] == 0


# ---- issue 12: URL checks at setCallback and at send time, pinned connections, no redirects ----------------

SSRF_HOSTS = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0x7f.1",
    "localhost",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "0.0.0.0",
    "[::]",
    "0xa9fea9fe",  # 169.254.169.254, the metadata service
    "169.254.169.254",
    "[fe80::1]",
    "10.1",
    "167772161",  # 10.0.0.1
    "192.168.0.1",
    "172.16.0.1",
    "100.64.0.1",  # shared address space
    "[fd00::1]",
    "[fc00::1]",
    "224.0.0.1",
    "[ff02::1]",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "private.example",  # a name resolving to a private address
    "mixed.example",  # one public and one private address: refused
]


def _private_names(names: dict[str, list[str]]) -> None:
    names["private.example"] = ["10.0.0.7"]
    names["mixed.example"] = [PUBLIC_IP, "127.0.0.1"]


@pytest.mark.parametrize("host", SSRF_HOSTS)
def test_setcallback_refuses_every_spelling_of_a_private_address(api, names, deployed_rules, host):
    _private_names(names)
    project_id, _ = delivered_project(api, 1)
    with nothing_changes():
        out = _set_callback(api, project_id, f"https://{host}/hook")
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_a_name_that_does_not_resolve_is_refused(api, deployed_rules):
    project_id, _ = delivered_project(api, 1)
    with nothing_changes():
        out = _set_callback(api, project_id, "https://nowhere.invalid/hook")
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_plain_http_to_loopback_is_refused_outside_the_local_runtime(api, deployed_rules):
    project_id, _ = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        out = _set_callback(api, project_id, receiver.url)
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)


def test_the_loopback_allowance_is_ignored_on_a_deployed_stage(monkeypatch):
    """ALLOW_PRIVATE_CALLBACKS is honoured on the local stage only, even if a deployed stage had it set."""
    monkeypatch.setenv("ALLOW_PRIVATE_CALLBACKS", "true")
    monkeypatch.setenv("BYTEBRIDGE_STAGE", "dev")
    get_settings.cache_clear()
    try:
        assert callbacks.callback_url_problem("http://127.0.0.1:8080/hook") is not None
        assert callbacks.callback_url_problem("https://127.0.0.1/hook") == "callbackUrl must be a public host"
    finally:
        get_settings.cache_clear()


def test_a_public_https_url_is_accepted(api, names, deployed_rules):
    names["hooks.example.com"] = [PUBLIC_IP]
    project_id, _ = delivered_project(api, 1)
    assert _set_callback(api, project_id, "https://hooks.example.com/x")["code"] == 0
    assert _set_callback(api, project_id, f"https://{PUBLIC_IP}/x")["code"] == 0


SEND_TIME_HOSTS = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost", "rebound.example"]


@pytest.mark.parametrize("host", SEND_TIME_HOSTS)
def test_send_time_refuses_private_addresses_and_connects_to_nothing(api, names, no_backoff, deployed_rules, host):
    """A URL stored before these checks, or a name whose DNS changed since setCallback: every attempt is refused
    before any connection (the receiver would record a POST), and the event ends in the DLQ with the reason."""
    names["rebound.example"] = [PUBLIC_IP]
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        url = f"http://{host}:{port}/bytebridge/events"
        if host == "rebound.example":
            url = f"https://{host}:{port}/bytebridge/events"
            assert _set_callback(api, project_id, url)["code"] == 0  # public when set…
            names[host] = ["127.0.0.1"]  # …loopback when sent
        else:
            set_callback_url(project_id, api.user_id, url, 0)
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)
    assert receiver.received == []
    body = json.loads(_messages(CALLBACK_DLQ)[0]["Body"])
    assert body["attempt"] == MAX_ATTEMPTS and body["last_error"] == "refused: callbackUrl must be a public host"


def test_the_sender_connects_to_the_checked_address_and_keeps_the_host(api, names):
    """One lookup per check (setCallback, then each attempt); the connection goes to the address checked, and the
    Host header names the URL's host (no DNS knows pinned.example: a second lookup would fail)."""
    names["pinned.example"] = ["127.0.0.1"]
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        assert _set_callback(api, project_id, f"http://pinned.example:{port}/hook?x=1")["code"] == 0
        events.on_item_finished(project_id, items[0].item_id)
        assert drain(CALLBACKS) == 1
    (post,) = receiver.received
    assert post.signature_ok and post.headers["Host"] == f"pinned.example:{port}"
    assert names["__lookups__"] == ["pinned.example", "pinned.example"]


def test_redirects_are_not_followed(api):
    project_id, items = delivered_project(api, 1)
    secret = webhook_secret_of(api.user_id)
    with Receiver(api.user_id, secret) as target, Receiver(api.user_id, secret, [302], target.url) as redirector:
        _set_callback(api, project_id, redirector.url)
        events.on_item_finished(project_id, items[0].item_id)
        assert pump_queue(CALLBACKS) == 1
    assert len(redirector.received) == 1 and target.received == []
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=queue_url(CALLBACK_QUEUE), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"  # a 3xx is a failed attempt, retried


# ---- issue 12: callbacks signed with the account's webhook secret, in a scheme of their own ----------------


def test_setcallback_makes_the_webhook_secret_which_is_not_the_api_secret_and_never_answers_it(api):
    project_id, _ = delivered_project(api, 1)
    with Receiver(api.user_id, "unused") as receiver:
        first = _set_callback(api, project_id, receiver.url)
        again = _set_callback(api, project_id, receiver.url)
    secret = webhook_secret_of(api.user_id)  # read through the account API (tests/integration/test_webhook_secret)
    assert secret.startswith("whsec_") and len(secret) > 40 and secret != api.secret
    assert "webhookSecret" not in first["data"] and secret not in json.dumps([first, again])
    assert webhook_secret_of(api.user_id) == secret  # made once
    stored = AccountModel.get(api.user_id).webhook_secret
    assert stored is not None and secret not in stored  # sealed with KMS, like the API secrets


def test_the_signature_covers_timestamp_event_id_and_body(api):
    project_id, items = delivered_project(api, 1)
    secret = webhook_secret_of(api.user_id)
    with Receiver(api.user_id, secret) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)
    (post,) = receiver.received
    event_id = json.loads(post.body)["data"]["eventId"]
    assert post.signature_ok and post.headers["ByteBridge-Event-Id"] == event_id
    assert not {"Timestamp", "SignType", "RequestSign"} & set(post.headers)  # not the API's request scheme
    t = int(post.headers["ByteBridge-Signature"].split(",")[0].removeprefix("t="))
    assert abs(t - now_ms() // 1000) < 60
    assert post.headers["ByteBridge-Signature"] == callbacks.signature_header([secret], event_id, post.body, t)
    assert not verify(api.secret, event_id, post.body, post.headers)  # the API secret does not verify it
    assert not verify(secret, "another-event", post.body, post.headers)
    assert not verify(secret, event_id, post.body + " ", post.headers)


def test_a_callback_replayed_to_the_api_is_refused(api):
    """The callback's body is a success envelope naming the account: sent to the API with the callback's own
    headers (or the API's header names filled from them), it is not a signed request."""
    from client_api.handler import lambda_handler

    from local.emulator import LocalContext
    from local.gateway import proxy_event

    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id)) as receiver:
        _set_callback(api, project_id, receiver.url)
        events.on_item_finished(project_id, items[0].item_id)
        drain(CALLBACKS)
    (post,) = receiver.received
    t = post.headers["ByteBridge-Signature"].split(",")[0].removeprefix("t=")
    v1 = post.headers["ByteBridge-Signature"].split("v1=")[1]
    as_sent = {k: v for k, v in post.headers.items() if k.lower() not in ("host", "content-length")}
    dressed = {**as_sent, "Timestamp": str(int(t) * 1000), "SignType": "HMAC-SHA256", "RequestSign": v1.upper()}
    for headers in (as_sent, dressed):
        for path in (SET_CALLBACK, "/api/v1/projects/listResults"):
            with nothing_changes(authenticated=False):
                response = lambda_handler(
                    proxy_event("POST", path, headers, post.body.encode("utf-8"), "127.0.0.1"), LocalContext("x")
                )
            out = json.loads(response["body"])
            assert out["code"] != 0, out


# ---- issue 12: the delivery log and a test ping ----------------------------------------------------------------

PING_CALLBACK = "/api/v1/projects/pingCallback"
LIST_DELIVERIES = "/api/v1/projects/listCallbackDeliveries"


def test_ping_is_delivered_signed_and_every_attempt_is_logged(api, no_backoff):
    project_id, _ = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id), statuses=[503]) as receiver:
        _set_callback(api, project_id, receiver.url)
        ping = api.call(PING_CALLBACK, {"projectId": project_id})
        assert ping["code"] == 0
        drain(CALLBACKS)
    event_id = ping["data"]["eventId"]
    assert [json.loads(post.body)["data"]["event"] for post in receiver.received] == ["ping", "ping"]
    assert all(post.signature_ok and post.headers["ByteBridge-Event-Id"] == event_id for post in receiver.received)

    deliveries = api.call(LIST_DELIVERIES, {"projectId": project_id})["data"]["deliveries"]
    assert [(d["eventId"], d["event"], d["attempt"], d["statusCode"], d["error"]) for d in deliveries] == [
        (event_id, "ping", 2, 200, None),  # newest first
        (event_id, "ping", 1, 503, "HTTP 503"),
    ]
    assert deliveries[0]["at"] >= deliveries[1]["at"] > 0


def test_ping_without_a_callback_url_is_code_2(api):
    project_id, _ = delivered_project(api, 1)
    with nothing_changes():
        out = api.call(PING_CALLBACK, {"projectId": project_id})
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert out["detail"] == "the project has no callbackUrl"


def test_another_account_reads_no_delivery_log_and_pings_nothing(api):
    project_id, _ = delivered_project(api, 1)
    intruder = second_account()
    for path in (PING_CALLBACK, LIST_DELIVERIES):
        with nothing_changes():
            out = intruder.call(path, {"projectId": project_id})
        assert_error(out, ErrorCode.PROJECT_NOT_FOUND, intruder)
    assert api.call(LIST_DELIVERIES, {"projectId": project_id})["data"]["deliveries"] == []


def test_the_delivery_log_keeps_the_last_attempts(api):
    """100 by default (Settings.callback_log_size); 4 here, so the test stays quick."""
    assert Settings().callback_log_size == 100
    project_id, _ = delivered_project(api, 1)
    set_callback_url(project_id, api.user_id, "https://hooks.example.com/x", 0)
    with settings(CALLBACK_LOG_SIZE="4"):
        for n in range(7):
            row = get_delivery(project_id)
            assert row is not None
            entry = CallbackAttempt(event_id=f"e{n}", event="ping", attempt=1, status_code=200, error=None, at=n + 1)
            log_callback_attempt(row, entry)
    deliveries = api.call(LIST_DELIVERIES, {"projectId": project_id})["data"]["deliveries"]
    assert [d["eventId"] for d in deliveries] == ["e6", "e5", "e4", "e3"]


def test_https_goes_to_the_checked_address_with_the_urls_host_as_tls_name(api, names, monkeypatch, tmp_path):
    """TLS to 127.0.0.1 (what pinned.example resolved to) verifies a certificate for pinned.example: the URL's
    host is the SNI and checked name. A certificate for another name fails the attempt."""
    cert_file, server_tls = self_signed("pinned.example", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # the client trusts this one certificate
    names["pinned.example"] = ["127.0.0.1"]
    names["other.example"] = ["127.0.0.1"]
    project_id, items = delivered_project(api, 1)
    with Receiver(api.user_id, webhook_secret_of(api.user_id), tls=server_tls) as receiver:
        assert _set_callback(api, project_id, f"https://pinned.example:{receiver.port}/hook")["code"] == 0
        events.on_item_finished(project_id, items[0].item_id)
        assert pump_queue(CALLBACKS) == 1
        (post,) = receiver.received
        assert post.signature_ok and post.headers["Host"] == f"pinned.example:{receiver.port}"

        assert _set_callback(api, project_id, f"https://other.example:{receiver.port}/hook")["code"] == 0
        events.on_item_finished(project_id, items[0].item_id)
        assert pump_queue(CALLBACKS) == 1
    assert len(receiver.received) == 1
    deliveries = api.call(LIST_DELIVERIES, {"projectId": project_id})["data"]["deliveries"]
    assert deliveries[0]["statusCode"] is None and "SSL" in deliveries[0]["error"]
