"""Single- and multiple-choice consolidation: weighted votes."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np


def _tally(options: Sequence[Sequence[str]], weights: np.ndarray) -> dict[str, float]:
    """Summed weight of the workers who picked each option, options in sorted order."""
    votes: dict[str, float] = defaultdict(float)
    for picked, weight in zip(options, weights.tolist(), strict=True):
        for option in set(picked):
            votes[option] += weight
    return dict(sorted(votes.items()))


class SingleChoice:
    @staticmethod
    def consolidate(answers: Sequence[Any], weights: np.ndarray) -> dict:
        votes = _tally([[a.choice] for a in answers], weights)
        # max() keeps the first of equal totals and the tally is sorted: ties go to the smallest choice,
        # the same rule as crowd-kit's MajorityVote on sorted labels.
        return {"choice": max(votes, key=votes.__getitem__)}

    @staticmethod
    def similarity_to(answer: Any, reference: Any) -> float:
        return float(answer.choice == reference.choice)

    @staticmethod
    def matches(answer: Any, gold: Any) -> bool:
        return answer.choice == gold.choice


class MultipleChoice:
    @staticmethod
    def consolidate(answers: Sequence[Any], weights: np.ndarray) -> dict:
        half = weights.sum() / 2
        return {"choices": [o for o, v in _tally([a.choices for a in answers], weights).items() if v > half]}

    @staticmethod
    def similarity_to(answer: Any, reference: Any) -> float:
        """Jaccard similarity of the chosen sets (1 when both are empty)."""
        a, b = set(answer.choices), set(reference.choices)
        return len(a & b) / len(a | b) if a | b else 1.0

    @staticmethod
    def matches(answer: Any, gold: Any) -> bool:
        return set(answer.choices) == set(gold.choices)
