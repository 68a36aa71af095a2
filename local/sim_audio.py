"""Simulated recordings, their ground truth and the annotators who segment and transcribe them (`make simulate
--flow audio-segments`, bench/quality_audio.py, tests).

A recording's truth (its duration, and speech, music and noise segments one after another, speech with a
transcript) follows from its URL alone, `…/s<seed>/<n>_d<seconds>.<wav|flac|m4a>`: the web stand-in serves a real
file of that duration (local.av_clips: a tone, so ingestion's probe finds the true duration), and an annotator
whose data link redirects there knows what it hears, as a person would by listening.

An annotator of accuracy p hears each true segment with probability p, gives it the right label with
probability p, and places its ends with a jitter that shrinks as p grows; it transcribes each word right with
probability p (otherwise substitutes, drops, or adds one), and with probability 1 − p marks a segment that is
not there.
"""

import random
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from bytebridge.annotations.audio import AudioSegmentsAnswer
from bytebridge.consensus.rover import join, tokens, word_distance
from bytebridge.consensus.temporal import match_segments, segment_similarity
from local import annotators, av_clips

HOST = "https://audio.simulated.bytebridge.local"
NODE = "segments"
LABELS = ("speech", "music", "noise")
CONTAINERS = ("wav", "flac", "m4a")
SAMPLE_RATE = 8000
_WORDS = (
    "the a we they you it is was will can not all just now then here there today tomorrow price order ship "
    "box paper window light music water street train station ticket morning evening please thanks call back "
    "later meeting report number seven twelve hundred red blue green small large open close left right"
)
_VOCABULARY = tuple(_WORDS.split())
_NAME = re.compile(r"/s(\d+)/(\d+)_d(\d+)\.(\w+)$")
_SECONDS_IN_NAME = re.compile(r"_d(\d{1,4})\.\w+$")


@dataclass(frozen=True)
class Segment:
    label: str
    start: float
    end: float
    text: str | None = None


@dataclass(frozen=True)
class Truth:
    duration: float
    segments: tuple[Segment, ...]

    def answer(self) -> dict:
        return {"duration": self.duration, "segments": [_segment_dict(s) for s in self.segments]}


def _segment_dict(segment: Segment) -> dict:
    return {"label": segment.label, "start": segment.start, "end": segment.end, "text": segment.text}


def truth_for(seed: int, n: int, seconds: int) -> Truth:
    """Segments one after another with gaps, each 0.8–3 s; speech carries 3–8 words."""
    rng = random.Random(f"{seed}:{n}")
    segments, t = [], rng.uniform(0.1, 0.6)
    while True:
        length = rng.uniform(0.8, 3.0)
        if t + length > seconds - 0.1:
            break
        label = rng.choice(LABELS)
        text = join(rng.choices(_VOCABULARY, k=rng.randint(3, 8))) if label == "speech" else None
        segments.append(Segment(label, round(t, 2), round(t + length, 2), text))
        t += length + rng.uniform(0.2, 1.0)
    return Truth(float(seconds), tuple(segments))


def make_dataset(count: int, seed: int = 7) -> dict[str, Truth]:
    """URL → truth of `count` recordings of 6–12 s, in turn wav, flac and m4a."""
    rng = random.Random(seed)
    dataset = {}
    for n in range(count):
        seconds = rng.randint(6, 12)
        url = f"{HOST}/s{seed}/{n:05d}_d{seconds}.{CONTAINERS[n % len(CONTAINERS)]}"
        dataset[url] = truth_for(seed, n, seconds)
    return dataset


def truth_of(url: str) -> Truth:
    match = _NAME.search(urlsplit(url).path)
    if match is None:
        raise ValueError(f"not a simulated recording: {url}")
    seed, n, seconds, _ = match.groups()
    return truth_for(int(seed), int(n), int(seconds))


@cache
def recording(container: str, seconds: int) -> bytes:
    return av_clips.audio(container, seconds=seconds, sample_rate=SAMPLE_RATE)


def recording_for(name: str, container: str) -> bytes:
    """The bytes the web stand-in serves for a file name: `…_d<seconds>.<container>` lasts that long, others 2 s."""
    match = _SECONDS_IN_NAME.search(name)
    seconds = int(match.group(1)) if match else 2
    return recording(container, max(1, min(seconds, 600)))


def project_params(name: str) -> dict:
    """createProject params (a documented type is required); setFlow then puts the audio segments node in."""
    return {
        "projectName": name,
        "type": "image_classification",
        "taskType": "single_choice",
        "instruction": "simulated",
        "question": "placeholder",
        "options": [{"value": "a"}, {"value": "b"}],
    }


def flow() -> dict:
    """Mark every speech, music and noise segment and transcribe the speech; then the end."""
    return {
        "start": NODE,
        "nodes": [
            {
                "kind": "task",
                "id": NODE,
                "taskType": "audio_segments",
                "instruction": "Mark each stretch of speech, music and noise; type what is said in the speech.",
                "labels": list(LABELS),
                # Three annotators each, always: with more, the agreement rule would wait for a fourth the smallest
                # simulations (and the e2e test's three annotators) do not have.
                "overlap": {"minOverlap": 3, "maxOverlap": 3},
            },
            {"kind": "end", "id": "end"},
        ],
        "edges": [{"source": NODE, "target": "end"}],
    }


@dataclass
class AudioAnnotator:
    name: str
    accuracy: float
    rng: random.Random

    def _time(self, t: float, duration: float) -> float:
        return min(max(0.0, t + self.rng.gauss(0, 0.05 + 0.6 * (1 - self.accuracy))), duration)

    def _words(self, text: str) -> str:
        out = []
        for word in tokens(text):
            if self.rng.random() < self.accuracy:
                out.append(word)
                continue
            slip = self.rng.random()
            if slip < 0.5:
                out.append(self.rng.choice(_VOCABULARY))
            elif slip < 0.8:
                continue
            else:
                out += [word, self.rng.choice(_VOCABULARY)]
        return join(out)

    def hear(self, truth: Truth) -> dict:
        segments = []
        for segment in truth.segments:
            if self.rng.random() >= self.accuracy:
                continue  # missed it
            label = segment.label
            if self.rng.random() >= self.accuracy:
                label = self.rng.choice([other for other in LABELS if other != label])
            start, end = self._time(segment.start, truth.duration), self._time(segment.end, truth.duration)
            if end - start < 0.1:
                continue
            text = self._words(segment.text) if label == "speech" and segment.text else None
            segments.append(Segment(label, round(start, 2), round(end, 2), text))
        if self.rng.random() >= self.accuracy:  # something that is not there
            start = self.rng.uniform(0, truth.duration - 1)
            segments.append(Segment(self.rng.choice(LABELS), round(start, 2), round(start + 0.8, 2)))
        return {"duration": truth.duration, "segments": [_segment_dict(s) for s in segments]}

    def answer(self, assignment: dict, truth: Truth) -> dict:
        if assignment["taskType"] != "audio_segments":
            raise ValueError(f"this annotator only segments recordings, not {assignment['taskType']}")
        return self.hear(truth)


def annotator_pool(count: int, mean_accuracy: float, seed: int = 11) -> list[AudioAnnotator]:
    """local.annotators' pool (accuracies about `mean_accuracy`), listening; named apart from the other flows'
    annotators, who may work on the same platform."""
    pool = annotators.annotator_pool(count, mean_accuracy, seed)
    return [AudioAnnotator(a.name.replace("sim-", "sim-audio-"), a.accuracy, a.rng) for a in pool]


def transcript(answer: AudioSegmentsAnswer) -> list[str]:
    """The words said in the recording, segments in time order."""
    spoken = sorted((s for s in answer.segments if s.text), key=lambda s: (s.start, s.end))
    return [word for s in spoken for word in tokens(s.text or "")]


def quality(pairs: list[tuple[dict, Truth]]) -> dict:
    """(consolidated answer, truth) pairs → segment precision/recall/F1 at temporal IoU ≥ 0.5 with the same label,
    mean temporal IoU of the matched segments, and the corpus WER of the transcripts (all word edits over all
    true words)."""
    matched = found = true = edits = words = 0
    ious: list[float] = []
    for payload, truth in pairs:
        answer = AudioSegmentsAnswer.model_validate(payload)
        reference = AudioSegmentsAnswer.model_validate(truth.answer())
        pairs_ = match_segments(answer.segments, reference.segments)
        scores = segment_similarity(answer.segments, reference.segments)
        ious += [float(scores[i, j]) for i, j in pairs_]
        matched, found, true = matched + len(pairs_), found + len(answer.segments), true + len(reference.segments)
        said = transcript(reference)
        edits += word_distance(transcript(answer), said)
        words += len(said)
    precision, recall = matched / max(1, found), matched / max(1, true)
    return {
        "segmentF1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "meanTemporalIoU": round(sum(ious) / max(1, len(ious)), 4),
        "wer": round(edits / max(1, words), 4),
    }


def score(results: list[dict], dataset: dict[str, Truth]) -> dict:
    """listResults records against the truth (see quality)."""
    pairs = [(record["result"]["answers"][NODE], dataset[record["resourceURL"]]) for record in results]
    return {"items": len(results), **quality(pairs)}
