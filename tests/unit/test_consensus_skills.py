"""Worker accuracy from gold tasks: Beta-prior estimate, vote weights, blocking on a confidence bound."""

import math

import pytest

from bytebridge.consensus.skills import PRIOR_SKILL, SkillStats, is_blocked, update_skill, upper_bound, vote_weight


def test_estimate_starts_at_the_prior_and_follows_the_evidence():
    assert update_skill(0, 0) == PRIOR_SKILL == pytest.approx(0.8)
    assert update_skill(8, 8) == pytest.approx(16 / 18)  # a perfect qualification reads 0.89, not 1
    assert update_skill(95, 100) == pytest.approx(103 / 110)
    assert update_skill(0, 10) < 0.45


def test_impossible_counts_are_rejected():
    with pytest.raises(ValueError):
        update_skill(6, 5)
    with pytest.raises(ValueError):
        update_skill(-1, 5)


def test_upper_bound_is_the_wilson_score_bound():
    # Wilson's interval at z = 1.645 for 7 of 10: centre (0.7 + z²/20) / (1 + z²/10), by hand.
    z = 1.645
    centre = (0.7 + z * z / 20) / (1 + z * z / 10)
    spread = z * math.sqrt(0.7 * 0.3 / 10 + z * z / 400) / (1 + z * z / 10)
    assert upper_bound(SkillStats(7, 10)) == pytest.approx(centre + spread)
    assert upper_bound(SkillStats(0, 0)) == 1.0
    assert upper_bound(SkillStats(10, 10)) == pytest.approx(1.0)


def test_blocking_needs_confidence_not_a_few_misses():
    assert not is_blocked(SkillStats(correct=0, total=4))  # too few gold answers
    assert not is_blocked(SkillStats(correct=2, total=5))  # the old rule blocked 3 of 5; the bound is 0.73
    assert is_blocked(SkillStats(correct=1, total=5))
    assert is_blocked(SkillStats(correct=10, total=20))  # answering at random between two options
    assert not is_blocked(SkillStats(correct=13, total=20))
    assert is_blocked(SkillStats(correct=80, total=100), bar=0.9)
    assert not is_blocked(SkillStats(correct=1, total=2), min_gold=3)


@pytest.mark.parametrize("accuracy", [0.85, 0.9])
def test_a_good_annotator_is_almost_never_blocked_at_any_point_of_their_record(accuracy):
    for total in range(5, 60):
        blocked = [c for c in range(total + 1) if is_blocked(SkillStats(c, total))]
        chance = sum(math.comb(total, c) * accuracy**c * (1 - accuracy) ** (total - c) for c in blocked)
        assert chance < 0.01, (total, chance)  # the raw 70% rule blocked an 85% annotator at 5 gold 16% of the time


def test_vote_weight_is_log_odds_clipped():
    assert vote_weight(None) == pytest.approx(math.log(4))
    assert vote_weight(0.9) == pytest.approx(math.log(9))
    assert vote_weight(1.0) == vote_weight(0.99)
    assert vote_weight(0.2) == vote_weight(0.55) > 0
