"""Simulated clips, their ground truth and the annotators who label them (`make simulate --flow video`,
bench/quality_video.py, tests): classification of the clip, events, detection on sampled frames and tracking.

A clip's truth follows from its URL alone, `…/s<seed>/<n>_f<frames>.<mp4|webm|mov>`: cars (red) and people
(green) crossing a grey picture, each present for a stretch of frames and moving in a straight line. The web
stand-in serves a real clip that shows exactly that (local.av_clips), so ingestion's probe finds its true size,
frame rate and length, and an annotator whose data link redirects there knows what it sees, as a person would.

An annotator of accuracy p: answers the clip's class right with probability p; sees each object (event, box,
track) with probability (1 + p) / 2; places an event's ends with a jitter of 0.05 + 0.3 (1 − p) s and a box's
edges with one of 0.5 + 4 (1 − p) px; starts and ends a track a frame early or late with probability 1 − p; and
with probability (1 − p) / 2 adds an object that is not there. Track ids are the annotator's own numbering.
"""

import itertools
import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import motmetrics as mm
import numpy as np

from bytebridge.annotations.video import VideoDetectionAnswer, VideoEventsAnswer, VideoTrackingAnswer
from bytebridge.consensus.geometry import box_iou
from bytebridge.consensus.objects import BOXES, Frame, greedy_match
from bytebridge.consensus.temporal import SEGMENTS, match_segments, segment_similarity
from bytebridge.consensus.tracks import FRAME_BOXES
from local import av_clips

HOST = "https://video.simulated.bytebridge.local"
WIDTH, HEIGHT, FPS = 96, 72, 10
SAMPLE_EVERY = 5
LABELS = ("car", "person")
COLORS = {"car": (220, 40, 40), "person": (40, 200, 60)}
CLASSES = ("cars", "people", "both")
CONTAINERS = ("mp4", "webm", "mov")
NODES = {"classify": "single_choice", "events": "video_events", "boxes": "video_detection", "tracks": "video_tracking"}
_NAME = re.compile(r"/s(\d+)/(\d+)_f(\d+)\.(mp4|webm|mov)$")


@dataclass(frozen=True)
class Thing:
    """An object on screen from frame `first` to `last` (inclusive), moving linearly from `start` to `end`."""

    label: str
    first: int
    last: int
    start: tuple[float, float]
    end: tuple[float, float]
    size: tuple[float, float]

    def box(self, frame: int) -> tuple[float, float, float, float] | None:
        if not self.first <= frame <= self.last:
            return None
        t = (frame - self.first) / (self.last - self.first)
        x = self.start[0] + t * (self.end[0] - self.start[0])
        y = self.start[1] + t * (self.end[1] - self.start[1])
        return x, y, *self.size


@dataclass(frozen=True)
class Truth:
    frames: int
    things: tuple[Thing, ...]

    @property
    def duration(self) -> float:
        return self.frames / FPS

    @property
    def clip(self) -> dict:
        return {"imageWidth": WIDTH, "imageHeight": HEIGHT, "frameRate": float(FPS), "frameCount": self.frames}

    @property
    def kind(self) -> str:
        labels = {thing.label for thing in self.things}
        return "both" if len(labels) == 2 else "cars" if labels == {"car"} else "people"

    def events(self) -> dict:
        segments = [_segment(t.label, t.first / FPS, (t.last + 1) / FPS) for t in self.things]
        return {"duration": self.duration, "segments": segments}

    def detection(self) -> dict:
        frames = [
            {"frame": f, "boxes": [_box(t.label, b) for t in self.things if (b := t.box(f)) is not None]}
            for f in range(0, self.frames, SAMPLE_EVERY)
        ]
        return {**self.clip, "frames": frames}

    def tracking(self) -> dict:
        return {
            **self.clip,
            "tracks": [_track(n, t, t.first, t.last, self.frames) for n, t in enumerate(self.things, 1)],
        }


def _segment(label: str, start: float, end: float) -> dict:
    return {"label": label, "start": round(start, 3), "end": round(end, 3)}


def _box(label: str, box: tuple[float, float, float, float]) -> dict:
    """A box kept inside the picture (by a margin: rounding must not push its far edge out)."""
    w, h = round(min(box[2], WIDTH - 1.0), 1), round(min(box[3], HEIGHT - 1.0), 1)
    x, y = round(min(max(0.0, box[0]), WIDTH - w - 0.1), 2), round(min(max(0.0, box[1]), HEIGHT - h - 0.1), 2)
    return {"label": label, "x": x, "y": y, "w": w, "h": h}


def _keyframe(frame: int, box: tuple[float, float, float, float], **flags: bool) -> dict:
    placed = _box("", box)
    return {"frame": frame, "x": placed["x"], "y": placed["y"], "w": placed["w"], "h": placed["h"], **flags}


def _track(track_id: int, thing: Thing, first: int, last: int, frames: int, jitter=None) -> dict:
    move = jitter or (lambda box: box)
    keys = [
        _keyframe(first, move(thing.box(first) or thing.box(thing.first))),
        _keyframe(last, move(thing.box(last) or thing.box(thing.last))),
    ]
    if last + 1 < frames:
        keys.append({**keys[-1], "frame": last + 1, "outside": True})
    return {"id": track_id, "label": thing.label, "keyframes": keys}


def truth_for(seed: int, n: int, frames: int) -> Truth:
    rng = random.Random(f"video:{seed}:{n}")
    things = []
    for _ in range(rng.randint(1, 3)):
        label = rng.choice(LABELS)
        w, h = (
            (float(rng.randint(14, 22)), float(rng.randint(10, 14)))
            if label == "car"
            else (8.0, float(rng.randint(16, 22)))
        )
        first = rng.randint(0, frames // 3)
        last = rng.randint(min(frames - 1, first + frames // 3), frames - 1)
        start = (rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h))
        end = (rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h))
        things.append(Thing(label, first, last, start, end, (w, h)))
    return Truth(frames, tuple(things))


def make_dataset(count: int, seed: int = 7) -> dict[str, Truth]:
    """URL → truth of `count` clips of 20–30 frames at 10 fps, in turn mp4, webm and mov."""
    rng = random.Random(seed)
    dataset = {}
    for n in range(count):
        frames = rng.randint(20, 30)
        dataset[f"{HOST}/s{seed}/{n:05d}_f{frames}.{CONTAINERS[n % 3]}"] = truth_for(seed, n, frames)
    return dataset


def truth_of(url: str) -> Truth:
    match = _NAME.search(urlsplit(url).path)
    if match is None:
        raise ValueError(f"not a simulated clip: {url}")
    seed, n, frames, _ = match.groups()
    return truth_for(int(seed), int(n), int(frames))


@cache
def _clip(seed: int, n: int, frames: int, container: str) -> bytes:
    truth = truth_for(seed, n, frames)
    sprites = [av_clips.Sprite(COLORS[t.label], t.box) for t in truth.things]
    return av_clips.video(container, width=WIDTH, height=HEIGHT, fps=FPS, frames=frames, sprites=sprites)


def served_clip(path: str) -> bytes | None:
    """The bytes the web stand-in serves for a video link: a simulated clip, else a plain 2 s clip; None if the
    link does not name a video."""
    match = _NAME.search(urlsplit(path).path)
    if match is not None:
        seed, n, frames, container = match.groups()
        return _clip(int(seed), int(n), int(frames), container)
    extension = path.rsplit(".", 1)[-1].lower()
    return _clip(0, 0, 20, extension) if extension in CONTAINERS else None


def project_params(name: str) -> dict:
    """createProject params (a documented type is required); setFlow then puts the video nodes in."""
    return {
        "projectName": name,
        "type": "image_classification",
        "taskType": "single_choice",
        "instruction": "simulated",
        "question": "placeholder",
        "options": [{"value": "a"}, {"value": "b"}],
    }


def flow(nodes: tuple[str, ...] = tuple(NODES)) -> dict:
    """Classify the clip, mark when each car or person is on screen, box them on every 5th frame, track them."""
    overlap = {"minOverlap": 3, "maxOverlap": 3}
    settings: dict[str, dict[str, Any]] = {
        "classify": {"question": "What crosses the picture?", "options": list(CLASSES)},
        "events": {"labels": list(LABELS), "instruction": "Mark when each car or person is on screen."},
        "boxes": {"labels": list(LABELS), "sampleEvery": SAMPLE_EVERY, "instruction": "Box them on every 5th frame."},
        "tracks": {"labels": list(LABELS), "instruction": "Track each car and person through the clip."},
    }
    task_nodes = [{"kind": "task", "id": n, "taskType": NODES[n], "overlap": overlap, **settings[n]} for n in nodes]
    chain = [*nodes, "end"]
    return {
        "start": nodes[0],
        "nodes": [*task_nodes, {"kind": "end", "id": "end"}],
        "edges": [{"source": a, "target": b} for a, b in itertools.pairwise(chain)],
    }


@dataclass
class VideoAnnotator:
    name: str
    accuracy: float
    rng: random.Random

    def _sees(self) -> bool:
        return self.rng.random() < (1 + self.accuracy) / 2

    def _adds(self) -> bool:
        return self.rng.random() < (1 - self.accuracy) / 2

    def _jitter(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        sd = 0.5 + 4 * (1 - self.accuracy)
        x, y, w, h = box
        return (
            x + self.rng.gauss(0, sd),
            y + self.rng.gauss(0, sd),
            max(2.0, w + self.rng.gauss(0, sd)),
            max(2.0, h + self.rng.gauss(0, sd)),
        )

    def _slip(self) -> int:
        """A frame early or late, with probability 1 - accuracy."""
        return self.rng.choice((-1, 1)) if self.rng.random() >= self.accuracy else 0

    def _phantom(self, truth: Truth) -> Thing:
        first = self.rng.randint(0, truth.frames - 4)
        corner = (self.rng.uniform(0, WIDTH - 12), self.rng.uniform(0, HEIGHT - 12))
        return Thing(self.rng.choice(LABELS), first, min(truth.frames - 1, first + 3), corner, corner, (12.0, 12.0))

    def classify(self, truth: Truth) -> dict:
        right = self.rng.random() < self.accuracy
        return {"choice": truth.kind if right else self.rng.choice([c for c in CLASSES if c != truth.kind])}

    def events(self, truth: Truth) -> dict:
        sd = 0.05 + 0.3 * (1 - self.accuracy)
        segments = []
        for thing in [t for t in truth.things if self._sees()] + ([self._phantom(truth)] if self._adds() else []):
            start = min(max(0.0, thing.first / FPS + self.rng.gauss(0, sd)), truth.duration - 0.1)
            end = min(max(start + 0.1, (thing.last + 1) / FPS + self.rng.gauss(0, sd)), truth.duration)
            segments.append(_segment(thing.label, start, end))
        return {"duration": truth.duration, "segments": segments}

    def detection(self, truth: Truth) -> dict:
        frames = []
        for f in range(0, truth.frames, SAMPLE_EVERY):
            boxes = [
                _box(t.label, self._jitter(b)) for t in truth.things if (b := t.box(f)) is not None and self._sees()
            ]
            if self._adds():
                boxes.append(
                    _box(
                        self.rng.choice(LABELS),
                        (self.rng.uniform(0, WIDTH - 12), self.rng.uniform(0, HEIGHT - 12), 12, 12),
                    )
                )
            frames.append({"frame": f, "boxes": boxes})
        return {**truth.clip, "frames": frames}

    def tracking(self, truth: Truth) -> dict:
        things = [t for t in truth.things if self._sees()] + ([self._phantom(truth)] if self._adds() else [])
        ids = self.rng.sample(range(1, 100), len(things))
        tracks = []
        for track_id, thing in zip(ids, things, strict=True):
            first = min(max(0, thing.first + self._slip()), thing.last - 1)
            last = max(min(truth.frames - 1, thing.last + self._slip()), first + 1)
            tracks.append(_track(track_id, thing, first, last, truth.frames, self._jitter))
        return {**truth.clip, "tracks": tracks}

    def answer(self, assignment: dict, truth: Truth) -> dict:
        task = assignment["taskType"]
        answers = {
            "single_choice": self.classify,
            "video_events": self.events,
            "video_detection": self.detection,
            "video_tracking": self.tracking,
        }
        if task not in answers:
            raise ValueError(f"this annotator only labels clips, not {task}")
        return answers[task](truth)


def annotator_pool(count: int, mean_accuracy: float, seed: int = 11, spread: float = 0.1) -> list[VideoAnnotator]:
    rng = random.Random(seed)
    return [
        VideoAnnotator(
            f"sim-video-{n:03d}",
            min(0.99, max(0.5, mean_accuracy + rng.uniform(-spread, spread))),
            random.Random(rng.random()),
        )
        for n in range(count)
    ]


# --- scoring --------------------------------------------------------------------------------------------


def corners(boxes: list[tuple[float, ...]]) -> np.ndarray:
    return np.array([[x, y, x + w, y + h] for x, y, w, h, *_ in boxes], dtype=float).reshape(-1, 4)


def track_accumulator(answer: VideoTrackingAnswer, truth: VideoTrackingAnswer) -> mm.MOTAccumulator:
    """motmetrics' frame-by-frame matching of an answer's tracks to the truth's (IoU >= 0.5)."""
    accumulator = mm.MOTAccumulator(auto_id=True)
    for frame in range(truth.frame_count):
        gt = [(t.id, b) for t in truth.tracks if (b := t.box_at(frame)) is not None]
        hyp = [(t.id, b) for t in answer.tracks if (b := t.box_at(frame)) is not None]
        distance = 1 - box_iou(corners([b for _, b in gt]), corners([b for _, b in hyp]))
        distance[distance > 0.5] = np.nan
        accumulator.update([i for i, _ in gt], [i for i, _ in hyp], distance)
    return accumulator


def track_idf1(pairs: list[tuple[dict, dict]]) -> dict:
    """Overall IDF1, MOTA and identity switches (motmetrics) of (answer, truth) tracking pairs."""
    accumulators = [
        track_accumulator(VideoTrackingAnswer.model_validate(a), VideoTrackingAnswer.model_validate(t))
        for a, t in pairs
    ]
    names = [str(n) for n in range(len(accumulators))]
    summary = mm.metrics.create().compute_many(
        accumulators, metrics=["idf1", "mota", "num_switches"], names=names, generate_overall=True
    )
    overall = summary.loc["OVERALL"]
    return {
        "idf1": round(float(overall["idf1"]), 4),
        "mota": round(float(overall["mota"]), 4),
        "idSwitches": int(overall["num_switches"]),
    }


def events_quality(pairs: list[tuple[dict, dict]]) -> dict:
    """Segment F1 at temporal IoU >= 0.5 (same label) and the mean temporal IoU of matched segments."""
    matched = found = true = 0
    ious: list[float] = []
    for payload, truth in pairs:
        answer, reference = VideoEventsAnswer.model_validate(payload), VideoEventsAnswer.model_validate(truth)
        pairs_ = match_segments(answer.segments, reference.segments)
        scores = segment_similarity(answer.segments, reference.segments)
        ious += [float(scores[i, j]) for i, j in pairs_]
        matched, found, true = matched + len(pairs_), found + len(answer.segments), true + len(reference.segments)
    precision, recall = matched / max(1, found), matched / max(1, true)
    return {
        "segmentF1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "meanTemporalIoU": round(sum(ious) / max(1, len(ious)), 4),
        "similarity": round(
            float(
                np.mean(
                    [
                        SEGMENTS.similarity_to(VideoEventsAnswer.model_validate(a), VideoEventsAnswer.model_validate(t))
                        for a, t in pairs
                    ]
                )
            ),
            4,
        ),
    }


def detection_quality(pairs: list[tuple[dict, dict]]) -> dict:
    """Box F1 at IoU >= 0.5 (same label) over all sampled frames, and the mean matching score."""
    matched = found = true = 0
    for payload, truth in pairs:
        answer, reference = VideoDetectionAnswer.model_validate(payload), VideoDetectionAnswer.model_validate(truth)
        for entry in reference.frames:
            boxes = next((e.boxes for e in answer.frames if e.frame == entry.frame), [])
            matched += len(greedy_match(BOXES.pairwise(boxes, entry.boxes, Frame(WIDTH, HEIGHT))))
            found, true = found + len(boxes), true + len(entry.boxes)
    precision, recall = matched / max(1, found), matched / max(1, true)
    similarity = np.mean(
        [
            FRAME_BOXES.similarity_to(VideoDetectionAnswer.model_validate(a), VideoDetectionAnswer.model_validate(t))
            for a, t in pairs
        ]
    )
    return {
        "boxF1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "similarity": round(float(similarity), 4),
    }


def quality(pairs: dict[str, list[tuple[dict, dict]]]) -> dict:
    """Per node: (answer, truth answer) pairs → that task type's figures."""
    out: dict = {}
    if pairs.get("classify"):
        out["classifyAccuracy"] = round(float(np.mean([a["choice"] == t["choice"] for a, t in pairs["classify"]])), 4)
    if pairs.get("events"):
        out["events"] = events_quality(pairs["events"])
    if pairs.get("boxes"):
        out["detection"] = detection_quality(pairs["boxes"])
    if pairs.get("tracks"):
        out["tracking"] = track_idf1(pairs["tracks"])
    return out


def truth_answers(truth: Truth) -> dict[str, dict]:
    return {
        "classify": {"choice": truth.kind},
        "events": truth.events(),
        "boxes": truth.detection(),
        "tracks": truth.tracking(),
    }


def score(results: list[dict], dataset: dict[str, Truth]) -> dict:
    """listResults records against the truth (see quality)."""
    pairs: dict[str, list[tuple[dict, dict]]] = {node: [] for node in NODES}
    for record in results:
        truth = truth_answers(dataset[record["resourceURL"]])
        for node, answer in (record["result"].get("answers") or {}).items():
            if node in pairs:
                pairs[node].append((answer, truth[node]))
    return {"items": len(results), **quality(pairs)}
