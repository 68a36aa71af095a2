"""Text-entity (NER) consolidation: an exact span vote, with an overlap fallback for spans whose boundaries differ.

1. Spans of the same label are clustered across workers (highest weight first; at most one span per worker per
   cluster): a span joins the cluster whose spans it overlaps most, if the character IoU is at least MATCH.
   The workbench snaps spans to token boundaries, so overlapping characters are overlapping tokens (weighted by
   their length): consolidation sees offsets only, never the text.
2. A cluster drawn by a weighted majority of the workers is kept.
3. Its span is the exact (start, end) most of its weight agrees on when that is a majority of all workers
   (the exact vote); otherwise (the fallback) the start and the end each most of its weight chose.
4. If no worker's spans overlap (the node forbids overlaps), nor do the consolidated ones: where two kept spans
   share characters, the one with more support stays.

The text's length is the one most of the weight reports; a worker reporting another marked another text (a
changed link, a broken tool): its spans get no votes.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

MATCH = 0.5  # character IoU at which two spans of one label are the same entity


def span_iou(a: Any, b: Any) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return inter / (max(a.end, b.end) - min(a.start, b.start))


def _heaviest(votes: dict) -> Any:
    """The key with the most weight (ties: the first voted, i.e. the highest-weight worker's)."""
    return max(votes, key=lambda key: votes[key])


def pair_spans(a: Sequence[Any], b: Sequence[Any], threshold: float = MATCH) -> list[tuple[int, int, float]]:
    """One-to-one pairs (i, j, iou) of same-label spans at IoU >= threshold, best first."""
    scored = sorted(
        ((span_iou(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b) if x.label == y.label),
        key=lambda t: -t[0],
    )
    used_a, used_b, pairs = set(), set(), []
    for iou, i, j in scored:
        if iou >= threshold and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j, iou))
    return pairs


def _clusters(answers: Sequence[Any], length: int) -> list[list[tuple[int, Any]]]:
    """Same-label spans grouped across workers (members: (worker index, span)), at most one per worker each."""
    clusters: list[list[tuple[int, Any]]] = []
    for worker, answer in enumerate(answers):
        taken: set[int] = set()
        # Every annotator saw the same text; one whose tool reported another length marked another text: no votes.
        marked = answer.spans if answer.text_length == length else []
        for span in sorted(marked, key=lambda s: (s.start, s.end, s.label)):
            best, best_iou = None, MATCH
            for index, cluster in enumerate(clusters):
                if index in taken or cluster[0][1].label != span.label:
                    continue
                iou = float(np.mean([span_iou(span, member) for _, member in cluster]))
                if iou >= best_iou:
                    best, best_iou = index, iou
            if best is None:
                clusters.append([])
                best = len(clusters) - 1
            clusters[best].append((worker, span))
            taken.add(best)
    return clusters


def _span_of(cluster: list[tuple[int, Any]], weights: np.ndarray, total: float) -> dict:
    """The exact span a majority of all workers marked; else start and end voted one by one."""
    exact: dict = defaultdict(float)
    starts: dict = defaultdict(float)
    ends: dict = defaultdict(float)
    for worker, span in cluster:
        exact[(span.start, span.end)] += weights[worker]
        starts[span.start] += weights[worker]
        ends[span.end] += weights[worker]
    start, end = _heaviest(exact)
    if exact[(start, end)] <= total / 2:
        voted = _heaviest(starts), _heaviest(ends)
        if voted[0] < voted[1]:
            start, end = voted
    return {"start": start, "end": end, "label": cluster[0][1].label}


class TextSpans:
    @staticmethod
    def consolidate(answers: Sequence[Any], weights: np.ndarray) -> dict:
        lengths: dict = defaultdict(float)
        for worker, answer in enumerate(answers):
            lengths[answer.text_length] += weights[worker]
        length = _heaviest(lengths)
        total = float(weights.sum())
        kept: list[tuple[float, dict]] = []
        for cluster in _clusters(answers, length):
            support = float(sum(weights[w] for w, _ in cluster))
            if support > total / 2:
                kept.append((support, _span_of(cluster, weights, total)))
        if not any(answer.overlapping() for answer in answers):
            kept = _without_overlaps(kept)
        spans = sorted({(s["start"], s["end"], s["label"]): s for _, s in kept}.values(), key=_order)
        return {"textLength": length, "spans": spans}

    @staticmethod
    def similarity_to(answer: Any, reference: Any) -> float:
        """Overlap-weighted F1: matched spans count their IoU (1 when exact)."""
        a, b = answer.spans, reference.spans
        if not a and not b:
            return 1.0
        return 2 * sum(iou for _, _, iou in pair_spans(a, b)) / (len(a) + len(b))

    @staticmethod
    def matches(answer: Any, gold: Any) -> bool:
        """Every span pairs one-to-one with a gold span of the same label at IoU >= MATCH."""
        a, b = answer.spans, gold.spans
        return len(a) == len(b) and len(pair_spans(a, b)) == len(b)


def _order(span: dict) -> tuple:
    return span["start"], span["end"], span["label"]


def _without_overlaps(kept: list[tuple[float, dict]]) -> list[tuple[float, dict]]:
    """Most supported first (ties: the earlier span); a span sharing characters with one kept already goes."""
    chosen: list[tuple[float, dict]] = []
    for support, span in sorted(kept, key=lambda pair: (-pair[0], _order(pair[1]))):
        if all(span["end"] <= other["start"] or other["end"] <= span["start"] for _, other in chosen):
            chosen.append((support, span))
    return chosen
