"""Offline baselines on the live run's own judgments: what fixed overlaps of 3 and 5 would have concluded.

For each task (item, node) the live run asked, the annotators are the ones it actually used, in claim order,
extended deterministically with further pool annotators up to 5; their answers are the recorded live ones,
and for the extension what bench.simulated_crowd.judge says those annotators would have answered (the same
function the live run drew from). "Fixed k" consolidates the first k of them with overlap min = max = k, so
box tasks go through the same consolidation as live; the classify node is also scored by plain unweighted
majority vote (bytebridge.consensus.batch.majority_vote).
"""

import random
from dataclasses import dataclass

import numpy as np

from bench.simulated_crowd import Task, judge
from bytebridge.consensus import Judgment, consolidate, majority_vote
from bytebridge.consensus.geometry import box_iou
from bytebridge.consensus.objects import greedy_match
from bytebridge.flows.model import TaskNode
from local.annotators import SimulatedAnnotator, Truth

OVERLAPS = (3, 5)
MATCH_IOU = 0.5


@dataclass(frozen=True)
class FixedOverlap:
    """An OverlapPolicy that always asks exactly k annotators."""

    min_overlap: int
    max_overlap: int
    agreement: float = 1.0


@dataclass
class Score:
    """One method on one node: tasks scored, tasks right, judgments spent."""

    tasks: int = 0
    right: int = 0
    judgments: int = 0

    def add(self, right: bool, judgments: int) -> None:
        self.tasks += 1
        self.right += bool(right)
        self.judgments += judgments

    @property
    def accuracy(self) -> float:
        return self.right / self.tasks if self.tasks else float("nan")

    @property
    def per_task(self) -> float:
        return self.judgments / self.tasks if self.tasks else float("nan")


def extended(task: Task, pool: list[SimulatedAnnotator], seed: int, size: int = max(OVERLAPS)) -> list[str]:
    """The live annotators, then others of the pool in an order fixed by (item, node), up to `size`."""
    others = [a.name for a in pool if a.name not in task.annotators]
    random.Random(f"{seed}|{task.item_url}|{task.node_id}|extend").shuffle(others)
    return (task.annotators + others)[: max(size, len(task.annotators))]


def judgments_of(task: Task, node: TaskNode, pool: list[SimulatedAnnotator], seed: int) -> list[Judgment]:
    """Up to five judgments: the recorded live ones, then the simulated extension."""
    by_name = {a.name: a for a in pool}
    assignment = {"taskType": node.task_type.value, "options": list(node.options), "labels": list(node.labels)}
    out = [Judgment(name, answer) for name, answer in zip(task.annotators, task.answers, strict=True)]
    for name in extended(task, pool, seed)[len(out) :]:
        out.append(Judgment(name, judge(by_name[name], seed, task.item_url, task.node_id, assignment)))
    return out


def reproduced(task: Task, node: TaskNode, pool: list[SimulatedAnnotator], seed: int) -> int:
    """How many of the live answers the judgment function gives again offline (all, if it is deterministic)."""
    by_name = {a.name: a for a in pool}
    assignment = {"taskType": node.task_type.value, "options": list(node.options), "labels": list(node.labels)}
    again = [judge(by_name[n], seed, task.item_url, task.node_id, assignment) for n in task.annotators]
    return sum(_same(a, b) for a, b in zip(again, task.answers, strict=True))


def _same(a: dict, b: dict) -> bool:
    if "choice" in a:
        return a.get("choice") == b.get("choice")
    boxes = [[round(box[k], 1) for k in ("x", "y", "w", "h")] + [box["label"]] for box in a.get("boxes", [])]
    theirs = [[round(box[k], 1) for k in ("x", "y", "w", "h")] + [box["label"]] for box in b.get("boxes", [])]
    return boxes == theirs


def fixed_answer(node: TaskNode, judgments: list[Judgment], k: int, skills: dict[str, float]) -> dict:
    return consolidate(node.task_type, judgments[:k], FixedOverlap(k, k), skills).answer


def _corners(boxes) -> np.ndarray:
    return np.array([[x, y, x + w, y + h] for x, y, w, h in boxes], dtype=float).reshape(-1, 4)


def boxes_match(answer: dict, truth: Truth) -> bool:
    """Every true box paired one-to-one with a consolidated box at IoU ≥ 0.5, and no consolidated box left over."""
    drawn = [(b["x"], b["y"], b["w"], b["h"]) for b in answer.get("boxes", [])]
    if len(drawn) != len(truth.boxes):
        return False
    if not drawn:
        return True
    return len(greedy_match(box_iou(_corners(truth.boxes), _corners(drawn)), MATCH_IOU)) == len(truth.boxes)


def plain_majority(tasks: list[Task], judgments: list[list[Judgment]], node: TaskNode, k: int) -> np.ndarray:
    """Unweighted majority vote of the first k judgments of each task, as class indices of node.options."""
    names = sorted({j.worker_id for js in judgments for j in js})
    column = {name: n for n, name in enumerate(names)}
    labels = np.full((len(tasks), len(names)), -1)
    for row, js in enumerate(judgments):
        for j in js[:k]:
            labels[row, column[j.worker_id]] = node.options.index(j.answer["choice"])
    return majority_vote(labels, len(node.options)).labels
