"""check_answer (bytebridge.flows.answers): an answer must fit its task type's schema and what the node
declares; it comes back in stored (camelCase) form, or as an AnswerError saying what is wrong."""

import pytest

from bytebridge.annotations import TaskType
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.flows.model import DRAWING_TYPES, TaskNode
from tests.unit.flow_support import ONE_CAT, SIZE, boxes, choice, chose, drawing

SINGLE = choice("pick", "cat", "dog")
MULTIPLE = choice("tags", "red", "green", "blue", multiple=True)
TEXT = TaskNode(id="read", task_type=TaskType.TRANSCRIPTION)


def rejection(node: TaskNode, payload: object) -> str:
    with pytest.raises(AnswerError) as caught:
        check_answer(node, payload)
    return str(caught.value)


# ---- valid answers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node", "payload"),
    [
        (SINGLE, chose("dog")),
        (MULTIPLE, {"choices": ["red", "blue"]}),
        (MULTIPLE, {"choices": ["green"]}),
        (TEXT, {"text": "hello"}),
        (TEXT, {"text": ""}),
    ],
)
def test_a_fitting_non_drawing_answer_comes_back_as_given(node, payload):
    assert check_answer(node, payload) == payload


@pytest.mark.parametrize("task_type", sorted(DRAWING_TYPES))
def test_a_fitting_drawing_answer_of_every_type_comes_back_as_stored(task_type):
    answer = ONE_CAT[task_type]

    assert check_answer(drawing("draw", "cat", "dog", task_type=task_type), answer) == answer


def test_a_drawing_answer_may_have_no_shapes():
    assert check_answer(drawing("box"), boxes()) == {**SIZE, "boxes": []}


def test_an_answer_given_with_python_names_is_stored_with_camel_case_names():
    payload = {"image_width": 100, "image_height": 80, "boxes": [{"label": "cat", "x": 1, "y": 2, "w": 3, "h": 4}]}

    stored = check_answer(drawing("box"), payload)

    assert stored == {"imageWidth": 100, "imageHeight": 80, "boxes": [{"label": "cat", "x": 1, "y": 2, "w": 3, "h": 4}]}
    assert list(stored) == ["imageWidth", "imageHeight", "boxes"]
    assert isinstance(stored["boxes"][0]["x"], float)  # coordinates are stored as numbers of the schema's type


# ---- what the node declares ---------------------------------------------------------------------------------


def test_a_single_choice_outside_the_options_is_refused():
    assert rejection(SINGLE, chose("cow")) == "not an option of this task: 'cow'"


def test_a_multiple_choice_outside_the_options_is_refused_naming_the_first_stranger():
    assert rejection(MULTIPLE, {"choices": ["red", "pink", "teal"]}) == "not an option of this task: 'pink'"


def test_a_multiple_choice_that_chooses_an_option_twice_is_refused():
    assert rejection(MULTIPLE, {"choices": ["red", "red"]}) == "an option is chosen twice"


@pytest.mark.parametrize("task_type", sorted(DRAWING_TYPES))
def test_a_shape_with_a_label_the_node_does_not_declare_is_refused(task_type):
    assert rejection(drawing("draw", "dog", task_type=task_type), ONE_CAT[task_type]) == (
        "not a label of this task: 'cat'"
    )


def test_one_stray_label_among_declared_ones_is_refused():
    assert rejection(drawing("box", "cat"), boxes("cat", "cat", "dog")) == "not a label of this task: 'dog'"


def test_a_multiple_choice_that_chooses_nothing_fits_the_schema_and_comes_back():
    assert check_answer(MULTIPLE, {"choices": []}) == {"choices": []}


# ---- the task type's schema ---------------------------------------------------------------------------------


def test_a_box_that_leaves_the_image_is_refused_saying_where():
    payload = {**SIZE, "boxes": [{"label": "cat", "x": 90, "y": 10, "w": 20, "h": 5}]}

    message = rejection(drawing("box"), payload)

    assert "point (110.0, 15.0) is outside the 100x80 image" in message


def test_a_polygon_with_two_points_is_refused():
    payload = {**SIZE, "polygons": [{"label": "cat", "points": [[0, 0], [4, 4]]}]}

    assert "a polygon needs at least 3 points" in rejection(drawing("poly", task_type=TaskType.POLYGON), payload)


def test_a_polyline_with_one_point_is_refused():
    payload = {**SIZE, "lines": [{"label": "cat", "points": [[0, 0]]}]}

    assert "a polyline needs at least 2 points" in rejection(drawing("line", task_type=TaskType.STROKE), payload)


def test_a_mask_whose_runs_do_not_cover_the_image_is_refused():
    payload = {**SIZE, "masks": [{"label": "cat", "counts": [0, 10]}]}

    assert "sum to width*height" in rejection(drawing("seg", task_type=TaskType.SEGMENTATION), payload)


@pytest.mark.parametrize(
    ("node", "payload", "message"),
    [
        (SINGLE, {"choice": "cat", "confidence": 1}, "confidence: Extra inputs are not permitted"),
        (drawing("box"), {**boxes("cat"), "note": "x"}, "note: Extra inputs are not permitted"),
        (
            drawing("box"),
            {**SIZE, "boxes": [{"label": "cat", "x": 1, "y": 1, "w": 2, "h": 2, "z": 0}]},
            "boxes.0.z: Extra inputs are not permitted",
        ),
    ],
)
def test_an_unknown_field_is_refused_naming_it(node, payload, message):
    assert rejection(node, payload) == message


@pytest.mark.parametrize(
    ("node", "payload", "message"),
    [
        (SINGLE, {}, "choice: Field required"),
        (SINGLE, {"choices": ["cat"]}, "choice: Field required"),
        (drawing("box"), {"boxes": []}, "imageWidth: Field required"),
        (drawing("box"), {**SIZE, "boxes": [{"label": "cat", "x": -1, "y": 1, "w": 2, "h": 2}]}, "boxes.0.x: "),
        (drawing("box"), {**SIZE, "boxes": [{"label": "cat", "x": 1, "y": 1, "w": 0, "h": 2}]}, "boxes.0.w: "),
        (TEXT, {"text": 5}, "text: Input should be a valid string"),
    ],
)
def test_a_missing_or_malformed_field_is_refused_naming_it(node, payload, message):
    assert rejection(node, payload).startswith(message)


@pytest.mark.parametrize("payload", [["cat"], "cat", None, 3])
def test_an_answer_that_is_not_an_object_is_refused(payload):
    assert rejection(SINGLE, payload) == "answer must be a JSON object"


def test_an_answer_error_is_a_value_error():
    assert issubclass(AnswerError, ValueError)
