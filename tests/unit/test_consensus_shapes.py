"""Keypoints (robust centre), polygons, polylines and cuboids (medoid by similarity)."""

import numpy as np
import pytest

from bytebridge.consensus.geometry import geometric_median, point_to_polyline, polygon_iou, polyline_distance
from tests.unit.consensus_support import image, run

# Image 1000 x 800: the 2% tolerance is 0.02 * hypot(1000, 800) ≈ 25.6 px.


def point(label, x, y):
    return {"label": label, "x": x, "y": y}


def test_keypoints_robust_centre_per_label_and_outlier_dropped():
    answers = {
        "a": image(points=[point("nose", 100, 100), point("eye", 300, 300)]),
        "b": image(points=[point("nose", 104, 100), point("eye", 302, 300)]),
        "c": image(points=[point("nose", 102, 103), point("eye", 500, 500)]),  # eye far off
    }
    result = run("free_point", answers)
    points = {p["label"]: p for p in result.answer["points"]}
    assert sorted(points) == ["eye", "nose"]
    assert points["eye"] == pytest.approx(point("eye", 301, 300))  # the two agreeing points only
    assert np.hypot(points["nose"]["x"] - 102, points["nose"]["y"] - 101) < 2
    # Worker c matches one of two points: about a sixth less agreement than if their eye were right too.
    answers["c"] = image(points=[point("nose", 102, 103), point("eye", 301, 301)])
    assert result.agreement < run("free_point", answers).agreement - 0.1


def test_geometric_median_resists_an_outlier():
    points = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0], [100.0, 100.0]])
    median = geometric_median(points, np.ones(4))
    assert np.hypot(*(median - [1.0, 0.6])) < 0.6
    assert np.hypot(*(points.mean(axis=0) - [1.0, 0.6])) > 20


def test_keypoints_within_the_radius_agree_beyond_it_do_not():
    near = {"a": image(points=[point("p", 100, 100)]), "b": image(points=[point("p", 120, 100)])}
    far = {"a": image(points=[point("p", 100, 100)]), "b": image(points=[point("p", 130, 100)])}
    assert len(run("free_point", near).answer["points"]) == 1
    assert run("free_point", far).answer["points"] == []  # two clusters of one worker each: no majority


L_SHAPE = [(0, 0), (40, 0), (40, 10), (10, 10), (10, 40), (0, 40)]


def test_polygon_iou_of_non_convex_shapes():
    l_shape = np.array(L_SHAPE, dtype=float)
    square = np.array([(0, 0), (40, 0), (40, 40), (0, 40)], dtype=float)
    # The L covers 700 of the square's 1600.
    assert polygon_iou(l_shape, square) == pytest.approx(700 / 1600, abs=0.01)
    assert polygon_iou(l_shape, l_shape) == 1.0
    assert polygon_iou(l_shape, l_shape + 100) == 0.0


def shifted(points, dx):
    return [(x + dx, y) for x, y in points]


def test_polygon_medoid_picks_the_shape_closest_to_the_others():
    answers = {
        "a": image(polygons=[{"label": "road", "points": shifted(L_SHAPE, 100)}]),
        "b": image(polygons=[{"label": "road", "points": shifted(L_SHAPE, 102)}]),
        "c": image(polygons=[{"label": "road", "points": shifted(L_SHAPE, 104)}]),
        "d": image(polygons=[{"label": "road", "points": shifted(L_SHAPE, 400)}]),
    }
    result = run("polygon", answers)
    assert result.answer["polygons"] == [{"label": "road", "points": [list(p) for p in shifted(L_SHAPE, 102)]}]
    assert 0.6 < result.agreement < 0.75


def test_point_to_polyline_distance():
    line = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]])
    points = np.array([[5.0, 3.0], [12.0, 5.0], [-4.0, -3.0]])
    assert point_to_polyline(points, line) == pytest.approx([3.0, 2.0, 5.0])


def test_polyline_distance_ignores_direction_and_vertex_count():
    two_points = np.array([[0.0, 0.0], [100.0, 0.0]])
    many_reversed = np.array([[100.0, 0.0], [75.0, 0.0], [50.0, 0.0], [25.0, 0.0], [0.0, 0.0]])
    assert polyline_distance(two_points, many_reversed) == pytest.approx(0.0, abs=1e-9)
    assert polyline_distance(two_points, two_points + np.array([0.0, 6.0])) == pytest.approx(6.0)


def test_polyline_medoid_and_lone_line_dropped():
    answers = {
        "a": image(lines=[{"label": "lane", "points": [(0, 100), (500, 100), (999, 120)]}]),
        "b": image(lines=[{"label": "lane", "points": [(0, 104), (999, 124)]}]),  # the middle one
        "c": image(
            lines=[
                {"label": "lane", "points": [(999, 128), (0, 108)]},
                {"label": "lane", "points": [(0, 700), (999, 700)]},
            ]
        ),
    }
    result = run("stroke", answers)
    assert result.answer["lines"] == [{"label": "lane", "points": [[0, 104], [999, 124]]}]


def cuboid(dx, start=0):
    front = [(100 + dx, 100), (200 + dx, 100), (200 + dx, 200), (100 + dx, 200)]
    back = [(130 + dx, 70), (230 + dx, 70), (230 + dx, 170), (130 + dx, 170)]
    return {"label": "box", "front": front[start:] + front[:start], "back": back[start:] + back[:start]}


def test_cuboid_medoid_tolerates_a_different_starting_corner():
    answers = {
        "a": image(cuboids=[cuboid(0)]),
        "b": image(cuboids=[cuboid(4, start=2)]),
        "c": image(cuboids=[cuboid(8)]),
    }
    result = run("cube_circle", answers)
    assert len(result.answer["cuboids"]) == 1
    middle = cuboid(4, start=2)  # worker b's: the one closest to the other two
    assert result.answer["cuboids"][0]["front"] == [list(p) for p in middle["front"]]
    assert result.agreement > 0.8 and result.done
