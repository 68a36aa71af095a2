"""Pascal VOC export: a ZIP of one XML per image that parses back to the boxes (1-based inclusive pixels)."""

import io
import math
import xml.etree.ElementTree as ET
import zipfile

from bytebridge.annotations import TaskType
from tests.unit.exports_support import HEIGHT, SAMPLES, SIZE, WIDTH, export, item, node_id

BOXES = node_id(TaskType.RECTANGLE)


def documents(data: bytes) -> dict[str, ET.Element]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return {name: ET.fromstring(archive.read(name)) for name in archive.namelist()}


def objects(root: ET.Element) -> list[tuple[str, tuple[int, ...], int]]:
    out = []
    for obj in root.iter("object"):
        box = tuple(int(obj.find(f"bndbox/{k}").text) for k in ("xmin", "ymin", "xmax", "ymax"))
        out.append((obj.find("name").text, box, int(obj.find("truncated").text)))
    return out


def test_boxes_parse_back_from_one_xml_per_image():
    specs = [("car", 1.5, 2, 10, 5), ("person", 0, 0, 3, 3), ("a<b&c", 10, 20, 30.2, 27.9)]
    answer = {**SIZE, "boxes": [{"label": label, "x": x, "y": y, "w": w, "h": h} for label, x, y, w, h in specs]}
    items = (item(n, {BOXES: answer}) for n in range(3))

    data, summary = export("voc", items)

    docs = documents(data)
    assert sorted(docs) == ["Annotations/i0000.xml", "Annotations/i0001.xml", "Annotations/i0002.xml"]
    root = docs["Annotations/i0001.xml"]
    assert root.find("filename").text == "i0001_1.jpg"
    assert root.find("path").text == "https://data.example.com/img/1.jpg"
    assert root.find("source/annotation").text == "i0001"
    assert (int(root.find("size/width").text), int(root.find("size/height").text)) == (WIDTH, HEIGHT)
    expected = [
        (label, (math.floor(x) + 1, math.floor(y) + 1, math.ceil(x + w), math.ceil(y + h)), 0)
        for label, x, y, w, h in specs
    ]
    assert objects(root) == expected
    assert expected[0][1] == (2, 3, 12, 7)  # x 1.5..11.5 covers pixels 1..11 (0-based): 2..12 in VOC
    assert summary.exported == {"rectangle_frame_select": 3}


def test_shapes_voc_cannot_hold_become_their_enclosing_box():
    answers = {node_id(t): SAMPLES[t] for t in (TaskType.POLYGON, TaskType.CUBE, TaskType.SEGMENTATION)}
    answers[node_id(TaskType.ROTATED_BOX)] = {
        **SIZE,
        "boxes": [{"label": "ship", "cx": 30, "cy": 20, "w": 20, "h": 10, "angle": 90}],
    }

    data, summary = export("voc", [item(0, answers)])

    (root,) = documents(data).values()
    assert objects(root) == [
        ("roof", (1, 1, 10, 10), 0),
        ("crate", (11, 7, 24, 20), 0),
        ("sky", (1, 1, 64, 48), 0),  # the mask's pixels 0..63 x 0..47
        ("ship", (26, 11, 35, 30), 0),  # a quarter turn: x 25..35, y 10..30
    ]
    assert sum(summary.exported.values()) == 4


def test_boxes_reaching_past_the_image_are_clipped_and_truncated():
    answer = {**SIZE, "boxes": [{"label": "ship", "cx": 60, "cy": 44, "w": 20, "h": 10, "angle": 45}]}

    data, _ = export("voc", [item(0, {node_id(TaskType.ROTATED_BOX): answer})])

    (root,) = documents(data).values()
    ((_, (xmin, ymin, xmax, ymax), truncated),) = objects(root)
    assert (xmax, ymax, truncated) == (WIDTH, HEIGHT, 1)
    assert 1 <= xmin <= xmax and 1 <= ymin <= ymax


def test_unsupported_answers_are_counted_and_the_image_still_listed():
    unsupported = (TaskType.FREE_POINT, TaskType.STROKE, TaskType.SINGLE_CHOICE, TaskType.TRANSCRIPTION)
    answers = {node_id(t): SAMPLES[t] for t in unsupported}

    data, summary = export("voc", [item(0, answers)])

    (root,) = documents(data).values()
    assert objects(root) == []
    assert root.find("size/width").text == str(WIDTH)  # from the keypoint answer's image size
    assert summary.unsupported == {t.value: 1 for t in unsupported}
    assert summary.exported == {}
