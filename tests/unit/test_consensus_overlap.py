"""Adaptive overlap: ask more workers until the answer is settled, never beyond max_overlap. Choice tasks settle
on the posterior confidence of the consolidated answer (the accuracy level's target), others on agreement."""

import pytest
from pydantic import ValidationError

from bytebridge.consensus import Judgment, consolidate
from bytebridge.consensus.model import CONFIDENCE_TARGETS
from bytebridge.enums import AccuracyLevel
from bytebridge.flows.model import Overlap as FlowOverlap
from tests.unit.consensus_support import Overlap, run


def choices(*picked: str) -> dict[str, dict]:
    return {f"w{i}": {"choice": c} for i, c in enumerate(picked)}


SKILLED = {f"w{i}": 0.8 for i in range(15)}  # a gold record each, at the prior's accuracy


def texts(*written: str) -> dict[str, dict]:
    return {f"w{i}": {"text": t} for i, t in enumerate(written)}


def test_no_judgments_is_not_done():
    result = consolidate("single_choice", [], Overlap())
    assert (result.answer, result.agreement, result.done) == (None, 0.0, False)


def test_below_min_overlap_is_not_done_even_when_unanimous():
    result = run("single_choice", choices("a", "a"), {"w0": 0.99, "w1": 0.99})
    assert result.answer == {"choice": "a"}
    assert result.agreement == 1.0
    assert result.confidence is not None and result.confidence > 0.999
    assert not result.done


def test_three_unanimous_workers_of_accuracy_080_settle_four_options_but_not_two():
    # Each agreeing vote multiplies the odds by 0.8 / 0.2 with two options (64:1 after three, 0.985 < 0.99), by
    # 0.8 / (0.2 / 3) with four (1728:3, 0.998).
    judgments = [Judgment(w, a) for w, a in choices("a", "a", "a").items()]
    two = consolidate("single_choice", judgments, Overlap(), SKILLED)
    assert two.confidence == pytest.approx(64 / 65)
    assert not two.done
    four = consolidate("single_choice", judgments, Overlap(), SKILLED, options=4)
    assert four.confidence == pytest.approx(1728 / 1731)
    assert four.done


def test_options_unknown_counts_the_options_seen():
    judgments = [Judgment(w, a) for w, a in choices("a", "b", "c").items()]
    assert consolidate("single_choice", judgments, Overlap()).confidence == pytest.approx(1 / 3)
    # Five options: each picked one has odds 4 * 4 against an unpicked one.
    assert consolidate("single_choice", judgments, Overlap(), options=5).confidence == pytest.approx(16 / 50)


def test_skilled_workers_settle_sooner():
    skilled = {"w0": 0.97, "w1": 0.97, "w2": 0.97}
    assert run("single_choice", choices("a", "a", "a"), skilled).done
    assert not run("single_choice", choices("a", "a", "a"), {w: 0.7 for w in skilled}).done


def test_without_any_gold_record_choice_tasks_settle_on_agreement():
    unknown = run("single_choice", choices("a", "a", "a"))
    assert unknown.confidence == pytest.approx(64 / 65)  # reported, from the prior
    assert unknown.done  # agreement 1 >= 0.7
    assert not run("single_choice", choices("a", "a", "b")).done  # 2/3 < 0.7
    # One annotator with a gold record is enough to stop on the confidence.
    assert not run("single_choice", choices("a", "a", "a"), {"w0": 0.8}).done


def test_disagreement_asks_more_until_confident_or_max():
    assert not run("single_choice", choices("a", "a", "b", "a", "a"), SKILLED, max_overlap=9).done
    assert run("single_choice", choices("a", "a", "b", "a", "a", "a", "a"), SKILLED, max_overlap=9).done
    # The last worker allowed: done with the best answer however unsure.
    last = run("single_choice", choices("a", "b", "a", "b", "b"), SKILLED)
    assert last.done
    assert last.answer == {"choice": "b"}
    assert last.confidence == pytest.approx(0.8)  # one net vote of a 0.8 worker


def test_the_level_sets_the_target():
    judgments = [Judgment(w, a) for w, a in choices("a", "a", "a").items()]
    confidence = 64 / 65  # two options, prior skills
    assert CONFIDENCE_TARGETS[AccuracyLevel.STANDARD] < confidence < CONFIDENCE_TARGETS[AccuracyLevel.HIGH]
    for level, done in (("standard", True), ("high", False), ("premium", False)):
        assert consolidate("single_choice", judgments, FlowOverlap(level=level), SKILLED).done is done


def test_agreement_still_settles_other_task_types():
    result = run("transcription", texts("hello", "hello", "hello"))
    assert result.confidence is None
    assert result.done
    assert not run("transcription", texts("hello", "goodbye", "completely different")).done


def test_threshold_is_inclusive():
    assert run("transcription", texts("a", "a", "b", "b", "a"), min_overlap=3, max_overlap=9, agreement=0.6).done


def test_min_overlap_of_one_finishes_on_the_first_judgment():
    assert run("transcription", {"w": {"text": "hello"}}, min_overlap=1, max_overlap=3).done


def test_a_worker_counts_once_with_their_latest_answer():
    judgments = [Judgment("w1", {"choice": "a"}), Judgment("w2", {"choice": "b"}), Judgment("w1", {"choice": "b"})]
    result = consolidate("single_choice", judgments, Overlap(min_overlap=2, max_overlap=3), {"w1": 0.95, "w2": 0.95})
    assert result.answer == {"choice": "b"}
    assert result.agreement == 1.0
    assert result.done  # two distinct workers, unanimous: 19² : 1


def test_flow_defaults_ask_three_then_up_to_fifteen_at_level_high():
    overlap = FlowOverlap()
    assert (overlap.min_overlap, overlap.max_overlap, overlap.level) == (3, 15, AccuracyLevel.HIGH)


def test_invalid_judgment_is_rejected():
    with pytest.raises(ValidationError):
        consolidate("single_choice", [Judgment("w", {"choices": ["a"]})], Overlap())
