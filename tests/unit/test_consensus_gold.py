"""matches_gold: whether a worker's answer counts as correct on a gold task."""

import pytest

from bytebridge.consensus import matches_gold
from tests.unit.consensus_support import image


def test_choices():
    assert matches_gold("single_choice", {"choice": "cat"}, {"choice": "cat"})
    assert not matches_gold("single_choice", {"choice": "dog"}, {"choice": "cat"})
    assert matches_gold("multiple_choice", {"choices": ["b", "a"]}, {"choices": ["a", "b"]})
    assert not matches_gold("multiple_choice", {"choices": ["a"]}, {"choices": ["a", "b"]})


def test_boxes_need_every_box_at_iou_half_with_the_same_label():
    gold = image(
        boxes=[
            {"label": "car", "x": 100, "y": 100, "w": 100, "h": 100},
            {"label": "dog", "x": 500, "y": 500, "w": 50, "h": 50},
        ]
    )
    close = image(
        boxes=[
            {"label": "dog", "x": 505, "y": 500, "w": 50, "h": 50},
            {"label": "car", "x": 120, "y": 110, "w": 100, "h": 100},
        ]
    )
    assert matches_gold("rectangle_frame_select", close, gold)
    wrong_label = image(boxes=[{"label": "cat", "x": 505, "y": 500, "w": 50, "h": 50}, close["boxes"][1]])
    assert not matches_gold("rectangle_frame_select", wrong_label, gold)
    missing = image(boxes=close["boxes"][:1])
    assert not matches_gold("rectangle_frame_select", missing, gold)
    loose = image(boxes=[close["boxes"][0], {"label": "car", "x": 160, "y": 100, "w": 100, "h": 100}])  # IoU 0.25
    assert not matches_gold("rectangle_frame_select", loose, gold)


def test_rotated_boxes():
    gold = image(boxes=[{"label": "s", "cx": 300, "cy": 300, "w": 100, "h": 30, "angle": 20}])
    assert matches_gold(
        "rotated_box", image(boxes=[{"label": "s", "cx": 302, "cy": 300, "w": 30, "h": 100, "angle": -70}]), gold
    )
    assert not matches_gold(
        "rotated_box", image(boxes=[{"label": "s", "cx": 300, "cy": 300, "w": 100, "h": 30, "angle": 80}]), gold
    )


def test_keypoints_within_two_percent_of_the_diagonal():
    gold = image(points=[{"label": "nose", "x": 100, "y": 100}])
    assert matches_gold("free_point", image(points=[{"label": "nose", "x": 120, "y": 110}]), gold)  # 22 px < 25.6
    assert not matches_gold("free_point", image(points=[{"label": "nose", "x": 125, "y": 110}]), gold)  # 26.9 px


def test_text_within_ten_percent_edits():
    gold = {"text": "abcdefghijklmnopqrst"}
    assert matches_gold("transcription", {"text": "abcdefghijklmnopqrXY"}, gold)  # 2 of 20
    assert not matches_gold("transcription", {"text": "abcdefghijklmnopqXYZ"}, gold)  # 3 of 20


def test_empty_gold_matches_only_an_empty_answer():
    assert matches_gold("polygon", image(polygons=[]), image(polygons=[]))
    assert not matches_gold(
        "polygon", image(polygons=[{"label": "x", "points": [(0, 0), (9, 0), (0, 9)]}]), image(polygons=[])
    )


def test_segmentation_iou_half_per_label():
    # 4 x 2 image, column-major: gold covers the first 4 pixels.
    gold = {"imageWidth": 4, "imageHeight": 2, "masks": [{"label": "x", "counts": [0, 4, 4]}]}
    assert matches_gold(
        "segmentation", {"imageWidth": 4, "imageHeight": 2, "masks": [{"label": "x", "counts": [0, 3, 5]}]}, gold
    )
    assert not matches_gold(
        "segmentation", {"imageWidth": 4, "imageHeight": 2, "masks": [{"label": "x", "counts": [2, 6]}]}, gold
    )
    assert not matches_gold(
        "segmentation", {"imageWidth": 4, "imageHeight": 2, "masks": [{"label": "y", "counts": [0, 4, 4]}]}, gold
    )


def test_a_different_image_size_is_an_error_not_a_miss():
    with pytest.raises(ValueError, match="image size"):
        matches_gold("free_point", {"imageWidth": 10, "imageHeight": 10, "points": []}, image(points=[]))
