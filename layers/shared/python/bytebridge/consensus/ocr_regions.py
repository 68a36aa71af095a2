"""OCR region consolidation: regions are matched across workers by IoU as every drawn object is
(bytebridge.consensus.objects: same label, greedy clusters, kept by a weighted majority); each kept cluster's
shape is the weighted mean of its members' corners (a box when every member drew a box, else a quadrilateral)
and its text is the one the transcription family picks among the members' texts (bytebridge.consensus.text).

An answer's agreement with another weighs each matched region by its IoU times its text similarity, so workers
who found the same regions but read them differently do not count as agreeing; a gold answer is matched when
every region pairs with a gold region and reads within the transcription's gold distance.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from bytebridge.consensus.geometry import box_iou, convex_iou, polygon_iou, signed_area
from bytebridge.consensus.objects import Frame, ObjectFamily, frame_of, greedy_match
from bytebridge.consensus.text import GOLD_DISTANCE, Transcription, normalized_distance


def _convex(corners: np.ndarray) -> bool:
    edges = np.roll(corners, -1, axis=0) - corners
    turns = edges[:, 0] * np.roll(edges[:, 1], -1) - edges[:, 1] * np.roll(edges[:, 0], -1)
    return bool(np.all(turns >= 0) or np.all(turns <= 0)) and abs(signed_area(corners)) > 0


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return convex_iou(a, b) if _convex(a) and _convex(b) else polygon_iou(a, b)


def region_similarity(a: list, b: list, frame: Frame) -> np.ndarray:
    """IoU of every pair of regions, computed exactly only where their bounding boxes overlap."""
    corners_a = [np.array(r.corners(), dtype=float) for r in a]
    corners_b = [np.array(r.corners(), dtype=float) for r in b]
    bounds_a = np.array([[*c.min(axis=0), *c.max(axis=0)] for c in corners_a]).reshape(-1, 4)
    bounds_b = np.array([[*c.min(axis=0), *c.max(axis=0)] for c in corners_b]).reshape(-1, 4)
    scores = np.zeros((len(a), len(b)))
    for i, j in zip(*np.nonzero(box_iou(bounds_a, bounds_b) > 0), strict=True):
        boxes = a[i].quad is None and b[j].quad is None
        scores[i, j] = box_iou(bounds_a[[i]], bounds_b[[j]])[0, 0] if boxes else _iou(corners_a[i], corners_b[j])
    return scores


def merge_regions(members: list, weights: np.ndarray, frame: Frame) -> dict:
    corners = np.tensordot(weights / weights.sum(), np.array([r.corners() for r in members]), axes=1)
    corners = np.clip(corners, 0, [frame.width, frame.height])
    text = Transcription.consolidate(members, weights)["text"]
    region: dict = {"label": members[0].label, "text": text}
    if all(r.quad is None for r in members):
        (x1, y1), (x2, y2) = corners[0], corners[2]
        return region | {"x": float(x1), "y": float(y1), "w": float(x2 - x1), "h": float(y2 - y1)}
    return region | {"quad": corners.tolist()}


@dataclass(frozen=True)
class OcrRegions(ObjectFamily):
    def similarity_to(self, answer: Any, reference: Any) -> float:
        frame = frame_of([answer, reference])
        a, b = answer.regions, reference.regions
        if not a and not b:
            return 1.0
        scores = self.pairwise(a, b, frame)
        read = [scores[i, j] * (1 - normalized_distance(a[i].text, b[j].text)) for i, j in greedy_match(scores)]
        return float(sum(read) / max(len(a), len(b)))

    def matches(self, answer: Any, gold: Any) -> bool:
        frame = frame_of([answer, gold])
        a, b = answer.regions, gold.regions
        pairs = greedy_match(self.pairwise(a, b, frame))
        return len(a) == len(b) == len(pairs) and all(
            normalized_distance(a[i].text, b[j].text) <= GOLD_DISTANCE for i, j in pairs
        )


OCR_REGIONS = OcrRegions("regions", region_similarity, merge_regions)
