"""Put a provisioned emulated platform back as it was just after provisioning, without provisioning it again, so a
test process provisions once and every test still starts from an empty platform.

`ReusablePlatform` is that platform for a test process. Underneath, `capture()` records what provisioning made, and
`reset_platform(baseline)`
- stops every execution and waits for its threads (none may write into the next test),
- empties every table, queue and bucket, forgets sent mail, executions and Cognito users, and puts queue
  attributes back,
- provisions anew if a provisioned resource was deleted (resources a test added are emptied, not removed),
- puts the settings environment back, resets bytebridge.clock, clears the per-process caches of the domain layer
  and the handlers (functools caches: settings, saved flows, queue URLs, ...; clients and connections are kept,
  they hold no state), and runs the hooks registered with `on_reset` (other in-memory state of the local runtime).

State is cleared in moto's backends directly (a reset is then a few ms; through the APIs it took ~15 calls, more
than provisioning); buckets with objects and changed queue attributes go through the APIs.
"""

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from moto.cognitoidp.models import cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends
from moto.stepfunctions.parser.models import stepfunctions_parser_backends
from moto.stepfunctions.parser.utils import TMP_THREADS

from bytebridge import clock
from bytebridge import settings as settings_module
from bytebridge.aws import client
from bytebridge.settings import get_settings
from infra.catalog import FUNCTIONS
from local import web_standin
from local.emulator import emulated_aws
from local.gcs import GcsEmulator
from local.patches import moto_on_the_clock
from local.provision import provision
from local.stripe_local import forget_everything

log = logging.getLogger("bytebridge.local.reset")

STOP_TIMEOUT_SECONDS = 5.0
# Queue attributes a caller can change (SetQueueAttributes); put back to the provisioned values on reset.
_SETTABLE_QUEUE_ATTRIBUTES = frozenset(
    {
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "Policy",
        "ReceiveMessageWaitTimeSeconds",
        "RedrivePolicy",
        "RedriveAllowPolicy",
        "VisibilityTimeout",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
    }
)
# Cached functions that hold clients or connections (expensive to rebuild, no per-test state): kept.
_KEEP_CACHED = re.compile(r"(^|_)(client|clients|connection|connections)$")
# The environment the settings are read from (tests override settings there); PYTEST_* and the rest are left alone.
_ENV_KEYS = ("BYTEBRIDGE_STAGE", *getattr(settings_module, "_ENV", {}).values())

_HOOKS: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Register in-memory state of the local runtime to clear on every reset (usable as a decorator)."""
    _HOOKS.append(hook)
    return hook


on_reset(web_standin.clear)  # answers a test registered for the local web stand-in


@dataclass(frozen=True)
class Baseline:
    """What provisioning made (by name), its queues' attributes, and the settings environment it ran with."""

    tables: frozenset[str]
    queues: dict[str, dict[str, str]]  # name -> attributes as moto holds them (compared on reset)
    queue_settings: dict[str, dict[str, str]]  # url -> settable attributes as the API answers them (put back)
    buckets: frozenset[str]
    state_machines: frozenset[str]  # ARNs
    env: dict[str, str | None]


def _region() -> str:
    return get_settings().region


def _dynamodb():
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][_region()]


def _sqs():
    return sqs_backends[DEFAULT_ACCOUNT_ID][_region()]


def _s3():
    return s3_backends[DEFAULT_ACCOUNT_ID]["global"]


def _sfn():
    return stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][_region()]


def _queue_attributes(queue) -> dict[str, str]:
    return {name: str(value) for name, value in queue.attributes.items() if name in _SETTABLE_QUEUE_ATTRIBUTES}


def capture() -> Baseline:
    """The baseline of the platform as provisioned now (call right after local.provision.provision)."""
    sqs = client("sqs")
    queue_settings = {}
    for url in sqs.list_queues().get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        queue_settings[url] = {k: v for k, v in attributes.items() if k in _SETTABLE_QUEUE_ATTRIBUTES}
    return Baseline(
        tables=frozenset(_dynamodb().tables),
        queues={name: _queue_attributes(queue) for name, queue in _sqs().queues.items()},
        queue_settings=queue_settings,
        buckets=frozenset(_s3().buckets),
        state_machines=frozenset(machine.arn for machine in _sfn().state_machines),
        env={key: os.environ.get(key) for key in _ENV_KEYS},
    )


def _environment(execution):
    return getattr(execution.exec_worker, "env", None)


def stop_executions(timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Stop every running execution and wait (up to `timeout`) until the threads of every execution have ended."""
    executions = [e for machine in _sfn().state_machines for e in machine.executions]
    deadline = time.monotonic() + timeout
    for execution in executions:
        # moto cannot stop an execution whose thread has not yet set up its environment (AttributeError): wait
        while execution.status == "RUNNING" and _environment(execution) is None and time.monotonic() < deadline:
            time.sleep(0.001)
        if execution.status == "RUNNING":
            client("stepfunctions").stop_execution(executionArn=execution.exec_arn)
    # A stopped execution's tasks still wait out their heartbeat or timeout: wake them (again, for a task that began
    # to wait meanwhile) until every thread has seen the stop and ended.
    while True:
        for execution in executions:
            if (env := _environment(execution)) is not None:
                for endpoint in list(env.callback_pool_manager._pool.values()):
                    endpoint.interrupt_all()
        TMP_THREADS[:] = [t for t in TMP_THREADS if t.is_alive() and t is not threading.current_thread()]
        if not TMP_THREADS or time.monotonic() >= deadline:
            break
        TMP_THREADS[0].join(0.05)
    if TMP_THREADS:  # e.g. asleep in a Retry interval: it ends when it wakes (the execution is stopped)
        log.info("%d Step Functions threads still running after the stop", len(TMP_THREADS))


def _empty_bucket(bucket: FakeBucket) -> None:
    """Every version and pending multipart upload goes, straight from the backend: through the API, listing versions
    deep-copies the whole bucket per page, which is quadratic (minutes after a 100k-object import test)."""
    for _, versions in bucket.keys.lists():
        for version in versions:
            version.dispose()
    bucket.keys.clear()
    for upload in bucket.multiparts.values():
        upload.dispose()
    bucket.multiparts.clear()


def _empty_queues(baseline: Baseline) -> None:
    changed = []
    for name, queue in _sqs().queues.items():
        queue._messages = []
        queue._pending_messages = set()
        queue.deleted_messages = set()
        if name in baseline.queues and _queue_attributes(queue) != baseline.queues[name]:
            changed.append(name)
    if changed:  # a test set attributes (SetQueueAttributes): put the provisioned ones back
        sqs = client("sqs")
        for url, attributes in baseline.queue_settings.items():
            if url.rsplit("/", 1)[-1] in changed:
                sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)


def _empty_user_pools() -> None:
    """Every Cognito user (and its group memberships and tokens) goes; pools, groups and app clients stay."""
    for pool in cognitoidp_backends[DEFAULT_ACCOUNT_ID][_region()].user_pools.values():
        pool.users.clear()
        for group in pool.groups.values():
            group.users.clear()
        pool.refresh_tokens.clear()
        pool.access_tokens.clear()
        pool.id_tokens.clear()


def _clear_caches() -> None:
    """Every functools cache of the domain layer and the handlers, except those holding clients or connections."""
    packages = ("bytebridge", *{spec.handler.split(".")[0] for spec in FUNCTIONS})
    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(packages) or name.split(".")[0] not in packages:
            continue
        for value in list(vars(module).values()):
            if id(value) in seen or not (hasattr(value, "cache_clear") and hasattr(value, "cache_info")):
                continue
            seen.add(id(value))
            if not _KEEP_CACHED.search(getattr(value, "__name__", "")):
                value.cache_clear()


def _restore_env(baseline: Baseline) -> None:
    for key, value in baseline.env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _provision_again() -> Baseline:
    stop_executions()
    BackendDict.reset()
    provision()
    return capture()


def reset_platform(baseline: Baseline) -> Baseline:
    """Back to `baseline`; returns the baseline to use from now on (a new one if provisioning had to run again).
    Resources a test added (another table, queue, bucket, state machine) are emptied too, and otherwise kept."""
    stop_executions()
    _restore_env(baseline)
    clock.reset()
    _clear_caches()
    present = (frozenset(_dynamodb().tables), frozenset(_sqs().queues), frozenset(_s3().buckets))
    wanted = (baseline.tables, frozenset(baseline.queues), baseline.buckets)
    machines = frozenset(machine.arn for machine in _sfn().state_machines)
    if any(w - p for w, p in zip(wanted, present, strict=True)) or baseline.state_machines - machines:
        log.info("a provisioned resource is gone (another emulator ran in this process?): provisioning again")
        baseline = _provision_again()
    else:
        for table in _dynamodb().tables.values():
            table.items.clear()
        _empty_queues(baseline)
        for bucket in _s3().buckets.values():
            _empty_bucket(bucket)
        for machine in _sfn().state_machines:
            machine.executions.clear()
        ses = ses_backends[DEFAULT_ACCOUNT_ID][_region()]
        ses.sent_messages.clear()
        ses.sent_message_count = 0
        _empty_user_pools()
    forget_everything()  # localstripe's customers, cards and payments
    for hook in _HOOKS:
        hook()
    return baseline


_RESET_BACKENDS = BackendDict.__dict__["reset"]


@contextmanager
def _moto_data_kept() -> Iterator[None]:
    """moto wipes every backend when its mock starts and when it stops: not while this is active."""
    BackendDict.reset = classmethod(lambda cls: None)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BackendDict.reset = _RESET_BACKENDS  # type: ignore[method-assign]


class ReusablePlatform:
    """The emulated platform of a test process: provisioned on first use and reset before every later one, and
    switched off between uses (moto stops intercepting calls, all of local.patches is undone)
    with its data kept, so that code running in between sees no emulator, as before, and may start one of its own.
    If that wiped the platform, the next use provisions it again."""

    def __init__(self) -> None:
        self._stack: ExitStack | None = None
        self._baseline: Baseline | None = None
        self._gcs: GcsEmulator | None = None

    def use(self) -> None:
        """Switch the platform on, empty and just provisioned."""
        if self._stack is None:
            stack = ExitStack()
            if self._baseline is None:
                stack.enter_context(emulated_aws())
            else:
                with _moto_data_kept():
                    stack.enter_context(emulated_aws())
            stack.enter_context(moto_on_the_clock())
            self._stack = stack
        if self._baseline is None:
            provision()
            self._baseline = capture()
        else:
            self._baseline = reset_platform(self._baseline)
        if self._gcs is None:  # the clients' GCS buckets (importGCS): one emulator per test process, emptied per test
            self._gcs = GcsEmulator().start()
        else:
            self._gcs.wipe()

    def release(self) -> None:
        """After a use: stop its executions now (their threads would otherwise run on into what comes next)."""
        if self._stack is not None:
            stop_executions()

    def suspend(self) -> None:
        """Switch the platform off, keeping its data."""
        if self._stack is not None:
            stop_executions()
            with _moto_data_kept():
                self._stack.close()
            self._stack = None

    def close(self) -> None:
        """Switch it off for good (moto's data goes)."""
        if self._stack is not None:
            stop_executions()
            self._stack.close()
            self._stack = None
        self._baseline = None
        if self._gcs is not None:
            self._gcs.stop()
            self._gcs = None
