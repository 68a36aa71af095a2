"""Consolidation of labelled objects drawn on an image (boxes, rotated boxes, keypoints, polygons, lines, cuboids).

Every such family works the same way, after SageMaker Ground Truth's bounding-box consolidation:
1. Cluster objects across workers: workers are taken in a fixed order (highest weight first), each
   worker's objects are matched greedily to the clusters built so far by similarity (same label only,
   at most one object per worker per cluster, similarity >= the family's `cluster` threshold: MATCH, or
   BOX_CLUSTER for boxes); unmatched objects open new clusters.
2. Keep the clusters drawn by a weighted majority of the workers (workers who drew nothing there vote no).
3. Merge each kept cluster into one object: a weighted mean where shapes can be averaged (boxes,
   keypoints), otherwise the medoid, the member most similar to the others (polygons, lines, cuboids).

Similarities are in [0, 1] with one threshold for all families: IoU for areas, and 1 - d / (2 * tolerance)
for distances, so a distance within the tolerance (2% of the image diagonal) counts as the same object.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from bytebridge.consensus.geometry import (
    box_iou,
    convex_iou,
    geometric_median,
    polygon_iou,
    polyline_distance,
    rotated_corners,
)

MATCH = 0.5
# Boxes cluster more loosely than they match: two annotators' boxes of one small object often overlap at IoU < 0.5,
# and the split clusters each lose the vote, dropping the object (3.6% of true boxes at 3 annotators in
# bench/consensus_accuracy.py, 1.7% at 0.3). One box per annotator per cluster keeps neighbours apart.
BOX_CLUSTER = 0.3
DISTANCE_TOLERANCE = 0.02  # share of the image diagonal


@dataclass(frozen=True)
class Frame:
    """The image every judgment of a task was drawn on."""

    width: int
    height: int

    @property
    def tolerance(self) -> float:
        return DISTANCE_TOLERANCE * float(np.hypot(self.width, self.height))

    @overload
    def closeness(self, distance: float) -> float: ...
    @overload
    def closeness(self, distance: np.ndarray) -> np.ndarray: ...
    def closeness(self, distance: float | np.ndarray) -> float | np.ndarray:
        """Elementwise for an array of distances; a float (np.float64) for one distance."""
        return np.clip(1.0 - distance / (2 * self.tolerance), 0.0, 1.0)


def frame_of(answers: Sequence[Any]) -> Frame:
    """The common image size of image answers; judgments in different pixel frames cannot be combined."""
    sizes = {(a.image_width, a.image_height) for a in answers}
    if len(sizes) != 1:
        raise ValueError(f"answers disagree on the image size: {sorted(sizes)}")
    return Frame(*sizes.pop())


# Pairwise similarity of two lists of same-label objects → (len(a), len(b)) array in [0, 1].
Similarity = Callable[[list, list, Frame], np.ndarray]
# One object (annotations dict) from the members of a cluster and their weights.
Merge = Callable[[list, np.ndarray, Frame], dict]


@dataclass(frozen=True)
class ObjectFamily:
    field: str  # the answer's list of objects: "boxes", "points", ...
    similarity: Similarity
    merge: Merge
    cluster: float = MATCH  # the similarity that joins an object to a cluster

    def consolidate(self, answers: Sequence[Any], weights: np.ndarray) -> dict:
        frame = frame_of(answers)
        clusters: list[list[tuple[int, Any]]] = []  # members: (worker index, object)
        for worker, answer in enumerate(answers):
            objects = getattr(answer, self.field)
            members = [m for cluster in clusters for m in cluster]
            owner = np.repeat(np.arange(len(clusters)), [len(c) for c in clusters])
            scores = np.zeros((len(objects), len(clusters)))
            if members and objects:
                # Average linkage: an object's similarity to a cluster is its weighted mean similarity to the members.
                pair = self.pairwise(objects, [obj for _, obj in members], frame)
                member_weight = weights[[w for w, _ in members]]
                share = np.zeros((len(members), len(clusters)))
                share[np.arange(len(members)), owner] = member_weight
                scores = pair @ (share / share.sum(axis=0))
            matched = dict(greedy_match(scores, self.cluster))
            for i, obj in enumerate(objects):
                if i in matched:
                    clusters[matched[i]].append((worker, obj))
                else:
                    clusters.append([(worker, obj)])
        total = weights.sum()
        merged = []
        for cluster in clusters:
            member_weights = weights[[w for w, _ in cluster]]
            if member_weights.sum() > total / 2:
                merged.append(self.merge([obj for _, obj in cluster], member_weights, frame))
        return {"imageWidth": frame.width, "imageHeight": frame.height, self.field: merged}

    def similarity_to(self, answer: Any, reference: Any) -> float:
        """Matching score: summed similarity of matched objects over the larger object count (1 if both empty)."""
        frame = frame_of([answer, reference])
        a, b = getattr(answer, self.field), getattr(reference, self.field)
        if not a and not b:
            return 1.0
        scores = self.pairwise(a, b, frame)
        return float(sum(scores[i, j] for i, j in greedy_match(scores)) / max(len(a), len(b)))

    def matches(self, answer: Any, gold: Any) -> bool:
        """Every object pairs one-to-one with a gold object of the same label."""
        frame = frame_of([answer, gold])
        a, b = getattr(answer, self.field), getattr(gold, self.field)
        return len(a) == len(b) and len(greedy_match(self.pairwise(a, b, frame))) == len(b)

    def pairwise(self, a: list, b: list, frame: Frame) -> np.ndarray:
        """Similarity matrix; objects with different labels never match."""
        scores = np.zeros((len(a), len(b)))
        for label in {o.label for o in a} & {o.label for o in b}:
            rows = [i for i, o in enumerate(a) if o.label == label]
            cols = [j for j, o in enumerate(b) if o.label == label]
            scores[np.ix_(rows, cols)] = self.similarity([a[i] for i in rows], [b[j] for j in cols], frame)
        return scores


def greedy_match(scores: np.ndarray, threshold: float = MATCH) -> list[tuple[int, int]]:
    """One-to-one pairs (row, column), best similarity first, each at least `threshold`."""
    rows, cols = np.nonzero(scores >= threshold)
    order = np.argsort(-scores[rows, cols], kind="stable")
    used_rows, used_cols, pairs = set(), set(), []
    for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if i not in used_rows and j not in used_cols:
            used_rows.add(i)
            used_cols.add(j)
            pairs.append((i, j))
    return pairs


def _sparse(
    a: list[np.ndarray], b: list[np.ndarray], one: Callable[[np.ndarray, np.ndarray], float], reach: float
) -> np.ndarray:
    """`one(x, y)` for shapes given as (k, 2) point arrays, computed only where their bounding boxes overlap
    (reach 0) or come within `reach`; the similarity is 0 elsewhere. Workers draw hundreds of objects on
    busy images and nearly all pairs are far apart: the exact comparison is the costly part.
    """
    box_a = np.array([[*p.min(axis=0), *p.max(axis=0)] for p in a]).reshape(-1, 4)
    box_b = np.array([[*p.min(axis=0), *p.max(axis=0)] for p in b]).reshape(-1, 4)
    gap_x = np.maximum(box_a[:, None, 0] - box_b[None, :, 2], box_b[None, :, 0] - box_a[:, None, 2])
    gap_y = np.maximum(box_a[:, None, 1] - box_b[None, :, 3], box_b[None, :, 1] - box_a[:, None, 3])
    overlapping = (gap_x < 0) & (gap_y < 0)
    near = overlapping | (np.hypot(np.clip(gap_x, 0, None), np.clip(gap_y, 0, None)) < reach)
    scores = np.zeros((len(a), len(b)))
    for i, j in zip(*np.nonzero(near), strict=True):
        scores[i, j] = one(a[i], b[j])
    return scores


def _points(shapes: list) -> list[np.ndarray]:
    return [np.array(s.points, dtype=float) for s in shapes]


def medoid(members: list, weights: np.ndarray, frame: Frame, similarity: Similarity) -> dict:
    """The member with the highest weighted similarity to the other members (ties: the first, highest weight)."""
    scores = similarity(members, members, frame)
    np.fill_diagonal(scores, 0.0)
    return members[int(np.argmax(scores @ weights))].model_dump(by_alias=True, mode="json")


# --- axis-aligned boxes -------------------------------------------------------------------------------


def _corners(boxes: list) -> np.ndarray:
    return np.array([[b.x, b.y, b.x + b.w, b.y + b.h] for b in boxes], dtype=float).reshape(-1, 4)


def _box_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    return box_iou(_corners(a), _corners(b))


def _box_merge(members: list, weights: np.ndarray, frame: Frame) -> dict:
    x1, y1, x2, y2 = weights @ _corners(members) / weights.sum()
    # Float rounding of a mean of values equal to the width must not push the box outside the image.
    x2, y2 = min(x2, frame.width), min(y2, frame.height)
    return {"label": members[0].label, "x": x1, "y": y1, "w": x2 - x1, "h": y2 - y1}


BOXES = ObjectFamily("boxes", _box_similarity, _box_merge, BOX_CLUSTER)


# --- rotated boxes ------------------------------------------------------------------------------------


def _rotated_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    def corners(boxes: list) -> list[np.ndarray]:
        return [rotated_corners(r.cx, r.cy, r.w, r.h, r.angle) for r in boxes]

    return _sparse(corners(a), corners(b), convex_iou, 0.0)


def _wrap(angle: float, period: float) -> float:
    """`angle` shifted by whole periods into [-period / 2, period / 2)."""
    return (angle + period / 2) % period - period / 2


def _aligned(box: Any, reference_angle: float) -> tuple[float, float, float]:
    """(w, h, angle offset from the reference) of the equivalent description nearest the reference angle.

    A rectangle is the same after turning 180 degrees, and (w, h, angle) equals (h, w, angle + 90): averaging
    angles naively would mix these descriptions.
    """
    offset = _wrap(box.angle - reference_angle, 180.0)
    if abs(offset) <= 45:
        return box.w, box.h, offset
    return box.h, box.w, _wrap(offset - 90.0, 180.0)


def _rotated_merge(members: list, weights: np.ndarray, frame: Frame) -> dict:
    reference = members[0].angle
    w, h, offset = weights @ np.array([_aligned(m, reference) for m in members]) / weights.sum()
    cx, cy = weights @ np.array([[m.cx, m.cy] for m in members]) / weights.sum()
    return {
        "label": members[0].label,
        "cx": min(cx, frame.width),
        "cy": min(cy, frame.height),
        "w": w,
        "h": h,
        "angle": _wrap(reference + offset, 360.0),
    }


ROTATED_BOXES = ObjectFamily("boxes", _rotated_similarity, _rotated_merge, BOX_CLUSTER)


# --- keypoints ----------------------------------------------------------------------------------------


def _xy(points: list) -> np.ndarray:
    return np.array([[p.x, p.y] for p in points], dtype=float).reshape(-1, 2)


def _keypoint_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    pa, pb = _xy(a), _xy(b)
    return frame.closeness(np.hypot(pa[:, None, 0] - pb[None, :, 0], pa[:, None, 1] - pb[None, :, 1]))


def _keypoint_merge(members: list, weights: np.ndarray, frame: Frame) -> dict:
    x, y = geometric_median(_xy(members), weights)
    return {"label": members[0].label, "x": min(x, frame.width), "y": min(y, frame.height)}


KEYPOINTS = ObjectFamily("points", _keypoint_similarity, _keypoint_merge)


# --- polygons, polylines, cuboids (merged by medoid) --------------------------------------------------


def _polygon_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    return _sparse(_points(a), _points(b), polygon_iou, 0.0)


def _polyline_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    # Lines whose bounding boxes are 2 tolerances apart have a mean distance at least that: similarity 0.
    return _sparse(_points(a), _points(b), lambda x, y: frame.closeness(polyline_distance(x, y)), 2 * frame.tolerance)


def _cuboid_distance(pa: np.ndarray, pb: np.ndarray) -> float:
    """Mean distance of the eight corners (front face, then back); workers may start a face at any corner."""
    best = np.inf
    for shift in range(4):
        order = [(i + shift) % 4 for i in range(4)]
        order += [4 + i for i in order]
        best = min(best, float(np.hypot(*(pa - pb[order]).T).mean()))
    return best


def _cuboid_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    def corners(cuboids: list) -> list[np.ndarray]:
        return [np.array(c.front + c.back, dtype=float) for c in cuboids]

    return _sparse(corners(a), corners(b), lambda x, y: frame.closeness(_cuboid_distance(x, y)), 2 * frame.tolerance)


POLYGONS = ObjectFamily("polygons", _polygon_similarity, lambda m, w, f: medoid(m, w, f, _polygon_similarity))
POLYLINES = ObjectFamily("lines", _polyline_similarity, lambda m, w, f: medoid(m, w, f, _polyline_similarity))
CUBOIDS = ObjectFamily("cuboids", _cuboid_similarity, lambda m, w, f: medoid(m, w, f, _cuboid_similarity))
