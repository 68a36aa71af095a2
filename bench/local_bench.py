"""The local runtime as its users meet it: signed-call latency and `make simulate` throughput.

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python bench/local_bench.py [--calls 300] [--items 200]
        [--url http://127.0.0.1:20000]

Without --url it starts its own platform (`python -m local.run`, in a separate process, on a free port: the
client's threads must not share the server's interpreter lock) and stops it at the end. Prints:
- the latency of a signed call (retrieveProject on a fresh project, one keep-alive connection, as a client script
  makes them), median, p90 and p95 over --calls calls after a few warm-up calls, and the platform process's CPU time
  per call (Linux; its own platform, or --server-pid): on a busy machine wall times wait for a core, CPU time less;
- a simulated project of --items items (local.simulate, 8 annotators, defaults) labeled to the end: seconds and
  items per second (0 items: skipped).
"""

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from local.annotators import project_params
from local.platform import DEMO_SECRET, DEMO_USER_ID
from local.simulate import Client, run_simulation

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_CALLS = 10


def _free_port_block() -> int:
    """A port p with p, p+1 and p+2 free (the gateway, its S3 door and localstripe)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 2 < 65536 and all(_is_free(p) for p in (port, port + 1, port + 2)):
            return port
    raise RuntimeError("no three consecutive free ports")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cpu_seconds(pid: int | None) -> float | None:
    """The process's user + system CPU time so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_platform(url: str | None, pid: int | None = None) -> Iterator[tuple[str, int | None]]:
    """The given platform (and its process id, if known), or one started for the bench (until the block ends)."""
    if url:
        yield url, pid
        return
    port = _free_port_block()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}/layers/shared/python:{ROOT}/functions:{ROOT}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "local.run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:  # the platform prints its banner once it serves
            if "is running on" in line:
                break
        else:
            raise RuntimeError(f"the platform did not start (exit code {server.wait()})")
        # its log goes on into the pipe: read it, or the platform blocks once the pipe is full
        threading.Thread(target=server.stdout.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}", server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def latency_ms(call: Callable[[], object], calls: int, pid: int | None = None) -> dict[str, float]:
    for _ in range(WARM_UP_CALLS):
        call()
    cpu_before = cpu_seconds(pid)
    took = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    cpu_after = cpu_seconds(pid)
    took.sort()
    figures = {
        "calls": calls,
        "median_ms": round(statistics.median(took), 1),
        "p90_ms": round(took[int(0.90 * (len(took) - 1))], 1),
        "p95_ms": round(took[int(0.95 * (len(took) - 1))], 1),
        "max_ms": round(took[-1], 1),
    }
    if cpu_before is not None and cpu_after is not None:  # the platform's other threads (scheduler polls) included
        figures["server_cpu_ms_per_call"] = round((cpu_after - cpu_before) * 1000 / calls, 1)
    return figures


def signed_call_latency(url: str, calls: int, pid: int | None = None) -> dict[str, float]:
    client = Client(url, DEMO_USER_ID, DEMO_SECRET)
    project = client.call("/api/v1/projects", project_params(f"latency bench {uuid.uuid4().hex[:8]}"))
    params = {"projectId": project["projectId"]}
    return latency_ms(lambda: client.call("/api/v1/projects/retrieveProject", params), calls, pid)


def simulate_throughput(url: str, items: int) -> dict[str, float]:
    log = io.StringIO()
    started = time.monotonic()
    figures = run_simulation(url, items=items, timeout_seconds=3600, out=log)
    seconds = time.monotonic() - started
    return {
        "items": items,
        "status": figures["status"],
        "seconds_labeling": figures["seconds"],
        "seconds_total": round(seconds, 1),
        "items_per_second": round(items / figures["seconds"], 2) if figures["seconds"] else 0.0,
        "class_accuracy": figures["score"]["classAccuracy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="a running platform (default: start one)")
    parser.add_argument("--server-pid", type=int, default=None, help="with --url: its process, for CPU per call")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    with running_platform(args.url, args.server_pid) as (url, pid):
        print(json.dumps({"signed call (retrieveProject)": signed_call_latency(url, args.calls, pid)}), flush=True)
        if args.items:
            print(json.dumps({"simulate": simulate_throughput(url, args.items)}), flush=True)


if __name__ == "__main__":
    main()
