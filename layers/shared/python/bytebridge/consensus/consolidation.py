"""consolidate(): one task's judgments → consolidated answer, agreement, and whether to ask another worker."""

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bytebridge.annotations import TaskType, dump_answer, parse_answer
from bytebridge.consensus import objects
from bytebridge.consensus.choices import MultipleChoice, SingleChoice
from bytebridge.consensus.model import ConsensusResult, Judgment, OverlapPolicy
from bytebridge.consensus.segmentation import Segmentation
from bytebridge.consensus.skills import vote_weight
from bytebridge.consensus.text import Transcription


class Family(Protocol):
    """How one task family consolidates; answers are parsed `bytebridge.annotations` models."""

    def consolidate(self, answers: Sequence[Any], weights: np.ndarray) -> dict:
        """The consolidated answer dict; `answers` come highest weight first."""

    def similarity_to(self, answer: Any, reference: Any) -> float:
        """How close one answer is to another, in [0, 1]."""

    def matches(self, answer: Any, gold: Any) -> bool:
        """Whether an answer counts as correct against a gold answer."""


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
}


def consolidate(
    task_type: TaskType | str,
    judgments: Sequence[Judgment],
    overlap: OverlapPolicy,
    skills: dict[str, float] | None = None,
) -> ConsensusResult:
    """Consolidate the judgments of one task with adaptive overlap.

    Each worker's vote weighs the log-odds of their estimated accuracy (`skills`, unknown workers at the
    prior). Agreement is the weighted mean similarity of the judgments to the consolidated answer, so for a
    single choice it is the weighted share of the winner. The task is done once `max_overlap` workers
    answered, or earlier once `min_overlap` did and agreement reached the threshold. The result does not
    depend on the order the judgments arrived in.
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
    count = len(answers)
    done = count >= overlap.max_overlap or (count >= overlap.min_overlap and agreement >= overlap.agreement)
    return ConsensusResult(answer=dump_answer(result), agreement=agreement, done=done)


def matches_gold(task_type: TaskType | str, answer: dict, gold: dict) -> bool:
    """Whether `answer` counts as correct against a gold answer: equal choices, objects paired one-to-one
    with the same labels (IoU >= 0.5, or within 2% of the image diagonal), masks of each label at
    IoU >= 0.5, text within 10% edit distance."""
    task_type = TaskType(task_type)
    return FAMILIES[task_type].matches(parse_answer(task_type, answer), parse_answer(task_type, gold))
