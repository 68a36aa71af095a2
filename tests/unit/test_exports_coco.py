"""COCO export: loads with pycocotools, geometry and categories as the capability matrix says."""

import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from bytebridge.annotations import TaskType
from bytebridge.exports.model import ExportSchema, NodeInfo
from tests.unit.exports_support import HEIGHT, SAMPLES, SIZE, WIDTH, export, item, node_id, rle, sample_mask

BOXES = node_id(TaskType.RECTANGLE)


def load(tmp_path, items, **kwargs) -> tuple[COCO, object]:
    data, summary = export("coco", items, **kwargs)
    path = tmp_path / "coco.json"
    path.write_bytes(data)
    return COCO(str(path)), summary


def boxes(*specs) -> dict:
    return {**SIZE, "boxes": [{"label": label, "x": x, "y": y, "w": w, "h": h} for label, x, y, w, h in specs]}


def test_boxes_become_bbox_and_area_with_declared_categories_first(tmp_path):
    items = [
        item(0, {BOXES: boxes(("person", 1, 2, 3, 4), ("car", 10.5, 11, 20, 5.5))}),
        item(1, {BOXES: boxes(("bus", 0, 0, 64, 48))}),  # a label the flow did not declare
        item(2, {BOXES: boxes()}),
    ]

    schema = ExportSchema({BOXES: NodeInfo(TaskType.RECTANGLE, ("car", "person"))})

    coco, summary = load(tmp_path, iter(items), schema=schema)

    assert {c["name"]: c["id"] for c in coco.cats.values()} == {"car": 1, "person": 2, "bus": 3}
    assert [(i["file_name"], i["width"], i["height"]) for i in coco.imgs.values()] == [
        ("i0000_0.jpg", WIDTH, HEIGHT),
        ("i0001_1.jpg", WIDTH, HEIGHT),
        ("i0002_2.jpg", WIDTH, HEIGHT),
    ]
    assert coco.imgs[1]["coco_url"] == "https://data.example.com/img/0.jpg"
    assert coco.imgs[1]["bytebridge"]["item_id"] == "i0000"
    by_image = {image_id: coco.loadAnns(coco.getAnnIds(imgIds=[image_id])) for image_id in coco.imgs}
    assert [(a["category_id"], a["bbox"], a["area"], a["iscrowd"]) for a in by_image[1]] == [
        (2, [1, 2, 3, 4], 12, 0),
        (1, [10.5, 11, 20, 5.5], 110, 0),
    ]
    assert [(a["category_id"], a["bbox"], a["area"]) for a in by_image[2]] == [(3, [0, 0, 64, 48], 3072)]
    assert by_image[3] == []
    assert len({a["id"] for a in coco.anns.values()}) == 3
    assert summary.items == 3
    assert summary.exported == {"rectangle_frame_select": 3}


def test_polygons_are_segmentation_polygons_with_shoelace_area(tmp_path):
    square = [[10, 10], [30, 10], [30, 30], [10, 30]]
    answer = {**SIZE, "polygons": [{"label": "roof", "points": square}]}

    coco, _ = load(tmp_path, [item(0, {node_id(TaskType.POLYGON): answer})])

    (ann,) = coco.anns.values()
    assert ann["segmentation"] == [[10, 10, 30, 10, 30, 30, 10, 30]]
    assert ann["bbox"] == [10, 10, 20, 20]
    assert ann["area"] == 400
    assert abs(int(coco.annToMask(ann).sum()) - 400) <= 40  # pycocotools rasterises it to about that area


def test_rotated_boxes_are_their_corner_polygon_and_keep_the_exact_box(tmp_path):
    answer = {**SIZE, "boxes": [{"label": "ship", "cx": 30, "cy": 20, "w": 20, "h": 10, "angle": 90}]}

    coco, _ = load(tmp_path, [item(0, {node_id(TaskType.ROTATED_BOX): answer})])

    (ann,) = coco.anns.values()
    assert ann["rotated_box"] == [30, 20, 20, 10, 90]
    assert ann["area"] == 200
    # Turned a quarter: 10 wide, 20 high, around the same centre.
    assert ann["bbox"] == pytest.approx([25, 10, 10, 20])
    corners = np.array(ann["segmentation"][0]).reshape(4, 2)
    assert sorted(map(tuple, corners.round(6).tolist())) == [(25, 10), (25, 30), (35, 10), (35, 30)]


def test_masks_are_uncompressed_rle_that_pycocotools_decodes(tmp_path):
    mask = sample_mask()
    answer = {**SIZE, "masks": [{"label": "sky", "counts": rle(mask)}, {"label": "void", "counts": [WIDTH * HEIGHT]}]}

    coco, summary = load(tmp_path, [item(0, {node_id(TaskType.SEGMENTATION): answer})])

    (ann,) = coco.anns.values()  # the empty mask is no object
    assert ann["iscrowd"] == 1
    assert ann["segmentation"] == {"counts": rle(mask), "size": [HEIGHT, WIDTH]}
    assert (coco.annToMask(ann) == mask).all()
    reference = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert ann["area"] == int(mask_utils.area(reference)) == int(mask.sum())
    assert ann["bbox"] == mask_utils.toBbox(reference).tolist() == [0, 0, 64, 48]
    assert summary.exported == {"segmentation": 1}


def test_mask_bbox_matches_pycocotools_for_a_single_column_run(tmp_path):
    mask = np.zeros((HEIGHT, WIDTH), dtype=bool)
    mask[7:9, 12] = True
    answer = {**SIZE, "masks": [{"label": "dot", "counts": rle(mask)}]}

    coco, _ = load(tmp_path, [item(0, {node_id(TaskType.SEGMENTATION): answer})])

    (ann,) = coco.anns.values()
    reference = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    assert ann["bbox"] == mask_utils.toBbox(reference).tolist() == [12, 7, 1, 2]


def test_keypoints_are_one_annotation_per_point_in_a_keypoint_category(tmp_path):
    coco, _ = load(tmp_path, [item(0, {node_id(TaskType.FREE_POINT): SAMPLES[TaskType.FREE_POINT]})])

    categories = {c["name"]: c for c in coco.cats.values()}
    assert categories["nose"]["keypoints"] == ["nose"]
    assert categories["eye"]["skeleton"] == []
    anns = sorted(coco.anns.values(), key=lambda a: a["id"])
    assert [(a["category_id"], a["keypoints"], a["num_keypoints"]) for a in anns] == [
        (categories["nose"]["id"], [3, 4, 2], 1),
        (categories["eye"]["id"], [5, 6, 2], 1),
    ]


def test_cuboids_are_their_enclosing_box_and_keep_the_corners(tmp_path):
    coco, _ = load(tmp_path, [item(0, {node_id(TaskType.CUBE): SAMPLES[TaskType.CUBE]})])

    (ann,) = coco.anns.values()
    assert ann["bbox"] == [10, 6, 14, 14]
    assert ann["cuboid"]["back"] == [[14, 6], [24, 6], [24, 16], [14, 16]]


def test_image_level_answers_go_to_the_images_bytebridge_field(tmp_path):
    answers = {
        node_id(TaskType.SINGLE_CHOICE): {"choice": "dog"},
        node_id(TaskType.MULTIPLE_CHOICE): {"choices": ["bird", "cat"]},
        node_id(TaskType.TRANSCRIPTION): {"text": "a dog and a bird"},
        BOXES: boxes(("car", 1, 1, 2, 2)),
    }

    coco, _ = load(tmp_path, [item(0, answers)])

    assert [c["name"] for c in coco.cats.values()] == ["car", "person"]  # options never become categories
    extension = coco.imgs[1]["bytebridge"]
    labels = {c["node"]: c["choices"] for c in extension["classifications"]}
    assert labels == {node_id(TaskType.SINGLE_CHOICE): ["dog"], node_id(TaskType.MULTIPLE_CHOICE): ["bird", "cat"]}
    assert extension["transcriptions"] == [{"node": node_id(TaskType.TRANSCRIPTION), "text": "a dog and a bird"}]
    assert len(coco.anns) == 1


def test_unsupported_invalid_and_unknown_answers_are_counted_not_fatal(tmp_path):
    answers = {
        node_id(TaskType.STROKE): SAMPLES[TaskType.STROKE],  # COCO has no polylines
        BOXES: {**SIZE, "boxes": [{"label": "car", "x": 60, "y": 0, "w": 10, "h": 5}]},  # leaves the image
        "n_mystery": {"unheard": "of"},  # not in the flow, fits no answer model
    }
    good = item(1, {BOXES: boxes(("car", 1, 1, 2, 2))})

    coco, summary = load(tmp_path, [item(0, answers), good])

    assert len(coco.imgs) == 2
    assert len(coco.anns) == 1
    assert summary.unsupported == {"stroke": 1}
    assert summary.invalid == {"rectangle_frame_select": 1}
    assert summary.unknown_nodes == 1
    assert summary.exported == {"rectangle_frame_select": 1}


def test_nodes_missing_from_the_schema_are_recognised_from_their_answers(tmp_path):
    schema = ExportSchema(fallback=NodeInfo(TaskType.RECTANGLE, ("person", "car")))
    items = [item(0, {"frame-1": boxes(("car", 1, 1, 2, 2))}), item(1, {"poly": SAMPLES[TaskType.POLYGON]})]

    coco, summary = load(tmp_path, items, schema=schema)

    assert {c["name"]: c["id"] for c in coco.cats.values()} == {"person": 1, "car": 2, "roof": 3}
    assert summary.exported == {"rectangle_frame_select": 1, "polygon": 1}


def test_output_is_one_json_document_with_escaped_text(tmp_path):
    answers = {BOXES: boxes(('say "hi" \\ 你好', 1, 1, 2, 2)), node_id(TaskType.TRANSCRIPTION): {"text": "</x>\n"}}

    data, _ = export("coco", [item(0, answers)])

    document = json.loads(data)
    assert [c["name"] for c in document["categories"]][-1] == 'say "hi" \\ 你好'
    assert document["images"][0]["bytebridge"]["transcriptions"][0]["text"] == "</x>\n"


def test_an_export_without_items_is_a_valid_empty_dataset(tmp_path):
    coco, summary = load(tmp_path, [])

    assert (len(coco.imgs), len(coco.anns)) == (0, 0)
    assert [c["name"] for c in coco.cats.values()] == ["car", "person"]  # choice options are no categories
    assert summary.items == 0
