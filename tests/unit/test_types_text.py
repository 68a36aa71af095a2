"""Text entities (text_spans) and OCR regions (ocr_regions): their answer schemas, what a node checks of them, the
conditions a flow can put on them, and how several annotators' answers are consolidated."""

import itertools

import pytest
from pydantic import ValidationError

from bytebridge.annotations import TaskType, dump_answer, parse_answer
from bytebridge.consensus import matches_gold
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.flows.model import Condition, ConditionType, CountOp, TaskNode
from bytebridge.flows.routing import holds
from bytebridge.flows.rules import FlowError, check_flow
from tests.unit.consensus_support import run
from tests.unit.flow_support import edge, end, flow

TEXT = "张伟 met Ann Lee in 北京."  # offsets are code points: 张 is 0, 北京 is [18, 20)


def spans(*marked: tuple[int, int, str], length: int = len(TEXT)) -> dict:
    return {"textLength": length, "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in marked]}


def regions(*drawn: dict) -> dict:
    return {"imageWidth": 200, "imageHeight": 100, "regions": list(drawn)}


def box(x: float, y: float, w: float, h: float, text: str, label: str = "sign") -> dict:
    return {"label": label, "text": text, "x": x, "y": y, "w": w, "h": h}


def quad(points: list[list[float]], text: str, label: str = "sign") -> dict:
    return {"label": label, "text": text, "quad": points}


def entities_node(**fields) -> TaskNode:
    return TaskNode(id="ner", task_type=TaskType.TEXT_SPANS, labels=["PER", "LOC"], **fields)


# ---- schemas --------------------------------------------------------------------------------------------------


def test_span_offsets_count_code_points_so_a_cjk_character_is_one():
    answer = parse_answer(TaskType.TEXT_SPANS, spans((0, 2, "PER"), (18, 20, "LOC")))

    assert [TEXT[s.start : s.end] for s in answer.spans] == ["张伟", "北京"]
    assert dump_answer(answer) == spans((0, 2, "PER"), (18, 20, "LOC"))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (spans((3, 3, "PER")), "not inside"),
        (spans((5, 2, "PER")), "not inside"),
        (spans((18, 22, "LOC")), "not inside the 21-character text"),
        (spans((0, 2, "PER"), (0, 2, "PER")), "given twice"),
        (spans((-1, 2, "PER")), "greater than or equal to 0"),
        ({"spans": []}, "textLength"),
    ],
)
def test_a_span_outside_the_text_empty_or_given_twice_is_refused(payload, message):
    with pytest.raises(ValidationError, match=message):
        parse_answer(TaskType.TEXT_SPANS, payload)


def test_an_ocr_region_is_a_box_or_a_quadrilateral_and_is_stored_without_the_other_shape():
    payload = regions(box(1, 2, 30, 10, "EXIT"), quad([[50, 5], [90, 8], [88, 20], [48, 17]], "出口"))

    assert dump_answer(parse_answer(TaskType.OCR_REGIONS, payload)) == {
        "imageWidth": 200,
        "imageHeight": 100,
        "regions": [
            {"label": "sign", "text": "EXIT", "x": 1.0, "y": 2.0, "w": 30.0, "h": 10.0},
            {"label": "sign", "text": "出口", "quad": [[50.0, 5.0], [90.0, 8.0], [88.0, 20.0], [48.0, 17.0]]},
        ],
    }


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ({"label": "sign", "text": "a", "x": 1, "y": 1, "w": 5}, "x, y, w and h, or a quad"),
        ({**box(1, 1, 5, 5, "a"), "quad": [[0, 0], [1, 0], [1, 1], [0, 1]]}, "not both"),
        (quad([[0, 0], [1, 0], [1, 1]], "a"), "at least 4"),
        (box(190, 1, 20, 5, "a"), "outside the 200x100 image"),
        (quad([[0, 0], [10, 0], [10, 101], [0, 10]], "a"), "outside the 200x100 image"),
    ],
)
def test_an_ocr_region_without_one_whole_shape_inside_the_image_is_refused(region, message):
    with pytest.raises(ValidationError, match=message):
        parse_answer(TaskType.OCR_REGIONS, regions(region))


# ---- what the node checks, and conditions on the answers -----------------------------------------------------


def test_overlapping_spans_are_refused_unless_the_node_allows_them():
    nested = spans((7, 14, "PER"), (11, 14, "PER"))

    with pytest.raises(AnswerError, match="does not allow overlapping spans"):
        check_answer(entities_node(), nested)
    assert check_answer(entities_node(overlapping_spans=True), nested) == nested
    assert check_answer(entities_node(), spans((0, 2, "PER"), (2, 6, "LOC"))) == spans((0, 2, "PER"), (2, 6, "LOC"))


def test_a_span_or_region_with_a_label_the_node_does_not_declare_is_refused():
    ocr = TaskNode(id="read", task_type=TaskType.OCR_REGIONS, labels=["sign"])

    with pytest.raises(AnswerError, match="not a label of this task: 'ORG'"):
        check_answer(entities_node(), spans((0, 2, "ORG")))
    with pytest.raises(AnswerError, match="not a label of this task: 'plate'"):
        check_answer(ocr, regions(box(1, 1, 5, 5, "AB-123", label="plate")))


def test_overlapping_spans_is_a_setting_of_text_span_nodes_only():
    boxes = TaskNode(id="box", task_type=TaskType.RECTANGLE, labels=["cat"], overlapping_spans=True)

    with pytest.raises(FlowError, match="overlappingSpans is for text_spans tasks"):
        check_flow(flow(boxes, end(), edges=[edge("box", "end")]))
    check_flow(flow(entities_node(overlapping_spans=True), end(), edges=[edge("ner", "end")]))


def test_flows_can_route_on_the_entities_and_regions_found():
    found = spans((0, 2, "PER"), (7, 14, "PER"))
    signs = regions(box(1, 1, 5, 5, "EXIT"))
    C = ConditionType

    assert holds(Condition(type=C.LABEL_PRESENT, value="PER"), found)
    assert holds(Condition(type=C.LABEL_ABSENT, value="LOC"), found)
    assert holds(Condition(type=C.SHAPE_COUNT, value="PER", op=CountOp.EQ, count=2), found)
    assert holds(Condition(type=C.SHAPE_COUNT, op=CountOp.GE, count=1), signs)
    assert not holds(Condition(type=C.LABEL_PRESENT, value="plate"), signs)


# ---- text-span consensus ---------------------------------------------------------------------------------------


def test_the_span_most_annotators_marked_exactly_wins_and_a_lone_span_goes():
    result = run(
        "text_spans",
        {
            "a": spans((0, 2, "PER"), (7, 14, "PER"), (18, 20, "LOC")),
            "b": spans((0, 2, "PER"), (7, 10, "PER"), (18, 20, "LOC")),
            "c": spans((0, 2, "PER"), (7, 14, "PER"), (3, 6, "LOC")),
        },
    )

    assert result.answer == spans((0, 2, "PER"), (7, 14, "PER"), (18, 20, "LOC"))


def test_without_an_exact_majority_the_boundaries_are_voted_one_by_one():
    # Three different spans of one entity: starts 7, 7, 11 and ends 14, 10, 14 → [7, 14).
    result = run("text_spans", {"a": spans((7, 14, "PER")), "b": spans((7, 10, "PER")), "c": spans((8, 14, "PER"))})

    assert result.answer == spans((7, 14, "PER"))
    assert not result.done  # no two of them agree exactly: ask another annotator


def test_a_label_the_majority_does_not_give_is_not_consolidated():
    result = run("text_spans", {"a": spans((18, 20, "LOC")), "b": spans((18, 20, "PER")), "c": spans((18, 20, "LOC"))})

    assert result.answer == spans((18, 20, "LOC"))


def test_consolidated_spans_overlap_only_where_annotators_drew_overlaps():
    # No one overlaps, but the boundary votes do: PER ends at 14 (a and b; c and d say 10), LOC starts at 12 (c and
    # d). Of two overlapping consolidated spans the better supported (here equally: the earlier) stays.
    flat = {
        "a": spans((0, 14, "PER"), (14, 30, "LOC"), length=40),
        "b": spans((0, 14, "PER"), (15, 30, "LOC"), length=40),
        "c": spans((0, 10, "PER"), (12, 30, "LOC"), length=40),
        "d": spans((0, 10, "PER"), (12, 30, "LOC"), length=40),
        "e": spans((0, 9, "PER"), (20, 30, "LOC"), length=40),
    }
    nested = {w: spans(*([(7, 14, "PER"), (11, 14, "PER")] if w != "e" else [(7, 14, "PER")])) for w in "abcde"}

    assert run("text_spans", flat, max_overlap=5).answer == spans((0, 14, "PER"), length=40)
    assert run("text_spans", nested, max_overlap=5).answer == spans((7, 14, "PER"), (11, 14, "PER"))


def test_an_answer_about_a_text_of_another_length_gets_no_votes():
    result = run(
        "text_spans",
        {"a": spans((0, 2, "PER")), "b": spans((0, 2, "PER")), "c": spans((0, 2, "PER"), (30, 35, "LOC"), length=40)},
        max_overlap=3,
    )

    assert result.answer == spans((0, 2, "PER"))


def test_span_consensus_does_not_depend_on_the_order_of_the_answers():
    answers = {"a": spans((0, 2, "PER"), (7, 14, "PER")), "b": spans((0, 3, "PER")), "c": spans((0, 2, "PER"))}

    results = {str(run("text_spans", dict(order)).answer) for order in itertools.permutations(answers.items())}

    assert results == {str(spans((0, 2, "PER")))}


def test_agreement_on_spans_is_an_overlap_weighted_f1_and_gold_pairs_every_span():
    agreed = run("text_spans", {w: spans((0, 2, "PER"), (18, 20, "LOC")) for w in "abc"})

    assert agreed.agreement == 1.0 and agreed.done
    assert matches_gold("text_spans", spans((0, 2, "PER"), (7, 13, "PER")), spans((0, 2, "PER"), (7, 14, "PER")))
    assert not matches_gold("text_spans", spans((0, 2, "PER")), spans((0, 2, "PER"), (7, 14, "PER")))
    assert not matches_gold("text_spans", spans((0, 2, "LOC")), spans((0, 2, "PER")))


# ---- OCR-region consensus ----------------------------------------------------------------------------------------


def test_regions_are_matched_by_iou_averaged_and_read_as_the_texts_agree():
    result = run(
        "ocr_regions",
        {
            "a": regions(box(10, 10, 40, 20, "EXIT"), box(100, 50, 30, 10, "SALE")),
            "b": regions(box(12, 10, 40, 20, "EX1T")),
            "c": regions(box(11, 13, 40, 20, "EXIT"), box(150, 80, 20, 10, "noise")),
        },
    )

    (region,) = result.answer["regions"]
    assert region["text"] == "EXIT"
    assert region == {"label": "sign", "text": "EXIT", "x": 11.0, "y": 11.0, "w": 40.0, "h": 20.0}


def test_quadrilaterals_consolidate_to_a_quadrilateral_of_the_mean_corners():
    corners = [[50, 10], [90, 14], [88, 30], [48, 26]]
    shifted = [[x + 3, y] for x, y in corners]

    result = run("ocr_regions", {"a": regions(quad(corners, "出口")), "b": regions(quad(shifted, "出口"))})

    assert result.answer["regions"] == [
        {"label": "sign", "text": "出口", "quad": [[51.5, 10.0], [91.5, 14.0], [89.5, 30.0], [49.5, 26.0]]}
    ]


def test_agreement_on_regions_counts_how_alike_the_texts_read():
    same = run("ocr_regions", {w: regions(box(10, 10, 40, 20, "EXIT")) for w in "abc"})
    read = {"a": "EXIT", "b": "SALE", "c": "OPEN"}
    misread = run("ocr_regions", {w: regions(box(10, 10, 40, 20, text)) for w, text in read.items()})

    assert same.agreement == pytest.approx(1.0) and same.done
    assert misread.agreement < 0.7 and not misread.done


def test_a_gold_ocr_answer_needs_every_region_found_and_read_closely():
    gold = regions(box(10, 10, 40, 20, "EMERGENCY EXIT"))

    assert matches_gold("ocr_regions", regions(box(11, 10, 40, 20, "EMERGENCY EX1T")), gold)
    assert not matches_gold("ocr_regions", regions(box(11, 10, 40, 20, "EXIT")), gold)
    assert not matches_gold("ocr_regions", regions(box(100, 60, 40, 20, "EMERGENCY EXIT")), gold)
