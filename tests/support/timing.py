"""Waiting on the emulated platform, and moving its clock instead of sleeping.

Business time (leases, windows, schedules) and moto's timers (SQS visibility and delays, Step Functions heartbeats,
timeouts and retry intervals: the test-clock group of local.patches) all read bytebridge.clock, so a test moves time
with `clock.advance` (or `advance_past`) and the platform sees it at once. What still takes real time is work running
on other threads (Step Functions executions): `wait_for` polls for it, optionally moving the clock a `tick`
further on every poll so that timers on those threads come due while it waits.
"""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from bytebridge import clock
from bytebridge.aws import s3_presigner
from bytebridge.settings import get_settings

T = TypeVar("T")
POLL_SECONDS = 0.02


def wait_for(predicate: Callable[[], T], seconds: float = 15, step: float = POLL_SECONDS, tick: float = 0.0) -> T:
    """Poll until `predicate()` is truthy and return it; fail after `seconds` of real time. With `tick`, every poll
    also moves the clock `tick` seconds on (timers on other threads come due without the test sleeping)."""
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, "timed out waiting"
        if tick:
            clock.advance(tick)
        time.sleep(step)
    return value


def advance_past(epoch_ms: int, margin_seconds: float = 0.05) -> None:
    """Move the clock just past `epoch_ms` (a lease end, a window's close)."""
    clock.advance(max(0.0, (epoch_ms - clock.now_ms()) / 1000) + margin_seconds)


@contextmanager
def settings(**env: str) -> Iterator[None]:
    """Run with some settings changed: bytebridge.settings reads the environment once, so its cache (and what is
    built from it) is cleared around. The provisioned platform stays as it is."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    _settings_changed()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _settings_changed()


def _settings_changed() -> None:
    get_settings.cache_clear()
    s3_presigner.cache_clear()
