"""Worker accuracy from gold tasks: Beta-prior estimate, vote weights, blocking."""

import math

import pytest

from bytebridge.consensus.skills import PRIOR_SKILL, SkillStats, is_blocked, update_skill, vote_weight


def test_estimate_starts_at_the_prior_and_follows_the_evidence():
    assert update_skill(0, 0) == PRIOR_SKILL == pytest.approx(0.8)
    assert update_skill(5, 5) == pytest.approx(0.9)
    assert update_skill(95, 100) == pytest.approx(99 / 105)
    assert update_skill(0, 10) < 0.3


def test_impossible_counts_are_rejected():
    with pytest.raises(ValueError):
        update_skill(6, 5)
    with pytest.raises(ValueError):
        update_skill(-1, 5)


def test_blocking_waits_for_min_gold_then_applies_the_bar():
    assert not is_blocked(SkillStats(correct=0, total=4))
    assert is_blocked(SkillStats(correct=3, total=5))  # 60% < 70%
    assert not is_blocked(SkillStats(correct=7, total=10))  # exactly at the bar
    assert is_blocked(SkillStats(correct=8, total=10), bar=0.9)
    assert not is_blocked(SkillStats(correct=1, total=2), min_gold=3)


def test_vote_weight_is_log_odds_clipped():
    assert vote_weight(None) == pytest.approx(math.log(4))
    assert vote_weight(0.9) == pytest.approx(math.log(9))
    assert vote_weight(1.0) == vote_weight(0.99)
    assert vote_weight(0.2) == vote_weight(0.55) > 0
