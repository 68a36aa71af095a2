"""The local platform as a client meets it: `python -m local.run` in a subprocess, reached over HTTP.

Tests using `platform` share one process per pytest worker; mark them `pytest.mark.xdist_group("platform")`
so `make test` (--dist loadgroup) runs them on one worker and starts the platform once.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local.platform import DEMO_SECRET, DEMO_USER_ID

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 90
LEASE_SECONDS = 3


@dataclass(frozen=True)
class RunningPlatform:
    base_url: str
    user_id: str  # the demo account (the documented sample credentials)
    secret: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local.run exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return  # the gateway listens only once AWS is emulated, provisioned and the demo account exists
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"local.run did not listen on {port} in {START_TIMEOUT_SECONDS} s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def platform(tmp_path_factory) -> Iterator[RunningPlatform]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("platform") / "local-run.log"
    python_path = [ROOT / "layers" / "shared" / "python", ROOT / "functions", ROOT]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(path) for path in python_path),
        "LEASE_SECONDS": str(LEASE_SECONDS),  # abandoned tasks come back within seconds, not half an hour
        # A task visit is re-entered every 30 s, not 24 h (missing slots re-sent; a task whose extra slot found no
        # taker for that long settles with what it has: with 8 annotators it may want a ninth, who never comes).
        "ASSIGNMENT_HEARTBEAT_SECONDS": "30",
        "ASSIGNMENT_TIMEOUT_SECONDS": "240",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(port, process, log_path)
        yield RunningPlatform(f"http://127.0.0.1:{port}", DEMO_USER_ID, DEMO_SECRET)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
