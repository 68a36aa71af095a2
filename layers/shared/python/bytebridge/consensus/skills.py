"""Worker accuracy from gold (known-answer) tasks, as pure functions; the engine stores the counts.

Accuracy is the posterior mean under a Beta prior, so a new worker starts at the prior mean and a few
gold answers move the estimate only a little. Votes are weighted by the log-odds of that accuracy: the
weight that makes a weighted majority the maximum-likelihood answer when each worker is right with
probability p (the one-coin Dawid–Skene model). Blocking uses a confidence bound on the accuracy, not the
raw share: a good annotator who misses two of their first five gold tasks is not removed.
"""

import math
from typing import NamedTuple

# Beta(8, 2): a new worker is assumed 80% accurate, worth ten gold answers of evidence. A weaker prior (Beta(4, 1)
# here before) lets a lucky 8 of 8 read as 92% and the posterior confidence of consensus overshoot: measured in
# bench/consensus_accuracy.py, the defaults then fell short of the 0.99 target on narrow workforces.
PRIOR_CORRECT = 8.0
PRIOR_WRONG = 2.0

# Accuracy is clipped before use: below 0.55 a vote would weigh ~0 or negative (such workers are blocked
# anyway), and above 0.99 one worker would outvote any realistic group of good ones.
_MIN_ACCURACY = 0.55
_MAX_ACCURACY = 0.99

# One-sided 95% bound: an annotator is blocked once we are 95% sure their accuracy is below the bar.
BLOCK_Z = 1.645


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


def upper_bound(stats: SkillStats, z: float = BLOCK_Z) -> float:
    """Wilson score upper bound of the accuracy behind `stats` (1.0 without gold answers)."""
    n = stats.total
    if n == 0:
        return 1.0
    share = stats.correct / n
    centre = share + z * z / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return min(1.0, (centre + spread) / (1 + z * z / n))


def is_blocked(stats: SkillStats, bar: float = 0.7, min_gold: int = 5) -> bool:
    """Whether a worker is confidently below `bar`: the upper bound of their gold accuracy is under it, once
    they answered `min_gold` gold tasks. 2 right of 5 is not blocked (bound 0.73), 1 of 5 is (0.52), and
    10 of 20, the record of an annotator answering at random between two options, is (0.67)."""
    return stats.total >= min_gold and upper_bound(stats) < bar


def accuracy(skill: float | None) -> float:
    """The accuracy consensus assumes for a worker with estimated accuracy `skill` (None: the prior), clipped."""
    return min(max(PRIOR_SKILL if skill is None else skill, _MIN_ACCURACY), _MAX_ACCURACY)


def vote_weight(skill: float | None) -> float:
    """Log-odds weight of a worker with estimated accuracy `skill` (None: unknown, the prior)."""
    p = accuracy(skill)
    return math.log(p / (1.0 - p))
