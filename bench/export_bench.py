"""Exporter throughput and memory: 100,000 finished box items (3 boxes each: 300,000 boxes) streamed from
a generator (the exporter is measured, not DynamoDB) into a temporary file, per format.

    PYTHONPATH=layers/shared/python .venv/bin/python bench/export_bench.py [--items N]

Each format runs in a fresh child process (this script re-invoked with --child), so one format's peak
cannot hide another's. Memory is resource.getrusage(RUSAGE_SELF).ru_maxrss of that child: "peak RSS" is
the whole process (interpreter, pydantic, numpy included: comparable to a converter run's process peak),
"growth" is the peak minus the RSS measured after imports, just before the export starts.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bytebridge.annotations import TaskType
from bytebridge.enums import ExportFormat
from bytebridge.exports.formats import write_export
from bytebridge.exports.model import ExportSchema, NodeInfo

# FIELD-NOTES: label-studio-converter 0.0.59, 100k images / 300k boxes to COCO on this kind of machine.
REFERENCE = "Label Studio converter (FIELD-NOTES): 100k images / 300k boxes -> COCO in ~12 s, ~490 MB peak"
LABELS = ("car", "person", "bicycle", "dog")
SCHEMA = ExportSchema({"boxes": NodeInfo(TaskType.RECTANGLE, LABELS)})


@dataclass
class Record:
    item_id: str
    url: str
    resource_type: str
    result: dict


def items(n: int, seed: int = 7) -> Iterator[Record]:
    rng = random.Random(seed)
    for i in range(n):
        boxes = []
        for _ in range(3):
            w, h = rng.uniform(5, 300), rng.uniform(5, 300)
            x, y = rng.uniform(0, 1920 - w), rng.uniform(0, 1080 - h)
            label = rng.choice(LABELS)
            boxes.append({"label": label, "x": round(x, 2), "y": round(y, 2), "w": round(w, 2), "h": round(h, 2)})
        answer = {"imageWidth": 1920, "imageHeight": 1080, "boxes": boxes}
        yield Record(
            f"i{i:017d}ab12cd",
            f"https://data.example.com/images/{i:06d}.jpg",
            "image",
            {"endNode": "end", "path": ["boxes", "end"], "answers": {"boxes": answer}},
        )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(fmt: str, n: int) -> dict:
    baseline = _rss_mb()
    with tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        summary = write_export(fmt, items(n), SCHEMA, sink)
        seconds = time.perf_counter() - start
        size = sink.tell()
    peak = _rss_mb()
    return {
        "format": fmt,
        "seconds": seconds,
        "peak_mb": peak,
        "growth_mb": peak - baseline,
        "bytes": size,
        "items": summary.items,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--child", choices=[f.value for f in ExportFormat])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.items)))
        return
    print(f"{args.items:,} items x 3 boxes, streamed from a generator into a temporary file")
    print(f"{'format':8} {'time s':>7} {'peak RSS MB':>12} {'growth MB':>10} {'output MB':>10}")
    for fmt in (ExportFormat.COCO, ExportFormat.VOC, ExportFormat.LABELME, ExportFormat.JSON):
        out = subprocess.run(
            [sys.executable, __file__, "--child", fmt.value, "--items", str(args.items)],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        )
        r = json.loads(out.stdout)
        print(
            f"{r['format']:8} {r['seconds']:7.2f} {r['peak_mb']:12.0f} {r['growth_mb']:10.1f} {r['bytes'] / 1e6:10.1f}"
        )
    start = time.perf_counter()
    for _ in items(args.items):
        pass
    print(f"(generating the records alone takes {time.perf_counter() - start:.2f} s of each time above)")
    print(REFERENCE)
    print("memory: getrusage ru_maxrss of a fresh child process per format (peak RSS), growth = peak - RSS before")


if __name__ == "__main__":
    main()
