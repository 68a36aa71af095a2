"""Templates (bytebridge.flows.templates): each is valid and routes as its description says; a documented
single-task project becomes a one-node flow."""

import pytest

from bytebridge.annotations import TaskType
from bytebridge.flows.model import CHOICE_TYPES, Flow, TaskNode
from bytebridge.flows.routing import next_edge
from bytebridge.flows.rules import branch_count, check_flow, flow_problems
from bytebridge.flows.templates import (
    DOCUMENTED_NODE,
    END,
    TEMPLATES,
    box_then_review,
    classify_then_box,
    documented_flow,
)
from bytebridge.models.client_api import DOCUMENTED_TASK_TYPES
from tests.unit.flow_support import boxes, chose, problems, walk


def answers(**per_node):
    """An answer function for walk(): per node id, a list of answers by visit (the last one repeats)."""

    def answer(node_id: str, visit: int) -> dict:
        given = per_node[node_id]
        return given[min(visit, len(given) - 1)]

    return answer


def test_the_templates_are_listed_by_name_with_a_description():
    assert list(TEMPLATES)[:2] == ["classify-then-box", "box-then-review"]
    assert "segment-audio" in TEMPLATES
    assert all(description for description, _ in TEMPLATES.values())


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_is_valid_and_survives_its_wire_form(name):
    made = TEMPLATES[name][1]()

    assert check_flow(made) is made
    assert Flow.model_validate(made.dump()) == made


# ---- classify-then-box --------------------------------------------------------------------------------------


def test_classify_then_box_boxes_the_cats():
    path = walk(classify_then_box(), answers(classify=[chose("cat")], box=[boxes("cat", "cat")]))

    assert path == ["classify", "box", "boxed"]


def test_classify_then_box_ends_the_dogs_without_boxes():
    assert walk(classify_then_box(), answers(classify=[chose("dog")])) == ["classify", "other"]


def test_classify_then_box_has_two_branches_and_two_end_nodes():
    made = classify_then_box()

    assert branch_count(made) == 2
    assert {node.id: node.name for node in made.nodes if not isinstance(node, TaskNode)} == {
        "boxed": "cat with boxes",
        "other": "dog",
    }


def test_classify_then_box_asks_about_both_classes_and_boxes_the_positive_one():
    made = classify_then_box()

    assert made.task("classify").question == "Is this a cat or a dog?"
    assert made.task("classify").options == ["cat", "dog"]
    assert made.task("box").task_type is TaskType.RECTANGLE
    assert made.task("box").labels == ["cat"]


def test_classify_then_box_takes_its_classes_and_question():
    made = classify_then_box("car", "bus", "Car or bus?")

    assert check_flow(made) is made
    assert made.task("classify").question == "Car or bus?"
    assert made.task("box").labels == ["car"]
    assert walk(made, answers(classify=[chose("car")], box=[boxes("car")])) == ["classify", "box", "boxed"]
    assert walk(made, answers(classify=[chose("bus")])) == ["classify", "other"]


# ---- box-then-review ----------------------------------------------------------------------------------------


def test_box_then_review_ends_when_the_reviewer_accepts():
    path = walk(box_then_review(), answers(box=[boxes("object")], review=[chose("yes")]))

    assert path == ["box", "review", "end"]


def test_box_then_review_redraws_a_rejection_then_ends_on_acceptance():
    path = walk(box_then_review(), answers(box=[boxes("object")], review=[chose("no"), chose("yes")]))

    assert path == ["box", "review", "box", "review", "end"]


def test_box_then_review_redraws_at_most_twice_then_ends_as_it_is():
    # Given: a reviewer who always rejects
    path = walk(box_then_review(), answers(box=[boxes()], review=[chose("no")]))

    # Then: two redraws, and the third "no" ends the item
    assert path == ["box", "review", "box", "review", "box", "review", "end"]


@pytest.mark.parametrize("redraws", [1, 3])
def test_box_then_review_takes_its_label_and_redraw_limit(redraws):
    made = box_then_review("car", max_redraws=redraws)

    path = walk(made, answers(box=[boxes("car")], review=[chose("no")]))

    assert check_flow(made) is made
    assert made.task("box").labels == ["car"]
    assert path.count("box") == 1 + redraws
    assert path[-1] == "end"


def test_box_then_review_is_one_branch_and_is_bounded_only_by_its_limit():
    made = box_then_review()
    unlimited = made.model_copy(update={"edges": [e.model_copy(update={"max_traversals": None}) for e in made.edges]})

    assert branch_count(made) == 1
    assert problems(unlimited) == {("box", "bounded-loops")}


# ---- the documented single-task projects --------------------------------------------------------------------


@pytest.mark.parametrize("task_type", DOCUMENTED_TASK_TYPES)
def test_a_documented_project_is_its_one_task_then_the_end(task_type):
    made = documented_flow(task_type, "Label it", "Which?", ["a", "b"], "car")

    assert flow_problems(made) == []
    assert made.start == DOCUMENTED_NODE == "task"
    assert [node.id for node in made.nodes] == ["task", END]
    assert [(e.source, e.target, e.condition.type, e.max_traversals) for e in made.edges] == [
        ("task", "end", "always", None)
    ]
    node = made.task("task")
    assert (node.task_type, node.instruction, node.question) == (task_type, "Label it", "Which?")
    assert branch_count(made) == 1


@pytest.mark.parametrize("task_type", sorted(CHOICE_TYPES))
def test_a_documented_choice_project_keeps_its_options_and_drops_its_target(task_type):
    node = documented_flow(task_type, "", "Cat or dog?", ["cat", "dog"], "animal").task("task")

    assert (node.options, node.labels) == (["cat", "dog"], [])


@pytest.mark.parametrize("task_type", [t for t in DOCUMENTED_TASK_TYPES if t not in CHOICE_TYPES])
def test_a_documented_drawing_project_labels_its_target_and_drops_its_options(task_type):
    node = documented_flow(task_type, "", None, ["cat", "dog"], "car").task("task")

    assert (node.options, node.labels) == ([], ["car"])


def test_a_documented_drawing_project_without_a_target_labels_object():
    assert documented_flow("rectangle_frame_select", "", None, [], None).task("task").labels == ["object"]


def test_a_documented_choice_project_without_a_question_breaks_the_node_rules():
    made = documented_flow("single_choice", "", None, ["cat", "dog"], None)

    assert problems(made) == {("task", "node-config")}


def test_an_unknown_task_type_is_refused():
    with pytest.raises(ValueError, match="not_a_type"):
        documented_flow("not_a_type", "", None, [], None)


def test_track_video_tracks_only_clips_where_something_was_seen():
    flow = TEMPLATES["track-video"][1]()
    nothing = {"duration": 5.0, "segments": []}
    seen = {"duration": 5.0, "segments": [{"label": "car", "start": 1.0, "end": 2.0}]}

    assert next_edge(flow, flow.node("events"), nothing, {})[1].target == "empty"
    assert next_edge(flow, flow.node("events"), seen, {})[1].target == "tracks"
