"""Audio segments (issue 17): the answer schema, what a node accepts, routing on segments, and consolidation —
segments by temporal IoU, labels by vote, transcripts by ROVER — with WER checked against jiwer."""

import itertools
import random

import jiwer
import pytest
from pydantic import ValidationError

from bytebridge.annotations import TaskType, parse_answer
from bytebridge.consensus import Judgment, consolidate, matches_gold
from bytebridge.consensus.rover import combine, join, tokens, word_error_rate, word_similarity
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.flows.model import Condition, ConditionType, Overlap, TaskNode
from bytebridge.flows.routing import holds
from bytebridge.flows.rules import flow_problems
from bytebridge.flows.templates import segment_audio, single_task
from bytebridge.pricing import UNIT_PRICE_CENTS

AUDIO = TaskType.AUDIO_SEGMENTS
LABELS = ["speech", "music", "noise"]


def seg(label: str, start: float, end: float, text: str | None = None) -> dict:
    return {"label": label, "start": start, "end": end, "text": text}


def answer(*segments: dict, duration: float = 10.0) -> dict:
    return {"duration": duration, "segments": list(segments)}


def node(**fields) -> TaskNode:
    return TaskNode(id="listen", task_type=AUDIO, labels=LABELS, **fields)


# --- schema -------------------------------------------------------------------------------------------


def test_a_segment_answer_keeps_times_labels_and_transcripts_as_given():
    given = answer(seg("speech", 0.5, 2.25, "good morning"), seg("music", 2, 4.5), duration=9.5)

    assert check_answer(node(), given) == given


@pytest.mark.parametrize(
    ("segment", "duration", "problem"),
    [
        (seg("speech", 3, 3), 10, "end after it starts"),
        (seg("speech", 4, 2), 10, "end after it starts"),
        (seg("speech", -1, 2), 10, "greater than or equal to 0"),
        (seg("speech", 1, 12), 10, "after the 10.0 s recording"),
        (seg("", 1, 2), 10, "at least 1 character"),
    ],
)
def test_impossible_segments_are_refused_with_the_reason(segment, duration, problem):
    with pytest.raises(AnswerError, match=problem):
        check_answer(node(), answer(segment, duration=duration))


def test_a_segment_may_end_a_players_rounding_past_the_duration_but_not_more():
    assert check_answer(node(), answer(seg("music", 1, 10.04)))
    with pytest.raises(AnswerError):
        check_answer(node(), answer(seg("music", 1, 10.2)))


def test_the_transcript_key_is_required_null_when_not_transcribed():
    """It tells an audio segment from a video event, which has the same times and labels."""
    with pytest.raises(ValidationError, match="text"):
        parse_answer(AUDIO, {"duration": 5, "segments": [{"label": "music", "start": 1, "end": 2}]})
    assert parse_answer(AUDIO, answer(seg("music", 1, 2))).segments[0].text is None


def test_a_label_the_node_does_not_declare_is_refused():
    with pytest.raises(AnswerError, match="not a label of this task: 'laugh'"):
        check_answer(node(), answer(seg("laugh", 1, 2)))


def test_a_transcribing_node_wants_the_text_of_every_segment():
    with pytest.raises(AnswerError, match="transcript of every segment"):
        check_answer(node(transcribe=True), answer(seg("speech", 1, 2, "hi"), seg("speech", 3, 4)))
    assert check_answer(node(transcribe=True), answer(seg("speech", 1, 2, "hi"), seg("speech", 3, 4, "")))


def test_only_audio_segment_nodes_may_ask_for_transcripts():
    boxes = TaskNode(id="box", task_type=TaskType.RECTANGLE, labels=["cat"], transcribe=True)
    problems = flow_problems(single_task(boxes))
    assert [(p.where, p.rule) for p in problems] == [("box", "node-config")]
    assert not flow_problems(single_task(node(transcribe=True)))


def test_an_audio_segments_node_needs_labels():
    problems = flow_problems(single_task(TaskNode(id="listen", task_type=AUDIO)))
    assert [(p.where, p.rule) for p in problems] == [("listen", "node-config")]


def test_edges_can_route_on_the_labels_and_the_number_of_segments():
    consolidated = answer(seg("speech", 1, 2, "hi"), seg("music", 3, 4), seg("speech", 5, 6, "bye"))
    present = Condition(type=ConditionType.LABEL_PRESENT, value="speech")
    absent = Condition(type=ConditionType.LABEL_ABSENT, value="noise")
    two_speech = Condition(type=ConditionType.SHAPE_COUNT, value="speech", op="eq", count=2)

    assert holds(present, consolidated) and holds(absent, consolidated) and holds(two_speech, consolidated)
    assert not holds(present, answer(seg("music", 3, 4)))


def test_the_segment_audio_template_is_a_valid_flow_that_routes_speech_apart():
    flow = segment_audio()
    assert not flow_problems(flow)
    assert flow.task("segments").task_type is AUDIO


def test_audio_segments_have_a_published_price():
    assert UNIT_PRICE_CENTS[AUDIO] > UNIT_PRICE_CENTS[TaskType.TRANSCRIPTION]


# --- ROVER and WER ------------------------------------------------------------------------------------


def test_rover_outvotes_each_annotators_slip_word_by_word():
    """Each transcript misses or changes a different word; none is right, the vote is."""
    texts = ["the quick brown fox", "the quick fox jumps", "quick brown fox jumps"]
    assert combine(texts, [1, 1, 1]) == "the quick brown fox jumps"
    assert combine(["the cat sat on the mat", "the cat sat on mat", "a cat sat on the mat"], [1, 1, 1]) == (
        "the cat sat on the mat"
    )


def test_rover_weighs_the_votes():
    texts = ["turn left here", "turn right here", "turn right here"]
    assert combine(texts, [1, 1, 1]) == "turn right here"
    assert combine(texts, [3, 1, 1]) == "turn left here"  # the heavier annotator outweighs two light ones
    assert combine(texts, [2, 1, 1]) == "turn left here"  # a tie goes to the heaviest annotator (listed first)


def test_rover_aligns_chinese_by_character():
    assert tokens("今天 天气很好 ok") == ["今", "天", "天", "气", "很", "好", "ok"]
    assert join(["今", "天", "ok", "好"]) == "今天ok好" and join(["ok", "go"]) == "ok go"
    assert combine(["今天天气很好", "今天天气好", "今天天汽很好"], [1, 1, 1]) == "今天天气很好"


def test_rover_of_one_transcript_is_that_transcript_and_of_empty_ones_is_empty():
    assert combine(["hello  world"], [1]) == "hello world"
    assert combine(["", ""], [1, 1]) == ""
    assert combine(["", "a b"], [2, 1]) == "" and combine(["", "a b"], [1, 2]) == "a b"


def test_transcripts_too_long_to_align_fall_back_to_the_one_closest_to_the_others(monkeypatch):
    monkeypatch.setattr("bytebridge.consensus.rover.MAX_ALIGNED_WORDS", 3)
    texts = ["the quick brown fox", "the quick fox jumps", "the quick brown fox jumps"]

    assert combine(texts, [1, 1, 1]) == "the quick brown fox jumps"  # one edit from each other one
    assert combine(["a b", "c d"], [1, 1]) == "a b"  # short ones are still aligned (a tie: the first's words)


def test_word_error_rate_agrees_with_jiwer():
    rng = random.Random(3)
    words = ["a", "b", "c", "d", "e", "f", "g", "h"]
    for _ in range(200):
        reference = " ".join(rng.choices(words, k=rng.randint(1, 12)))
        hypothesis = " ".join(rng.choices(words, k=rng.randint(0, 12)))
        assert word_error_rate(hypothesis, reference) == pytest.approx(jiwer.wer(reference, hypothesis))


def test_word_similarity_is_one_minus_word_edits_over_the_longer():
    assert word_similarity("a b c d", "a x c d") == 0.75
    assert word_similarity("", "") == 1.0 and word_similarity("a", "") == 0.0


# --- consolidation ------------------------------------------------------------------------------------


def judgments(*answers: dict) -> list[Judgment]:
    return [Judgment(f"w{n}", a) for n, a in enumerate(answers)]


def test_segments_most_annotators_heard_are_kept_with_median_ends_voted_labels_and_roved_text():
    result = consolidate(
        AUDIO,
        judgments(
            answer(seg("speech", 1.0, 3.0, "hello there world"), seg("music", 5, 8)),
            answer(seg("speech", 1.2, 3.1, "hello world"), seg("music", 5.1, 7.9), seg("noise", 9, 9.5)),
            answer(seg("noise", 0.9, 2.8, "hello there word")),  # heard it, called it noise
        ),
        Overlap(min_overlap=3, max_overlap=3),
    )

    assert result.done
    assert result.answer == answer(seg("speech", 1.0, 3.0, "hello there world"), seg("music", 5.0, 7.9))


def test_segments_over_the_same_span_pair_by_label_first():
    """Music under speech: two segments over one span, listed in either order."""
    both = [seg("speech", 1, 5, "hello"), seg("music", 1, 5)]
    result = consolidate(AUDIO, judgments(answer(*both), answer(*both[::-1])), Overlap(min_overlap=2, max_overlap=2))

    # Paired across labels, the music would carry the speech's words (two annotators: the first one's label wins).
    assert result.answer["segments"] == [seg("music", 1.0, 5.0), seg("speech", 1.0, 5.0, "hello")]
    assert result.agreement == pytest.approx(1.0)


def test_a_segment_transcribed_by_less_than_half_its_weight_has_no_transcript():
    result = consolidate(
        AUDIO,
        judgments(answer(seg("speech", 1, 3, "hi")), answer(seg("speech", 1, 3)), answer(seg("speech", 1, 3))),
        Overlap(min_overlap=3, max_overlap=3),
    )
    assert result.answer["segments"] == [seg("speech", 1.0, 3.0, None)]


def test_agreement_counts_the_words_so_disagreeing_transcripts_ask_for_another_annotator():
    same_times = [seg("speech", 1, 3, text) for text in ("call me back later", "call me back later")]
    agreed = consolidate(AUDIO, judgments(*(answer(s) for s in same_times)), Overlap(min_overlap=2, max_overlap=4))
    heard_apart = [seg("speech", 1, 3, t) for t in ("call me back later", "all the tea laughter")]
    apart = consolidate(AUDIO, judgments(*(answer(s) for s in heard_apart)), Overlap(min_overlap=2, max_overlap=4))

    assert agreed.agreement == pytest.approx(1.0) and agreed.done
    assert apart.agreement < 0.7 and not apart.done


def test_the_consolidated_answer_does_not_depend_on_the_order_answers_arrived_in():
    answers = [
        answer(seg("speech", 1.0, 3.0, "one two three"), seg("music", 4, 6)),
        answer(seg("speech", 1.1, 2.9, "one too three"), seg("music", 4.2, 6.1)),
        answer(seg("speech", 0.9, 3.2, "one two tree")),
    ]
    results = {
        str(consolidate(AUDIO, [Judgment(f"w{n}", a) for n, a in order], Overlap(min_overlap=3, max_overlap=3)))
        for order in itertools.permutations(list(enumerate(answers)))
    }
    assert len(results) == 1


def test_gold_matches_need_every_segment_paired_and_transcripts_within_ten_percent():
    gold = answer(seg("speech", 1, 3, "please call me back later today"), seg("music", 4, 6))

    assert matches_gold(
        AUDIO, answer(seg("speech", 1.1, 3, "please call me back later today"), seg("music", 4, 6)), gold
    )
    assert matches_gold(  # one character in 31: within 10%
        AUDIO, answer(seg("speech", 1, 3, "please fall me back later today"), seg("music", 4, 6)), gold
    )
    assert not matches_gold(AUDIO, answer(seg("speech", 1, 3, "please call me back"), seg("music", 4, 6)), gold)
    assert not matches_gold(AUDIO, answer(seg("speech", 1, 3, None), seg("music", 4, 6)), gold)
    assert not matches_gold(AUDIO, answer(seg("speech", 1, 3, "please call me back later today")), gold)
    assert not matches_gold(
        AUDIO, answer(seg("noise", 1, 3, "please call me back later today"), seg("music", 4, 6)), gold
    )
    assert not matches_gold(
        AUDIO, answer(seg("speech", 2.5, 5, "please call me back later today"), seg("music", 4, 6)), gold
    )
