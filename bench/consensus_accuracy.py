"""Quality per judgment on simulated workforces: our defaults against fixed majority vote (3, 5, 7, 9) and
crowd-kit's Dawid–Skene, and the boxes missed by consolidation.

    PYTHONPATH=layers/shared/python .venv/bin/python bench/consensus_accuracy.py [--items N] [--seed S] [--seeds N]
        [--options 2 3 4] [--level standard|high|premium] [--min-overlap M] [--no-boxes] [--no-types]

Classification: a project of ITEMS single-choice items (two options: the hardest case for a vote) and a pool
of WORKERS annotators of one workforce shape. "Defaults" is the product as shipped: the default task node
(bytebridge.flows.model.TaskNode: its overlap and gold policy), qualification gold before real work and gold
mixed in at the default rate (bytebridge.workers.gold), skills from the gold record
(bytebridge.consensus.skills), blocking by its rule, and `consolidate()` deciding after each judgment whether to
ask one more annotator. Judgments per item count the gold tasks' labor too: (real + gold judgments) / items.
The baselines ask every item of k random annotators of the whole pool (nobody blocked, no gold) and take the
majority vote; Dawid–Skene (crowd-kit) runs on the judgments our defaults collected, and on the fixed 5. Two
rows tell what is reachable at all: the defaults' stopping rule given the annotators' true accuracies (no gold),
and Wald's floor on the judgments per item of any sequential rule asking random annotators (`wald_bound`).

Shapes are the truth the bench was not tuned to: narrow and wide accuracy ranges, a few spammers (random
answers), adversarial annotators (always the first option), annotators who get worse over the project; and two
added after the defaults were chosen: half the crowd mediocre, and classes 90/10.

Boxes: three annotators each draw the true boxes with jitter, miss a box now and then and add a spurious one;
the missed-object rate is the share of true boxes with no consolidated box at IoU >= 0.5, for `consolidate()`
and a per-coordinate median of the boxes clustered the same way.
"""

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene

from bytebridge.consensus import Judgment, consolidate, majority_vote
from bytebridge.consensus.geometry import box_iou
from bytebridge.consensus.objects import greedy_match
from bytebridge.consensus.skills import SkillStats, is_blocked, update_skill
from bytebridge.flows.model import Overlap, TaskNode
from bytebridge.workers import gold

SEED = 20261202
ITEMS, WORKERS = 2000, 50
CLASSES = (2, 3, 4)  # options per item: the table for each; two is the hardest case for a vote
FIXED = (3, 5, 7, 9)


# The default overlap policy unless --level / --min-overlap override it (what other settings would cost).
OVERLAP: dict[str, object] = {}


def classify_node(options: list[str]) -> TaskNode:
    return TaskNode(id="classify", task_type="single_choice", options=options, overlap=Overlap(**OVERLAP))


@dataclass(frozen=True)
class FixedOverlap:
    """An OverlapPolicy asking exactly k annotators."""

    min_overlap: int
    max_overlap: int
    agreement: float = 1.0


@dataclass
class Annotator:
    """Right with probability `start - decay * t` at project progress t in [0, 1]; `kind` says how they err."""

    start: float
    decay: float = 0.0
    kind: str = "honest"  # honest: a wrong answer is a random other option; spammer: random; adversarial: c0

    def accuracy(self, t: float) -> float:
        return self.start - self.decay * t

    def answer(self, truth: int, classes: int, t: float, rng: np.random.Generator) -> int:
        if self.kind == "adversarial":
            return 0
        if self.kind == "spammer":
            return int(rng.integers(classes))
        if rng.random() < self.accuracy(t):
            return truth
        return int((truth + rng.integers(1, classes)) % classes)


def _honest(accuracies: np.ndarray) -> list[Annotator]:
    return [Annotator(float(a)) for a in accuracies]


def _mixed(rng: np.random.Generator, others: int, kind: str) -> list[Annotator]:
    return _honest(rng.beta(8, 2, WORKERS - others)) + [Annotator(0.5, kind=kind) for _ in range(others)]


def _worsening(rng: np.random.Generator) -> list[Annotator]:
    """A third of the pool starts good (0.85–0.95) and loses 0.3 over the project."""
    worse = WORKERS // 3
    starts = rng.uniform(0.85, 0.95, worse)
    return _honest(rng.beta(8, 2, WORKERS - worse)) + [Annotator(float(a), 0.3) for a in starts]


def _half_mediocre(rng: np.random.Generator) -> list[Annotator]:
    """Half the crowd is mediocre (0.6–0.7), the other half good (0.8–0.95)."""
    half = WORKERS // 2
    return _honest(np.concatenate([rng.uniform(0.6, 0.7, half), rng.uniform(0.8, 0.95, WORKERS - half)]))


SHAPES: dict[str, Callable[[np.random.Generator], list[Annotator]]] = {
    "narrow 0.75-0.85": lambda rng: _honest(rng.uniform(0.75, 0.85, WORKERS)),
    "Beta(8,2), mean 0.8": lambda rng: _honest(rng.beta(8, 2, WORKERS)),
    "wide 0.62-0.98": lambda rng: _honest(rng.uniform(0.62, 0.98, WORKERS)),
    "wide, lower mean 0.55-0.98": lambda rng: _honest(rng.uniform(0.55, 0.98, WORKERS)),
    "10% spammers": lambda rng: _mixed(rng, WORKERS // 10, "spammer"),
    "10% adversarial": lambda rng: _mixed(rng, WORKERS // 10, "adversarial"),
    "1/3 get worse": _worsening,
    # Added after the defaults were chosen, to check them on shapes they were not tuned to:
    "half mediocre 0.6-0.7": _half_mediocre,
    "Beta(8,2), classes 90/10": lambda rng: _honest(rng.beta(8, 2, WORKERS)),
}
# Shapes whose true answers are not spread evenly: the first option's share (the rest share the remainder).
FIRST_SHARE = {"Beta(8,2), classes 90/10": 0.9}


@dataclass
class Run:
    """One method on one shape: predicted labels, labor, and the label matrix it collected."""

    labels: np.ndarray
    matrix: np.ndarray
    judgments: int
    gold: int = 0
    blocked: int = 0
    good_blocked: int = 0

    def per_item(self) -> float:
        return (self.judgments + self.gold) / len(self.labels)


@dataclass
class Crowd:
    """The pool's gold records and blocks as the defaults run the project."""

    pool: list[Annotator]
    classes: int
    rng: np.random.Generator
    stats: list[SkillStats] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    gold_labor: int = 0

    def __post_init__(self) -> None:
        self.stats = [SkillStats() for _ in self.pool]

    def gold_task(self, worker: int, t: float) -> None:
        truth = int(self.rng.integers(self.classes))
        right = self.pool[worker].answer(truth, self.classes, t, self.rng) == truth
        s = self.stats[worker]
        self.stats[worker] = SkillStats(s.correct + right, s.total + 1)
        self.gold_labor += 1
        if is_blocked(self.stats[worker], gold.GOLD_BAR, gold.MIN_GOLD):
            self.blocked.add(worker)

    def skills(self) -> dict[str, float]:
        return {f"w{w}": update_skill(s.correct, s.total) for w, s in enumerate(self.stats)}


def defaults(pool: list[Annotator], truth: np.ndarray, classes: int, rng: np.random.Generator) -> Run:
    options = [f"c{k}" for k in range(classes)]
    node = classify_node(options)
    crowd = Crowd(pool, classes, rng)
    qualified: set[int] = set()
    out = np.zeros(len(truth), dtype=int)
    matrix = np.full((len(truth), len(pool)), -1)
    real = 0
    for item, answer in enumerate(truth):
        t = item / len(truth)
        judgments: list[Judgment] = []
        while True:
            free = [w for w in range(len(pool)) if w not in crowd.blocked and matrix[item, w] < 0]
            if not free:
                break
            worker = int(rng.choice(free))
            if worker not in qualified:  # qualification gold before the first real task
                qualified.add(worker)
                for _ in range(node.gold.qualifying):
                    crowd.gold_task(worker, t)
                continue
            if node.gold.rate and rng.random() < node.gold.rate:
                crowd.gold_task(worker, t)
                continue
            label = pool[worker].answer(int(answer), classes, t, rng)
            matrix[item, worker] = label
            real += 1
            judgments.append(Judgment(f"w{worker}", {"choice": options[label]}))
            result = consolidate(node.task_type, judgments, node.overlap, crowd.skills(), options=classes)
            if result.done:
                break
        assert result.answer is not None
        out[item] = options.index(result.answer["choice"])
    good = sum(1 for w in crowd.blocked if pool[w].kind == "honest" and pool[w].start >= 0.8)
    return Run(out, matrix, real, crowd.gold_labor, len(crowd.blocked), good)


def oracle(pool: list[Annotator], truth: np.ndarray, classes: int, rng: np.random.Generator) -> Run:
    """The defaults' stopping rule given every annotator's true accuracy at the time (no gold labor) and with
    the annotators who answer at chance blocked for free: what the skill estimates cost against knowing them."""
    options = [f"c{k}" for k in range(classes)]
    node = classify_node(options)
    useful = [w for w, a in enumerate(pool) if a.kind == "honest"]
    out, real = np.zeros(len(truth), dtype=int), 0
    for item, answer in enumerate(truth):
        t = item / len(truth)
        skills = {f"w{w}": pool[w].accuracy(t) for w in useful}
        judgments: list[Judgment] = []
        for worker in rng.permutation(useful):
            label = pool[worker].answer(int(answer), classes, t, rng)
            real += 1
            judgments.append(Judgment(f"w{worker}", {"choice": options[label]}))
            result = consolidate(node.task_type, judgments, node.overlap, skills, options=classes)
            if result.done:
                break
        assert result.answer is not None
        out[item] = options.index(result.answer["choice"])
    return Run(out, np.zeros((0, 0)), real)


def wald_bound(pool: list[Annotator], classes: int, error: float) -> float:
    """A floor on the judgments per item of any rule asking random annotators of the pool (chance-level ones
    blocked for free), knowing their accuracies, that is wrong at most `error` of the time: Wald's inequality
    E[N] >= (1 - 2e) ln((1 - e) / e) / D, D the mean Kullback–Leibler divergence one judgment gives between the
    true option and any other (one-coin: (p - q) ln(p / q), q = (1 - p) / (K - 1)), over the project."""
    divergences = []
    for annotator in pool:
        if annotator.kind != "honest":
            continue
        for t in np.linspace(0, 1, 11):
            p = min(annotator.accuracy(float(t)), 0.999)
            q = (1 - p) / (classes - 1)
            divergences.append((p - q) * np.log(p / q))
    return (1 - 2 * error) * np.log((1 - error) / error) / float(np.mean(divergences))


def fixed(
    pool: list[Annotator], truth: np.ndarray, classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Who is asked about each item (max(FIXED) random annotators, in asking order) and what they answer."""
    order = np.array([rng.permutation(len(pool))[: max(FIXED)] for _ in truth])
    labels = np.array(
        [
            [pool[w].answer(int(a), classes, i / len(truth), rng) for w in row]
            for i, (row, a) in enumerate(zip(order, truth, strict=True))
        ]
    )
    return order, labels


def first(order: np.ndarray, labels: np.ndarray, k: int, workers: int) -> np.ndarray:
    out = np.full((len(order), workers), -1)
    rows = np.repeat(np.arange(len(order)), k)
    out[rows, order[:, :k].ravel()] = labels[:, :k].ravel()
    return out


def crowdkit_ds(label_matrix: np.ndarray) -> np.ndarray:
    task, worker = np.nonzero(label_matrix >= 0)
    frame = pd.DataFrame({"task": task, "worker": worker, "label": label_matrix[task, worker]})
    return DawidSkene(n_iter=100).fit_predict(frame).sort_index().to_numpy()


def classification(
    shape: str, items: int, classes: int, rng: np.random.Generator
) -> tuple[list[tuple[str, float, float]], Run]:
    pool = SHAPES[shape](rng)
    first_share = FIRST_SHARE.get(shape, 1 / classes)
    truth = rng.choice(classes, items, p=[first_share] + [(1 - first_share) / (classes - 1)] * (classes - 1))
    ours = defaults(pool, truth, classes, rng)
    order, labels = fixed(pool, truth, classes, rng)
    rows = [("defaults", float((ours.labels == truth).mean()), ours.per_item())]
    known = oracle(pool, truth, classes, rng)
    rows.append(("same stopping, true skills, no gold", float((known.labels == truth).mean()), known.per_item()))
    rows.append(("bound: any sequential rule, 99%", float("nan"), wald_bound(pool, classes, 0.01)))
    rows.append(
        ("Dawid-Skene (crowd-kit), our judgments", float((crowdkit_ds(ours.matrix) == truth).mean()), ours.per_item())
    )
    for k in FIXED:
        voted = majority_vote(first(order, labels, k, len(pool)), classes).labels
        rows.append((f"majority vote, {k}", float((voted == truth).mean()), float(k)))
    five = crowdkit_ds(first(order, labels, 5, len(pool)))
    rows.append(("Dawid-Skene (crowd-kit), fixed 5", float((five == truth).mean()), 5.0))
    return rows, ours


# --- boxes -------------------------------------------------------------------------------------------------

BOX_IMAGES, BOX_ANNOTATORS, W, H = 600, 3, 1000, 800
JITTER, MISS, SPURIOUS = 0.06, 0.08, 0.15  # jitter as a share of the box side; chances per box / per drawing


def _true_boxes(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(1, 7))
    wh = rng.uniform(40, 250, (n, 2))
    xy = rng.uniform(0, 1, (n, 2)) * (np.array([W, H]) - wh)
    return np.hstack([xy, wh])


def _drawn(truth: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    kept = truth[rng.random(len(truth)) >= MISS]
    noisy = kept + rng.normal(0, JITTER, kept.shape) * np.repeat(kept[:, 2:], 2, axis=1)
    if rng.random() < SPURIOUS:
        noisy = np.vstack([noisy, _true_boxes(rng)[:1]])
    noisy[:, :2] = np.clip(noisy[:, :2], 0, [W - 2, H - 2])
    noisy[:, 2:] = np.clip(noisy[:, 2:], 2, np.array([W, H]) - noisy[:, :2])
    return noisy


def _corners(boxes: np.ndarray) -> np.ndarray:
    return np.hstack([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]]) if len(boxes) else np.zeros((0, 4))


def _missed(truth: np.ndarray, found: np.ndarray) -> tuple[int, float]:
    """True boxes with no found box at IoU >= 0.5, and the mean IoU of the matched ones."""
    if not len(found):
        return len(truth), 0.0
    iou = box_iou(_corners(truth), _corners(found))
    pairs = greedy_match(iou, 0.5)
    return len(truth) - len(pairs), float(np.mean([iou[a, b] for a, b in pairs])) if pairs else 0.0


def boxes(rng: np.random.Generator) -> list[tuple[str, float, float, float]]:
    """method → (missed-object rate, spurious rate, mean IoU of the found objects)."""
    totals = {"consolidate()": [0, 0, 0.0], "per-coordinate median": [0, 0, 0.0]}
    true_count = 0
    for _ in range(BOX_IMAGES):
        truth = _true_boxes(rng)
        true_count += len(truth)
        drawings = [_drawn(truth, rng) for _ in range(BOX_ANNOTATORS)]
        judgments = [
            Judgment(
                f"a{n}",
                {
                    "imageWidth": W,
                    "imageHeight": H,
                    "boxes": [{"x": x, "y": y, "w": w, "h": h, "label": "car"} for x, y, w, h in drawing.tolist()],
                },
            )
            for n, drawing in enumerate(drawings)
        ]
        answer = consolidate("rectangle_frame_select", judgments, FixedOverlap(BOX_ANNOTATORS, BOX_ANNOTATORS)).answer
        assert answer is not None
        found = np.array([[b["x"], b["y"], b["w"], b["h"]] for b in answer["boxes"]]).reshape(-1, 4)
        for name, result in (("consolidate()", found), ("per-coordinate median", _median_boxes(drawings))):
            missed, iou = _missed(truth, result)
            totals[name][0] += missed
            totals[name][1] += len(result) - (len(truth) - missed)
            totals[name][2] += iou * (len(truth) - missed)
    return [
        (name, missed / true_count, spurious / true_count, iou_sum / (true_count - missed))
        for name, (missed, spurious, iou_sum) in totals.items()
    ]


def _median_boxes(drawings: list[np.ndarray]) -> np.ndarray:
    """Cluster greedily as consolidation does (IoU >= 0.5, one box per annotator), keep the clusters of a
    majority, and take each cluster's per-coordinate median of corners."""
    clusters: list[list[np.ndarray]] = []
    for drawing in drawings:
        if clusters and len(drawing):
            heads = np.array([np.median(np.array(c), axis=0) for c in clusters])
            pairs = greedy_match(box_iou(_corners(drawing), _corners(heads)), 0.5)
        else:
            pairs = []
        matched = {a for a, _ in pairs}
        for a, b in pairs:
            clusters[b].append(drawing[a])
        clusters.extend([box] for n, box in enumerate(drawing) if n not in matched)
    kept = [c for c in clusters if len(c) * 2 > len(drawings)]
    if not kept:
        return np.zeros((0, 4))
    corners = [np.median(_corners(np.array(c)), axis=0) for c in kept]
    return np.array([[x0, y0, x1 - x0, y1 - y0] for x0, y0, x1, y1 in corners])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--seeds", type=int, default=1, help="run seeds seed, seed+1, ... and report the means")
    parser.add_argument("--level", choices=["standard", "high", "premium"], help="accuracy level (default: high)")
    parser.add_argument("--min-overlap", type=int, help="minimum overlap (default: the node default, 3)")
    parser.add_argument("--options", type=int, nargs="*", default=list(CLASSES))
    parser.add_argument("--shapes", nargs="*", default=list(SHAPES))
    parser.add_argument("--no-boxes", action="store_true")
    parser.add_argument("--no-types", action="store_true", help="skip the other task types' quality rows")
    args = parser.parse_args()
    start = time.perf_counter()
    OVERLAP.update({"level": args.level} if args.level else {})
    OVERLAP.update({"min_overlap": args.min_overlap} if args.min_overlap else {})
    node = classify_node([])
    print(
        f"{args.items} items, {WORKERS} annotators per shape, seed {args.seed}; defaults: overlap "
        f"{node.overlap.min_overlap}-{node.overlap.max_overlap}, level {node.overlap.level}, gold rate "
        f"{node.gold.rate} after {node.gold.qualifying} qualifying gold tasks; judgments per item include gold labor; "
        "goal: accuracy >= 0.990 at <= 4.50 judgments per item\n"
    )
    seeds = [args.seed + n for n in range(args.seeds)]
    if len(seeds) > 1:
        print(f"seeds {seeds[0]}..{seeds[-1]}: means over the seeds, the lowest accuracy in brackets\n")
    summary: list[tuple[int, str, float, float, float]] = []
    for classes in args.options:
        for shape in args.shapes:
            index = list(SHAPES).index(shape)
            runs = [
                classification(shape, args.items, classes, np.random.default_rng([seed, classes, index]))
                for seed in seeds
            ]
            blocked = np.mean([ours.blocked for _, ours in runs])
            good = np.mean([ours.good_blocked for _, ours in runs])
            print(f"{classes} options, {shape}  (blocked {blocked:.1f} annotators, {good:.1f} at accuracy >= 0.8)")
            for n, (name, *_) in enumerate(runs[0][0]):
                accuracies = [rows[n][1] for rows, _ in runs]
                accuracy, lowest = float(np.mean(accuracies)), min(accuracies)
                per_item = float(np.mean([r[n][2] for r, _ in runs]))
                if name == "defaults":
                    summary.append((classes, shape, accuracy, lowest, per_item))
                met = "  (goal met)" if name == "defaults" and lowest >= 0.99 and per_item <= 4.5 else ""
                shown = "      " if np.isnan(accuracy) else f"{accuracy:6.3f}"
                low = f" [{lowest:.3f}]" if len(seeds) > 1 and not np.isnan(lowest) else " " * (len(seeds) > 1) * 8
                print(f"  {name:40} accuracy {shown}{low}   judgments/item {per_item:5.2f}{met}")
            print()
    print("defaults, summary: options | shape | accuracy (lowest) | judgments/item")
    for classes, shape, mean, lowest, per_item in summary:
        print(f"  {classes} | {shape:28} | {mean:.3f} ({lowest:.3f}) | {per_item:.2f}")
    print()
    if not args.no_boxes:
        print(f"boxes: {BOX_IMAGES} images, {BOX_ANNOTATORS} annotators, jitter {JITTER:.0%}, miss {MISS:.0%}")
        for name, missed, spurious, iou in boxes(np.random.default_rng(args.seed)):
            print(f"  {name:24} missed objects {missed:6.2%}   spurious {spurious:6.2%}   mean IoU {iou:.3f}")
    if not args.no_types:
        _other_types(args.seed)
    print(f"\n{time.perf_counter() - start:.0f} s")


def _other_types(seed: int) -> None:
    """Each other task type's consolidated quality against simulated truth, 3 and 5 annotators (its own metric:
    temporal IoU and segment F1, span F1, OKS, track IDF1...), from its bench.quality_<type> module."""
    from bench import quality_audio, quality_skeleton, quality_text, quality_video

    for module in (quality_text, quality_skeleton, quality_audio, quality_video):
        print()
        for row in module.rows(seed=seed):
            print("  " + "  ".join(f"{key} {value:.3f}" if isinstance(value, float) else f"{key} {value}"
                                   for key, value in row.items()))  # fmt: skip


if __name__ == "__main__":
    main()
