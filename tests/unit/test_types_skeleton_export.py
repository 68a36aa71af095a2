"""COCO keypoints export of keypoint_skeleton answers, read back with pycocotools and scored with its own keypoint
evaluation (COCOeval, iouType "keypoints"): the export against itself scores 1.0, against a perturbed copy less."""

import contextlib
import io
import json
import random

import pytest
from pycocotools.coco import COCO

from bytebridge.annotations import TaskType
from bytebridge.annotations.skeleton import COCO_PERSON
from bytebridge.exports.model import ExportSchema, NodeInfo
from local import sim_skeleton
from tests.unit.exports_support import SAMPLES, export, item

POSE = "pose"
SCHEMA = ExportSchema({POSE: NodeInfo(TaskType.SKELETON, ("person",))})


def load(tmp_path, items, name="coco.json") -> tuple[COCO, dict]:
    data, summary = export("coco", items, schema=SCHEMA)
    path = tmp_path / name
    path.write_bytes(data)
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path)), summary.to_dict()


def people(count: int, seed: int = 7) -> list:
    """Items whose pose answers are the simulated truth of `count` images."""
    dataset = sim_skeleton.make_dataset(count, seed=seed)
    return [item(n, {POSE: truth.answer()}) for n, truth in enumerate(dataset.values())]


def as_detections(coco: COCO) -> list[dict]:
    return [
        {"image_id": a["image_id"], "category_id": a["category_id"], "keypoints": a["keypoints"], "score": 1.0}
        for a in coco.loadAnns(coco.getAnnIds())
    ]


def test_each_instance_is_a_coco_keypoint_annotation_of_a_category_with_the_skeleton(tmp_path):
    items = people(12)

    coco, summary = load(tmp_path, items)

    (category,) = coco.loadCats(coco.getCatIds())
    assert category["name"] == "person"
    assert category["keypoints"] == list(COCO_PERSON.keypoints)
    assert category["skeleton"] == [list(edge) for edge in COCO_PERSON.edges]
    instances = [i for record in items for i in record.result["answers"][POSE]["instances"]]
    annotations = coco.loadAnns(coco.getAnnIds())
    assert len(annotations) == len(instances) and summary["exported"] == {"keypoint_skeleton": 12}
    for annotation, instance in zip(annotations, instances, strict=True):
        labeled = [k for k in instance["keypoints"] if k[2]]
        assert annotation["num_keypoints"] == len(labeled) > 0
        assert annotation["keypoints"] == [v for k in instance["keypoints"] for v in k]
        assert annotation["bbox"] == instance["bbox"]
        assert annotation["area"] == pytest.approx(instance["bbox"][2] * instance["bbox"][3])
        assert coco.annToMask(annotation).sum() > 0


def test_cocos_keypoint_evaluation_scores_the_export_against_itself_at_one(tmp_path):
    coco, _ = load(tmp_path, people(30))

    assert sim_skeleton.keypoint_ap(coco, as_detections(coco)) == pytest.approx(1.0)


def test_a_perturbed_copy_scores_below_one_and_lower_the_more_it_is_moved(tmp_path):
    coco, _ = load(tmp_path, people(30))
    rng = random.Random(3)

    def moved(pixels: float) -> list[dict]:
        out = []
        for detection in as_detections(coco):
            flat = list(detection["keypoints"])
            for k in range(0, len(flat), 3):
                if flat[k + 2]:
                    flat[k] += rng.gauss(0, pixels)
                    flat[k + 1] += rng.gauss(0, pixels)
            out.append({**detection, "keypoints": flat})
        return out

    slightly, badly = sim_skeleton.keypoint_ap(coco, moved(2)), sim_skeleton.keypoint_ap(coco, moved(10))

    assert 0 < badly < slightly < 1.0


def test_without_a_drawn_box_the_box_is_that_of_the_labeled_keypoints(tmp_path):
    answer = {
        **SAMPLES[TaskType.SKELETON],
        "instances": [{"label": "walker", "keypoints": [[10, 5, 2], [0, 0, 0], [30, 25, 1]]}],
    }

    coco, _ = load(tmp_path, [item(0, {POSE: answer})])

    (annotation,) = coco.loadAnns(coco.getAnnIds())
    assert annotation["bbox"] == [10, 5, 20, 20] and annotation["area"] == 400
    assert annotation["keypoints"] == [10, 5, 2, 0, 0, 0, 30, 25, 1]
    assert annotation["num_keypoints"] == 2


def test_two_skeletons_under_one_label_get_a_category_each(tmp_path):
    arm = {**SAMPLES[TaskType.SKELETON], "instances": [{"label": "person", "keypoints": [[1, 1, 2]] * 3}]}
    person = sim_skeleton.truth_for(1).answer()

    coco, _ = load(tmp_path, [item(0, {POSE: person}), item(1, {"arm": arm}), item(2, {POSE: person})])

    categories = {c["name"]: c for c in coco.loadCats(coco.getCatIds())}
    assert set(categories) == {"person", "person #2"}
    assert categories["person"]["keypoints"] == list(COCO_PERSON.keypoints)
    assert categories["person #2"]["keypoints"] == ["head", "hip", "foot"]
    by_image = {a["image_id"]: a["category_id"] for a in coco.loadAnns(coco.getAnnIds())}
    assert by_image[2] == categories["person #2"]["id"] != by_image[1] == by_image[3]


def test_the_skeleton_answer_is_written_as_stored_in_the_native_export():
    answer = sim_skeleton.truth_for(5).answer()

    data, _ = export("json", [item(0, {POSE: answer})], schema=SCHEMA)

    line = json.loads(data.splitlines()[0])
    assert line["taskTypes"] == {POSE: "keypoint_skeleton"}
    assert line["answers"][POSE]["instances"] == answer["instances"]
