"""Signed callbacks: events are queued (SQS), POSTed to the project's callbackUrl as the documented success
envelope, signed with the account's webhook secret (never its API secret, and not in the API's request scheme, so
a callback can never pass as a request): `ByteBridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<event id>.<body>">` and `ByteBridge-Event-Id`, as Stripe and CVAT sign theirs. Retried with exponential
backoff, and parked in the DLQ after MAX_ATTEMPTS. The secret is read and rotated through the account API; for
SECRET_OVERLAP_MS after a rotation the old secret signs too (a second `v1=`), as Stripe's roll does, so receivers
switch without losing events. A logged event can be queued again (redeliverCallback) under its own event id.

The callback URL is checked when it is set and again before every attempt (DNS changes): https only, and every
address its host resolves to must be public (bytebridge.public_net; numeric spellings such as 127.1, 2130706433 or
0x7f000001 resolve like any name). The sender connects to the checked address itself (no second lookup; the URL's
host still names the TLS server and the Host header) and never follows redirects. Only the local runtime and the
tests may allow loopback receivers (Settings.allow_private_callbacks, honoured on the local stage only).

The queue message carries ids and the attempt number only; the payload is built when it is sent, so a retry
delivers the item's current state and a client that fixes its URL gets the pending retries at the new one.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal import accounts as account_rows
from bytebridge.dal.accounts import (
    AccountModel,
    get_account,
    previous_webhook_secret,
    set_webhook_secret_once,
    webhook_secret,
)
from bytebridge.dal.delivery import (
    CallbackAttempt,
    claim_redelivery,
    get_delivery,
    log_callback_attempt,
    release_redelivery,
    set_callback_url,
)
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.items import get_item
from bytebridge.dal.projects import get_live_project
from bytebridge.delivery.queue import CALLBACK_DLQ, CALLBACK_QUEUE, queue_url
from bytebridge.delivery.views import result_record
from bytebridge.envelope import success
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.models.results import (
    CallbackData,
    CallbackDelivery,
    CallbackEvent,
    CallbackProjectParams,
    ListCallbackDeliveriesData,
    PingCallbackData,
    RedeliverCallbackData,
    RedeliverCallbackParams,
    SetCallbackData,
    SetCallbackParams,
)
from bytebridge.observability import BusinessMetric, count
from bytebridge.public_net import CheckedUrl, is_public, pinned_connection, resolve_host
from bytebridge.settings import get_settings, stage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAX_DELAY_SECONDS = 900  # SQS's per-message maximum
SIGNATURE_HEADER = "ByteBridge-Signature"
EVENT_ID_HEADER = "ByteBridge-Event-Id"
WEBHOOK_SECRET_PREFIX = "whsec_"
SECRET_OVERLAP_MS = 24 * 3600 * 1000  # the replaced webhook secret signs beside the new one this long
REDELIVERY_WINDOW_MS = 60_000  # the same event asked to be redelivered again within this is not queued twice


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


def _loopback_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The local receiver of the local runtime and the tests; never on a deployed stage."""
    if not (get_settings().allow_private_callbacks and stage() == "local"):
        return False
    inner = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (inner or address).is_loopback


def check_callback_url(url: str) -> CheckedUrl | str:
    """The URL with the address to connect to, or why it cannot be a callback URL. https, no credentials, and
    every address the host resolves to public (plain http and loopback only where the local receiver is allowed)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "callbackUrl is not a URL"
    if parts.scheme not in ("https", "http"):
        return "callbackUrl must be https"
    if not host:
        return "callbackUrl has no host"
    if parts.username is not None or parts.password is not None:
        return "callbackUrl must not carry credentials"
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        resolved = [ipaddress.ip_address(found) for found in resolve_host(host, port)]
    except (OSError, UnicodeError, ValueError):
        return "callbackUrl host cannot be resolved"
    if not resolved:
        return "callbackUrl host cannot be resolved"
    local = all(_loopback_allowed(address) for address in resolved)
    if not local and not all(is_public(address) for address in resolved):
        return "callbackUrl must be a public host"
    if parts.scheme != "https" and not local:
        return "callbackUrl must be https"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return CheckedUrl(parts.scheme, host, port, path, str(resolved[0]))


def callback_url_problem(url: str) -> str | None:
    """Why `url` cannot be a callback URL, or None (see check_callback_url)."""
    checked = check_callback_url(url)
    return checked if isinstance(checked, str) else None


def _new_webhook_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)


def account_webhook_secret(account: AccountModel) -> str:
    """The account's webhook secret, made (and stored sealed) on first use."""
    current = webhook_secret(account)
    if current is not None:
        return current
    fresh = _new_webhook_secret()
    if set_webhook_secret_once(account, fresh):
        return fresh
    stored = get_account(account.user_id)  # made by a concurrent call meanwhile
    found = webhook_secret(stored) if stored is not None else None
    if found is None:
        raise RuntimeError("webhook secret vanished")
    return found


def previous_secret_until(account: AccountModel, at_ms: int) -> int | None:
    """Until when the secret replaced by the last rotation still signs; None once it no longer does."""
    until = account.webhook_previous_until
    return until if until is not None and at_ms < until and account.webhook_secret_previous else None


def signing_secrets(account: AccountModel, at_ms: int) -> list[str]:
    """The secrets a callback sent at `at_ms` is signed with: the current one, then the previous one while the
    overlap after a rotation lasts."""
    current = [account_webhook_secret(account)]
    if previous_secret_until(account, at_ms) is None:
        return current
    previous = previous_webhook_secret(account)
    return [*current, previous] if previous else current


def rotate_webhook_secret(account: AccountModel) -> tuple[str, int]:
    """A new webhook secret; the current one keeps signing beside it for SECRET_OVERLAP_MS. Returns the new secret
    and the end of the overlap. ConditionFailed if another rotation landed since `account` was read."""
    account_webhook_secret(account)  # an account without one gets one first: there is then something to overlap
    stored = get_account(account.user_id)
    if stored is None:
        raise ConditionFailed(f"account {account.user_id} is gone")
    fresh = _new_webhook_secret()
    until = now_ms() + SECRET_OVERLAP_MS
    if not account_rows.rotate_webhook_secret(stored, fresh, until):
        raise ConditionFailed(f"the webhook secret of {account.user_id} changed meanwhile")
    return fresh, until


def signature_header(secrets_: list[str], event_id: str, body: str, timestamp_s: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<event id>.<body>")>`, one `v1=` per secret."""
    signed = f"{timestamp_s}.{event_id}.{body}".encode()
    digests = [hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest() for secret in secrets_]
    return ",".join([f"t={timestamp_s}", *(f"v1={digest}" for digest in digests)])


def set_callback(account: AccountModel, params: SetCallbackParams) -> SetCallbackData:
    """setCallback: store the project's callback URL (an empty one removes it)."""
    project = get_live_project(account.user_id, params.project_id)
    url = params.callback_url or None
    if url and (problem := callback_url_problem(url)):
        raise ApiError(ErrorCode.PARAMETER_INVALID, problem)
    now = now_ms()
    set_callback_url(project.project_id, project.user_id, url, now)
    if url:
        account_webhook_secret(account)  # made now, readable through the account API (never in this answer)
    return SetCallbackData(project_id=project.project_id, callback_url=url, updated_at=now)


def ping_callback(account: AccountModel, params: CallbackProjectParams) -> PingCallbackData:
    """pingCallback: queue a `ping` event to the project's callback URL (delivered, signed and logged as any)."""
    project = get_live_project(account.user_id, params.project_id)
    event_id = enqueue_event(CallbackEvent.PING, project.user_id, project.project_id)
    if event_id is None:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "the project has no callbackUrl")
    return PingCallbackData(project_id=project.project_id, event_id=event_id)


def redeliver_callback(account: AccountModel, params: RedeliverCallbackParams) -> RedeliverCallbackData:
    """redeliverCallback: queue a logged event again, same event id, to the project's callback URL now; attempts
    count from 1 and each is signed anew. Asked again for the same event within REDELIVERY_WINDOW_MS: not queued
    twice (a retried call after a timeout)."""
    project = get_live_project(account.user_id, params.project_id)
    delivery = get_delivery(project.project_id)
    if delivery is None or not delivery.callback_url:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "the project has no callbackUrl")
    entry = next((e for e in reversed(delivery.callback_log or []) if e.event_id == params.event_id), None)
    if entry is None:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "eventId is not in the project's delivery log")
    if entry.occurred_at is None:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "this event was logged before redelivery existed")
    now = now_ms()
    queued = claim_redelivery(delivery, entry.event_id, now, REDELIVERY_WINDOW_MS)
    if queued:
        message = CallbackMessage(
            event_id=entry.event_id,
            event=CallbackEvent(entry.event),
            user_id=project.user_id,
            project_id=project.project_id,
            occurred_at=entry.occurred_at,
            item_id=entry.item_id,
            old_status=entry.old_status,
            new_status=entry.new_status,
        )
        try:
            enqueue(message)
        except Exception:
            release_redelivery(delivery, entry.event_id, now)
            raise
    return RedeliverCallbackData(project_id=project.project_id, event_id=entry.event_id, queued=queued)


def list_callback_deliveries(account: AccountModel, params: CallbackProjectParams) -> ListCallbackDeliveriesData:
    """listCallbackDeliveries: the project's last delivery attempts, newest first."""
    project = get_live_project(account.user_id, params.project_id)
    delivery = get_delivery(project.project_id)
    log_entries = list(delivery.callback_log or []) if delivery is not None else []
    deliveries = [
        CallbackDelivery(
            event_id=entry.event_id,
            event=entry.event,
            attempt=entry.attempt,
            status_code=entry.status_code,
            error=entry.error,
            at=entry.at,
        )
        for entry in reversed(log_entries)
    ]
    return ListCallbackDeliveriesData(project_id=project.project_id, deliveries=deliveries)


def enqueue(message: CallbackMessage, delay_seconds: int = 0) -> None:
    client("sqs").send_message(
        QueueUrl=queue_url(CALLBACK_QUEUE), MessageBody=message.model_dump_json(), DelaySeconds=delay_seconds
    )


def enqueue_event(
    event: CallbackEvent, user_id: str, project_id: str, *, item_id: str | None = None, **statuses: str
) -> str | None:
    """Queue one event if the project has a callback URL; its event id if queued."""
    delivery = get_delivery(project_id)
    if delivery is None or not delivery.callback_url:
        return None
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
    return message.event_id


def retry_delay(attempt: int) -> int:
    """Seconds to wait before `attempt` (2, 3, …): base·4^(attempt-2), capped at SQS's 900 s."""
    return min(MAX_DELAY_SECONDS, get_settings().callback_retry_base_seconds * 4 ** (attempt - 2))


@dataclass(frozen=True)
class _Target:
    url: str
    event_id: str
    body: str
    secrets: list[str]


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
    return _Target(delivery.callback_url, message.event_id, body, signing_secrets(account, now_ms()))


def _post(target: _Target) -> tuple[int | None, str | None]:
    """POST the signed body to the URL, checked again now: (the endpoint's status if it answered, what went wrong
    or None on a 2xx answer; never the secret). Redirects are not followed: a 3xx is a failed attempt."""
    checked = check_callback_url(target.url)
    if isinstance(checked, str):
        return None, f"refused: {checked}"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ByteBridge-Callback/1",
        EVENT_ID_HEADER: target.event_id,
        SIGNATURE_HEADER: signature_header(target.secrets, target.event_id, target.body, now_ms() // 1000),
    }
    timeout = get_settings().callback_timeout_seconds
    connection = pinned_connection(checked, timeout)
    try:
        connection.request("POST", checked.path, body=target.body.encode("utf-8"), headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    return status, None if 200 <= status < 300 else f"HTTP {status}"


def _log_attempt(message: CallbackMessage, status: int | None, error: str | None) -> None:
    delivery = get_delivery(message.project_id)
    if delivery is None:
        return
    entry = CallbackAttempt(
        event_id=message.event_id,
        event=str(message.event),
        attempt=message.attempt,
        status_code=status,
        error=error,
        at=now_ms(),
        occurred_at=message.occurred_at,
        item_id=message.item_id,
        old_status=message.old_status,
        new_status=message.new_status,
    )
    log_callback_attempt(delivery, entry)


def deliver(message: CallbackMessage) -> Outcome:
    """One delivery attempt. A failed attempt is re-queued with a longer delay (a new message with the attempt
    count raised), or parked in the DLQ after the last; SQS errors raise so the batch reports the record."""
    target = _target(message)
    if target is None:
        return Outcome.DROPPED
    status, error = _post(target)
    _log_attempt(message, status, error)
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
