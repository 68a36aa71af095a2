"""Consolidation of boxes on video: detection (boxes on sampled frames) and tracking (tracks across frames).

Detection is image consensus frame by frame (bytebridge.consensus.objects.BOXES on each sampled frame; a frame an
annotator left out counts as one where they drew nothing).

Tracking matches whole tracks, then consolidates them frame by frame:
1. Two tracks' similarity is their spatio-temporal IoU: the summed box IoU over the frames both are present on,
   divided by the frames either is present on (a track that covers half the other's frames scores at most 0.5).
2. Tracks are clustered across annotators like time segments (bytebridge.consensus.temporal.cluster: same label,
   one track per annotator per cluster, similarity >= 0.5, highest-weight annotator first) and a cluster is kept
   when a weighted majority of annotators drew it. Matching is greedy (the layer ships no scipy; with a fixed
   threshold of 0.5 a track has at most one candidate above it in nearly every real clip).
3. A kept cluster becomes one track. On each frame the object is present when a weighted majority of all
   annotators has it present there; its box is the weighted mean of the present members' boxes, occluded by
   weighted majority of those. Members' boxes are linear between their keyframes, so evaluating this on the union
   of the members' keyframes and interpolating in between gives exactly the per-frame consolidation.
Consolidated tracks get ids 1, 2, ... in order of first appearance.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from bytebridge.annotations.image import BoxAnswer
from bytebridge.annotations.video import Track, VideoClip, VideoDetectionAnswer, VideoTrackingAnswer
from bytebridge.consensus.objects import BOXES, MATCH, frame_of, greedy_match
from bytebridge.consensus.temporal import cluster, kept, labelled


def _clip(answers: Sequence[VideoClip]) -> dict:
    """The clip facts every answer must share (the frame size; rate and count as the first answer reports)."""
    frame = frame_of(answers)
    first = answers[0]
    return {
        "imageWidth": frame.width,
        "imageHeight": frame.height,
        "frameRate": first.frame_rate,
        "frameCount": max(a.frame_count for a in answers),
    }


# --- detection: boxes on sampled frames ----------------------------------------------------------------


def _on_frame(answer: VideoDetectionAnswer, frame: int) -> BoxAnswer:
    boxes = next((entry.boxes for entry in answer.frames if entry.frame == frame), [])
    return BoxAnswer.model_construct(image_width=answer.image_width, image_height=answer.image_height, boxes=boxes)


def _frames(*answers: VideoDetectionAnswer) -> list[int]:
    return sorted({entry.frame for answer in answers for entry in answer.frames})


class FrameBoxes:
    """A Family (bytebridge.consensus.consolidation) for VideoDetectionAnswer."""

    def consolidate(self, answers: Sequence[VideoDetectionAnswer], weights: np.ndarray) -> dict:
        frames = []
        for frame in _frames(*answers):
            merged = BOXES.consolidate([_on_frame(a, frame) for a in answers], weights)
            frames.append({"frame": frame, "boxes": merged["boxes"]})
        return {**_clip(answers), "frames": frames}

    def similarity_to(self, answer: VideoDetectionAnswer, reference: VideoDetectionAnswer) -> float:
        """The mean box matching score over the frames either lists (1 if neither lists any)."""
        frames = _frames(answer, reference)
        if not frames:
            return 1.0
        return float(np.mean([BOXES.similarity_to(_on_frame(answer, f), _on_frame(reference, f)) for f in frames]))

    def matches(self, answer: VideoDetectionAnswer, gold: VideoDetectionAnswer) -> bool:
        """Every frame's boxes pair one-to-one with the gold boxes (same label, IoU >= 0.5)."""
        return all(BOXES.matches(_on_frame(answer, f), _on_frame(gold, f)) for f in _frames(answer, gold))


# --- tracking: tracks across frames ---------------------------------------------------------------------


def track_boxes(track: Track, frame_count: int) -> np.ndarray:
    """(frame_count, 4) corners x1, y1, x2, y2 on every frame, NaN where the object is absent."""
    out = np.full((frame_count, 4), np.nan)
    keys = track.keyframes
    for i, key in enumerate(keys):
        if key.outside or key.frame >= frame_count:
            continue
        end = min(keys[i + 1].frame if i + 1 < len(keys) else frame_count, frame_count)
        after = keys[i + 1] if i + 1 < len(keys) and not keys[i + 1].outside else key
        span = max(after.frame - key.frame, 1)
        t = (np.arange(key.frame, end) - key.frame)[:, None] / span
        start_box = np.array([key.x, key.y, key.x + key.w, key.y + key.h])
        end_box = np.array([after.x, after.y, after.x + after.w, after.y + after.h])
        out[key.frame : end] = start_box + t * (end_box - start_box)
    return out


def _frame_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-frame IoU of two (frames, 4) corner arrays (NaN where either is absent)."""
    ix = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = ix * iy
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    return inter / union


def track_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Spatio-temporal IoU of two tracks given by track_boxes (module doc, step 1)."""
    present_a, present_b = ~np.isnan(a[:, 0]), ~np.isnan(b[:, 0])
    either = np.count_nonzero(present_a | present_b)
    both = present_a & present_b
    if either == 0:
        return 0.0
    return float(_frame_ious(a[both], b[both]).sum() / either)


def _pairwise(frame_count: int) -> Any:
    def similarity(a: list[Track], b: list[Track]) -> np.ndarray:
        boxes_a = [track_boxes(t, frame_count) for t in a]
        boxes_b = [track_boxes(t, frame_count) for t in b]
        return np.array([[track_iou(x, y) for y in boxes_b] for x in boxes_a]).reshape(len(a), len(b))

    return lambda a, b: labelled(similarity, a, b)


def _merge(members: list[Track], weights: np.ndarray, total: float, clip: dict) -> list[dict]:
    """The keyframes of one consolidated track (module doc, step 3)."""
    frames = sorted({k.frame for m in members for k in m.keyframes if k.frame < clip["frameCount"]})
    width, height = clip["imageWidth"], clip["imageHeight"]
    keyframes: list[dict] = []
    for frame in frames:
        states = [(m.box_at(frame), w) for m, w in zip(members, weights, strict=True)]
        present = [(box, w) for box, w in states if box is not None]
        present_weight = sum(w for _, w in present)
        if present_weight <= total / 2:
            if keyframes and not keyframes[-1]["outside"]:
                keyframes.append({**keyframes[-1], "frame": frame, "outside": True, "occluded": False})
            continue
        boxes = np.array([box[:4] for box, _ in present], dtype=float)
        corner = np.column_stack([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]])
        pw = np.array([w for _, w in present])
        x1, y1, x2, y2 = pw @ corner / pw.sum()
        x2, y2 = min(x2, width), min(y2, height)
        occluded = sum(w for box, w in present if box[4]) > present_weight / 2
        keyframes.append(
            {"frame": frame, "x": x1, "y": y1, "w": x2 - x1, "h": y2 - y1, "occluded": occluded, "outside": False}
        )
    return keyframes


class Tracks:
    """A Family (bytebridge.consensus.consolidation) for VideoTrackingAnswer."""

    def consolidate(self, answers: Sequence[VideoTrackingAnswer], weights: np.ndarray) -> dict:
        clip = _clip(answers)
        clusters = cluster([a.tracks for a in answers], weights, _pairwise(clip["frameCount"]))
        merged = []
        for members, member_weights in kept(clusters, weights):
            keyframes = _merge(members, member_weights, float(weights.sum()), clip)
            if keyframes:
                merged.append({"label": members[0].label, "keyframes": keyframes})
        merged.sort(key=lambda t: (t["keyframes"][0]["frame"], t["label"], t["keyframes"][0]["x"]))
        return {**clip, "tracks": [{"id": i, **t} for i, t in enumerate(merged, start=1)]}

    def _scores(self, answer: VideoTrackingAnswer, reference: VideoTrackingAnswer) -> np.ndarray:
        return _pairwise(max(answer.frame_count, reference.frame_count))(answer.tracks, reference.tracks)

    def similarity_to(self, answer: VideoTrackingAnswer, reference: VideoTrackingAnswer) -> float:
        """Summed track IoU of matched tracks over the larger track count (1 if both are empty)."""
        if not answer.tracks and not reference.tracks:
            return 1.0
        scores = self._scores(answer, reference)
        pairs = greedy_match(scores)
        return float(sum(scores[i, j] for i, j in pairs) / max(len(answer.tracks), len(reference.tracks)))

    def matches(self, answer: VideoTrackingAnswer, gold: VideoTrackingAnswer) -> bool:
        """Every track pairs one-to-one with a gold track of the same label at track IoU >= 0.5."""
        if len(answer.tracks) != len(gold.tracks):
            return False
        return len(greedy_match(self._scores(answer, gold), MATCH)) == len(gold.tracks)


FRAME_BOXES = FrameBoxes()
TRACKS = Tracks()
