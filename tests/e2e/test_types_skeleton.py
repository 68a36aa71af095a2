"""Keypoint skeletons end to end on the local platform, over HTTP only: `local.simulate --flow person-keypoints`
(a flow of one keypoint_skeleton node with COCO's person preset) is labeled by simulated annotators through the
worker API, the client reads the consolidated skeletons from listResults, exports COCO and reads it back with
pycocotools, whose keypoint evaluation scores the export against itself at 1.0 and the truth below it."""

import contextlib
import io

import pytest
import requests
from pycocotools.coco import COCO

from bytebridge.annotations.skeleton import COCO_PERSON
from local import sim_skeleton
from local.simulate import Client, all_results, run_simulation

pytestmark = pytest.mark.xdist_group("platform")
ITEMS = 10
SEED = 7


@pytest.fixture(scope="module")
def labeled(platform):
    printed = io.StringIO()
    # 5 annotators: a task whose first 3 judgments agree too little asks up to 5 (the node's overlap), never twice one.
    figures = run_simulation(
        platform.base_url,
        flow="person-keypoints",
        items=ITEMS,
        annotators=5,
        accuracy=0.8,
        seed=SEED,
        timeout_seconds=300,  # ~35 s on a quiet machine: a stuck project fails the test instead of hanging it
        out=printed,
    )
    client = Client(platform.base_url, platform.user_id, platform.secret)
    return figures, client, printed.getvalue()


def test_every_image_gets_consolidated_skeletons_close_to_the_truth(labeled):
    figures, client, printed = labeled
    results = all_results(client, figures["projectId"])

    assert figures["status"] == "completed", printed
    # Each annotator placed the skeleton its assignment handed out (local.sim_skeleton refuses to work without it).
    assert figures["annotators"]["submit 200"] >= 3 * ITEMS
    assert not [key for key in figures["annotators"] if key.startswith(("error", "submit 4"))], printed
    assert len(results) == ITEMS
    dataset = sim_skeleton.make_dataset(ITEMS, seed=SEED)
    assert {r["resourceURL"] for r in results} == set(dataset)
    for record in results:
        pose = record["result"]["answers"][sim_skeleton.NODE]
        assert pose["skeleton"] == COCO_PERSON.model_dump(mode="json")
        assert all(len(i["keypoints"]) == 17 for i in pose["instances"])
    assert figures["score"]["meanOKS"] >= 0.6, printed  # one annotator alone: ~0.5


def _coco(client: Client, project_id: str, tmp_path) -> COCO:
    exported = client.call("/api/v1/projects/exportResult", {"projectId": project_id, "format": "coco"})
    assert exported["status"] == "done", exported
    url = client.call("/api/v1/projects/retrieveProject", {"projectId": project_id})["extraInfo"]["downloadResultURL"]
    path = tmp_path / "keypoints.json"
    path.write_bytes(requests.get(url, timeout=60).content)
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def flat(instance: dict) -> list[float]:
    return [value for keypoint in instance["keypoints"] for value in keypoint]


def test_the_export_is_coco_keypoints_that_pycocotools_evaluates(labeled, tmp_path):
    figures, client, _ = labeled

    coco = _coco(client, figures["projectId"], tmp_path)

    (category,) = coco.loadCats(coco.getCatIds())
    assert category["keypoints"] == list(COCO_PERSON.keypoints)
    assert category["skeleton"] == [list(edge) for edge in COCO_PERSON.edges]
    annotations = coco.loadAnns(coco.getAnnIds())
    assert annotations and all(a["num_keypoints"] == sum(v > 0 for v in a["keypoints"][2::3]) for a in annotations)
    exported = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "keypoints": a["keypoints"], "score": 1.0}
        for a in annotations
    ]
    assert sim_skeleton.keypoint_ap(coco, exported) == pytest.approx(1.0)
    # The truth, as a detector's output against the consolidated export: close, not equal.
    dataset = sim_skeleton.make_dataset(ITEMS, seed=SEED)
    truth = [
        {"image_id": image["id"], "category_id": category["id"], "keypoints": flat(i), "score": 1.0}
        for image in coco.imgs.values()
        for i in dataset[image["coco_url"]].answer()["instances"]
    ]
    assert 0.3 < sim_skeleton.keypoint_ap(coco, truth) < 1.0
