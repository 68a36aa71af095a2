"""The graph rules of a task flow (bytebridge.flows.rules): each problem names where it is and which rule."""

import pytest

from bytebridge.annotations import TaskType
from bytebridge.flows.model import CHOICE_TYPES, DRAWING_TYPES, MAX_BRANCHES, EndNode, TaskNode
from bytebridge.flows.rules import FlowError, FlowProblem, branch_count, check_flow, flow_problems
from tests.unit.flow_support import C, choice, drawing, edge, end, fan_out, flow, linear, problems, stages


def _well_configured(task_type: TaskType) -> TaskNode:
    if task_type in CHOICE_TYPES:
        return TaskNode(id="task", task_type=task_type, question="Which?", options=["a", "b"])
    if task_type in DRAWING_TYPES:
        skeleton = {"preset": "coco-person"} if task_type == TaskType.SKELETON else None
        return TaskNode(id="task", task_type=task_type, labels=["cat"], skeleton=skeleton)
    return TaskNode(id="task", task_type=task_type)


# ---- valid flows --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("task_type", list(TaskType))
def test_a_well_configured_task_of_every_type_then_the_end_is_valid(task_type):
    subject = flow(_well_configured(task_type), end(), edges=[edge("task", "end")])

    assert flow_problems(subject) == []
    assert check_flow(subject) is subject
    assert branch_count(subject) == 1


def test_a_flow_with_several_end_nodes_is_valid_and_counts_one_branch_per_path():
    # Given: a classification whose answers end in three ways, one of them after boxes
    subject = flow(
        choice("kind", "cat", "dog", "none"),
        drawing("box", "cat"),
        end("cat_boxed"),
        end("cat_missed"),
        end("dog"),
        end("nothing"),
        edges=[
            edge("kind", "box", C.OPTION_CHOSEN, "cat"),
            edge("kind", "dog", C.OPTION_CHOSEN, "dog"),
            edge("kind", "nothing", C.OPTION_CHOSEN, "none"),
            edge("box", "cat_boxed", C.LABEL_PRESENT, "cat"),
            edge("box", "cat_missed", C.LABEL_ABSENT, "cat"),
        ],
    )

    # Then: one optionChosen per option and labelPresent + labelAbsent of one label are exhaustive
    assert flow_problems(subject) == []
    assert branch_count(subject) == 4


def test_a_loop_bounded_by_max_traversals_is_valid_and_its_limited_edge_adds_no_branch():
    subject = flow(
        drawing("box"),
        choice("review"),
        end(),
        edges=[
            edge("box", "review"),
            edge("review", "box", C.OPTION_CHOSEN, "no", max_traversals=2),
            edge("review", "end"),
        ],
    )

    assert flow_problems(subject) == []
    assert branch_count(subject) == 1


def test_a_bounded_self_loop_is_valid():
    subject = flow(
        choice("ask"),
        end(),
        edges=[edge("ask", "ask", C.OPTION_CHOSEN, "no", max_traversals=3), edge("ask", "end")],
    )

    assert flow_problems(subject) == []


def test_conditions_that_suit_their_source_are_valid():
    subject = flow(
        drawing("box", "cat", "dog"),
        end("many"),
        end("some_dog"),
        end("rest"),
        edges=[
            edge("box", "many", C.SHAPE_COUNT, op="gt", count=3),
            edge("box", "some_dog", C.SHAPE_COUNT, "dog", op="ge", count=1),
            edge("box", "some_dog", C.LABEL_PRESENT, "dog"),
            edge("box", "rest"),
        ],
    )

    assert flow_problems(subject) == []


def test_an_always_edge_after_option_edges_makes_a_multiple_choice_exhaustive():
    subject = flow(
        choice("tags", "a", "b", multiple=True),
        end("a"),
        end("rest"),
        edges=[edge("tags", "a", C.OPTION_CHOSEN, "a"), edge("tags", "rest")],
    )

    assert flow_problems(subject) == []


def test_parallel_edges_to_one_end_node_are_separate_branches():
    subject = flow(
        choice("pick"),
        end(),
        edges=[edge("pick", "end", C.OPTION_CHOSEN, "yes"), edge("pick", "end", C.OPTION_CHOSEN, "no")],
    )

    assert flow_problems(subject) == []
    assert branch_count(subject) == 2


# ---- structural rules ---------------------------------------------------------------------------------------


def test_two_nodes_with_one_id_are_reported_once_under_that_id():
    subject = flow(drawing("box"), drawing("box", "dog"), end(), edges=[edge("box", "end")])

    assert [(p.where, p.rule) for p in flow_problems(subject)] == [("box", "unique-ids")]


def test_a_start_that_names_no_node_is_reported():
    subject = flow(drawing("box"), end(), edges=[edge("box", "end")], start="nowhere")

    assert problems(subject) == {("nowhere", "start")}


def test_a_flow_that_starts_at_an_end_node_is_reported():
    subject = flow(drawing("box"), end(), edges=[edge("box", "end")], start="end")

    assert problems(subject) == {("end", "start")}


def test_a_flow_without_an_end_node_is_reported_under_nodes():
    # Given: two tasks and no end node (the dangling second task is a later check's business)
    subject = flow(drawing("a"), drawing("b"), edges=[edge("a", "b")])

    assert problems(subject) == {("nodes", "branches")}


@pytest.mark.parametrize(
    ("source", "target", "unknown"),
    [("box", "ghost", ["'ghost'"]), ("ghost", "end", ["'ghost'"]), ("ghost", "phantom", ["'ghost'", "'phantom'"])],
)
def test_an_edge_to_or_from_an_unknown_node_is_reported_under_the_edge(source, target, unknown):
    subject = flow(drawing("box"), end(), edges=[edge("box", "end"), edge(source, target)])

    reported = flow_problems(subject)

    assert [(p.where, p.rule) for p in reported] == [("edges[1]", "edge-ends")] * len(unknown)
    assert [p.message.split()[0] for p in reported] == unknown


def test_an_edge_leaving_an_end_node_is_reported_under_the_edge():
    subject = flow(drawing("box"), end(), edges=[edge("box", "end"), edge("end", "box")])

    reported = flow_problems(subject)

    assert [(p.where, p.rule) for p in reported] == [("edges[1]", "edge-ends")]
    assert "end is an end node: it has no outgoing edges" in reported[0].message


def _choice_source(value_edge):
    return flow(choice("pick", "cat", "dog"), end(), edges=[value_edge, edge("pick", "end")])


def _drawing_source(value_edge):
    return flow(drawing("pick", "cat"), end(), edges=[value_edge, edge("pick", "end")])


@pytest.mark.parametrize(
    ("build", "bad_edge", "says"),
    [
        (_choice_source, edge("pick", "end", C.ALWAYS, "cat"), "takes no value"),
        (_drawing_source, edge("pick", "end", C.ALWAYS, op="eq"), "takes no value, op or count"),
        (_drawing_source, edge("pick", "end", C.ALWAYS, count=1), "takes no value, op or count"),
        (_choice_source, edge("pick", "end", C.OPTION_CHOSEN, "cow"), "'cow', which is not an option of pick"),
        (_choice_source, edge("pick", "end", C.OPTION_CHOSEN), "None, which is not an option"),
        (_drawing_source, edge("pick", "end", C.OPTION_CHOSEN, "cat"), "optionChosen needs a choice task"),
        (_choice_source, edge("pick", "end", C.LABEL_PRESENT, "cat"), "labelPresent needs a drawing task"),
        (_choice_source, edge("pick", "end", C.LABEL_ABSENT, "cat"), "labelAbsent needs a drawing task"),
        (_choice_source, edge("pick", "end", C.SHAPE_COUNT, op="eq", count=1), "shapeCount needs a drawing task"),
        (_drawing_source, edge("pick", "end", C.LABEL_PRESENT, "dog"), "'dog', which is not a label of pick"),
        (_drawing_source, edge("pick", "end", C.LABEL_ABSENT), "None, which is not a label"),
        (_drawing_source, edge("pick", "end", C.SHAPE_COUNT, count=1), "shapeCount needs op and count"),
        (_drawing_source, edge("pick", "end", C.SHAPE_COUNT, op="ge"), "shapeCount needs op and count"),
        (_drawing_source, edge("pick", "end", C.SHAPE_COUNT, "dog", op="ge", count=1), "'dog', which is not a label"),
    ],
)
def test_a_condition_that_does_not_suit_its_source_is_reported_under_the_edge(build, bad_edge, says):
    reported = flow_problems(build(bad_edge))

    assert [(p.where, p.rule) for p in reported] == [("edges[0]", "condition")]
    assert says in reported[0].message


@pytest.mark.parametrize(
    ("node", "says"),
    [
        (choice("task", "only"), "needs at least two options"),
        (choice("task", "a", "a"), "options must be unique"),
        (choice("task", " a", "a "), "options must be unique"),  # labels and options are stripped first
        (choice("task", "a", "b", question=None), "needs a question"),
        (choice("task", "a", "b", question=""), "needs a question"),
        (choice("task", "a", "b", multiple=True, question=None), "multiple_choice task needs a question"),
        (choice("task", "a", "b", labels=["cat"]), "labels are for drawing tasks, not single_choice"),
        (drawing("task", "cat", options=["a", "b"]), "options are for choice tasks"),
        (TaskNode(id="task", task_type=TaskType.POLYGON), "needs at least one label"),
        (drawing("task", "cat", "cat", task_type=TaskType.SEGMENTATION), "labels must be unique"),
        (TaskNode(id="task", task_type=TaskType.TRANSCRIPTION, labels=["x"]), "labels are for drawing tasks"),
        (TaskNode(id="task", task_type=TaskType.TRANSCRIPTION, options=["x", "y"]), "options are for choice tasks"),
    ],
)
def test_a_task_node_without_what_its_type_needs_is_reported_under_the_node(node, says):
    reported = flow_problems(flow(node, end(), edges=[edge("task", "end")]))

    assert [(p.where, p.rule) for p in reported] == [("task", "node-config")]
    assert says in reported[0].message


# ---- graph rules --------------------------------------------------------------------------------------------


def test_an_unreachable_end_node_is_reported():
    subject = flow(drawing("box"), end(), end("orphan"), edges=[edge("box", "end")])

    assert problems(subject) == {("orphan", "reachable")}


def test_an_unreachable_task_node_is_reported_even_if_its_own_edges_are_fine():
    subject = flow(drawing("box"), drawing("island"), end(), edges=[edge("box", "end"), edge("island", "end")])

    reported = flow_problems(subject)

    assert [(p.where, p.rule) for p in reported] == [("island", "reachable")]
    assert reported[0].message == "no path from box leads here"


def test_a_node_reached_only_through_a_limited_edge_counts_as_reachable():
    subject = flow(
        choice("ask"),
        drawing("extra"),
        end(),
        edges=[
            edge("ask", "extra", C.OPTION_CHOSEN, "yes", max_traversals=1),
            edge("ask", "end"),
            edge("extra", "end"),
        ],
    )

    assert flow_problems(subject) == []
    assert branch_count(subject) == 1


def test_a_task_node_without_outgoing_edges_is_reported():
    subject = flow(choice("ask"), drawing("box"), end(), edges=[edge("ask", "box"), edge("ask", "end")])

    reported = flow_problems(subject)

    assert [(p.where, p.rule) for p in reported] == [("box", "exhaustive")]
    assert reported[0].message == "a task node needs an outgoing edge"


@pytest.mark.parametrize(
    ("node", "edges"),
    [
        (choice("ask"), [edge("ask", "end", C.OPTION_CHOSEN, "yes")]),
        (
            choice("ask"),
            [edge("ask", "end", C.OPTION_CHOSEN, "yes"), edge("ask", "end", C.OPTION_CHOSEN, "no", max_traversals=2)],
        ),
        (choice("ask"), [edge("ask", "end", max_traversals=1)]),
        (
            choice("ask", multiple=True),
            [edge("ask", "end", C.OPTION_CHOSEN, "yes"), edge("ask", "end", C.OPTION_CHOSEN, "no")],
        ),
        (drawing("ask", "cat"), [edge("ask", "end", C.LABEL_PRESENT, "cat")]),
        (
            drawing("ask", "cat", "dog"),
            [edge("ask", "end", C.LABEL_PRESENT, "cat"), edge("ask", "end", C.LABEL_ABSENT, "dog")],
        ),
        (
            drawing("ask", "cat"),
            [
                edge("ask", "end", C.LABEL_PRESENT, "cat"),
                edge("ask", "end", C.LABEL_ABSENT, "cat", max_traversals=1),
            ],
        ),
        (
            drawing("ask", "cat"),
            [
                edge("ask", "end", C.SHAPE_COUNT, op="ge", count=1),
                edge("ask", "end", C.SHAPE_COUNT, op="lt", count=1),
            ],
        ),
    ],
    ids=[
        "one option of two",
        "second option limited",
        "always limited",
        "every option of a multiple choice",
        "labelPresent alone",
        "present and absent of different labels",
        "labelAbsent limited",
        "complementary shape counts",
    ],
)
def test_edges_that_leave_some_answer_without_a_way_on_are_reported(node, edges):
    reported = flow_problems(flow(node, end(), edges=edges))

    assert [(p.where, p.rule) for p in reported] == [("ask", "exhaustive")]
    assert "some answers match no edge" in reported[0].message


def test_an_unbounded_loop_is_reported_at_its_first_node_with_the_cycle():
    # Given: box-then-review without the limit on the redraw edge
    subject = flow(
        drawing("box"),
        choice("review"),
        end(),
        edges=[edge("box", "review"), edge("review", "box", C.OPTION_CHOSEN, "no"), edge("review", "end")],
    )

    reported = flow_problems(subject)

    assert [(p.where, p.rule) for p in reported] == [("box", "bounded-loops")]
    assert "box -> review -> box" in reported[0].message
    assert "maxTraversals" in reported[0].message


def test_an_unbounded_self_loop_is_reported():
    subject = flow(choice("ask"), end(), edges=[edge("ask", "ask", C.OPTION_CHOSEN, "no"), edge("ask", "end")])

    assert problems(subject) == {("ask", "bounded-loops")}


def test_a_loop_is_bounded_when_any_one_of_its_edges_is_limited():
    subject = flow(
        drawing("a"),
        drawing("b"),
        choice("c"),
        end(),
        edges=[
            edge("a", "b", max_traversals=5),
            edge("a", "end"),
            edge("b", "c"),
            edge("c", "a", C.OPTION_CHOSEN, "no"),
            edge("c", "end"),
        ],
    )

    assert flow_problems(subject) == []


# ---- branches -----------------------------------------------------------------------------------------------


def test_exactly_99_branches_to_99_end_nodes_pass():
    subject = fan_out(MAX_BRANCHES)

    assert flow_problems(subject) == []
    assert branch_count(subject) == 99


def test_100_branches_to_100_end_nodes_fail_at_the_start_node():
    reported = flow_problems(fan_out(MAX_BRANCHES + 1))

    assert [(p.where, p.rule) for p in reported] == [("pick", "branches")]
    assert reported[0].message == "100 branches; a flow has 1-99"


@pytest.mark.parametrize(
    ("widths", "branches"), [((9, 11), 99), ((3, 3, 11), 99), ((10, 10), 100), ((2,) * 7, 128), ((2,) * 6, 64)]
)
def test_branches_are_paths_so_choices_in_a_row_multiply_them(widths, branches):
    # Given: single choices in a row, all options leading on, one end node
    subject = stages(*widths)
    assert sum(isinstance(node, EndNode) for node in subject.nodes) == 1

    # Then: the count is the product of the widths, and only up to 99 is allowed
    assert branch_count(subject) == branches
    assert problems(subject) == (set() if branches <= MAX_BRANCHES else {("s0", "branches")})


# ---- several problems, and which checks run -----------------------------------------------------------------


def test_every_structural_problem_is_reported_at_once():
    subject = flow(
        drawing("box", "cat", options=["a", "b"]),
        drawing("box"),
        choice("pick", "only"),
        end(),
        edges=[edge("box", "end"), edge("pick", "ghost"), edge("end", "box"), edge("box", "end", C.OPTION_CHOSEN, "a")],
        start="nowhere",
    )

    assert problems(subject) == {
        ("box", "unique-ids"),
        ("nowhere", "start"),
        ("edges[1]", "edge-ends"),
        ("edges[2]", "edge-ends"),
        ("edges[3]", "condition"),
        ("box", "node-config"),
        ("pick", "node-config"),
    }


def test_structural_problems_stop_the_graph_checks():
    # Given: an unknown edge target, plus an unreachable node, a dead end and an unbounded loop
    subject = flow(
        choice("ask"),
        drawing("dead_end"),
        end(),
        end("orphan"),
        edges=[
            edge("ask", "ask", C.OPTION_CHOSEN, "no"),
            edge("ask", "dead_end", C.OPTION_CHOSEN, "yes"),
            edge("ask", "ghost"),
        ],
    )

    # Then: only the structural problem is reported
    assert problems(subject) == {("edges[2]", "edge-ends")}


def test_a_node_config_problem_stops_the_graph_checks():
    subject = flow(choice("ask", "only"), end(), end("orphan"), edges=[edge("ask", "end")])

    assert problems(subject) == {("ask", "node-config")}


def test_every_graph_problem_is_reported_at_once():
    subject = flow(
        choice("ask"),
        drawing("box"),
        drawing("dead_end"),
        end(),
        end("orphan"),
        edges=[
            edge("ask", "box", C.OPTION_CHOSEN, "yes"),
            edge("ask", "dead_end", C.OPTION_CHOSEN, "no"),
            edge("box", "ask"),
        ],
    )

    assert problems(subject) == {
        ("end", "reachable"),
        ("orphan", "reachable"),
        ("dead_end", "exhaustive"),
        ("ask", "bounded-loops"),
    }


def test_graph_problems_stop_the_branch_count():
    # Given: 100 branches and an unreachable end node
    many = fan_out(MAX_BRANCHES + 1)
    subject = many.model_copy(update={"nodes": [*many.nodes, end("orphan")]})

    assert problems(subject) == {("orphan", "reachable")}


# ---- check_flow ---------------------------------------------------------------------------------------------


def test_check_flow_returns_a_valid_flow():
    subject = linear()

    assert check_flow(subject) is subject


def test_check_flow_raises_every_problem_with_where_message_and_rule():
    subject = flow(drawing("box", "cat", "cat"), end(), end("orphan"), edges=[edge("box", "end"), edge("x", "end")])

    with pytest.raises(FlowError) as caught:
        check_flow(subject)

    assert caught.value.problems == flow_problems(subject)
    assert len(caught.value.problems) == 2
    assert str(caught.value) == "edges[1]: 'x' is not a node (edge-ends); box: labels must be unique (node-config)"
    assert isinstance(caught.value, ValueError)


def test_a_problem_reads_where_message_rule():
    assert str(FlowProblem("edges[3]", "condition", "bad")) == "edges[3]: bad (condition)"
