"""Signed callbacks: events are queued (SQS), POSTed to the project's callbackUrl as the documented success
envelope, signed like a client request (Timestamp, SignType md5, RequestSign with the account's first active
secret) so the client verifies them with its own secret, retried with exponential backoff, and parked in the
DLQ after MAX_ATTEMPTS.

The queue message carries ids and the attempt number only; the payload is built when it is sent, so a retry
delivers the item's current state and a client that fixes its URL gets the pending retries at the new one.
"""

import ipaddress
import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel, active_secrets, get_account
from bytebridge.dal.delivery import get_delivery, set_callback_url
from bytebridge.dal.items import get_item
from bytebridge.dal.projects import get_live_project
from bytebridge.delivery.queue import CALLBACK_DLQ, CALLBACK_QUEUE, queue_url
from bytebridge.delivery.views import result_record
from bytebridge.envelope import success
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.models.results import CallbackData, CallbackEvent, SetCallbackData, SetCallbackParams
from bytebridge.observability import BusinessMetric, count
from bytebridge.settings import get_settings, stage
from bytebridge.signing import signed_headers

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAX_DELAY_SECONDS = 900  # SQS's per-message maximum
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class CallbackMessage(BaseModel):
    """The SQS body: what happened, to whom, and how many times delivery was tried."""

    event_id: str
    event: CallbackEvent
    user_id: str
    project_id: str
    occurred_at: int
    item_id: str | None = None
    old_status: str | None = None
    new_status: str | None = None
    attempt: int = 1
    last_error: str | None = None


class Outcome(StrEnum):
    DELIVERED = "delivered"
    DROPPED = "dropped"  # no callback URL any more, or the project/account is gone
    RETRYING = "retrying"
    DEAD = "dead"  # parked in the DLQ


def callback_url_problem(url: str) -> str | None:
    """Why `url` cannot be a callback URL, or None: https with a public host; plain http only to the loopback
    host on the local stage (the local receiver in tests and demos)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "callbackUrl is not a URL"
    if parts.scheme == "http" and host in LOOPBACK_HOSTS and stage() == "local":
        return None
    if parts.scheme != "https":
        return "callbackUrl must be https"
    if not host:
        return "callbackUrl has no host"
    if parts.username or parts.password:
        return "callbackUrl must not carry credentials"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None if host not in LOOPBACK_HOSTS else "callbackUrl must be a public host"
    return None if address.is_global else "callbackUrl must be a public host"


def set_callback(account: AccountModel, params: SetCallbackParams) -> SetCallbackData:
    """setCallback: store the project's callback URL (an empty one removes it)."""
    project = get_live_project(account.user_id, params.project_id)
    url = params.callback_url or None
    if url and (problem := callback_url_problem(url)):
        raise ApiError(ErrorCode.PARAMETER_INVALID, problem)
    now = now_ms()
    set_callback_url(project.project_id, project.user_id, url, now)
    return SetCallbackData(project_id=project.project_id, callback_url=url, updated_at=now)


def enqueue(message: CallbackMessage, delay_seconds: int = 0) -> None:
    client("sqs").send_message(
        QueueUrl=queue_url(CALLBACK_QUEUE), MessageBody=message.model_dump_json(), DelaySeconds=delay_seconds
    )


def enqueue_event(
    event: CallbackEvent, user_id: str, project_id: str, *, item_id: str | None = None, **statuses: str
) -> bool:
    """Queue one event if the project has a callback URL; True if queued."""
    delivery = get_delivery(project_id)
    if delivery is None or not delivery.callback_url:
        return False
    message = CallbackMessage(
        event_id=uuid.uuid4().hex,
        event=event,
        user_id=user_id,
        project_id=project_id,
        occurred_at=now_ms(),
        item_id=item_id,
        **statuses,
    )
    enqueue(message)
    return True


def retry_delay(attempt: int) -> int:
    """Seconds to wait before `attempt` (2, 3, …): base·4^(attempt-2), capped at SQS's 900 s."""
    return min(MAX_DELAY_SECONDS, get_settings().callback_retry_base_seconds * 4 ** (attempt - 2))


@dataclass(frozen=True)
class _Target:
    url: str
    body: str
    secret: str


def _target(message: CallbackMessage) -> _Target | None:
    """Where and what to POST now; None if the event has nowhere to go any more."""
    delivery = get_delivery(message.project_id)
    account = get_account(message.user_id)
    if delivery is None or not delivery.callback_url or account is None or delivery.user_id != message.user_id:
        return None
    data = CallbackData(
        event=message.event,
        event_id=message.event_id,
        project_id=message.project_id,
        occurred_at=message.occurred_at,
        attempt=message.attempt,
        old_status=message.old_status,
        new_status=message.new_status,
    )
    if message.item_id is not None:
        item = get_item(message.project_id, message.item_id)
        if item is None:
            return None  # purged with its project
        data.item = result_record(item)
    body = json.dumps(success(message.user_id, data.model_dump(mode="json", by_alias=True)), ensure_ascii=False)
    return _Target(delivery.callback_url, body, active_secrets(account)[0])


def _post(target: _Target, user_id: str) -> str | None:
    """POST the signed body; None on a 2xx answer, else what went wrong (never the secret)."""
    headers = signed_headers(user_id, target.body, target.secret, now_ms())
    headers["User-Agent"] = "ByteBridge-Callback/1"
    request = urllib.request.Request(target.url, data=target.body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=get_settings().callback_timeout_seconds) as response:
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"


def deliver(message: CallbackMessage) -> Outcome:
    """One delivery attempt. A failed attempt is re-queued with a longer delay (a new message with the attempt
    count raised), or parked in the DLQ after the last; SQS errors raise so the batch reports the record."""
    target = _target(message)
    if target is None:
        return Outcome.DROPPED
    error = _post(target, message.user_id)
    if error is None:
        count(BusinessMetric.CALLBACKS_DELIVERED)
        return Outcome.DELIVERED
    count(BusinessMetric.CALLBACKS_FAILED)
    log.info("callback attempt failed", extra={"eventId": message.event_id, "attempt": message.attempt})
    if message.attempt >= MAX_ATTEMPTS:
        parked = message.model_copy(update={"last_error": error})
        client("sqs").send_message(QueueUrl=queue_url(CALLBACK_DLQ), MessageBody=parked.model_dump_json())
        return Outcome.DEAD
    following = message.model_copy(update={"attempt": message.attempt + 1, "last_error": error})
    enqueue(following, retry_delay(following.attempt))
    return Outcome.RETRYING
