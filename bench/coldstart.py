"""Cold start of every Lambda handler: the import of its module in a fresh interpreter, as Lambda's init does.

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python bench/coldstart.py [--runs 3] [--top 6]
        [--before DIR]     also profile another checkout (e.g. `git archive HEAD layers functions | tar -x -C DIR`),
                           its runs interleaved with ours so both see the same load: the before/after is then fair

Each handler module (functions/<name>/handler.py) is imported in a new `python -X importtime` process, `--runs`
times; the run with the smallest figure is kept (the machine is shared: the minimum is the least disturbed).
Two figures per handler:
- CPU ms: user + system time of that process minus that of a bare `python -c pass` (interpreter start), i.e.
  what the imports cost, barely inflated when other processes compete for the cores; held to GOAL_MS for API
  handlers (those serving HTTP paths in infra/catalog.py);
- importtime ms: the sum of every module's own import time as -X importtime reports it (wall clock: on an idle
  machine close to the CPU figure, on a busy one larger).
The offenders are grouped by top-level package (numpy, pydantic, boto3, bytebridge.exports, ...), from
-X importtime, so a lazy import shows where it moved.
"""

import argparse
import os
import resource
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from infra.catalog import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 300.0


@dataclass
class Profile:
    cpu_ms: float  # of the whole process, interpreter start included
    total_ms: float
    by_package: Counter  # own import time (ms) per package
    modules: int


def _group(module: str) -> str:
    """numpy.core.multiarray -> numpy; bytebridge.exports.coco -> bytebridge.exports (our subpackages matter)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bytebridge" and len(parts) > 1 else parts[0]


def _children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def profile(module: str, root: Path = ROOT) -> Profile:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(root / p) for p in ("layers/shared/python", "functions", ".")),
    }
    cpu = _children_cpu_ms()
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}" if module else "pass"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=True,
    )
    cpu = _children_cpu_ms() - cpu
    by_package: Counter = Counter()
    modules = 0
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own_us, _cumulative, name = (field.strip() for field in line.removeprefix("import time:").split("|"))
        by_package[_group(name)] += int(own_us) / 1000
        modules += 1
    return Profile(cpu, sum(by_package.values()), by_package, modules)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--before", type=Path, help="another checkout to compare with (its layers/ and functions/)")
    args = parser.parse_args()
    handlers = sorted({spec.handler.rsplit(".", 1)[0]: spec for spec in FUNCTIONS}.items())
    print(f"import time per handler module (min of {args.runs} fresh `python -X importtime` runs); goal for API")
    print(f"handlers <= {GOAL_MS:.0f} ms\n")
    bare = min(profile("").cpu_ms for _ in range(args.runs))
    print(f"(a bare interpreter start: {bare:.0f} ms CPU, subtracted)\n")
    print(f"{'handler':24} {'kind':4} {'CPU ms':>6} {'importtime ms':>13} {'modules':>7}  top packages (importtime ms)")
    worst = 0.0
    before: dict[str, tuple[float, int]] = {}
    now: dict[str, tuple[float, int]] = {}
    for module, spec in handlers:
        runs, old_runs = [], []
        for _ in range(args.runs):
            runs.append(profile(module))
            if args.before and (args.before / "functions" / module.split(".")[0]).is_dir():
                old_runs.append(profile(module, args.before))
        if old_runs:
            before[module] = (min(p.cpu_ms for p in old_runs) - bare, old_runs[0].modules)
        cpu_ms = min(p.cpu_ms for p in runs) - bare
        best = min(runs, key=lambda p: p.total_ms)
        now[module] = (cpu_ms, best.modules)
        api = bool(spec.http_prefixes)
        if api:
            worst = max(worst, cpu_ms)
        top = ", ".join(f"{name} {ms:.0f}" for name, ms in best.by_package.most_common(args.top))
        flag = "OVER " if api and cpu_ms > GOAL_MS else ""
        kind = "api" if api else "job"
        print(f"{module:24} {kind:4} {cpu_ms:6.0f} {best.total_ms:13.0f} {best.modules:7}  {flag}{top}")
    print(f"\nworst API handler: {worst:.0f} ms CPU (goal {GOAL_MS:.0f} ms)")
    if before:
        print(f"\nbefore ({args.before}) -> now, same runs interleaved:")
        print(f"{'handler':24} {'CPU ms':>15} {'modules':>13}")
        for module, (old_cpu, old_modules) in before.items():
            print(f"{module:24} {old_cpu:6.0f} -> {now[module][0]:6.0f} {old_modules:5} -> {now[module][1]:5}")


if __name__ == "__main__":
    main()
