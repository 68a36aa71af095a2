"""Consensus inputs and outputs shared by every task family, and the confidence each accuracy level aims at."""

from dataclasses import dataclass
from typing import Protocol

from bytebridge.enums import AccuracyLevel

# 标注精度 → the posterior probability a choice task's consolidated answer must reach before no more annotators
# are asked. Answers settle above the target on average (at least three annotators, each vote a step), so high's
# 0.985 gives 99.4–99.8% right answers in bench/consensus_accuracy.py, which measures what each level costs.
CONFIDENCE_TARGETS: dict[AccuracyLevel, float] = {
    AccuracyLevel.STANDARD: 0.95,
    AccuracyLevel.HIGH: 0.985,
    AccuracyLevel.PREMIUM: 0.997,
}
DEFAULT_LEVEL = AccuracyLevel.HIGH


@dataclass(frozen=True, slots=True)
class Judgment:
    """One worker's answer to one task, as a `bytebridge.annotations` dict (camelCase)."""

    worker_id: str
    answer: dict


@dataclass(frozen=True, slots=True)
class ConsensusResult:
    """The consolidated answer, how much the judgments agree with it (0–1), and whether the task is finished.

    `done=False` means "ask one more worker"; `answer` is the provisional consolidation (None without judgments).
    `confidence` is the posterior probability that the answer is right given the annotators' skills (choice
    families; None for the others, which stop on `agreement`).
    """

    answer: dict | None
    agreement: float
    done: bool
    confidence: float | None = None


class OverlapPolicy(Protocol):
    """How many workers a task needs: `bytebridge.flows.model.Overlap` or anything with these attributes.

    A policy may also carry `level` (an AccuracyLevel, the default HIGH when absent): choice tasks stop once
    the consolidated answer's confidence reaches the level's target, the others once `agreement` is reached.
    """

    @property
    def min_overlap(self) -> int: ...

    @property
    def max_overlap(self) -> int: ...

    @property
    def agreement(self) -> float: ...


def confidence_target(overlap: OverlapPolicy) -> float:
    return CONFIDENCE_TARGETS[AccuracyLevel(getattr(overlap, "level", None) or DEFAULT_LEVEL)]
