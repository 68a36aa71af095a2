"""The posterior confidence of a consolidated choice answer equals the one-coin model's posterior computed by
brute force (enumerating every possible truth), and is calibrated: among simulated tasks settled at a target,
at least that share is right."""

import itertools
import math

import numpy as np
import pytest

from bytebridge.consensus import Judgment, consolidate
from bytebridge.consensus.skills import accuracy
from tests.unit.consensus_support import Overlap


def brute_single(votes: dict[str, str], skills: dict[str, float], options: list[str]) -> dict[str, float]:
    likelihood = {}
    for truth in options:
        likelihood[truth] = math.prod(
            accuracy(skills[w]) if v == truth else (1 - accuracy(skills[w])) / (len(options) - 1)
            for w, v in votes.items()
        )
    total = sum(likelihood.values())
    return {o: lk / total for o, lk in likelihood.items()}


def brute_multiple(votes: dict[str, list[str]], skills: dict[str, float], options: list[str]) -> dict:
    posterior = {}
    for size in range(len(options) + 1):
        for truth in itertools.combinations(options, size):
            posterior[frozenset(truth)] = math.prod(
                accuracy(skills[w]) if (o in truth) == (o in picked) else 1 - accuracy(skills[w])
                for w, picked in votes.items()
                for o in options
            )
    total = sum(posterior.values())
    return {k: v / total for k, v in posterior.items()}


@pytest.mark.parametrize("seed", range(20))
def test_single_choice_confidence_is_the_one_coin_posterior(seed):
    rng = np.random.default_rng(seed)
    options = [f"o{k}" for k in range(int(rng.integers(2, 6)))]
    votes = {f"w{n}": str(rng.choice(options)) for n in range(int(rng.integers(1, 8)))}
    skills = {w: float(rng.uniform(0.4, 1.0)) for w in votes}
    result = consolidate(
        "single_choice", [Judgment(w, {"choice": v}) for w, v in votes.items()], Overlap(), skills, len(options)
    )
    posterior = brute_single(votes, skills, options)
    assert result.answer is not None and result.confidence is not None
    assert result.confidence == pytest.approx(posterior[result.answer["choice"]])
    if len(options) == 2:  # the log-odds weighted vote is the most probable answer (with more, nearly always)
        assert posterior[result.answer["choice"]] == pytest.approx(max(posterior.values()))


@pytest.mark.parametrize("seed", range(10))
def test_multiple_choice_confidence_is_the_posterior_of_the_whole_set(seed):
    rng = np.random.default_rng(seed)
    options = ["a", "b", "c", "d"][: int(rng.integers(1, 5))]
    votes = {f"w{n}": [o for o in options if rng.random() < 0.5] for n in range(int(rng.integers(1, 6)))}
    skills = {w: float(rng.uniform(0.55, 0.99)) for w in votes}
    result = consolidate("multiple_choice", [Judgment(w, {"choices": v}) for w, v in votes.items()], Overlap(), skills)
    # Options nobody picked are a unanimous "no" in both computations; restrict the truth to the options seen.
    seen = sorted({o for v in votes.values() for o in v})
    posterior = brute_multiple(votes, skills, seen)
    assert result.answer is not None
    assert result.confidence == pytest.approx(posterior[frozenset(result.answer["choices"])])


def test_settled_answers_are_right_at_least_as_often_as_the_target():
    """Annotators with known accuracies, asked one at a time until done: the share right clears the target."""
    rng = np.random.default_rng(7)
    options, right, tasks = ["a", "b", "c"], 0, 3000
    pool = {f"w{n}": float(a) for n, a in enumerate(rng.uniform(0.6, 0.95, 30))}
    policy = Overlap(min_overlap=1, max_overlap=15)
    for _ in range(tasks):
        truth = str(rng.choice(options))
        judgments: list[Judgment] = []
        for worker in rng.permutation(list(pool)):
            wrong = [o for o in options if o != truth]
            vote = truth if rng.random() < pool[worker] else str(rng.choice(wrong))
            judgments.append(Judgment(str(worker), {"choice": vote}))
            result = consolidate("single_choice", judgments, policy, pool, len(options))
            if result.done:
                break
        right += result.answer == {"choice": truth}
    assert right / tasks >= 0.99


def test_with_two_options_and_known_skills_settled_answers_reach_the_target():
    """Two options, where a wrong annotator always names the one other option: given the annotators' true
    accuracies the settled answers are right at least as often as the target (the defaults' shortfall with two
    options in bench/consensus_accuracy.py comes from skills estimated on eight gold answers, not from the rule)."""
    rng = np.random.default_rng(11)
    options, right, tasks, asked = ["yes", "no"], 0, 1500, 0
    pool = {f"w{n}": float(a) for n, a in enumerate(rng.uniform(0.6, 0.95, 30))}
    policy = Overlap(min_overlap=1, max_overlap=15)
    for _ in range(tasks):
        truth = str(rng.choice(options))
        judgments: list[Judgment] = []
        for worker in rng.permutation(list(pool)):
            vote = truth if rng.random() < pool[worker] else next(o for o in options if o != truth)
            judgments.append(Judgment(str(worker), {"choice": vote}))
            result = consolidate("single_choice", judgments, policy, pool, len(options))
            if result.done:
                break
        right += result.answer == {"choice": truth}
        asked += len(judgments)
    assert right / tasks >= 0.985
    assert asked / tasks < 8  # and it stops well before the maximum of 15 (5.7 here)
