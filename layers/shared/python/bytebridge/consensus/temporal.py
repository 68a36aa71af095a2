"""Consolidation of labelled time segments (video events; audio segments build on it), by temporal IoU.

Segments are anything with `label`, `start` and `end` (seconds). The steps are those of the drawn-object families
(bytebridge.consensus.objects), in one dimension:
1. `cluster`: annotators in a fixed order (highest weight first); each one's segments join the cluster they
   overlap most (average temporal IoU to its members, same label only, at least MATCH, one segment per annotator
   per cluster), else open a new one.
2. Clusters drawn by a weighted majority of the annotators are kept.
3. A kept cluster becomes one segment: the weighted median of its members' starts and of their ends (one
   annotator who let a segment run on cannot drag it).

`match_segments` pairs two lists one-to-one (scoring against truth, gold answers, other families' alignment).
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bytebridge.consensus.objects import MATCH, greedy_match

Pairwise = Callable[[list, list], np.ndarray]  # (len(a), len(b)) similarities in [0, 1]


def spans(segments: Sequence[Any]) -> np.ndarray:
    """(n, 2) array of start, end."""
    return np.array([[s.start, s.end] for s in segments], dtype=float).reshape(-1, 2)


def temporal_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of intervals given as (n, 2) and (m, 2) arrays of start, end."""
    inter = np.clip(np.minimum(a[:, None, 1], b[None, :, 1]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    union = (a[:, 1] - a[:, 0])[:, None] + (b[:, 1] - b[:, 0])[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def labelled(similarity: Pairwise, a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
    """`similarity` between same-label objects, 0 between different labels."""
    scores = np.zeros((len(a), len(b)))
    for label in {o.label for o in a} & {o.label for o in b}:
        rows = [i for i, o in enumerate(a) if o.label == label]
        cols = [j for j, o in enumerate(b) if o.label == label]
        scores[np.ix_(rows, cols)] = similarity([a[i] for i in rows], [b[j] for j in cols])
    return scores


def segment_similarity(a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
    """Temporal IoU of same-label segments."""
    return labelled(lambda x, y: temporal_iou(spans(x), spans(y)), a, b)


def match_segments(a: Sequence[Any], b: Sequence[Any], threshold: float = MATCH) -> list[tuple[int, int]]:
    """One-to-one pairs (index in a, index in b) of same-label segments, best temporal IoU first, each >= threshold."""
    return greedy_match(segment_similarity(a, b), threshold)


def cluster(
    per_annotator: Sequence[Sequence[Any]], weights: np.ndarray, pairwise: Pairwise
) -> list[list[tuple[int, Any]]]:
    """Clusters of (annotator index, object); see the module doc, step 1."""
    clusters: list[list[tuple[int, Any]]] = []
    for annotator, objects in enumerate(per_annotator):
        members = [m for c in clusters for m in c]
        scores = np.zeros((len(objects), len(clusters)))
        if members and objects:
            owner = np.repeat(np.arange(len(clusters)), [len(c) for c in clusters])
            share = np.zeros((len(members), len(clusters)))
            share[np.arange(len(members)), owner] = weights[[w for w, _ in members]]
            scores = pairwise(list(objects), [o for _, o in members]) @ (share / share.sum(axis=0))
        matched = dict(greedy_match(scores))
        for i, obj in enumerate(objects):
            if i in matched:
                clusters[matched[i]].append((annotator, obj))
            else:
                clusters.append([(annotator, obj)])
    return clusters


def kept(clusters: list[list[tuple[int, Any]]], weights: np.ndarray) -> list[tuple[list[Any], np.ndarray]]:
    """The clusters drawn by a weighted majority, as (members, their weights)."""
    out = []
    for members in clusters:
        member_weights = weights[[w for w, _ in members]]
        if member_weights.sum() > weights.sum() / 2:
            out.append(([o for _, o in members], member_weights))
    return out


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The lower weighted median (the value where the cumulative weight first reaches half)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def merge_span(members: Sequence[Any], weights: np.ndarray) -> tuple[float, float]:
    times = spans(members)
    start, end = weighted_median(times[:, 0], weights), weighted_median(times[:, 1], weights)
    if end <= start:  # medians of crossing members: fall back to the weighted mean span
        start, end = (weights @ times / weights.sum()).tolist()
    return start, end


def duration_of(answers: Sequence[Any]) -> float:
    """The clip length the answers share (players round differently: the longest)."""
    return max(float(a.duration) for a in answers)


class Segments:
    """A Family (bytebridge.consensus.consolidation) for answers with `duration` and `segments`."""

    def __init__(self, extra: Callable[[list, np.ndarray], dict] | None = None) -> None:
        self.extra = extra  # other fields of a merged segment (a transcript) from its members and weights

    def consolidate(self, answers: Sequence[Any], weights: np.ndarray) -> dict:
        clusters = cluster([a.segments for a in answers], weights, segment_similarity)
        merged = []
        for members, member_weights in kept(clusters, weights):
            start, end = merge_span(members, member_weights)
            extra = self.extra(members, member_weights) if self.extra else {}
            merged.append({"label": members[0].label, "start": start, "end": end, **extra})
        merged.sort(key=lambda s: (s["start"], s["end"], s["label"]))
        return {"duration": duration_of(answers), "segments": merged}

    def similarity_to(self, answer: Any, reference: Any) -> float:
        """Summed temporal IoU of matched segments over the larger count (1 if both are empty)."""
        a, b = answer.segments, reference.segments
        if not a and not b:
            return 1.0
        scores = segment_similarity(a, b)
        return float(sum(scores[i, j] for i, j in greedy_match(scores)) / max(len(a), len(b)))

    def matches(self, answer: Any, gold: Any) -> bool:
        """Every segment pairs one-to-one with a gold segment of the same label at temporal IoU >= 0.5."""
        a, b = answer.segments, gold.segments
        return len(a) == len(b) and len(match_segments(a, b)) == len(b)


SEGMENTS = Segments()
