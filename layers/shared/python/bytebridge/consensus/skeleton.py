"""Consolidation of keypoint skeletons, per instance and keypoint.

1. Instances are matched across annotators by OKS (COCO's object keypoint similarity, below) with the
   clustering every drawn-object family uses (bytebridge.consensus.objects: same label, one instance per
   annotator per cluster, similarity >= 0.5, kept when drawn by a weighted majority). Where the skeleton's
   names pair up sides (`left_*`/`right_*`, Skeleton.mirrored), an instance is compared as drawn and mirrored,
   the better counting: annotators swap a person's left and right, and such a placement still places the person.
2. Each kept cluster becomes one instance. Its members are first put on one side: each the way round that best
   matches the highest-weight member, all turned over should that member's side have less than half the
   weight. Then keypoint by keypoint: whether it is labeled at all is a weighted vote (v > 0 against v = 0),
   then visible (2) against occluded (1) among those who labeled it; its position is the weighted geometric
   median of the labeled placements, which one stray placement cannot drag. The bounding box, when most
   members drew one, is their weighted mean.

Agreement (and so adaptive overlap) compares instances as drawn: a swap of sides is a disagreement.

COCO's OKS of an instance against a true one is, over the keypoints the truth labels, the mean of
exp(-d² / (2 s² k²)), with s² the true instance's area and k = 2 sigma of the keypoint (0 for a keypoint the
instance leaves out). It scores answers against gold and consolidated answers against truth (`oks`, `mean_oks`).
Between two annotators' instances, both of them off the truth, OKS is made symmetric: over the keypoints either
labeled (0 where only one did), s² the mean of their areas, and the variance doubled, as the distance between two
noisy placements spreads twice as wide as one placement's distance to the truth. Without it, two annotators at
COCO's own human spread agree at 0.67 on average, and the instances of a careless third would rarely cluster.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from bytebridge.annotations.skeleton import Skeleton, SkeletonAnswer, SkeletonInstance
from bytebridge.consensus.geometry import geometric_median
from bytebridge.consensus.objects import Frame, ObjectFamily, frame_of, greedy_match

# An instance's area is its bounding box's, else that of its labeled keypoints, at least this share of the image
# diagonal squared (a lone keypoint has no extent; COCO scores keypoints against the person's area).
MIN_SCALE = 0.05


def area(instance: SkeletonInstance, frame: Frame) -> float:
    """The scale² of OKS: the instance's box area, else the area its labeled keypoints span (floored)."""
    if instance.bbox is not None:
        w, h = instance.bbox[2], instance.bbox[3]
    else:
        xy = np.array([instance.keypoints[i][:2] for i in instance.labeled()], dtype=float)
        w, h = xy.max(axis=0) - xy.min(axis=0)
    floor = (MIN_SCALE * float(np.hypot(frame.width, frame.height))) ** 2
    return max(float(w * h), floor)


def _arrays(instances: list[SkeletonInstance]) -> tuple[np.ndarray, np.ndarray]:
    """(n, k, 2) positions and (n, k) labeled flags."""
    points = np.array([inst.keypoints for inst in instances], dtype=float).reshape(len(instances), -1, 3)
    return points[:, :, :2], points[:, :, 2] > 0


def _closeness(a: np.ndarray, b: np.ndarray, scale: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """exp(-d² / (2 s² variance)) per keypoint; a: (n, 1, k, 2), b: (1, m, k, 2), scale: (n, m) → (n, m, k)."""
    squared = ((a - b) ** 2).sum(axis=-1)
    return np.exp(-squared / (2 * scale[:, :, None] * variance + np.spacing(1)))


def similarity_matrix(
    a: list[SkeletonInstance], b: list[SkeletonInstance], frame: Frame, sigmas: list[float]
) -> np.ndarray:
    """Symmetric OKS of every pair of two annotators' instances: (len(a), len(b)) in [0, 1]."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    pa, la = _arrays(a)
    pb, lb = _arrays(b)
    areas_a = np.array([area(i, frame) for i in a])
    areas_b = np.array([area(i, frame) for i in b])
    scale = (areas_a[:, None] + areas_b[None, :]) / 2
    close = _closeness(pa[:, None], pb[None, :], scale, 2 * (2 * np.asarray(sigmas)) ** 2)
    both = la[:, None] & lb[None, :]
    either = (la[:, None] | lb[None, :]).sum(axis=-1)
    return (close * both).sum(axis=-1) / np.maximum(either, 1)


def oks(candidate: SkeletonInstance, truth: SkeletonInstance, frame: Frame, sigmas: list[float]) -> float:
    """COCO's OKS of `candidate` against `truth`: over the keypoints labeled in the truth, scaled by the truth's
    area (a keypoint the candidate left out scores 0)."""
    pc, lc = _arrays([candidate])
    pt, lt = _arrays([truth])
    scale = np.array([[area(truth, frame)]])
    close = _closeness(pc[:, None], pt[None, :], scale, (2 * np.asarray(sigmas)) ** 2)[0, 0]
    return float((close * lc[0])[lt[0]].mean())


def _flip(instance: SkeletonInstance, mirror: list[int]) -> SkeletonInstance:
    """The instance with its sides swapped (each keypoint takes its counterpart's placement)."""
    return instance.model_copy(update={"keypoints": [instance.keypoints[j] for j in mirror]})


def _oriented(members: list[SkeletonInstance], weights: np.ndarray, frame: Frame, skeleton: Skeleton) -> list:
    """The members with the sides most of their weight chose: each member is put the way it best matches the
    first (highest weight) member, then, should the first one's side have less than half the weight, all of
    them are turned over."""
    mirror = skeleton.mirrored()
    if mirror is None or len(members) < 2:
        return members
    flipped = [_flip(m, mirror) for m in members]
    as_drawn = similarity_matrix(members, members[:1], frame, skeleton.sigmas)[:, 0]
    turned = similarity_matrix(flipped, members[:1], frame, skeleton.sigmas)[:, 0]
    swap = turned > as_drawn
    if weights[swap].sum() > weights.sum() / 2:
        swap = ~swap
    return [f if s else m for m, f, s in zip(members, flipped, swap, strict=True)]


def _merge(members: list[SkeletonInstance], weights: np.ndarray, frame: Frame) -> dict:
    points, labeled = _arrays(members)
    visible = np.array([[v == 2 for _, _, v in m.keypoints] for m in members])
    labeled_weight = weights @ labeled
    keep = labeled_weight > weights.sum() - labeled_weight
    if not keep.any():  # every member labeled different keypoints: keep the most agreed ones
        keep = labeled_weight == labeled_weight.max()
    keypoints: list[list[float]] = []
    for k in range(points.shape[1]):
        if not keep[k]:
            keypoints.append([0.0, 0.0, 0])
            continue
        who = labeled[:, k]
        x, y = _rounded(geometric_median(points[who, k], weights[who]))
        shown = weights[who] @ visible[who, k]
        keypoints.append([min(x, frame.width), min(y, frame.height), 2 if shown >= labeled_weight[k] - shown else 1])
    merged: dict[str, Any] = {"label": members[0].label, "keypoints": keypoints}
    boxed = [i for i, m in enumerate(members) if m.bbox is not None]
    if weights[boxed].sum() > weights.sum() / 2:
        x1, y1, w, h = _rounded(weights[boxed] @ np.array([members[i].bbox for i in boxed]) / weights[boxed].sum())
        merged["bbox"] = [x1, y1, min(w, frame.width - x1), min(h, frame.height - y1)]
    return merged


def _rounded(values: np.ndarray) -> list[float]:
    """To a millionth of a pixel: a mean of equal values is that value again, not one float step off it."""
    return [round(float(v), 6) for v in values]


def skeleton_of(answers: Sequence[SkeletonAnswer]) -> Skeleton:
    """The common skeleton of the answers; answers drawn against different skeletons cannot be combined."""
    first = answers[0].skeleton
    if any(a.skeleton != first for a in answers[1:]):
        raise ValueError("answers disagree on the skeleton")
    return first


def _instances(skeleton: Skeleton) -> ObjectFamily:
    """Instances compared as drawn: what agreement counts (a side swap is a disagreement)."""
    sigmas = list(skeleton.sigmas)
    return ObjectFamily("instances", lambda a, b, frame: similarity_matrix(a, b, frame, sigmas), _merge)


def _either_side(skeleton: Skeleton) -> ObjectFamily:
    """Instances compared either way round (as drawn or mirrored), to cluster them: an annotator who swapped a
    person's left and right still placed that person; the merge turns the minority side over."""
    mirror = skeleton.mirrored()
    if mirror is None:
        return _instances(skeleton)
    sigmas = list(skeleton.sigmas)

    def similarity(a: list, b: list, frame: Frame) -> np.ndarray:
        turned = similarity_matrix([_flip(i, mirror) for i in a], b, frame, sigmas)
        return np.maximum(similarity_matrix(a, b, frame, sigmas), turned)

    def merge(members: list, weights: np.ndarray, frame: Frame) -> dict:
        return _merge(_oriented(members, weights, frame, skeleton), weights, frame)

    return ObjectFamily("instances", similarity, merge)


class Skeletons:
    """The Family (bytebridge.consensus.consolidation) of TaskType.SKELETON."""

    def consolidate(self, answers: Sequence[SkeletonAnswer], weights: np.ndarray) -> dict:
        skeleton = skeleton_of(answers)
        merged = _either_side(skeleton).consolidate(answers, weights)
        return merged | {"skeleton": skeleton.model_dump(mode="json")}

    def similarity_to(self, answer: SkeletonAnswer, reference: SkeletonAnswer) -> float:
        return _instances(skeleton_of([answer, reference])).similarity_to(answer, reference)

    def matches(self, answer: SkeletonAnswer, gold: SkeletonAnswer) -> bool:
        """Every instance pairs one-to-one with a gold instance of the same label at COCO's OKS >= 0.5."""
        pairs = greedy_match(oks_matrix(answer, gold))
        return len(answer.instances) == len(gold.instances) == len(pairs)


def oks_matrix(answer: SkeletonAnswer, truth: SkeletonAnswer) -> np.ndarray:
    """COCO's OKS of each of the answer's instances against each true one (0 across labels)."""
    frame = frame_of([answer, truth])
    sigmas = skeleton_of([answer, truth]).sigmas
    return np.array(
        [[oks(a, t, frame, sigmas) if a.label == t.label else 0.0 for t in truth.instances] for a in answer.instances]
    ).reshape(len(answer.instances), len(truth.instances))


def mean_oks(answer: SkeletonAnswer, truth: SkeletonAnswer) -> float:
    """Mean over the truth's instances of COCO's OKS of the answer's instance paired with it (one-to-one, same
    label, best first; 0 for a true instance left unpaired); 1 when both are empty."""
    if not truth.instances:
        return 0.0 if answer.instances else 1.0
    scores = oks_matrix(answer, truth)
    return float(sum(scores[i, j] for i, j in greedy_match(scores, threshold=np.spacing(1))) / len(truth.instances))


SKELETONS = Skeletons()
