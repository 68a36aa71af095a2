"""Cold start of every Lambda handler: the import of its module in a fresh interpreter, as Lambda's init does.

    PYTHONPATH=layers/shared/python:functions:. .venv/bin/python bench/coldstart.py [--runs 5] [--top 6]
        [--no-pyc]         import our code from source (as a zip without .pyc would); default: from .pyc files
                           compiled into a temporary copy the way infra/bundling.py compiles the layer for Lambda
        [--tracing off]    as the local runtime and tests run (no X-Ray); default `on`: the environment Lambda
                           gives a function with active tracing (LAMBDA_TASK_ROOT set), so the Tracer loads the
                           X-Ray SDK and patches what it traces, at import, as it does on Lambda
        [--api-only]       only the handlers serving HTTP paths
        [--before DIR]     also profile another checkout (e.g. `git archive HEAD layers functions | tar -x -C DIR`),
                           its runs interleaved with ours so both see the same load: the before/after is then fair

Each handler module (functions/<name>/handler.py) is imported in a new `python -X importtime` process, `--runs`
times. Two figures per handler:
- CPU ms: user + system time of that process minus that of a bare `python -c pass` (interpreter start), i.e.
  what the imports cost, less inflated than wall time when other processes compete for the cores; the median of
  the runs is held to GOAL_MS for API handlers (those serving HTTP paths in infra/catalog.py), the minimum (the
  least disturbed run on a shared machine) is printed next to it;
- importtime ms: the sum of every module's own import time as -X importtime reports it (wall clock: on an idle
  machine close to the CPU figure, on a busy one larger), of the run with the smallest sum.
The offenders are grouped by top-level package (numpy, pydantic, boto3, bytebridge.exports, ...), from
-X importtime, so a lazy import shows where it moved. Installed packages come from the venv, whose pip install
compiled them (the layer's are compiled at bundling, as ours).
"""

import argparse
import compileall
import os
import py_compile
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    by_package: Counter[str]  # own import time (µs) per package
    modules: int


def _group(module: str) -> str:
    """numpy.core.multiarray -> numpy; bytebridge.exports.coco -> bytebridge.exports (our subpackages matter)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bytebridge" and len(parts) > 1 else parts[0]


def _children_cpu_ms() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


SOURCES = ("layers/shared/python", "functions")  # what a handler imports of ours: the layer and its package
ENV: dict[str, str] = {}  # the environment of the measured processes (main sets it)


def lambda_environment(tracing: bool, task_root: Path) -> dict[str, str]:
    """The environment of the imports: Lambda's (LAMBDA_TASK_ROOT makes powertools trace, as on a deployed
    function with active tracing) or the local runtime's (POWERTOOLS_TRACE_DISABLED)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_", "AWS_LAMBDA_"))}
    if tracing:
        env |= {"LAMBDA_TASK_ROOT": str(task_root), "AWS_LAMBDA_FUNCTION_NAME": "coldstart-bench"}
    else:
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


def copy_of(root: Path, into: Path, compiled: bool) -> Path:
    """Our code as Lambda gets it from the bundling: copied without the caches of the work tree and, if
    `compiled`, every module compiled to a .pyc that is used without checking its source (what infra/bundling.py
    does; zip timestamps are not the sources'). Without, nothing is cached: each run compiles it all again."""
    for source in SOURCES:
        shutil.copytree(root / source, into / source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
    if compiled and not compileall.compile_dir(into, quiet=1, workers=0, invalidation_mode=mode):
        raise SystemExit(f"compiling {into} failed")
    return into


def profile(module: str, root: Path = ROOT) -> Profile:
    env = {**ENV, "PYTHONPATH": os.pathsep.join(str(root / p) for p in SOURCES)}
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
    by_package: Counter[str] = Counter()
    modules = 0
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own_us, _cumulative, name = (field.strip() for field in line.removeprefix("import time:").split("|"))
        by_package[_group(name)] += int(own_us)
        modules += 1
    return Profile(cpu, sum(by_package.values()) / 1000, by_package, modules)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--before", type=Path, help="another checkout to compare with (its layers/ and functions/)")
    parser.add_argument("--no-pyc", action="store_true", help="import our code from source, not compiled")
    parser.add_argument("--tracing", choices=("on", "off"), default="on")
    parser.add_argument("--api-only", action="store_true", help="only the API handlers (the ones held to the goal)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        root = copy_of(ROOT, Path(tmp) / "now", compiled=not args.no_pyc)
        before = args.before and copy_of(args.before, Path(tmp) / "before", compiled=not args.no_pyc)
        ENV.update(lambda_environment(args.tracing == "on", root / "functions"), PYTHONDONTWRITEBYTECODE="1")
        run(args, root, before)


def run(args: argparse.Namespace, root: Path, before_root: Path | None) -> None:
    specs = [spec for spec in FUNCTIONS if spec.http_prefixes or not args.api_only]
    handlers = sorted({spec.handler.rsplit(".", 1)[0]: spec for spec in specs}.items())
    code = "source files" if args.no_pyc else ".pyc (unchecked-hash, as bundled)"
    print(f"import time per handler module, {args.runs} fresh `python -X importtime` runs each; our code from {code};")
    print(f"tracing {args.tracing}; goal for API handlers: median <= {GOAL_MS:.0f} ms CPU\n")
    bare = min(profile("").cpu_ms for _ in range(args.runs))
    print(f"(a bare interpreter start: {bare:.0f} ms CPU, subtracted)\n")
    print(
        f"{'handler':24} {'kind':4} {'CPU ms median':>13} {'min':>5} {'importtime ms':>13} {'modules':>7}"
        "  top packages (importtime ms)"
    )
    worst = 0.0
    before: dict[str, tuple[float, int]] = {}
    now: dict[str, tuple[float, int]] = {}
    for module, spec in handlers:
        runs, old_runs = [], []
        for _ in range(args.runs):
            runs.append(profile(module, root))
            if before_root and (before_root / "functions" / module.split(".")[0]).is_dir():
                old_runs.append(profile(module, before_root))
        if old_runs:
            before[module] = (statistics.median(p.cpu_ms for p in old_runs) - bare, old_runs[0].modules)
        cpu_ms = statistics.median(p.cpu_ms for p in runs) - bare
        least = min(p.cpu_ms for p in runs) - bare
        best = min(runs, key=lambda p: p.total_ms)
        now[module] = (cpu_ms, best.modules)
        api = bool(spec.http_prefixes)
        if api:
            worst = max(worst, cpu_ms)
        top = ", ".join(f"{name} {us / 1000:.0f}" for name, us in best.by_package.most_common(args.top))
        flag = "OVER " if api and cpu_ms > GOAL_MS else ""
        kind = "api" if api else "job"
        print(f"{module:24} {kind:4} {cpu_ms:13.0f} {least:5.0f} {best.total_ms:13.0f} {best.modules:7}  {flag}{top}")
    print(f"\nworst API handler: {worst:.0f} ms CPU, median (goal {GOAL_MS:.0f} ms)")
    if before:
        print(f"\nbefore ({args.before}) -> now, same runs interleaved, CPU ms median:")
        print(f"{'handler':24} {'CPU ms':>15} {'modules':>13}")
        for module, (old_cpu, old_modules) in before.items():
            print(f"{module:24} {old_cpu:6.0f} -> {now[module][0]:6.0f} {old_modules:5} -> {now[module][1]:5}")


if __name__ == "__main__":
    main()
