"""The one source of the current time for domain code, so tests move time instead of sleeping.

Production reads the system clock. Tests (and only tests) shift it with `advance`, which every reader sees at
once; `reset` puts it back. Durations measured for waiting (long polls) still use time.monotonic: they are
about real waiting, not about business time.
"""

import threading
import time

_lock = threading.Lock()
_offset_ms = 0


def now_ms() -> int:
    """Epoch milliseconds, the unit the documented API and the tables use."""
    return int(time.time() * 1000) + _offset_ms


def now_s() -> float:
    return now_ms() / 1000


def advance(seconds: float) -> None:
    """Move business time forward (tests): leases expire, windows close, schedules come due."""
    global _offset_ms
    with _lock:
        _offset_ms += int(seconds * 1000)


def reset() -> None:
    global _offset_ms
    with _lock:
        _offset_ms = 0
