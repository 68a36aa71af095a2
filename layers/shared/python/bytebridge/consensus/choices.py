"""Single- and multiple-choice consolidation: weighted votes, and the posterior confidence of the result.

The confidence uses the one-coin model (Dawid–Skene with one accuracy per annotator): an annotator of accuracy
p picks the true option with probability p and each other option with (1 - p) / (K - 1). With uniform class
priors the posterior log-odds of option c is the sum, over the annotators who picked c, of
log((K - 1) p / (1 - p)); options nobody picked share the remaining mass. K unknown is taken as 2 (or the number
of options seen), the most cautious choice: more options make each agreeing vote stronger evidence.
"""

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


def _log_odds(accuracies: np.ndarray) -> np.ndarray:
    return np.log(accuracies / (1.0 - accuracies))


def single_posterior(picked: Sequence[str], accuracies: np.ndarray, options: int | None) -> dict[str, float]:
    """Posterior probability of each picked option under the one-coin model (uniform prior over `options`)."""
    seen = sorted(set(picked))
    classes = max(2, options or 2, len(seen))
    evidence = _tally([[p] for p in picked], _log_odds(accuracies) + np.log(classes - 1))
    scores = np.array([evidence[o] for o in seen])
    top = scores.max()
    unseen = (classes - len(seen)) * np.exp(-top)  # each option nobody picked scores 0
    shares = np.exp(scores - top)
    return dict(zip(seen, (shares / (shares.sum() + unseen)).tolist(), strict=True))


class SingleChoice:
    @staticmethod
    def consolidate(answers: Sequence[Any], weights: np.ndarray) -> dict:
        votes = _tally([[a.choice] for a in answers], weights)
        # max() keeps the first of equal totals and the tally is sorted: ties go to the smallest choice,
        # the same rule as crowd-kit's MajorityVote on sorted labels.
        return {"choice": max(votes, key=votes.__getitem__)}

    @staticmethod
    def confidence(answers: Sequence[Any], accuracies: np.ndarray, result: Any, options: int | None) -> float:
        return single_posterior([a.choice for a in answers], accuracies, options).get(result.choice, 0.0)

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
    def confidence(answers: Sequence[Any], accuracies: np.ndarray, result: Any, options: int | None) -> float:
        """Each option is a yes/no question every annotator answered: the chance that all of the result's
        yes/no calls on the options anyone picked are right (options nobody picked are a unanimous no)."""
        log_odds = _log_odds(accuracies)
        chosen = set(result.choices)
        confidence = 1.0
        for option in {o for a in answers for o in a.choices}:
            said_yes = np.array([option in a.choices for a in answers])
            yes = float(log_odds @ np.where(said_yes, 1.0, -1.0))
            confidence *= 1.0 / (1.0 + np.exp(-yes if option in chosen else yes))
        return confidence

    @staticmethod
    def similarity_to(answer: Any, reference: Any) -> float:
        """Jaccard similarity of the chosen sets (1 when both are empty)."""
        a, b = set(answer.choices), set(reference.choices)
        return len(a & b) / len(a | b) if a | b else 1.0

    @staticmethod
    def matches(answer: Any, gold: Any) -> bool:
        return set(answer.choices) == set(gold.choices)
