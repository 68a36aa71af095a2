"""Adaptive overlap: ask more workers until enough agree, never beyond max_overlap."""

import pytest
from pydantic import ValidationError

from bytebridge.consensus import Judgment, consolidate
from tests.unit.consensus_support import Overlap, run


def choices(*picked: str) -> dict[str, dict]:
    return {f"w{i}": {"choice": c} for i, c in enumerate(picked)}


def test_no_judgments_is_not_done():
    result = consolidate("single_choice", [], Overlap())
    assert (result.answer, result.agreement, result.done) == (None, 0.0, False)


def test_below_min_overlap_is_not_done_even_when_unanimous():
    result = run("single_choice", choices("a", "a"))
    assert result.answer == {"choice": "a"}
    assert result.agreement == 1.0
    assert not result.done


def test_done_at_min_overlap_when_agreement_reaches_threshold():
    assert run("single_choice", choices("a", "a", "a")).done


def test_disagreement_asks_more_until_agreement_or_max():
    # 2 of 3 (0.67) < 0.7: one more worker; 3 of 4 (0.75) reaches it.
    assert not run("single_choice", choices("a", "a", "b")).done
    assert run("single_choice", choices("a", "a", "b", "a")).done
    # 2 against 2, then the fifth worker is the last one: done with the best answer even at 0.6.
    assert not run("single_choice", choices("a", "b", "a", "b")).done
    last = run("single_choice", choices("a", "b", "a", "b", "b"))
    assert last.done
    assert last.answer == {"choice": "b"}
    assert last.agreement == pytest.approx(0.6)


def test_threshold_is_inclusive():
    assert run("single_choice", choices("a", "a", "b", "b", "a"), min_overlap=3, max_overlap=9, agreement=0.6).done


def test_min_overlap_of_one_finishes_on_the_first_judgment():
    assert run("transcription", {"w": {"text": "hello"}}, min_overlap=1, max_overlap=3).done


def test_a_worker_counts_once_with_their_latest_answer():
    judgments = [Judgment("w1", {"choice": "a"}), Judgment("w2", {"choice": "b"}), Judgment("w1", {"choice": "b"})]
    result = consolidate("single_choice", judgments, Overlap(min_overlap=2, max_overlap=3, agreement=0.9))
    assert result.answer == {"choice": "b"}
    assert result.agreement == 1.0
    assert result.done  # two distinct workers, unanimous


def test_invalid_judgment_is_rejected():
    with pytest.raises(ValidationError):
        consolidate("single_choice", [Judgment("w", {"choices": ["a"]})], Overlap())
