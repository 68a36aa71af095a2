"""COCO export, issue 12: unique and safe file names, image-level answers kept out of the categories,
a segmentation on every annotation (annToMask, loadRes), no false 0×0 images."""

import json

import pytest
from pycocotools.coco import COCO

from bytebridge.annotations import TaskType
from bytebridge.enums import ExportFormat
from bytebridge.exports.capabilities import CAPABILITIES, Support
from bytebridge.exports.model import ExportSchema, NodeInfo
from bytebridge.exports.writer import safe_file_name
from tests.unit.exports_support import HEIGHT, SAMPLES, SIZE, WIDTH, Record, export, item, node_id

BOXES = node_id(TaskType.RECTANGLE)
DRAWING = [t for t in SAMPLES if t not in (TaskType.SINGLE_CHOICE, TaskType.MULTIPLE_CHOICE, TaskType.TRANSCRIPTION)]
DRAWN_IN_COCO = [t for t in DRAWING if CAPABILITIES[ExportFormat.COCO][t].support is not Support.UNSUPPORTED]
BOX = {**SIZE, "boxes": [{"label": "car", "x": 1.5, "y": 2, "w": 10, "h": 5}]}


def record(item_id: str, url: str, answers: dict) -> Record:
    return Record(item_id, url, "image", {"endNode": "end", "path": ["start", *answers, "end"], "answers": answers})


def load(tmp_path, items, **kwargs) -> COCO:
    data, _ = export("coco", items, **kwargs)
    path = tmp_path / "coco.json"
    path.write_bytes(data)
    return COCO(str(path))


def test_same_base_names_in_different_folders_get_distinct_stable_names(tmp_path):
    items = [
        record("a1", "https://cdn.example.com/1092213/staff_1024.jpg", {BOXES: BOX}),
        record("b2", "https://cdn.example.com/1902695/staff_1024.jpg?sig=1#x", {BOXES: BOX}),
    ]

    first = load(tmp_path, items)
    again = load(tmp_path, items)

    names = [image["file_name"] for image in first.imgs.values()]
    assert names == ["a1_staff_1024.jpg", "b2_staff_1024.jpg"]
    assert names == [image["file_name"] for image in again.imgs.values()]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/C:\\Users\\me\\photo.png", "it_photo.png"),
        ("https://x.example/a%2Fb/..\\..\\evil.jpg", "it_evil.jpg"),
        ('https://x.example/we<i>rd:"na|me?*.jpg', "it_we_i_rd_na_me"),  # the query starts at "?"
        ("https://x.example/dots...", "it_dots"),
        ("https://x.example/", "it"),
        ("https://x.example/" + "a" * 300 + ".jpeg", "it_" + "a" * 95 + ".jpeg"),
        ("https://x.example/\u732b\u306e\u5199\u771f.jpg", "it_\u732b\u306e\u5199\u771f.jpg"),
    ],
)
def test_file_names_hold_no_path_separator_drive_letter_or_reserved_character(url, expected):
    name = safe_file_name("it", url)

    assert name == expected
    assert not set(name) & set('/\\:<>"|?*')
    assert not name.endswith((".", " "))


def test_choice_options_stay_in_the_image_field_and_never_become_categories(tmp_path):
    schema = ExportSchema(
        {
            node_id(TaskType.SINGLE_CHOICE): NodeInfo(TaskType.SINGLE_CHOICE, ("indoor", "outdoor")),
            BOXES: NodeInfo(TaskType.RECTANGLE, ("car",)),
        }
    )
    answers = {node_id(TaskType.SINGLE_CHOICE): {"choice": "outdoor"}, BOXES: BOX}

    coco = load(tmp_path, [item(0, answers)], schema=schema)

    assert [c["name"] for c in coco.cats.values()] == ["car"]
    assert coco.imgs[1]["bytebridge"]["classifications"] == [
        {"node": node_id(TaskType.SINGLE_CHOICE), "choices": ["outdoor"]}
    ]
    assert {a["category_id"] for a in coco.anns.values()} == {1}


def test_box_segmentation_is_the_box_polygon():
    data, _ = export("coco", [item(0, {BOXES: BOX})])

    (ann,) = json.loads(data)["annotations"]
    assert ann["segmentation"] == [[1.5, 2, 11.5, 2, 11.5, 7, 1.5, 7]]


def test_every_annotation_of_every_drawing_type_makes_a_mask_and_loads_as_results(tmp_path):
    items = [item(n, {node_id(t): SAMPLES[t]}) for n, t in enumerate(DRAWN_IN_COCO)]

    coco = load(tmp_path, items)

    assert len(coco.anns) >= len(items)
    for ann in coco.anns.values():
        mask = coco.annToMask(ann)
        assert mask.shape == (HEIGHT, WIDTH)
        if ann["area"] > 4:
            assert mask.sum() > 0
    box = next(a for a in coco.anns.values() if a["category_id"] == coco.getCatIds(catNms=["car"])[0])
    assert abs(int(coco.annToMask(box).sum()) - 50) <= 12
    results = [{**ann, "score": 0.9} for ann in coco.anns.values() if "bbox" in ann]
    for result in results:
        result.pop("id")
    detections = coco.loadRes(results)
    assert len(detections.anns) == len(results)
    for ann in detections.anns.values():
        detections.annToMask(ann)


def test_an_item_without_any_size_has_no_false_zero_size(tmp_path):
    items = [
        item(0, {node_id(TaskType.SINGLE_CHOICE): {"choice": "cat"}}),  # no answer states a size
        item(1, {node_id(TaskType.STROKE): SAMPLES[TaskType.STROKE]}),  # COCO drops lines, but they know the size
        item(2, {BOXES: BOX}),
    ]

    coco = load(tmp_path, items)

    unknown, from_lines, boxed = coco.imgs.values()
    assert "width" not in unknown and "height" not in unknown
    assert unknown["bytebridge"]["size_unknown"] is True
    assert coco.getAnnIds(imgIds=[unknown["id"]]) == []
    assert (from_lines["width"], from_lines["height"]) == (WIDTH, HEIGHT)
    assert (boxed["width"], boxed["height"]) == (WIDTH, HEIGHT)
    assert "size_unknown" not in boxed["bytebridge"]


def test_a_size_recorded_on_the_item_is_used_when_no_answer_states_one(tmp_path):
    sized = record("s1", "https://x.example/a.jpg", {node_id(TaskType.SINGLE_CHOICE): {"choice": "cat"}})
    sized.image_width, sized.image_height = 640, 480  # type: ignore[attr-defined]

    coco = load(tmp_path, [sized])

    (image,) = coco.imgs.values()
    assert (image["width"], image["height"]) == (640, 480)
