"""Boxes and rotated boxes: clustered across workers by IoU, majority clusters averaged."""

import itertools

import numpy as np
import pytest

from bytebridge.consensus import Judgment, consolidate
from bytebridge.consensus.geometry import box_iou, convex_iou, polygon_iou, rotated_corners
from bytebridge.consensus.skills import vote_weight
from tests.unit.consensus_support import Overlap, image, run


def box(label, x, y, w, h):
    return {"label": label, "x": x, "y": y, "w": w, "h": h}


def test_box_iou_known_values():
    a = np.array([[0, 0, 10, 10]], dtype=float)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], dtype=float)
    assert box_iou(a, b) == pytest.approx(np.array([[1.0, 50 / 150, 0.0]]))


def test_two_agree_one_off_keeps_the_agreed_box_and_drops_a_lone_one():
    answers = {
        "a": image(boxes=[box("car", 100, 100, 200, 100), box("person", 600, 300, 50, 120)]),
        "b": image(boxes=[box("car", 110, 104, 200, 100), box("person", 604, 296, 50, 120)]),
        "c": image(boxes=[box("car", 400, 500, 100, 100)]),  # misses the person, puts the car elsewhere
    }
    result = run("rectangle_frame_select", answers)
    boxes = {b["label"]: b for b in result.answer["boxes"]}
    assert sorted(boxes) == ["car", "person"]
    assert boxes["car"] == pytest.approx(box("car", 105, 102, 200, 100))
    assert boxes["person"] == pytest.approx(box("person", 602, 298, 50, 120))
    assert 0.5 < result.agreement < 0.7  # two close workers, one with nothing matching


def test_same_place_different_label_is_not_merged():
    answers = {
        "a": image(boxes=[box("car", 100, 100, 200, 100)]),
        "b": image(boxes=[box("truck", 100, 100, 200, 100)]),
        "c": image(boxes=[box("truck", 102, 100, 200, 100)]),
    }
    assert [b["label"] for b in run("rectangle_frame_select", answers).answer["boxes"]] == ["truck"]


def test_skills_weight_the_coordinates_and_the_support():
    answers = {
        "expert": image(boxes=[box("car", 100, 100, 200, 100)]),
        "novice": image(boxes=[box("car", 140, 100, 200, 100), box("car", 700, 600, 50, 50)]),
    }
    skills = {"expert": 0.95, "novice": 0.6}
    result = run("rectangle_frame_select", answers, skills)
    we, wn = vote_weight(0.95), vote_weight(0.6)
    assert result.answer["boxes"] == [pytest.approx(box("car", 100 + 40 * wn / (we + wn), 100, 200, 100))]
    # The novice's extra box has less than half the weight: dropped.


def test_result_does_not_depend_on_arrival_order():
    answers = {
        "a": image(boxes=[box("car", 100, 100, 200, 100), box("car", 130, 110, 200, 100)]),
        "b": image(boxes=[box("car", 120, 104, 200, 100)]),
        "c": image(boxes=[box("car", 110, 100, 190, 100), box("car", 500, 500, 10, 10)]),
    }
    results = {
        str(consolidate("rectangle_frame_select", [Judgment(w, answers[w]) for w in order], Overlap()))
        for order in itertools.permutations(answers)
    }
    assert len(results) == 1


def test_boxes_touching_the_image_edge_stay_valid():
    edge = image(boxes=[box("car", 999.7, 799.9, 0.3, 0.1)])
    result = run("rectangle_frame_select", {"a": edge, "b": edge, "c": edge})
    assert len(result.answer["boxes"]) == 1
    assert result.agreement == pytest.approx(1.0)


def test_nobody_draws_anything():
    result = run("rectangle_frame_select", {w: image(boxes=[]) for w in "abc"})
    assert result.answer == image(boxes=[])
    assert result.agreement == 1.0 and result.done


def test_different_image_sizes_cannot_be_combined():
    answers = [Judgment("a", image(boxes=[])), Judgment("b", {"imageWidth": 500, "imageHeight": 400, "boxes": []})]
    with pytest.raises(ValueError, match="image size"):
        consolidate("rectangle_frame_select", answers, Overlap())


# --- rotated boxes --------------------------------------------------------------------------------------


def test_rotated_iou_of_a_square_and_itself_turned_45_degrees():
    square = rotated_corners(0, 0, 2, 2, 0)
    turned = rotated_corners(0, 0, 2, 2, 45)
    octagon = 8 * (np.sqrt(2) - 1)
    assert convex_iou(square, turned) == pytest.approx(octagon / (8 - octagon))
    assert convex_iou(square, rotated_corners(0, 0, 2, 2, 90)) == pytest.approx(1.0)
    assert convex_iou(square, rotated_corners(5, 0, 2, 2, 30)) == 0.0


def test_rotated_iou_agrees_with_rasterised_polygons():
    rng = np.random.default_rng(7)
    for _ in range(30):
        a = rotated_corners(*rng.uniform(40, 60, 2), *rng.uniform(10, 30, 2), rng.uniform(-180, 180))
        b = rotated_corners(*rng.uniform(40, 60, 2), *rng.uniform(10, 30, 2), rng.uniform(-180, 180))
        assert convex_iou(a, b) == pytest.approx(polygon_iou(a, b), abs=0.02)


def rbox(label, cx, cy, w, h, angle):
    return {"label": label, "cx": cx, "cy": cy, "w": w, "h": h, "angle": angle}


def test_rotated_boxes_average_equivalent_descriptions():
    # The same rectangle described three ways: turned 180 degrees, and with width and height swapped.
    answers = {
        "a": image(boxes=[rbox("ship", 300, 200, 120, 40, 10)]),
        "b": image(boxes=[rbox("ship", 302, 200, 120, 40, -170)]),
        "c": image(boxes=[rbox("ship", 304, 200, 40, 120, 100)]),
    }
    result = run("rotated_box", answers)
    assert result.answer["boxes"] == [pytest.approx(rbox("ship", 302, 200, 120, 40, 10))]
    assert result.agreement > 0.9


def test_rotated_two_agree_one_off():
    answers = {
        "a": image(boxes=[rbox("ship", 300, 200, 120, 40, 30)]),
        "b": image(boxes=[rbox("ship", 300, 204, 120, 40, 34)]),
        "c": image(boxes=[rbox("ship", 300, 200, 120, 40, -60)]),  # crosswise: IoU well below 0.5
    }
    result = run("rotated_box", answers)
    assert result.answer["boxes"] == [pytest.approx(rbox("ship", 300, 202, 120, 40, 32))]
    assert not result.done  # the third worker matches nothing: agreement < 0.7


def test_a_small_object_drawn_loosely_by_two_of_three_is_kept_not_split_and_dropped():
    # Two boxes of one 20 x 20 object, offset by 6 px: IoU 0.4, below the 0.5 that counts as a match, yet the same
    # object. Split into two clusters of one vote each it would be lost; clustered, it has two votes of three.
    a, b = box("car", 100, 100, 20, 20), box("car", 106, 104, 20, 20)
    iou = box_iou(np.array([[100, 100, 120, 120]], dtype=float), np.array([[106, 104, 126, 124]], dtype=float))
    assert 0.3 < iou[0, 0] < 0.5
    result = run("rectangle_frame_select", {"a": image(boxes=[a]), "b": image(boxes=[b]), "c": image(boxes=[])})
    assert result.answer["boxes"] == [pytest.approx(box("car", 103, 102, 20, 20))]


def test_two_neighbours_drawn_by_every_annotator_stay_two_boxes():
    # IoU 0.4 with each other, above the clustering threshold: one box per annotator per cluster keeps them apart.
    left, right = box("car", 100, 100, 40, 40), box("car", 117, 100, 40, 40)
    answers = {w: image(boxes=[left, right]) for w in "abc"}
    assert len(run("rectangle_frame_select", answers).answer["boxes"]) == 2
