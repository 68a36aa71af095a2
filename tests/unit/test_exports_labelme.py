"""labelme export: a ZIP of one labelme 5 JSON per image with the right shapes."""

import base64
import io
import json
import zipfile

import numpy as np
import pytest

from bytebridge.annotations import TaskType
from tests.unit.exports_support import (
    HEIGHT,
    SAMPLES,
    SIZE,
    WIDTH,
    export,
    item,
    node_id,
    read_png,
    rle,
    sample_mask,
)


def documents(data: bytes) -> dict[str, dict]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def shapes_of(task_type: TaskType, answer: dict | None = None) -> list[dict]:
    data, summary = export("labelme", [item(0, {node_id(task_type): answer or SAMPLES[task_type]})])
    assert summary.exported == {task_type.value: 1}
    return documents(data)["i0000.json"]["shapes"]


def test_document_describes_the_image():
    data, _ = export("labelme", [item(7, {node_id(TaskType.RECTANGLE): SAMPLES[TaskType.RECTANGLE]})])

    doc = documents(data)["i0007.json"]
    assert doc["version"].startswith("5.")
    assert (doc["imagePath"], doc["imageData"]) == ("i0007_7.jpg", None)
    assert (doc["imageWidth"], doc["imageHeight"]) == (WIDTH, HEIGHT)
    assert doc["bytebridge"] == {"item_id": "i0007", "url": "https://data.example.com/img/7.jpg"}


def test_rectangles_are_two_corner_points():
    (shape,) = shapes_of(TaskType.RECTANGLE)

    assert (shape["label"], shape["shape_type"], shape["points"]) == ("car", "rectangle", [[1.5, 2], [11.5, 7]])
    assert (shape["group_id"], shape["flags"], shape["description"]) == (None, {}, "")


def test_polygons_points_and_lines():
    (polygon,) = shapes_of(TaskType.POLYGON)
    points = shapes_of(TaskType.FREE_POINT)
    (strip,) = shapes_of(TaskType.STROKE)
    (line,) = shapes_of(TaskType.STROKE, {**SIZE, "lines": [{"label": "edge", "points": [[1, 2], [3, 4]]}]})

    assert (polygon["shape_type"], polygon["points"]) == ("polygon", [[0, 0], [10, 0], [10, 10]])
    assert [(p["label"], p["shape_type"], p["points"]) for p in points] == [
        ("nose", "point", [[3, 4]]),
        ("eye", "point", [[5, 6]]),
    ]
    assert (strip["shape_type"], strip["points"]) == ("linestrip", [[0, 0], [10, 10], [20, 5]])
    assert (line["shape_type"], line["points"]) == ("line", [[1, 2], [3, 4]])


def test_rotated_boxes_are_corner_polygons():
    answer = {**SIZE, "boxes": [{"label": "ship", "cx": 30, "cy": 20, "w": 20, "h": 10, "angle": 90}]}

    (shape,) = shapes_of(TaskType.ROTATED_BOX, answer)

    assert shape["shape_type"] == "polygon"
    assert sorted(map(tuple, np.round(shape["points"], 6).tolist())) == [(25, 10), (25, 30), (35, 10), (35, 30)]


def test_cuboids_are_two_grouped_faces():
    front, back = shapes_of(TaskType.CUBE)

    assert front["group_id"] == back["group_id"] is not None
    assert (front["description"], back["description"]) == ("cuboid front", "cuboid back")
    assert front["points"] == SAMPLES[TaskType.CUBE]["cuboids"][0]["front"]


def test_masks_are_a_png_of_the_mask_inside_its_box():
    mask = np.zeros((HEIGHT, WIDTH), dtype=bool)
    mask[5:20, 10:30] = True
    mask[12, 31] = True
    (shape,) = shapes_of(TaskType.SEGMENTATION, {**SIZE, "masks": [{"label": "sky", "counts": rle(mask)}]})

    assert shape["shape_type"] == "mask"
    (x1, y1), (x2, y2) = shape["points"]
    assert (x1, y1, x2, y2) == (10, 5, 31, 19)  # inclusive pixel box, as labelme reads it
    crop = read_png(base64.b64decode(shape["mask"]))
    canvas = np.zeros_like(mask)
    canvas[int(y1) : int(y2) + 1, int(x1) : int(x2) + 1] = crop
    assert (canvas == mask).all()


def test_the_sample_mask_round_trips_too():
    (shape,) = shapes_of(TaskType.SEGMENTATION)

    crop = read_png(base64.b64decode(shape["mask"]))
    assert crop.shape == (HEIGHT, WIDTH)
    assert (crop == sample_mask()).all()


@pytest.mark.parametrize("task_type", [TaskType.SINGLE_CHOICE, TaskType.MULTIPLE_CHOICE])
def test_classification_is_image_flags_over_the_declared_options(task_type):
    data, _ = export("labelme", [item(0, {node_id(task_type): SAMPLES[task_type]})])

    flags = documents(data)["i0000.json"]["flags"]
    chosen = {"cat"} if task_type is TaskType.SINGLE_CHOICE else {"cat", "dog"}
    options = {"cat", "dog", "unknown"} if task_type is TaskType.SINGLE_CHOICE else {"cat", "dog", "bird"}
    assert flags == {option: option in chosen for option in options}


def test_transcriptions_are_counted_as_unsupported():
    answers = {node_id(TaskType.TRANSCRIPTION): SAMPLES[TaskType.TRANSCRIPTION]}

    data, summary = export("labelme", [item(0, answers)])

    assert documents(data)["i0000.json"]["shapes"] == []
    assert summary.unsupported == {"transcription": 1}
