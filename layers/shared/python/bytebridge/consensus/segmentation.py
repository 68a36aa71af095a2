"""Segmentation consolidation: pixel-wise weighted majority per label, computed on the run-length encoding.

Masks are COCO uncompressed RLE in column-major order (annotations.Mask). Instead of decoding every mask
to width*height pixels, the votes are counted per stretch between consecutive run boundaries of all
masks: every mask is constant on such a stretch. Memory and time then grow with the number of runs, not
with the image area (a 4000x3000 image would otherwise need 12 M cells per worker and label).
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from bytebridge.consensus.objects import frame_of

# A consolidated or worker mask matches a gold mask of the same label from this IoU.
GOLD_IOU = 0.5


def _ends(counts: Sequence[int]) -> np.ndarray:
    return np.cumsum(np.asarray(counts, dtype=np.int64))


def _stretches(masks: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Common stretches of several masks: their starts, lengths, and each mask's value there (masks × stretches)."""
    ends = [_ends(m) for m in masks]
    bounds = np.unique(np.concatenate([np.zeros(1, dtype=np.int64), *ends]))
    starts = bounds[:-1]
    # Runs alternate 0, 1, 0, ... so a pixel's value is the parity of the number of runs ending at or before it.
    values = np.array([np.searchsorted(e, starts, side="right") % 2 for e in ends], dtype=bool)
    return starts, np.diff(bounds), values.reshape(len(masks), len(starts))


def _encode(on: np.ndarray, lengths: np.ndarray) -> list[int]:
    """Run lengths of a 0/1 sequence of stretches, starting with the (possibly empty) run of zeros."""
    change = np.flatnonzero(np.diff(on.astype(np.int8))) + 1
    runs = np.add.reduceat(lengths, np.concatenate([[0], change])) if len(on) else np.zeros(0, dtype=np.int64)
    counts = runs.tolist()
    return [0, *counts] if len(on) and on[0] else counts


def vote(masks: Sequence[Sequence[int]], weights: np.ndarray, share: float) -> list[int]:
    """Pixels whose summed weight reaches `share` of the total weight."""
    _, lengths, values = _stretches(masks)
    return _encode(weights @ values >= share * weights.sum(), lengths)


def union(masks: Sequence[Sequence[int]], area: int) -> list[int]:
    """Pixels in any of the masks (an empty mask when there are none)."""
    if not masks:
        return [area]
    _, lengths, values = _stretches(masks)
    # An array, `values` being 2-D; numpy's stubs cannot tell it from a scalar, asarray (a no-op here) can.
    return _encode(np.asarray(values.any(axis=0)), lengths)


def iou(a: Sequence[int], b: Sequence[int]) -> float:
    _, lengths, values = _stretches([a, b])
    union_area = lengths[values[0] | values[1]].sum()
    return float(lengths[values[0] & values[1]].sum() / union_area) if union_area else 1.0


def _by_label(answer: Any) -> dict[str, list[int]]:
    """One mask per label (a worker may give several instances of a label), empty labels dropped."""
    area = answer.image_width * answer.image_height
    labels = sorted({m.label for m in answer.masks})
    merged = {label: union([m.counts for m in answer.masks if m.label == label], area) for label in labels}
    return {label: counts for label, counts in merged.items() if counts != [area]}


class Segmentation:
    @staticmethod
    def consolidate(answers: Sequence[Any], weights: np.ndarray) -> dict:
        frame = frame_of(answers)
        area = frame.width * frame.height
        per_worker = [_by_label(a) for a in answers]
        masks = []
        for label in sorted({label for masks in per_worker for label in masks}):
            # Half the weight or more, as crowd-kit's SegmentationMajorityVote: a tie keeps the pixel.
            counts = vote([m.get(label, [area]) for m in per_worker], weights, 0.5)
            if counts != [area]:
                masks.append({"label": label, "counts": counts})
        return {"imageWidth": frame.width, "imageHeight": frame.height, "masks": masks}

    @staticmethod
    def similarity_to(answer: Any, reference: Any) -> float:
        """Mean IoU over the labels present in either answer (1 when neither has any)."""
        frame_of([answer, reference])
        a, b = _by_label(answer), _by_label(reference)
        area = answer.image_width * answer.image_height
        labels = a.keys() | b.keys()
        if not labels:
            return 1.0
        return sum(iou(a.get(label, [area]), b.get(label, [area])) for label in labels) / len(labels)

    @staticmethod
    def matches(answer: Any, gold: Any) -> bool:
        frame_of([answer, gold])
        a, b = _by_label(answer), _by_label(gold)
        return a.keys() == b.keys() and all(iou(a[label], b[label]) >= GOLD_IOU for label in b)
