"""Consensus inputs and outputs shared by every task family."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Judgment:
    """One worker's answer to one task, as a `bytebridge.annotations` dict (camelCase)."""

    worker_id: str
    answer: dict


@dataclass(frozen=True, slots=True)
class ConsensusResult:
    """The consolidated answer, how much the judgments agree with it (0–1), and whether the task is finished.

    `done=False` means "ask one more worker"; `answer` is the provisional consolidation (None without judgments).
    """

    answer: dict | None
    agreement: float
    done: bool


class OverlapPolicy(Protocol):
    """How many workers a task needs: `bytebridge.flows.model.Overlap` or anything with these attributes."""

    @property
    def min_overlap(self) -> int: ...

    @property
    def max_overlap(self) -> int: ...

    @property
    def agreement(self) -> float: ...
