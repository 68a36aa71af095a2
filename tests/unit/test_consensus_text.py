"""Transcriptions: the edit-distance medoid."""

import random

import pytest
from nltk.metrics.distance import edit_distance

from bytebridge.consensus.text import levenshtein, normalized_distance
from tests.unit.consensus_support import run


def test_levenshtein_agrees_with_nltk_on_random_strings():
    rng = random.Random(3)
    for _ in range(200):
        a = "".join(rng.choices("abcé中 ", k=rng.randint(0, 12)))
        b = "".join(rng.choices("abcé中 ", k=rng.randint(0, 12)))
        assert levenshtein(a, b) == edit_distance(a, b), (a, b)


def test_normalised_distance_collapses_whitespace():
    assert normalized_distance("hello  world ", "hello world") == 0.0
    assert normalized_distance("kitten", "sitting") == pytest.approx(3 / 7)
    assert normalized_distance("", "") == 0.0


def test_medoid_of_three_with_two_agreeing():
    result = run(
        "transcription",
        {
            "a": {"text": "the quick brown fox"},
            "b": {"text": "the quick brown fox"},
            "c": {"text": "the quack brown fax"},
        },
    )
    assert result.answer == {"text": "the quick brown fox"}
    assert result.agreement == pytest.approx(1 - (2 / 19) / 3)
    assert result.done


def test_medoid_is_the_text_closest_to_all_others():
    texts = {"a": "receipt total 12.50", "b": "receipt total 12,50", "c": "reciept total 12.50", "d": "total 1250"}
    assert run("transcription", {w: {"text": t} for w, t in texts.items()}).answer == {"text": texts["a"]}


def test_skilled_worker_decides_between_two_versions():
    answers = {"expert": {"text": "colour"}, "novice": {"text": "color"}}
    assert run("transcription", answers, {"expert": 0.6, "novice": 0.95}).answer == {"text": "color"}
    assert run("transcription", answers, {"expert": 0.95, "novice": 0.6}).answer == {"text": "colour"}
