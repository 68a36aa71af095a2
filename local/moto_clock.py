"""The replacements that put moto's own timers on bytebridge.clock, so that moving business time (clock.advance,
tests only) moves the emulated AWS with it, as one clock:

- SQS: visibility timeouts, message delays, retention and timestamps (moto.sqs reads moto's unix_time);
- Step Functions: HeartbeatSeconds, TimeoutSeconds of a task, Retry intervals and Wait states (threading waits, a
  sleep and a time.time in moto's ASL interpreter).

They are registered, with the moto targets they replace, in local.patches (the "test-clock" group), which only the
test harness applies (local.patches.moto_on_the_clock, via local.reset); `make run` keeps moto on the system clock.

Without an advance, clock.now_ms() is the system clock, so nothing changes: a timer still fires after its real
duration. After an advance, a waiting timer sees its deadline passed within POLL_SECONDS. Not covered (nothing
here uses them): an execution-wide TimeoutSeconds, a Wait state's Timestamp (moto measures it with datetime.now),
and the timestamps of execution histories (cosmetic).
"""

import threading
from types import ModuleType, SimpleNamespace
from typing import Any

from bytebridge import clock

POLL_SECONDS = 0.05  # how soon a waiting timer notices that the clock was moved


class ClockEvent(threading.Event):
    """A threading.Event whose timed wait ends at a deadline on bytebridge.clock."""

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None:
            return super().wait()
        deadline = clock.now_s() + timeout
        while True:
            remaining = deadline - clock.now_s()
            if remaining <= 0:
                return self.is_set()
            if super().wait(min(remaining, POLL_SECONDS)):
                return True


def sleep(seconds: float) -> None:
    ClockEvent().wait(seconds)


def unix_time_on_the_clock(original):
    def unix_time(dt: Any = None) -> float:
        return original(dt) if dt is not None else clock.now_ms() / 1000

    return unix_time


def unix_time_millis_on_the_clock(original):
    def unix_time_millis(dt: Any = None) -> float:
        return original(dt) if dt is not None else float(clock.now_ms())

    return unix_time_millis


def threading_with_clock_events(original: ModuleType) -> SimpleNamespace:
    """The threading module as a moto module sees it, with Event on the clock."""
    return SimpleNamespace(**{**vars(original), "Event": ClockEvent})


def time_on_the_clock(original: ModuleType) -> SimpleNamespace:
    """The time module as a moto module sees it, with time and sleep on the clock."""
    return SimpleNamespace(**{**vars(original), "time": clock.now_s, "sleep": sleep})
