"""moto's own timers on bytebridge.clock, so that moving business time (clock.advance, tests only) moves the
emulated AWS with it, as one clock:

- SQS: visibility timeouts, message delays, retention and timestamps (moto.sqs reads moto's unix_time);
- Step Functions: HeartbeatSeconds, TimeoutSeconds of a task, Retry intervals and Wait states (threading waits and
  a sleep in moto's ASL interpreter).

Without an advance, clock.now_ms() is the system clock, so nothing changes: a timer still fires after its real
duration. After an advance, a waiting timer sees its deadline passed within POLL_SECONDS. Not covered (nothing
here uses them): an execution-wide TimeoutSeconds, and the timestamps of execution histories (cosmetic).
"""

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace
from typing import Any

import moto.sqs.models as sqs_models
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.eval import environment
from moto.stepfunctions.parser.asl.eval.callback import callback

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


def _unix_time(original):
    def unix_time(dt: Any = None) -> float:
        return original(dt) if dt is not None else clock.now_ms() / 1000

    return unix_time


def _unix_time_millis(original):
    def unix_time_millis(dt: Any = None) -> float:
        return original(dt) if dt is not None else float(clock.now_ms())

    return unix_time_millis


def _threading_with_clock_events() -> SimpleNamespace:
    """The threading module as moto's interpreter modules see it, with Event on the clock."""
    return SimpleNamespace(**{**vars(threading), "Event": ClockEvent})


@contextmanager
def _set(owner: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def moto_on_the_clock() -> Iterator[None]:
    """Put moto's SQS and Step Functions timers on bytebridge.clock while active (after emulated_aws has started).
    Events and timers created while it is active keep following the clock."""
    patches = [
        (sqs_models, "unix_time", _unix_time(sqs_models.unix_time)),
        (sqs_models, "unix_time_millis", _unix_time_millis(sqs_models.unix_time_millis)),
        (callback, "Event", ClockEvent),  # HeartbeatSeconds; TimeoutSeconds of the callback wait
        (execute_state, "threading", _threading_with_clock_events()),  # TimeoutSeconds of a task
        (environment, "threading", _threading_with_clock_events()),  # Wait states
        (retrier_decl, "time", SimpleNamespace(sleep=sleep)),  # Retry IntervalSeconds
    ]
    with ExitStack() as stack:
        for owner, name, value in patches:
            stack.enter_context(_set(owner, name, value))
        yield
