"""Simulated people to place COCO-person skeletons on, and simulated annotators who place them
(`make simulate --flow person-keypoints`, bench/quality_skeleton.py, the skeleton tests).

An image holds 1-2 people of 120-300 px, standing in a varied pose: the truth. Each keypoint is visible
(v = 2), occluded (v = 1) or, now and then, not labeled (v = 0, as a keypoint out of the frame). A dataset URL
carries only the seed its truth is drawn from, so an annotator who follows an assignment's data link finds it.

An annotator of accuracy p places each keypoint with Gaussian noise of COCO's own spread for that keypoint
(sigma × the person's scale, the spread COCO measured between its annotators), widened by 1 + 2(1 − p) and
doubled for occluded keypoints; leaves out occluded keypoints now and then; calls visible and occluded the wrong
way with probability (1 − p) / 2; swaps the person's left and right with probability (1 − p) / 3; misses a
person with probability (1 − p) / 2 and draws one who is not there with probability (1 − p) / 4.
"""

import contextlib
import io
import math
import random
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from bytebridge.annotations.skeleton import COCO_PERSON, SkeletonAnswer
from bytebridge.consensus.objects import greedy_match
from bytebridge.consensus.skeleton import mean_oks, oks_matrix
from local import annotators
from local.annotators import DATASET_HOST, IMAGE_HEIGHT, IMAGE_WIDTH

NODE = "pose"
LABEL = "person"
# COCO person keypoints of a person standing, facing the camera: (x, y) in person heights from the top of the
# head, x to the image's right (the person's left side).
STANDING = (
    (0.0, 0.07), (0.025, 0.05), (-0.025, 0.05), (0.05, 0.06), (-0.05, 0.06), (0.11, 0.19), (-0.11, 0.19),
    (0.15, 0.33), (-0.15, 0.33), (0.16, 0.46), (-0.16, 0.46), (0.07, 0.52), (-0.07, 0.52), (0.08, 0.74),
    (-0.08, 0.74), (0.08, 0.96), (-0.08, 0.96),
)  # fmt: skip
# Each keypoint's partner on the other side (COCO's order pairs left and right neighbours; the nose has none).
MIRROR = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)
_ARMS = (7, 8, 9, 10)  # elbows and wrists swing most between poses

Person = tuple[tuple[float, float, int], ...]  # one (x, y, v) per COCO keypoint


@dataclass(frozen=True)
class Truth:
    people: tuple[Person, ...]
    boxes: tuple[tuple[float, float, float, float], ...]  # (x, y, w, h) of each person

    def answer(self) -> dict:
        """The truth as a keypoint_skeleton answer."""
        instances = [
            {"label": LABEL, "keypoints": [list(k) for k in person], "bbox": list(box)}
            for person, box in zip(self.people, self.boxes, strict=True)
        ]
        return {
            "imageWidth": IMAGE_WIDTH,
            "imageHeight": IMAGE_HEIGHT,
            "skeleton": COCO_PERSON.model_dump(mode="json"),
            "instances": instances,
        }


def _person(rng: random.Random, left: float, right: float) -> tuple[Person, tuple[float, float, float, float]]:
    height = rng.uniform(120, 300)
    x0 = rng.uniform(left + 0.2 * height, right - 0.2 * height)
    y0 = rng.uniform(-0.05 * height, IMAGE_HEIGHT - 0.9 * height)
    keypoints = []
    for k, (dx, dy) in enumerate(STANDING):
        swing = 0.06 if k in _ARMS else 0.015
        x = x0 + (dx + rng.gauss(0, swing)) * height
        y = y0 + (dy + rng.gauss(0, swing)) * height
        inside = 0 <= x <= IMAGE_WIDTH and 0 <= y <= IMAGE_HEIGHT
        roll = rng.random()
        v = 0 if not inside or roll < 0.03 else (1 if roll < 0.18 else 2)
        keypoints.append((round(x, 1), round(y, 1), v) if v else (0.0, 0.0, 0))
    if not any(v for _, _, v in keypoints):  # wholly out of the frame: put the nose in view
        keypoints[0] = (
            round(min(max(x0, 0), IMAGE_WIDTH), 1),
            round(min(max(y0 + 0.07 * height, 0), IMAGE_HEIGHT), 1),
            2,
        )
    shown = [(x, y) for x, y, v in keypoints if v]
    x1 = max(0.0, min(x for x, _ in shown) - 0.1 * height / 2)
    y1 = max(0.0, min(y for _, y in shown) - 0.05 * height)
    x2 = min(float(IMAGE_WIDTH), max(x for x, _ in shown) + 0.1 * height / 2)
    y2 = min(float(IMAGE_HEIGHT), max(y for _, y in shown) + 0.05 * height)
    return tuple(keypoints), (round(x1, 1), round(y1, 1), round(max(x2 - x1, 1.0), 1), round(max(y2 - y1, 1.0), 1))


def truth_for(seed: int) -> Truth:
    """The people of one image, drawn from its seed: 1 or 2, each in their half of the picture if 2."""
    rng = random.Random(seed)
    count = rng.choice((1, 1, 2))
    width = IMAGE_WIDTH / count
    drawn = [_person(rng, n * width, (n + 1) * width) for n in range(count)]
    return Truth(tuple(p for p, _ in drawn), tuple(b for _, b in drawn))


def make_dataset(count: int, seed: int = 7) -> dict[str, Truth]:
    """URL → truth of `count` images."""
    rng = random.Random(seed)
    seeds = [rng.getrandbits(40) for _ in range(count)]
    return {f"{DATASET_HOST}/pose/{n:05d}.jpg?pose={s}": truth_for(s) for n, s in enumerate(seeds)}


def truth_of(url: str) -> Truth:
    return truth_for(int(parse_qs(urlsplit(url).query)["pose"][0]))


@dataclass
class SkeletonAnnotator:
    name: str
    accuracy: float
    rng: random.Random

    def _place(self, person: Person, box: tuple[float, float, float, float]) -> dict:
        p, rng = self.accuracy, self.rng
        scale = math.sqrt(box[2] * box[3])
        order = MIRROR if rng.random() < (1 - p) / 3 else range(len(person))
        keypoints = []
        for k, source in enumerate(order):
            x, y, v = person[source]
            if v == 0 or (v == 1 and rng.random() < 0.3 * (1 - p) + 0.1):
                keypoints.append([0.0, 0.0, 0])
                continue
            spread = COCO_PERSON.sigmas[k] * scale * (1 + 2 * (1 - p)) * (2 if v == 1 else 1)
            nx = min(max(x + rng.gauss(0, spread), 0.0), IMAGE_WIDTH)
            ny = min(max(y + rng.gauss(0, spread), 0.0), IMAGE_HEIGHT)
            if rng.random() < (1 - p) / 2:
                v = 3 - v
            keypoints.append([round(nx, 1), round(ny, 1), v])
        if not any(v for _, _, v in keypoints):
            return {}
        bx, by, bw, bh = (value + rng.gauss(0, 2) for value in box)
        bx, by = min(max(bx, 0.0), IMAGE_WIDTH - 1), min(max(by, 0.0), IMAGE_HEIGHT - 1)
        bbox = [round(bx, 1), round(by, 1), round(min(max(bw, 1.0), IMAGE_WIDTH - bx), 1)]
        bbox.append(round(min(max(bh, 1.0), IMAGE_HEIGHT - by), 1))
        return {"label": LABEL, "keypoints": keypoints, "bbox": bbox}

    def place(self, truth: Truth) -> dict:
        """A keypoint_skeleton answer (without the skeleton: the platform adds the node's)."""
        p, rng = self.accuracy, self.rng
        placed = [
            self._place(person, box)
            for person, box in zip(truth.people, truth.boxes, strict=True)
            if rng.random() >= (1 - p) / 2
        ]
        if rng.random() < (1 - p) / 4:
            ghost = truth_for(rng.getrandbits(40))  # someone in another picture
            placed.append(self._place(ghost.people[0], ghost.boxes[0]))
        return {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "instances": [i for i in placed if i]}

    def answer(self, assignment: dict, truth: Truth) -> dict:
        """What the annotator submits for a worker-API assignment: it places the skeleton the assignment hands out."""
        if assignment["taskType"] != "keypoint_skeleton":
            raise ValueError(f"this annotator only places skeletons, not {assignment['taskType']}")
        if (assignment.get("skeleton") or {}).get("keypoints") != list(COCO_PERSON.keypoints):
            raise ValueError("the assignment does not hand out COCO's person skeleton")
        return self.place(truth)


def annotator_pool(count: int, mean_accuracy: float, seed: int = 11) -> list[SkeletonAnnotator]:
    """`count` annotators around `mean_accuracy` (local.annotators.annotator_pool's spread)."""
    return [SkeletonAnnotator(a.name, a.accuracy, a.rng) for a in annotators.annotator_pool(count, mean_accuracy, seed)]


def project_params(name: str) -> dict:
    """createProject params (the documented keypoint project); setFlow then puts the skeleton node in."""
    return {
        "projectName": name,
        "type": "image_rectangle_frame_select",
        "taskType": "free_point",
        "instruction": "simulated",
        "target": LABEL,
    }


def flow() -> dict:
    """One keypoint_skeleton node with COCO's person, then the end."""
    return {
        "start": NODE,
        "nodes": [
            {
                "kind": "task",
                "id": NODE,
                "taskType": "keypoint_skeleton",
                "instruction": "Place the 17 keypoints of every person; mark hidden ones as occluded.",
                "labels": [LABEL],
                "skeleton": {"preset": COCO_PERSON.name},
                "overlap": {"minOverlap": 3, "maxOverlap": 5, "agreement": 0.7},
            },
            {"kind": "end", "id": "end"},
        ],
        "edges": [{"source": NODE, "target": "end"}],
    }


def quality(pairs: list[tuple[dict, Truth]]) -> dict:
    """(answer, truth) pairs → mean OKS (bytebridge.consensus.skeleton.mean_oks: COCO's OKS of the answer's
    instance paired with each true one, 0 for a missed one), the share of true people found at OKS >= 0.5, and
    the answers' instances that pair with no true one (ghosts), per image."""
    oks_values, found, people, ghosts = [], 0, 0, 0
    for payload, truth in pairs:
        answer = SkeletonAnswer.model_validate({"skeleton": COCO_PERSON.model_dump(mode="json"), **payload})
        reference = SkeletonAnswer.model_validate(truth.answer())
        oks_values.append(mean_oks(answer, reference))
        paired = len(greedy_match(oks_matrix(answer, reference)))
        found += paired
        people += len(reference.instances)
        ghosts += len(answer.instances) - paired
    return {
        "meanOKS": round(sum(oks_values) / max(1, len(oks_values)), 4),
        "peopleFound": round(found / max(1, people), 4),
        "ghostsPerImage": round(ghosts / max(1, len(pairs)), 4),
    }


def score(results: list[dict], dataset: dict[str, Truth]) -> dict:
    """The consolidated skeletons of listResults records against the truth (`quality`)."""
    pairs = [(record["result"]["answers"][NODE], dataset[record["resourceURL"]]) for record in results]
    return {"items": len(results), **quality(pairs)}


def keypoint_ap(truth: COCO, detections: list[dict]) -> float:
    """pycocotools' keypoint AP (COCOeval, iouType "keypoints": OKS 0.50:0.95, COCO's person sigmas) of
    `detections` ({"image_id", "category_id", "keypoints", "score"}) against the keypoint annotations of `truth`."""
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints as it goes
        evaluation = COCOeval(truth, truth.loadRes(detections), iouType="keypoints")
        evaluation.params.kpt_oks_sigmas = np.array(COCO_PERSON.sigmas)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return float(evaluation.stats[0])
