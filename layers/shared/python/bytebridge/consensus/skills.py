"""Worker accuracy from gold (known-answer) tasks, as pure functions; the engine stores the counts.

Accuracy is the posterior mean under a Beta prior, so a new worker starts at the prior mean and a few
gold answers move the estimate only a little. Votes are weighted by the log-odds of that accuracy: the
weight that makes a weighted majority the maximum-likelihood answer when each worker is right with
probability p (the one-coin Dawid–Skene model).
"""

import math
from typing import NamedTuple

# Beta(4, 1): a new worker is assumed 80% accurate, worth five gold answers of evidence.
PRIOR_CORRECT = 4.0
PRIOR_WRONG = 1.0

# Accuracy is clipped before taking log-odds: below 0.55 a vote would weigh ~0 or negative (such workers
# are blocked anyway), and above 0.99 one worker would outvote any realistic group of good ones.
_MIN_ACCURACY = 0.55
_MAX_ACCURACY = 0.99


class SkillStats(NamedTuple):
    """Gold-task counts of one worker."""

    correct: int = 0
    total: int = 0


def update_skill(correct_count: int, total: int) -> float:
    """Posterior mean accuracy after `correct_count` right answers out of `total` gold tasks."""
    if not 0 <= correct_count <= total:
        raise ValueError(f"need 0 <= correct_count <= total, got {correct_count}/{total}")
    return (correct_count + PRIOR_CORRECT) / (total + PRIOR_CORRECT + PRIOR_WRONG)


PRIOR_SKILL = update_skill(0, 0)


def is_blocked(stats: SkillStats, bar: float = 0.7, min_gold: int = 5) -> bool:
    """Whether a worker's raw gold accuracy is below `bar` once they have answered `min_gold` gold tasks.

    Raw accuracy rather than the smoothed estimate: the bar is a published rule ("70% on gold"), and
    `min_gold` already keeps a single early mistake from blocking anyone.
    """
    return stats.total >= min_gold and stats.correct < bar * stats.total


def vote_weight(skill: float | None) -> float:
    """Log-odds weight of a worker with estimated accuracy `skill` (None: unknown, the prior)."""
    p = min(max(PRIOR_SKILL if skill is None else skill, _MIN_ACCURACY), _MAX_ACCURACY)
    return math.log(p / (1.0 - p))
