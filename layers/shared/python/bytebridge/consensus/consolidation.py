"""consolidate(): one task's judgments → consolidated answer, agreement, and whether to ask another worker."""

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from bytebridge.annotations import TaskType, dump_answer, parse_answer
from bytebridge.consensus import objects, temporal, tracks
from bytebridge.consensus.audio_segments import AUDIO_SEGMENTS
from bytebridge.consensus.choices import MultipleChoice, SingleChoice
from bytebridge.consensus.model import ConsensusResult, Judgment, OverlapPolicy, confidence_target
from bytebridge.consensus.ocr_regions import OCR_REGIONS
from bytebridge.consensus.segmentation import Segmentation
from bytebridge.consensus.skeleton import SKELETONS
from bytebridge.consensus.skills import accuracy, vote_weight
from bytebridge.consensus.spans import TextSpans
from bytebridge.consensus.text import Transcription


class Family(Protocol):
    """How one task family consolidates; answers are parsed `bytebridge.annotations` models."""

    def consolidate(self, answers: Sequence[Any], weights: np.ndarray) -> dict:
        """The consolidated answer dict; `answers` come highest weight first."""

    def similarity_to(self, answer: Any, reference: Any) -> float:
        """How close one answer is to another, in [0, 1]."""

    def matches(self, answer: Any, gold: Any) -> bool:
        """Whether an answer counts as correct against a gold answer."""


@runtime_checkable
class Calibrated(Protocol):
    """A family whose consolidated answer has a posterior probability of being right (the choice families)."""

    def confidence(self, answers: Sequence[Any], accuracies: np.ndarray, result: Any, options: int | None) -> float:
        """P(result is right | answers), each answer's worker right with the given accuracy."""


FAMILIES: dict[TaskType, Family] = {
    TaskType.SINGLE_CHOICE: SingleChoice(),
    TaskType.MULTIPLE_CHOICE: MultipleChoice(),
    TaskType.RECTANGLE: objects.BOXES,
    TaskType.ROTATED_BOX: objects.ROTATED_BOXES,
    TaskType.FREE_POINT: objects.KEYPOINTS,
    TaskType.POLYGON: objects.POLYGONS,
    TaskType.STROKE: objects.POLYLINES,
    TaskType.CUBE: objects.CUBOIDS,
    TaskType.SEGMENTATION: Segmentation(),
    TaskType.TRANSCRIPTION: Transcription(),
    TaskType.TEXT_SPANS: TextSpans(),
    TaskType.OCR_REGIONS: OCR_REGIONS,
    TaskType.AUDIO_SEGMENTS: AUDIO_SEGMENTS,
    TaskType.VIDEO_EVENTS: temporal.SEGMENTS,
    TaskType.VIDEO_DETECTION: tracks.FRAME_BOXES,
    TaskType.VIDEO_TRACKING: tracks.TRACKS,
    TaskType.SKELETON: SKELETONS,
}


def consolidate(
    task_type: TaskType | str,
    judgments: Sequence[Judgment],
    overlap: OverlapPolicy,
    skills: dict[str, float] | None = None,
    options: int | None = None,
) -> ConsensusResult:
    """Consolidate the judgments of one task with adaptive overlap.

    Each worker's vote weighs the log-odds of their estimated accuracy (`skills`, unknown workers at the
    prior). Agreement is the weighted mean similarity of the judgments to the consolidated answer, so for a
    single choice it is the weighted share of the winner. The task is done once `max_overlap` workers
    answered, or earlier once `min_overlap` did and: for choice tasks, the answer's posterior confidence
    reached the target of the policy's accuracy level (`options`: how many options the node offers, if known;
    unknown is the cautious two); for the others, agreement reached `overlap.agreement`. A choice task none of
    whose annotators has a skill in `skills` (no gold record) settles on agreement too: the confidence would rest
    on the prior alone. The result does not depend on the order the judgments arrived in.
    """
    task_type = TaskType(task_type)
    family = FAMILIES[task_type]
    skills = skills or {}
    # A retried submission from the same worker must not count twice: the latest one stands.
    latest = {j.worker_id: j.answer for j in judgments}
    if not latest:
        return ConsensusResult(answer=None, agreement=0.0, done=False)
    workers = sorted(latest, key=lambda w: (-vote_weight(skills.get(w)), w))
    weights = np.array([vote_weight(skills.get(w)) for w in workers])
    answers = [parse_answer(task_type, latest[w]) for w in workers]
    result = parse_answer(task_type, family.consolidate(answers, weights))
    similarity = np.array([family.similarity_to(a, result) for a in answers])
    agreement = float(weights @ similarity / weights.sum())
    confidence: float | None = None
    if isinstance(family, Calibrated):
        accuracies = np.array([accuracy(skills.get(w)) for w in workers])
        confidence = family.confidence(answers, accuracies, result, options)
    if confidence is not None and any(w in skills for w in workers):
        settled = confidence >= confidence_target(overlap)
    else:
        settled = agreement >= overlap.agreement
    count = len(answers)
    done = count >= overlap.max_overlap or (count >= overlap.min_overlap and settled)
    return ConsensusResult(answer=dump_answer(result), agreement=agreement, done=done, confidence=confidence)


def matches_gold(task_type: TaskType | str, answer: dict, gold: dict) -> bool:
    """Whether `answer` counts as correct against a gold answer: equal choices, objects paired one-to-one
    with the same labels (IoU >= 0.5, or within 2% of the image diagonal), masks of each label at
    IoU >= 0.5, text within 10% edit distance."""
    task_type = TaskType(task_type)
    return FAMILIES[task_type].matches(parse_answer(task_type, answer), parse_answer(task_type, gold))
