"""Consensus accuracy on simulated annotators: adaptive overlap, fixed-overlap majority vote, Dawid–Skene,
with crowd-kit's implementations on the same judgments for reference.

    PYTHONPATH=layers/shared/python .venv/bin/python bench/consensus_accuracy.py

Every item has five judgments in arrival order from distinct workers of a pool; a worker is right with
their own accuracy (Beta(8, 2): mean 0.8) and otherwise picks a wrong class at random. "Gold skills" are
each worker's accuracy estimated from 10 gold tasks (bytebridge.consensus.skills.update_skill); "true
skills" are the simulated accuracies themselves, the best any skill estimate could do.
"""

import time

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene, MajorityVote, OneCoinDawidSkene

from bytebridge.consensus import Judgment, consolidate, dawid_skene, majority_vote, one_coin_dawid_skene
from bytebridge.consensus.skills import update_skill

SEED = 20260501
ITEMS, WORKERS, JUDGMENTS, GOLD_TASKS = 1000, 50, 5, 10


class Overlap:
    def __init__(self, min_overlap: int, max_overlap: int, agreement: float):
        self.min_overlap, self.max_overlap, self.agreement = min_overlap, max_overlap, agreement


def simulate(n_classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict, dict]:
    """Truth, judgments (items × 5 worker ids, items × 5 labels), gold-estimated and true skills."""
    accuracy = rng.beta(8, 2, WORKERS)
    truth = rng.integers(0, n_classes, ITEMS)
    workers = np.array([rng.choice(WORKERS, JUDGMENTS, replace=False) for _ in range(ITEMS)])
    right = rng.random(workers.shape) < accuracy[workers]
    wrong = (truth[:, None] + rng.integers(1, n_classes, workers.shape)) % n_classes
    labels = np.where(right, truth[:, None], wrong)
    gold_correct = rng.binomial(GOLD_TASKS, accuracy)
    gold_skills = {f"w{w}": update_skill(int(c), GOLD_TASKS) for w, c in enumerate(gold_correct)}
    true_skills = {f"w{w}": float(a) for w, a in enumerate(accuracy)}
    return truth, workers, labels, gold_skills, true_skills


def matrix(workers: np.ndarray, labels: np.ndarray, first: int) -> np.ndarray:
    """items × workers label matrix from each item's first `first` judgments (-1: not asked)."""
    out = np.full((ITEMS, WORKERS), -1)
    rows = np.repeat(np.arange(ITEMS), first)
    out[rows, workers[:, :first].ravel()] = labels[:, :first].ravel()
    return out


def adaptive(workers, labels, overlap, skills) -> tuple[np.ndarray, float]:
    """Ask one worker at a time until consolidate() says done; returns labels and judgments used per item."""
    result, used = np.empty(ITEMS, dtype=int), 0
    for item in range(ITEMS):
        judgments = []
        for worker, label in zip(workers[item], labels[item], strict=True):
            judgments.append(Judgment(f"w{worker}", {"choice": f"c{label}"}))
            consensus = consolidate("single_choice", judgments, overlap, skills)
            if consensus.done:
                break
        result[item] = int(consensus.answer["choice"][1:])
        used += len(judgments)
    return result, used / ITEMS


def crowdkit(model, label_matrix: np.ndarray) -> np.ndarray:
    task, worker = np.nonzero(label_matrix >= 0)
    frame = pd.DataFrame({"task": task, "worker": worker, "label": label_matrix[task, worker]})
    return model.fit_predict(frame).sort_index().to_numpy()


def run(n_classes: int, rng: np.random.Generator) -> dict[str, tuple[float, float, float]]:
    """method → (accuracy, judgments per item, seconds)."""
    truth, workers, labels, gold_skills, true_skills = simulate(n_classes, rng)
    three, five = matrix(workers, labels, 3), matrix(workers, labels, 5)
    methods = {
        "adaptive 3-5, agreement 0.7": lambda: adaptive(workers, labels, Overlap(3, 5, 0.7), None),
        "adaptive 3-5, agreement 0.8": lambda: adaptive(workers, labels, Overlap(3, 5, 0.8), None),
        "adaptive 3-5, 0.7, gold skills": lambda: adaptive(workers, labels, Overlap(3, 5, 0.7), gold_skills),
        "adaptive 3-5, 0.8, gold skills": lambda: adaptive(workers, labels, Overlap(3, 5, 0.8), gold_skills),
        "adaptive 3-5, 0.7, true skills": lambda: adaptive(workers, labels, Overlap(3, 5, 0.7), true_skills),
        "weighted vote, 3, true skills": lambda: adaptive(workers, labels, Overlap(3, 3, 0.7), true_skills),
        "majority vote, 3": lambda: (majority_vote(three, n_classes).labels, 3),
        "majority vote, 5": lambda: (majority_vote(five, n_classes).labels, 5),
        "Dawid-Skene, 5": lambda: (dawid_skene(five, n_classes).labels, 5),
        "one-coin Dawid-Skene, 5": lambda: (one_coin_dawid_skene(five, n_classes).labels, 5),
        "crowd-kit MajorityVote, 3": lambda: (crowdkit(MajorityVote(), three), 3),
        "crowd-kit MajorityVote, 5": lambda: (crowdkit(MajorityVote(), five), 5),
        "crowd-kit DawidSkene, 5": lambda: (crowdkit(DawidSkene(n_iter=100), five), 5),
        "crowd-kit OneCoinDawidSkene, 5": lambda: (crowdkit(OneCoinDawidSkene(n_iter=100), five), 5),
    }
    figures = {}
    for name, method in methods.items():
        start = time.perf_counter()
        predicted, per_item = method()
        figures[name] = (float((predicted == truth).mean()), float(per_item), time.perf_counter() - start)
    return figures


def main() -> None:
    rng = np.random.default_rng(SEED)
    by_classes = {k: run(k, rng) for k in (2, 4)}
    print(f"{ITEMS} items, {WORKERS} workers (accuracy ~ Beta(8, 2), mean 0.8), seed {SEED}\n")
    header = f"{'method':32}" + "".join(f" | {k} classes: acc  judg/item   time" for k in by_classes)
    print(header)
    print("-" * len(header))
    for name in by_classes[2]:
        cells = "".join(
            f" | {'':10}{acc:5.3f}  {per_item:9.2f}  {seconds:5.2f}s"
            for acc, per_item, seconds in (by_classes[k][name] for k in by_classes)
        )
        print(f"{name:32}{cells}")


if __name__ == "__main__":
    main()
