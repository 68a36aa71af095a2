"""Single and multiple choice: weighted votes, agreement as the weighted share of the result."""

import itertools

import pytest

from bytebridge.consensus import Judgment, consolidate
from bytebridge.consensus.skills import vote_weight
from tests.unit.consensus_support import Overlap, run


def test_two_of_three_agree_wins_with_two_thirds_agreement():
    result = run("single_choice", {"a": {"choice": "cat"}, "b": {"choice": "cat"}, "c": {"choice": "dog"}})
    assert result.answer == {"choice": "cat"}
    assert result.agreement == pytest.approx(2 / 3)


def test_skilled_minority_outvotes_unskilled_majority():
    answers = {"expert": {"choice": "dog"}, "n1": {"choice": "cat"}, "n2": {"choice": "cat"}}
    assert run("single_choice", answers).answer == {"choice": "cat"}  # unknown skills: plain majority
    skills = {"expert": 0.97, "n1": 0.6, "n2": 0.6}
    result = run("single_choice", answers, skills)
    assert result.answer == {"choice": "dog"}
    expected = vote_weight(0.97) / (vote_weight(0.97) + 2 * vote_weight(0.6))
    assert result.agreement == pytest.approx(expected)


def test_unknown_worker_weighs_as_the_prior():
    # One known good worker (0.9) against two unknown workers (prior 0.8): the two unknown still win.
    answers = {"good": {"choice": "dog"}, "u1": {"choice": "cat"}, "u2": {"choice": "cat"}}
    assert run("single_choice", answers, {"good": 0.9}).answer == {"choice": "cat"}


def test_tie_goes_to_the_smallest_choice_whatever_the_order():
    judgments = [Judgment("a", {"choice": "zebra"}), Judgment("b", {"choice": "ant"})]
    for order in itertools.permutations(judgments):
        result = consolidate("single_choice", list(order), Overlap())
        assert result.answer == {"choice": "ant"}
        assert result.agreement == pytest.approx(0.5)


def test_multiple_choice_keeps_options_chosen_by_a_weighted_majority():
    answers = {
        "a": {"choices": ["red", "blue"]},
        "b": {"choices": ["blue", "red", "green"]},
        "c": {"choices": ["blue"]},
    }
    result = run("multiple_choice", answers)
    assert result.answer == {"choices": ["blue", "red"]}
    # Jaccard of each worker's set to {blue, red}: 1, 2/3, 1/2.
    assert result.agreement == pytest.approx((1 + 2 / 3 + 1 / 2) / 3)


def test_multiple_choice_skill_flips_an_option():
    answers = {"expert": {"choices": ["red"]}, "n1": {"choices": ["red", "blue"]}, "n2": {"choices": ["red", "blue"]}}
    assert run("multiple_choice", answers).answer == {"choices": ["blue", "red"]}
    assert run("multiple_choice", answers, {"expert": 0.98, "n1": 0.6, "n2": 0.6}).answer == {"choices": ["red"]}


def test_multiple_choice_all_empty_is_full_agreement():
    result = run("multiple_choice", {"a": {"choices": []}, "b": {"choices": []}, "c": {"choices": []}})
    assert result.answer == {"choices": []}
    assert result.agreement == 1.0
