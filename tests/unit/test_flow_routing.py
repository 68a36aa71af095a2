"""Routing (bytebridge.flows.routing): which edge an item takes out of a node, given its consolidated answer."""

import pytest

from bytebridge.annotations import parse_answer
from bytebridge.flows.model import DRAWING_TYPES, Condition
from bytebridge.flows.routing import holds, next_edge, shapes
from tests.unit.flow_support import ONE_CAT, C, boxes, choice, chose, drawing, edge, end, flow


def condition(kind, value=None, **fields) -> Condition:
    return Condition(type=kind, value=value, **fields)


# ---- conditions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [chose("cat"), {"choices": []}, boxes(), {"text": "hi"}, {}])
def test_always_holds_on_any_answer(answer):
    assert holds(condition(C.ALWAYS), answer)


def test_option_chosen_on_a_single_choice_holds_for_the_chosen_option_only():
    assert holds(condition(C.OPTION_CHOSEN, "cat"), chose("cat"))
    assert not holds(condition(C.OPTION_CHOSEN, "dog"), chose("cat"))


def test_option_chosen_on_a_multiple_choice_holds_for_each_chosen_option():
    answer = {"choices": ["a", "c"]}

    assert holds(condition(C.OPTION_CHOSEN, "a"), answer)
    assert holds(condition(C.OPTION_CHOSEN, "c"), answer)
    assert not holds(condition(C.OPTION_CHOSEN, "b"), answer)


def test_option_chosen_holds_for_no_option_when_nothing_was_chosen():
    assert not holds(condition(C.OPTION_CHOSEN, "a"), {"choices": []})


def test_label_present_and_absent_read_the_labels_of_the_boxes():
    answer = boxes("cat", "dog")

    assert holds(condition(C.LABEL_PRESENT, "cat"), answer)
    assert not holds(condition(C.LABEL_ABSENT, "cat"), answer)
    assert not holds(condition(C.LABEL_PRESENT, "bird"), answer)
    assert holds(condition(C.LABEL_ABSENT, "bird"), answer)


def test_with_no_boxes_every_label_is_absent():
    assert not holds(condition(C.LABEL_PRESENT, "cat"), boxes())
    assert holds(condition(C.LABEL_ABSENT, "cat"), boxes())


def test_every_drawing_type_has_a_sample():
    assert set(ONE_CAT) == DRAWING_TYPES


@pytest.mark.parametrize("task_type", list(ONE_CAT))
def test_the_shapes_of_every_drawing_family_carry_their_labels(task_type):
    answer = ONE_CAT[task_type]
    parse_answer(task_type, answer)  # a real answer of that type

    assert [shape["label"] for shape in shapes(answer)] == ["cat"]
    assert holds(condition(C.LABEL_PRESENT, "cat"), answer)
    assert holds(condition(C.SHAPE_COUNT, op="eq", count=1), answer)


@pytest.mark.parametrize("answer", [chose("cat"), {"choices": ["cat"]}, {"text": "cat"}])
def test_a_non_drawing_answer_has_no_shapes(answer):
    assert shapes(answer) == []


@pytest.mark.parametrize(
    ("op", "count", "value", "expected"),
    [
        ("eq", 2, "cat", True),
        ("eq", 3, None, True),
        ("eq", 3, "cat", False),
        ("ne", 2, "cat", False),
        ("ne", 2, None, True),
        ("lt", 3, "cat", True),
        ("lt", 2, "cat", False),
        ("le", 2, "cat", True),
        ("le", 2, None, False),
        ("gt", 2, None, True),
        ("gt", 3, None, False),
        ("ge", 3, None, True),
        ("ge", 3, "cat", False),
        ("eq", 0, "bird", True),
        ("ge", 1, "dog", True),
    ],
)
def test_shape_count_counts_all_shapes_or_those_with_the_label(op, count, value, expected):
    # Given: two cats and a dog (three shapes)
    answer = boxes("cat", "cat", "dog")

    assert holds(condition(C.SHAPE_COUNT, value, op=op, count=count), answer) is expected


def test_shape_count_of_no_shapes_is_zero():
    assert holds(condition(C.SHAPE_COUNT, op="eq", count=0), boxes())
    assert not holds(condition(C.SHAPE_COUNT, op="gt", count=0), boxes())


# ---- next_edge ----------------------------------------------------------------------------------------------


def _review(*, limit: int | None = 2, always_first: bool = False):
    """edges[0] leaves another node, so the indices are of the whole list, not of the node's edges."""
    redraw = edge("review", "box", C.OPTION_CHOSEN, "no", max_traversals=limit)
    onwards = edge("review", "end")
    return flow(
        drawing("box"),
        choice("review"),
        end(),
        edges=[edge("box", "review"), *([onwards, redraw] if always_first else [redraw, onwards])],
        start="box",
    )


def test_the_first_edge_whose_condition_holds_is_taken_with_its_index_in_the_flow():
    subject = _review()

    assert next_edge(subject, subject.task("review"), chose("no"), {}) == (1, subject.edges[1])
    assert next_edge(subject, subject.task("review"), chose("yes"), {}) == (2, subject.edges[2])


def test_edges_are_tried_in_the_order_listed():
    # Given: the always edge listed before the optionChosen one
    subject = _review(always_first=True)

    # Then: it is taken even when the later edge would hold too
    assert next_edge(subject, subject.task("review"), chose("no"), {}) == (1, subject.edges[1])


def test_an_edge_is_taken_while_its_traversals_are_below_its_limit():
    subject = _review(limit=2)

    assert next_edge(subject, subject.task("review"), chose("no"), {"1": 1})[0] == 1


def test_a_used_up_edge_is_skipped_and_the_next_that_holds_is_taken():
    subject = _review(limit=2)

    assert next_edge(subject, subject.task("review"), chose("no"), {"1": 2})[0] == 2
    assert next_edge(subject, subject.task("review"), chose("no"), {"1": 5})[0] == 2


def test_traversals_of_other_edges_do_not_use_up_an_edge():
    subject = _review(limit=1)

    assert next_edge(subject, subject.task("review"), chose("no"), {"0": 3, "2": 3})[0] == 1


def test_an_edge_without_a_limit_is_never_used_up():
    subject = _review(limit=None)

    assert next_edge(subject, subject.task("review"), chose("no"), {"1": 10_000})[0] == 1


def test_only_the_nodes_own_edges_are_tried():
    subject = _review()

    assert next_edge(subject, subject.task("box"), boxes("cat"), {}) == (0, subject.edges[0])


def test_no_edge_that_fits_is_a_lookup_error_naming_the_node():
    # Given: a flow the rules would refuse (no way on when "no" is chosen)
    subject = flow(choice("ask"), end(), edges=[edge("ask", "end", C.OPTION_CHOSEN, "yes")])

    with pytest.raises(LookupError, match="no edge out of ask fits the answer"):
        next_edge(subject, subject.task("ask"), chose("no"), {})


def test_only_used_up_edges_that_fit_is_a_lookup_error():
    subject = flow(choice("ask"), end(), edges=[edge("ask", "end", max_traversals=1)])

    with pytest.raises(LookupError):
        next_edge(subject, subject.task("ask"), chose("yes"), {"0": 1})


def test_labelled_routing_on_a_drawing_node():
    subject = flow(
        drawing("box", "cat", "dog"),
        end("crowd"),
        end("dogs"),
        end("rest"),
        edges=[
            edge("box", "crowd", C.SHAPE_COUNT, op="ge", count=3),
            edge("box", "dogs", C.LABEL_PRESENT, "dog"),
            edge("box", "rest"),
        ],
    )
    node = subject.task("box")

    assert next_edge(subject, node, boxes("cat", "cat", "cat"), {})[1].target == "crowd"
    assert next_edge(subject, node, boxes("cat", "dog"), {})[1].target == "dogs"
    assert next_edge(subject, node, boxes("cat"), {})[1].target == "rest"
    assert next_edge(subject, node, boxes(), {})[1].target == "rest"
