"""Consolidation of audio segment answers: labelled time segments, each optionally transcribed.

Segments are clustered, kept and their spans merged as video events are (bytebridge.consensus.temporal: temporal
IoU >= 0.5, weighted majority, weighted medians of starts and ends), but clustered whatever their labels: who
speaks, or in what mood, is where listeners disagree most, so a segment most annotators heard is kept and its
label is their weighted vote (ties: the heaviest annotator's). A pair of different labels scores 0.9 of its
temporal IoU, so segments over the same span (music under speech) pair by label first. A kept segment's transcript
is its members' transcripts combined word by word (ROVER, bytebridge.consensus.rover) when the members that
transcribed it weigh at least as much as those that did not; otherwise it has none.

Agreement counts the words too: a paired segment scores its temporal IoU times the word similarity of the two
transcripts, so annotators who mark the same segments but hear different words ask for another annotator.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from bytebridge.consensus.objects import greedy_match
from bytebridge.consensus.rover import combine, word_similarity
from bytebridge.consensus.temporal import (
    Segments,
    cluster,
    duration_of,
    kept,
    match_segments,
    merge_span,
    segment_similarity,
    spans,
    temporal_iou,
)
from bytebridge.consensus.text import GOLD_DISTANCE, normalized_distance


def transcript(members: list[Any], weights: np.ndarray) -> dict:
    """{"text": the voted transcript} of a kept segment; None when less than half its weight transcribed it."""
    spoken = [i for i, m in enumerate(members) if m.text is not None]
    if weights[spoken].sum() < weights.sum() / 2:
        return {"text": None}
    return {"text": combine([members[i].text for i in spoken], weights[spoken].tolist())}


def text_agreement(a: Any, b: Any) -> float:
    """Word similarity of two segments' transcripts: 1 when neither is transcribed, 0 when only one is."""
    if a.text is None or b.text is None:
        return float(a.text is None and b.text is None)
    return word_similarity(a.text, b.text)


def label_vote(members: list[Any], weights: np.ndarray) -> str:
    votes: dict[str, float] = {}
    for member, weight in zip(members, weights.tolist(), strict=True):
        votes[member.label] = votes.get(member.label, 0.0) + weight
    return max(votes, key=votes.__getitem__)  # members come heaviest annotator first: ties go to theirs


# Across labels, a pair scores a little less than the same span with the same label: music under speech is two
# segments over one span, and each should meet its own kind in the other annotators' answers.
OTHER_LABEL = 0.9


def _any_label(a: list, b: list) -> np.ndarray:
    same = np.array([[x.label == y.label for y in b] for x in a], dtype=bool).reshape(len(a), len(b))
    return temporal_iou(spans(a), spans(b)) * np.where(same, 1.0, OTHER_LABEL)


class AudioSegments(Segments):
    def consolidate(self, answers: Sequence[Any], weights: np.ndarray) -> dict:
        merged = []
        for members, member_weights in kept(cluster([a.segments for a in answers], weights, _any_label), weights):
            start, end = merge_span(members, member_weights)
            segment = {"label": label_vote(members, member_weights), "start": start, "end": end}
            merged.append(segment | transcript(members, member_weights))
        merged.sort(key=lambda s: (s["start"], s["end"], s["label"]))
        return {"duration": duration_of(answers), "segments": merged}

    def similarity_to(self, answer: Any, reference: Any) -> float:
        """Summed temporal IoU × transcript agreement of paired segments over the larger count (1 if both empty)."""
        a, b = answer.segments, reference.segments
        if not a and not b:
            return 1.0
        scores = segment_similarity(a, b)
        paired = greedy_match(scores)
        return float(sum(scores[i, j] * text_agreement(a[i], b[j]) for i, j in paired) / max(len(a), len(b)))

    def matches(self, answer: Any, gold: Any) -> bool:
        """Every segment pairs one-to-one with a gold segment of the same label at temporal IoU >= 0.5, and where
        the gold segment is transcribed, the two transcripts are within 10% edit distance."""
        a, b = answer.segments, gold.segments
        paired = match_segments(a, b)
        if len(a) != len(b) or len(paired) != len(b):
            return False
        return all(
            b[j].text is None or (a[i].text is not None and normalized_distance(a[i].text, b[j].text) <= GOLD_DISTANCE)
            for i, j in paired
        )


AUDIO_SEGMENTS = AudioSegments()
