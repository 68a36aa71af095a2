"""Keypoint skeletons: the consolidated quality against simulated truth (local.sim_skeleton: COCO-person
skeletons, 1-2 people per image, annotators at ~80%) for 3 and 5 annotators, next to a single annotator's: mean
OKS (COCO's object keypoint similarity of each true person's paired instance, 0 when missed), the share of people
found at OKS >= 0.5, ghosts per image, and pycocotools' keypoint AP (COCOeval, iouType "keypoints", the answers
as detections of score 1 against the truth).

    python -m bench.quality_skeleton
"""

import contextlib
import io
import json
import random
import time
from dataclasses import dataclass
from typing import Any

from pycocotools.coco import COCO

from bytebridge.annotations import TaskType
from bytebridge.annotations.skeleton import COCO_PERSON
from bytebridge.consensus import Judgment, consolidate
from bytebridge.exports.formats import write_export
from bytebridge.exports.model import ExportSchema, NodeInfo
from bytebridge.flows.model import Overlap
from local.sim_skeleton import LABEL, NODE, Truth, annotator_pool, keypoint_ap, make_dataset, quality

ITEMS = 300
ACCURACY = 0.8


@dataclass
class _Item:  # what the exporter reads of an item (bytebridge.exports.model.ExportItem)
    item_id: str
    url: str
    resource_type: str
    result: dict[str, Any] | None


def answers_ap(pairs: list[tuple[dict, Truth]]) -> float:
    """COCO keypoint AP (OKS 0.50:0.95) of the answers' instances against the true people, the truth written by
    our own COCO exporter (image ids 1, 2, ... in order)."""
    items = [
        _Item(f"i{n}", f"https://x.example/{n}.jpg", "image", {"answers": {NODE: truth.answer()}})
        for n, (_, truth) in enumerate(pairs)
    ]
    sink = io.BytesIO()
    write_export("coco", items, ExportSchema({NODE: NodeInfo(TaskType.SKELETON, (LABEL,))}), sink)
    truth_set = COCO()
    truth_set.dataset = json.loads(sink.getvalue())
    with contextlib.redirect_stdout(io.StringIO()):
        truth_set.createIndex()
    (category,) = truth_set.getCatIds()
    detections = [
        {"image_id": image_id, "category_id": category, "keypoints": [v for k in i["keypoints"] for v in k], "score": 1}
        for image_id, (answer, _) in enumerate(pairs, 1)
        for i in answer["instances"]
    ]
    return round(keypoint_ap(truth_set, detections), 4)


def rows(seed: int = 7) -> list[dict]:
    dataset = make_dataset(ITEMS, seed=seed)
    pool = annotator_pool(20, ACCURACY, seed=seed)
    rng = random.Random(seed)
    skeleton = COCO_PERSON.model_dump(mode="json")  # what the platform puts in every submitted answer
    out = []
    for count in (3, 5):
        overlap = Overlap(min_overlap=count, max_overlap=count)
        single, consolidated = [], []
        started = time.perf_counter()
        for truth in dataset.values():
            crowd = rng.sample(pool, count)
            answers = [{**annotator.place(truth), "skeleton": skeleton} for annotator in crowd]
            judgments = [Judgment(a.name, answer) for a, answer in zip(crowd, answers, strict=True)]
            single.append((answers[0], truth))
            result = consolidate("keypoint_skeleton", judgments, overlap).answer
            assert result is not None  # there were judgments
            consolidated.append((result, truth))
        per_item_ms = round((time.perf_counter() - started) / ITEMS * 1000, 2)
        for who, pairs in (("one annotator", single), ("consolidated", consolidated)):
            row = {"type": "keypoint_skeleton", "annotators": count, "who": who, **quality(pairs)}
            out.append(row | {"keypointAP": answers_ap(pairs)})
        out[-1]["consolidateMsPerItem"] = per_item_ms
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
