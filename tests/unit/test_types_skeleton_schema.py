"""Keypoint skeletons: the skeleton a node defines (presets included), the answer schema, what check_answer
stores, the flow rules of a skeleton node and conditions on its answers."""

import pytest
from pydantic import ValidationError

from bytebridge.annotations import TaskType, parse_answer
from bytebridge.annotations.skeleton import COCO_PERSON, DEFAULT_SIGMA, Skeleton
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.flows.model import TaskNode
from bytebridge.flows.routing import holds
from bytebridge.flows.rules import flow_problems
from bytebridge.models.worker_api import AssignmentView
from tests.unit.flow_support import C, edge, end, flow

SIZE = {"imageWidth": 200, "imageHeight": 100}
ARM = {"keypoints": ["shoulder", "elbow", "wrist"], "edges": [[1, 2], [2, 3]]}


def node(**fields) -> TaskNode:
    defaults = {"id": "pose", "task_type": TaskType.SKELETON, "labels": ["arm"], "skeleton": ARM}
    return TaskNode(**(defaults | fields))


def arm(*keypoints, label="arm", bbox=None) -> dict:
    return {"label": label, "keypoints": [list(k) for k in keypoints], "bbox": bbox}


def answer(*instances, **fields) -> dict:
    return {**SIZE, "instances": list(instances), **fields}


def rejection(payload, subject=None) -> str:
    with pytest.raises(AnswerError) as caught:
        check_answer(subject or node(), payload)
    return str(caught.value)


# ---- the skeleton ------------------------------------------------------------------------------------------


def test_the_coco_person_preset_is_cocos_17_keypoints_19_bones_and_oks_sigmas():
    person = Skeleton.model_validate({"preset": "coco-person"})

    assert person == COCO_PERSON
    assert len(person.keypoints) == len(person.sigmas) == 17
    assert person.keypoints[0] == "nose" and person.keypoints[-1] == "right_ankle"
    assert len(person.edges) == 19 and person.edges[0] == (16, 14)
    assert person.sigmas[0] == 0.026 and person.sigmas[11] == 0.107  # nose, left hip


def test_a_skeleton_without_sigmas_gets_cocos_mean_sigma_for_each_keypoint():
    assert Skeleton.model_validate(ARM).sigmas == [DEFAULT_SIGMA] * 3


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"keypoints": ["a", "a"]}, "keypoint names must be unique"),
        ({"keypoints": ["a", "b"], "edges": [[1, 3]]}, "edge [1, 3] must join two different keypoints numbered 1-2"),
        ({"keypoints": ["a", "b"], "edges": [[0, 1]]}, "edge [0, 1] must join two different keypoints"),
        ({"keypoints": ["a", "b"], "edges": [[2, 2]]}, "edge [2, 2] must join two different keypoints"),
        ({"keypoints": ["a", "b"], "edges": [[1, 2], [2, 1]]}, "edge [2, 1] is listed twice"),
        ({"keypoints": ["a", "b"], "sigmas": [0.1]}, "sigmas: one per keypoint (2), got 1"),
        ({"keypoints": []}, "at least 1 item"),
        ({"preset": "coco-horse"}, "unknown skeleton preset 'coco-horse': coco-person"),
        ({"preset": "coco-person", "keypoints": ["a"]}, "a preset skeleton takes no other field"),
    ],
)
def test_a_skeleton_that_makes_no_sense_is_refused_saying_why(definition, message):
    with pytest.raises(ValidationError) as caught:
        Skeleton.model_validate(definition)

    assert message in str(caught.value)


# ---- answers -----------------------------------------------------------------------------------------------


def test_an_answer_is_stored_with_the_nodes_skeleton_in_it():
    given = answer(arm((10, 20, 2), (30, 40, 1), (0, 0, 0), bbox=[5, 5, 50, 50]))

    stored = check_answer(node(), given)

    assert stored["skeleton"] == {**ARM, "name": "", "edges": [[1, 2], [2, 3]], "sigmas": [DEFAULT_SIGMA] * 3}
    assert stored["instances"] == [
        {"label": "arm", "keypoints": [[10, 20, 2], [30, 40, 1], [0, 0, 0]], "bbox": [5, 5, 50, 50]}
    ]
    assert check_answer(node(), stored) == stored  # sent back as received: the same


def test_an_answer_may_name_the_preset_its_node_uses():
    person = node(labels=["person"], skeleton={"preset": "coco-person"})
    given = answer(arm(*[(1, 1, 2)] * 17, label="person"), skeleton={"preset": "coco-person"})

    assert check_answer(person, given)["skeleton"]["keypoints"] == list(COCO_PERSON.keypoints)


def test_an_answer_drawn_against_another_skeleton_is_refused():
    other = {"keypoints": ["shoulder", "elbow", "hand"], "edges": [[1, 2], [2, 3]]}

    assert rejection(answer(arm((1, 1, 2), (2, 2, 2), (3, 3, 2)), skeleton=other)) == (
        "skeleton: not this task's skeleton (leave it out: the task's is used)"
    )


@pytest.mark.parametrize(
    ("instance", "message"),
    [
        (arm((1, 1, 2), (2, 2, 2)), "instance 0 ('arm'): one [x, y, v] per skeleton keypoint (3), got 2"),
        (arm((0, 0, 0), (0, 0, 0), (0, 0, 0)), "instance 0 ('arm'): no keypoint is labeled (v = 1 or 2)"),
        (arm((1, 1, 2), (5, 5, 0), (3, 3, 2)), "a keypoint that is not labeled (v = 0) must be at x = y = 0"),
        (arm((1, 1, 2), (201, 5, 2), (3, 3, 2)), "point (201.0, 5.0) is outside the 200x100 image"),
        (arm((1, 1, 2), (2, 2, 2), (3, 3, 2), bbox=[150, 50, 60, 10]), "point (210.0, 60.0) is outside"),
        (arm((1, 1, 3), (2, 2, 2), (3, 3, 2)), "instances.0.keypoints.0.2: Input should be 0, 1 or 2"),
        (arm((1, -1, 2), (2, 2, 2), (3, 3, 2)), "greater than or equal to 0"),
        (arm((1, 1, 2), (2, 2, 2), (3, 3, 2), bbox=[1, 1, 0, 5]), "greater than 0"),
    ],
)
def test_an_instance_that_does_not_fit_the_skeleton_or_the_image_is_refused(instance, message):
    assert message in rejection(answer(instance))


def test_an_instance_of_a_label_the_node_does_not_declare_is_refused():
    assert rejection(answer(arm((1, 1, 2), (2, 2, 2), (3, 3, 2), label="leg"))) == "not a label of this task: 'leg'"


def test_the_answer_model_alone_needs_the_skeleton():
    with pytest.raises(ValidationError, match="skeleton"):
        parse_answer(TaskType.SKELETON, answer(arm((1, 1, 2), (2, 2, 2), (3, 3, 2))))


# ---- the node in a flow, and its assignment ----------------------------------------------------------------


def test_a_skeleton_node_needs_a_skeleton_and_no_other_node_takes_one():
    bare = TaskNode(id="pose", task_type=TaskType.SKELETON, labels=["arm"])
    boxes = TaskNode(id="pose", task_type=TaskType.RECTANGLE, labels=["arm"], skeleton=ARM)

    for subject in (bare, boxes):
        (problem,) = flow_problems(flow(subject, end(), edges=[edge("pose", "end")]))
        assert (problem.where, problem.rule) == ("pose", "node-config")
        assert problem.message == "a keypoint_skeleton task needs a skeleton, and only it takes one"
    assert flow_problems(flow(node(), end(), edges=[edge("pose", "end")])) == []


def test_the_flow_stores_the_preset_spelled_out():
    dumped = flow(node(skeleton={"preset": "coco-person"}), end(), edges=[edge("pose", "end")]).dump()

    assert dumped["nodes"][0]["skeleton"] == COCO_PERSON.model_dump(mode="json")
    boxes = node(task_type=TaskType.RECTANGLE, skeleton=None)
    assert "skeleton" not in flow(boxes, end(), edges=[edge("pose", "end")]).dump()["nodes"][0]


def test_conditions_count_and_find_the_instances_by_label():
    both = answer(arm((1, 1, 2), (2, 2, 2), (3, 3, 2)), arm((4, 4, 1), (0, 0, 0), (0, 0, 0)))
    two = check_answer(node(labels=["arm", "leg"]), both)

    assert holds(edge("pose", "end", C.LABEL_PRESENT, "arm").condition, two)
    assert holds(edge("pose", "end", C.LABEL_ABSENT, "leg").condition, two)
    assert holds(edge("pose", "end", C.SHAPE_COUNT, "arm", op="eq", count=2).condition, two)


def test_an_annotator_is_handed_the_skeleton_to_place():
    view = AssignmentView(
        assignment_id="a1",
        family="points",
        task_type="keypoint_skeleton",
        instruction="",
        question=None,
        options=[],
        labels=["arm"],
        skeleton=node().skeleton,
        resource_type="image",
        data_url="https://x.example/data",
        lease_expires_at=1,
    )

    assert view.model_dump(by_alias=True, mode="json")["skeleton"]["keypoints"] == ARM["keypoints"]
