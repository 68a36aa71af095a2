"""Exporter throughput and memory: 100,000 finished box items (3 boxes each: 300,000 boxes) streamed from
a generator (the exporter is measured, not DynamoDB) into a temporary file, per format; then the same
records in Label Studio's task format converted to COCO by label-studio-converter (the peer), and the ratio.

    PYTHONPATH=layers/shared/python .venv/bin/python bench/export_bench.py [--items N]

The peer reads its tasks from a JSON file written before its clock starts (that is how it is used: an
export file in, COCO out) and is told not to download images (the sizes are in the results).

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

PEER = "label-studio-converter"
LABELS = ("car", "person", "bicycle", "dog")
SCHEMA = ExportSchema({"boxes": NodeInfo(TaskType.RECTANGLE, LABELS)})


@dataclass
class Record:
    item_id: str
    url: str
    resource_type: str
    result: dict


POOL = 4096  # distinct random answers, cycled: drawing 1.2 M random numbers would take longer than the export


def _answers(seed: int) -> list[dict]:
    rng = random.Random(seed)
    pool = []
    for _ in range(POOL):
        boxes = []
        for _ in range(3):
            w, h = rng.uniform(5, 300), rng.uniform(5, 300)
            x, y = rng.uniform(0, 1920 - w), rng.uniform(0, 1080 - h)
            label = rng.choice(LABELS)
            boxes.append({"label": label, "x": round(x, 2), "y": round(y, 2), "w": round(w, 2), "h": round(h, 2)})
        pool.append({"imageWidth": 1920, "imageHeight": 1080, "boxes": boxes})
    return pool


def items(n: int, seed: int = 7) -> Iterator[Record]:
    pool = _answers(seed)
    for i in range(n):
        answer = pool[i % POOL]
        yield Record(
            f"i{i:017d}ab12cd",
            f"https://data.example.com/images/{i:06d}.jpg",
            "image",
            {"endNode": "end", "path": ["boxes", "end"], "answers": {"boxes": answer}},
        )


def studio_tasks(n: int) -> Iterator[dict]:
    """The same records as Label Studio tasks: one annotation each, boxes in percent of the image size."""
    for record in items(n):
        answer = record.result["answers"]["boxes"]
        width, height = answer["imageWidth"], answer["imageHeight"]
        result = [
            {
                "type": "rectanglelabels",
                "from_name": "label",
                "to_name": "image",
                "original_width": width,
                "original_height": height,
                "value": {
                    "x": b["x"] / width * 100,
                    "y": b["y"] / height * 100,
                    "width": b["w"] / width * 100,
                    "height": b["h"] / height * 100,
                    "rotation": 0,
                    "rectanglelabels": [b["label"]],
                },
            }
            for b in answer["boxes"]
        ]
        yield {"id": record.item_id, "data": {"image": record.url}, "annotations": [{"id": 1, "result": result}]}


STUDIO_CONFIG = (
    '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">'
    + "".join(f'<Label value="{label}"/>' for label in LABELS)
    + "</RectangleLabels></View>"
)


def peer_child(n: int) -> dict:
    import logging

    from label_studio_converter import Converter

    logging.disable(logging.WARNING)  # it warns per image it cannot open (we give it none to open)
    with tempfile.TemporaryDirectory() as work:
        tasks = os.path.join(work, "tasks.json")
        with open(tasks, "w") as out:
            out.write("[")
            for i, task in enumerate(studio_tasks(n)):
                out.write(("," if i else "") + json.dumps(task))
            out.write("]")
        baseline = _rss_mb()
        start, cpu = time.perf_counter(), _cpu_s()
        converter = Converter(STUDIO_CONFIG, project_dir=work, download_resources=False)
        converter.convert_to_coco(tasks, os.path.join(work, "coco"), is_dir=False)
        seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
        peak = _rss_mb()
        result = os.path.join(work, "coco", "result.json")
        size = os.path.getsize(result)
        with open(result) as f:
            boxes = len(json.load(f)["annotations"])
    return {
        "format": PEER,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak,
        "growth_mb": peak - baseline,
        "bytes": size,
        "boxes": boxes,
    }


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(fmt: str, n: int) -> dict:
    baseline = _rss_mb()
    with tempfile.TemporaryFile() as sink:
        start, cpu = time.perf_counter(), _cpu_s()
        summary = write_export(fmt, items(n), SCHEMA, sink)
        seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
        size = sink.tell()
    peak = _rss_mb()
    return {
        "format": fmt,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak,
        "growth_mb": peak - baseline,
        "bytes": size,
        "items": summary.items,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--child", choices=[*(f.value for f in ExportFormat), PEER])
    parser.add_argument("--formats", default="coco,voc,labelme,json", help="ours, comma-separated")
    args = parser.parse_args()
    if args.child:
        result = peer_child(args.items) if args.child == PEER else child(args.child, args.items)
        print(json.dumps(result))
        return
    print(f"{args.items:,} items x 3 boxes, streamed from a generator into a temporary file")
    print(f"{'format':30} {'time s':>7} {'CPU s':>6} {'peak RSS MB':>12} {'growth MB':>10} {'output MB':>10}")
    runs = {}
    for name in [*args.formats.split(","), PEER]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, "--items", str(args.items)],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        )
        r = runs[name] = json.loads(out.stdout)
        label = f"{PEER} (COCO)" if name == PEER else r["format"]
        print(
            f"{label:30} {r['seconds']:7.2f} {r['cpu_seconds']:6.2f} {r['peak_mb']:12.0f} {r['growth_mb']:10.1f}"
            f" {r['bytes'] / 1e6:10.1f}"
        )
    start = time.perf_counter()
    for _ in items(args.items):
        pass
    print(f"(generating the records alone takes {time.perf_counter() - start:.2f} s of each of our times above)")
    if "coco" in runs:
        ours, peer = runs["coco"], runs[PEER]
        print(
            f"COCO vs {PEER}: {ours['seconds'] / peer['seconds']:.2f}x its time "
            f"({ours['cpu_seconds'] / peer['cpu_seconds']:.2f}x its CPU time), "
            f"{ours['peak_mb'] / peer['peak_mb']:.2f}x its peak RSS, "
            f"{ours['growth_mb'] / peer['growth_mb']:.2f}x its growth"
            f" ({peer['boxes']:,} boxes in its output)"
        )
    print("CPU s: user + system time of the export itself (what a busy machine disturbs least)")
    print("memory: getrusage ru_maxrss of a fresh child process per run (peak RSS), growth = peak - RSS before")


if __name__ == "__main__":
    main()
