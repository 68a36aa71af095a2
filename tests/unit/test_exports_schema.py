"""Node task types: from the flow when given, else recognised from the answer itself."""

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from bytebridge.annotations import TaskType
from bytebridge.exports.geometry import rle_area, rle_bounds, rle_decode
from bytebridge.exports.model import ExportSchema, NodeInfo
from tests.unit.exports_support import SAMPLES, SIZE, rle


@pytest.mark.parametrize("task_type", list(TaskType))
def test_a_node_is_recognised_from_its_answer(task_type):
    assert ExportSchema().node("n1", SAMPLES[task_type]) == NodeInfo(task_type)


def test_the_flow_wins_over_recognition():
    schema = ExportSchema({"n1": NodeInfo(TaskType.ROTATED_BOX, ("ship",))})

    assert schema.node("n1", SAMPLES[TaskType.RECTANGLE]) == NodeInfo(TaskType.ROTATED_BOX, ("ship",))


def test_a_recognised_node_of_the_projects_task_type_takes_the_projects_labels():
    schema = ExportSchema(fallback=NodeInfo(TaskType.SINGLE_CHOICE, ("cat", "dog")))

    assert schema.node("n1", {"choice": "cat"}) == NodeInfo(TaskType.SINGLE_CHOICE, ("cat", "dog"))
    assert schema.node("n2", {"choices": ["cat"]}) == NodeInfo(TaskType.MULTIPLE_CHOICE)
    assert schema.declared_labels() == ["cat", "dog"]


def test_answers_that_fit_no_model_are_unknown():
    schema = ExportSchema()

    assert schema.node("n1", {"choice": "cat", "extra": 1}) is None
    assert schema.node("n2", "not even a dict") is None


def test_an_empty_box_list_is_read_as_boxes_without_fixing_the_nodes_type():
    schema = ExportSchema()

    assert schema.node("n1", {**SIZE, "boxes": []}) == NodeInfo(TaskType.RECTANGLE)
    assert schema.node("n1", SAMPLES[TaskType.ROTATED_BOX]) == NodeInfo(TaskType.ROTATED_BOX)


@pytest.mark.parametrize("seed", range(20))
def test_rle_geometry_agrees_with_pycocotools(seed):
    rng = np.random.default_rng(seed)
    height, width = rng.integers(1, 40, size=2)
    mask = rng.random((height, width)) < rng.uniform(0.001, 0.3)
    counts = rle(mask)
    reference = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))

    assert (rle_decode(counts, height, width) == mask).all()
    assert rle_area(counts) == int(mask_utils.area(reference))
    bounds = rle_bounds(counts, height)
    if not mask.any():
        assert bounds is None
    else:
        x1, y1, x2, y2 = bounds
        assert [x1, y1, x2 - x1 + 1, y2 - y1 + 1] == mask_utils.toBbox(reference).tolist()
