"""Counting what a run asks of AWS, on the emulated AWS of local.emulator: every request by service and
operation (with the DynamoDB capacity units and SQS 64 KB chunks it would bill), every Lambda invocation
with its in-process duration, and the time each of those spent inside moto.

Every emulated request, ours and the ones moto's Step Functions interpreter makes for its Lambda and SQS
integrations (it builds a boto3 client per call, and botocore hands every request to moto's stubber), passes
BotocoreStubber.process_request. The meter wraps it twice: once *inside* the emulator's lock (what moto
spends on the request) and once *outside* (that plus the wait for the lock), so a Lambda's measured duration
can leave out the time it only waited for another thread's emulated call.
"""

import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import botocore.session
from moto.core.botocore_stubber import BotocoreStubber

import local.emulator

SQS_CHUNK = 64 * 1024  # SQS bills each 64 KB chunk of a payload as one request
READ_UNIT, WRITE_UNIT = 4096, 1024  # DynamoDB: 1 RRU reads 4 KB (strongly consistent), 1 WRU writes 1 KB


@dataclass
class Invocation:
    count: int = 0
    seconds: float = 0.0  # wall time in the handler, in-process
    lock_wait: float = 0.0  # of which: waiting for the emulator's lock (other threads' emulated calls)


@dataclass
class Tally:
    calls: Counter = field(default_factory=Counter)  # (service, operation) → requests
    billed: Counter = field(default_factory=Counter)  # (service, operation) → billed requests (SQS chunks)
    moto_seconds: Counter = field(default_factory=Counter)  # (service, operation) → time inside moto, exclusive
    read_units: Counter = field(default_factory=Counter)  # DynamoDB operation → RRU
    write_units: Counter = field(default_factory=Counter)  # DynamoDB operation → WRU
    invocations: dict[str, Invocation] = field(default_factory=lambda: defaultdict(Invocation))
    api_requests: Counter = field(default_factory=Counter)  # "worker POST /assignments/claim" … → API requests
    # (function making the request or "-", operation, table) → DynamoDB requests / write units: where they come from
    dynamodb_by_caller: Counter = field(default_factory=Counter)
    dynamodb_writes_by_caller: Counter = field(default_factory=Counter)
    clients: Counter = field(default_factory=Counter)  # service → botocore clients built during the run
    client_seconds: Counter = field(default_factory=Counter)  # service → time spent building them


def _text(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes | bytearray):
        return body.decode("utf-8", "replace")
    if hasattr(body, "read"):  # a stream: not replayable, and nothing here streams a body
        return ""
    return str(body)


def service_of(request) -> str:
    """The signing name in the SigV4 credential scope: …/us-east-1/<service>/aws4_request."""
    auth = request.headers.get("Authorization") or ""
    if isinstance(auth, bytes):
        auth = auth.decode()
    scope = auth.partition("Credential=")[2].split(",")[0].split("/")
    return scope[3] if len(scope) > 3 else urlsplit(request.url).hostname or "?"


def operation_of(service: str, request, body: str) -> str:
    target = request.headers.get("X-Amz-Target")
    if target:  # JSON protocols: DynamoDB, Step Functions, SQS, KMS
        return (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
    query = parse_qs(urlsplit(request.url).query)
    form = parse_qs(body) if "=" in body and not body.lstrip().startswith("{") else {}
    if action := (form.get("Action") or query.get("Action")):  # query protocols: SES, IAM, STS
        return action[0]
    path = urlsplit(request.url).path
    if service == "lambda" and path.endswith("/invocations"):
        return "Invoke"
    if service == "s3":
        return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}.get(
            request.method, request.method
        )
    return f"{request.method} {path}"


def _item_size(item: dict | None) -> int:
    # Wire JSON length stands in for DynamoDB's item size (names + values): a slight over-estimate.
    return len(json.dumps(item, separators=(",", ":"))) if item else 0


def _reads(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / READ_UNIT)) * (1.0 if consistent else 0.5)


def dynamodb_units(operation: str, request: dict, response: dict) -> tuple[float, float]:
    """(read units, write units) one DynamoDB request would consume on demand; see the bench's notes."""
    if operation == "GetItem":
        return _reads(_item_size(response.get("Item")), bool(request.get("ConsistentRead"))), 0.0
    if operation == "BatchGetItem":
        reads = 0.0
        for table, items in (response.get("Responses") or {}).items():
            consistent = bool(request.get("RequestItems", {}).get(table, {}).get("ConsistentRead"))
            reads += sum(_reads(_item_size(item), consistent) for item in items)
        return reads, 0.0
    if operation in ("Query", "Scan"):
        # Billed by the size of the items read (before any filter), rounded up to 4 KB per request; counted
        # here as one unit per item read, a deliberate over-estimate for the small rows of this platform.
        read = response.get("ScannedCount", response.get("Count", 0))
        return max(1.0, float(read)) * (1.0 if request.get("ConsistentRead") else 0.5), 0.0
    if operation == "PutItem":
        return 0.0, float(max(1, math.ceil(_item_size(request.get("Item")) / WRITE_UNIT)))
    if operation in ("UpdateItem", "DeleteItem"):
        return 0.0, 1.0  # the stored item's size is not on the wire: assumed ≤ 1 KB
    if operation == "BatchWriteItem":
        return 0.0, float(sum(len(v) for v in (request.get("RequestItems") or {}).values()))
    if operation == "TransactWriteItems":
        return 0.0, 2.0 * len(request.get("TransactItems") or [])  # 2 WRU per item (≤ 1 KB), failed or not
    if operation == "TransactGetItems":
        return 2.0 * len(request.get("TransactItems") or []), 0.0
    return 0.0, 0.0  # control plane (CreateTable, DescribeTable…): not billed per request


def _tables(request: dict) -> str:
    """The table(s) a DynamoDB request touches, without the stage prefix."""
    names = set()
    if "TableName" in request:
        names.add(request["TableName"])
    names.update(request.get("RequestItems") or {})
    for item in request.get("TransactItems") or []:
        names.update(op["TableName"] for op in item.values() if isinstance(op, dict) and "TableName" in op)
    return "+".join(sorted(name.split("-", 2)[-1] for name in names)) or "?"


def _json(text: str) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class Meter:
    """Counts while `counting` is set, except on a thread inside `uncounted()` (the bench's own reads)."""

    def __init__(self) -> None:
        self.tally = Tally()
        self.counting = False
        self._lock = threading.Lock()
        self._local = threading.local()

    # -- thread-local bookkeeping -------------------------------------------------------------------------
    def _state(self) -> threading.local:
        local = self._local
        if not hasattr(local, "depth"):
            local.depth, local.child, local.wait, local.paused = 0, [0.0], 0.0, False
            local.functions = []  # the handlers this thread is inside (nested: a Step Functions call's Lambda)
        return local

    @contextmanager
    def uncounted(self) -> Iterator[None]:
        local = self._state()
        before, local.paused = local.paused, True
        try:
            yield
        finally:
            local.paused = before

    def _active(self) -> bool:
        return self.counting and not self._state().paused

    # -- the two stubber wrappers -------------------------------------------------------------------------
    def inner(self, process_request: Callable) -> Callable:
        """Inside the emulator's lock: count the request and time it, exclusive of nested requests."""
        meter = self

        def counted(stubber, request):
            local = meter._state()
            local.depth += 1
            local.child.append(0.0)
            start = time.perf_counter()
            try:
                response = process_request(stubber, request)
            finally:
                elapsed = time.perf_counter() - start
                children = local.child.pop()
                local.child[-1] += elapsed
                local.depth -= 1
            if meter._active() and response is not None:
                meter._record(request, response, elapsed - children)
            return response

        return counted

    def outer(self, serialized: Callable) -> Callable:
        """Outside the lock: the time a top-level request waited for it is charged to this thread."""
        meter = self

        def waited(stubber, request):
            local = meter._state()
            if local.depth:  # nested in a request that holds the lock already: no wait
                return serialized(stubber, request)
            start = time.perf_counter()
            before = local.child[-1]
            try:
                return serialized(stubber, request)
            finally:
                inside = local.child[-1] - before
                local.wait += max(0.0, time.perf_counter() - start - inside)

        return waited

    def _record(self, request, response, exclusive: float) -> None:
        body = _text(request.body)
        service = service_of(request)
        operation = operation_of(service, request, body)
        key = (service, operation)
        _, _, response_body = response
        reply = _text(response_body)
        billed = 1
        if service == "sqs":
            billed = max(1, math.ceil(max(len(body), len(reply)) / SQS_CHUNK))
        units = dynamodb_units(operation, _json(body), _json(reply)) if service == "dynamodb" else (0.0, 0.0)
        with self._lock:
            self.tally.calls[key] += 1
            self.tally.billed[key] += billed
            self.tally.moto_seconds[key] += exclusive
            if service == "dynamodb":
                self.tally.read_units[operation] += units[0]
                self.tally.write_units[operation] += units[1]
                caller = (self._state().functions or ["-"])[-1]
                where = (caller, operation, _tables(_json(body)))
                self.tally.dynamodb_by_caller[where] += 1
                self.tally.dynamodb_writes_by_caller[where] += units[1]

    # -- Lambda invocations and API requests --------------------------------------------------------------
    def invocations(self, invoke_handler: Callable) -> Callable:
        meter = self

        def timed(function_name: str, payload: Any):
            local = meter._state()
            wait_before, start = local.wait, time.perf_counter()
            local.functions.append(function_name.split(":function:")[-1].split(":")[0].removeprefix("bytebridge-"))
            try:
                return invoke_handler(function_name, payload)
            finally:
                local.functions.pop()
                if meter._active():
                    name = function_name.split(":function:")[-1].split(":")[0]
                    with meter._lock:
                        entry = meter.tally.invocations[name]
                        entry.count += 1
                        entry.seconds += time.perf_counter() - start
                        entry.lock_wait += local.wait - wait_before

        return timed

    def client_factory(self, create_client: Callable) -> Callable:
        """Building a botocore client loads and parses the service's JSON models: worth knowing how often."""
        meter = self

        def timed(session, service_name, *args, **kwargs):
            start = time.perf_counter()
            try:
                return create_client(session, service_name, *args, **kwargs)
            finally:
                if meter._active():
                    with meter._lock:
                        meter.tally.clients[service_name] += 1
                        meter.tally.client_seconds[service_name] += time.perf_counter() - start

        return timed

    def api_request(self, route: str) -> None:
        if self._active():
            with self._lock:
                self.tally.api_requests[route] += 1


@contextmanager
def _patched(owner: Any, attr: str, wrap: Callable) -> Iterator[None]:
    original = getattr(owner, attr) if not isinstance(owner, type) else owner.__dict__[attr]
    setattr(owner, attr, wrap(original))
    try:
        yield
    finally:
        setattr(owner, attr, original)


@contextmanager
def metered_aws(meter: Meter) -> Iterator[None]:
    """local.emulator.emulated_aws with the meter's wrappers in place (inner one first, so the emulator's lock
    goes around it)."""
    with ExitStack() as stack:
        stack.enter_context(_patched(BotocoreStubber, "process_request", meter.inner))
        stack.enter_context(local.emulator.emulated_aws())
        stack.enter_context(_patched(BotocoreStubber, "process_request", meter.outer))
        stack.enter_context(_patched(local.emulator, "invoke_handler", meter.invocations))
        stack.enter_context(_patched(botocore.session.Session, "create_client", meter.client_factory))
        yield
