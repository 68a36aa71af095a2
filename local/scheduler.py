"""The local stand-in for EventBridge schedules and SQS event source mappings (moto fires neither usefully:
scheduled rules never fire, and SQS mappings run inside send_message, ignoring DelaySeconds and partial
batch failures).

A thread runs every catalog function with a rate() schedule at its interval, and polls every queue with a
consumer the way Lambda's poller does: receive a batch, invoke the consumer with an SQS event, delete the
records it did not report in batchItemFailures; the rest reappear after the visibility timeout and go to
the DLQ by the queue's redrive policy. Everything runs through local.emulator.invoke_handler, the same
path as any other invocation.

Environment: BYTEBRIDGE_SCHEDULE_SCALE multiplies every schedule interval (0.001 turns "rate(1 hour)" into
3.6 s for demos); BYTEBRIDGE_QUEUE_POLL_SECONDS is how often consumer queues are polled (default 1).
"""

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from bytebridge.aws import client
from bytebridge.settings import resource_name
from infra.catalog import FUNCTIONS, QUEUES, FunctionSpec, QueueSpec
from local.emulator import invoke_handler

log = logging.getLogger("bytebridge.local.scheduler")

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
ACCOUNT = "123456789012"
REGION = "us-east-1"


def rate_seconds(expression: str) -> float | None:
    """Seconds between runs of an EventBridge rate() expression; None for cron() (not run locally)."""
    match = _RATE.match(expression.strip())
    if match is None:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


def scheduled_event(spec: FunctionSpec) -> dict:
    """What EventBridge sends a scheduled target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{resource_name(spec.name)}"],
        "detail": {},
    }


def run_scheduled(spec: FunctionSpec) -> tuple[Any, bool]:
    """One run of a scheduled function, as its schedule would trigger it; returns (result, failed) as
    invoke_handler does: the handler's result, or the Lambda error payload (errorMessage…) when it failed."""
    return invoke_handler(resource_name(spec.name), scheduled_event(spec))


def _run_logged(spec: FunctionSpec) -> None:
    result, failed = run_scheduled(spec)
    if failed:
        log.warning("scheduled %s failed: %s", spec.name, result.get("errorMessage"))


def _sqs_record(message: dict, queue_arn: str) -> dict:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


@cache
def _queue_url(name: str) -> str:
    """A queue's URL follows from its name (and never changes): asked once, not on every poll of every queue."""
    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def pump_queue(spec: QueueSpec) -> int:
    """One poll of a consumer queue: at most one batch handed to its consumer. Returns how many records the
    consumer handled successfully (and were deleted)."""
    assert spec.consumer is not None, f"queue {spec.name} has no consumer to pump to"
    sqs = client("sqs")
    url = _queue_url(resource_name(spec.name))
    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=min(spec.batch_size, 10), AttributeNames=["All"], WaitTimeSeconds=0
    ).get("Messages", [])
    if not messages:
        return 0
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{resource_name(spec.name)}"
    result, failed = invoke_handler(
        resource_name(spec.consumer), {"Records": [_sqs_record(message, arn) for message in messages]}
    )
    if failed:  # the whole batch failed: every message comes back after the visibility timeout
        log.warning("consumer %s failed: %s", spec.consumer, result.get("errorMessage"))
        return 0
    failures = {entry["itemIdentifier"] for entry in (result or {}).get("batchItemFailures", [])}
    done = [m for m in messages if m["MessageId"] not in failures]
    if done:
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
        )
    return len(done)


def drain(spec: QueueSpec, max_batches: int = 100) -> int:
    """Pump until the queue shows nothing visible (tests and demos); returns records handled."""
    handled = 0
    for _ in range(max_batches):
        count = pump_queue(spec)
        if not count:
            break
        handled += count
    return handled


@dataclass
class Scheduler:
    scale: float = field(default_factory=lambda: float(os.environ.get("BYTEBRIDGE_SCHEDULE_SCALE", "1")))
    poll_seconds: float = field(default_factory=lambda: float(os.environ.get("BYTEBRIDGE_QUEUE_POLL_SECONDS", "1")))

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        now = time.monotonic()
        self._jobs = [
            (spec, seconds * self.scale)
            for spec in FUNCTIONS
            if spec.schedule and (seconds := rate_seconds(spec.schedule)) is not None
        ]
        self._next = {spec.name: now + interval for spec, interval in self._jobs}
        self._consumed = [spec for spec in QUEUES if spec.consumer]

    def start(self) -> "Scheduler":
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(min([self.poll_seconds, *(i for _, i in self._jobs)])):
            self.tick()

    def tick(self) -> None:
        """Run what is due now: every queue poll, and each scheduled function whose interval has passed."""
        for queue in self._consumed:
            self._guarded(f"queue {queue.name}", pump_queue, queue)
        now = time.monotonic()
        for function, interval in self._jobs:
            if now >= self._next[function.name]:
                self._next[function.name] = now + interval
                self._guarded(f"schedule {function.name}", _run_logged, function)

    @staticmethod
    def _guarded(what: str, action, spec) -> None:
        # A failing job must not stop the scheduler: on AWS each run is independent too.
        try:
            action(spec)
        except Exception:
            log.exception("%s failed", what)
