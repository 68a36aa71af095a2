"""Video end to end on the local platform, over HTTP only: `local.simulate --flow video` submits tiny generated
clips (mp4, webm, mov, served by the web stand-in and probed at ingestion), and simulated annotators classify
each clip, mark when each object is on screen, box every 5th frame and track the objects through the worker API.
The client reads the consolidated answers from listResults, exports COCO-video (read back with pycocotools) and
MOTChallenge (read back with motmetrics), and the truth scores the consolidated tracks by IDF1."""

import contextlib
import io
import zipfile

import motmetrics as mm
import pytest
import requests
from pycocotools.coco import COCO

from local import sim_video
from local.simulate import Client, all_results, run_simulation

pytestmark = pytest.mark.xdist_group("platform")
ITEMS = 6
SEED = 7


@pytest.fixture(scope="module")
def labeled(platform):
    printed = io.StringIO()
    figures = run_simulation(
        platform.base_url, flow="video", items=ITEMS, annotators=3, accuracy=0.85, seed=SEED, out=printed
    )
    client = Client(platform.base_url, platform.user_id, platform.secret)
    return figures, client, printed.getvalue()


def _download(client: Client, project_id: str, fmt: str) -> bytes:
    exported = client.call("/api/v1/projects/exportResult", {"projectId": project_id, "format": fmt})
    assert exported["status"] == "done", exported
    url = client.call("/api/v1/projects/retrieveProject", {"projectId": project_id})["extraInfo"]["downloadResultURL"]
    return requests.get(url, timeout=60).content


def test_every_clip_is_labeled_by_each_node_close_to_the_truth(labeled):
    figures, client, printed = labeled
    results = all_results(client, figures["projectId"])

    assert figures["status"] == "completed", printed
    dataset = sim_video.make_dataset(ITEMS, seed=SEED)
    assert {r["resourceURL"] for r in results} == set(dataset)
    for record in results:
        assert record["result"]["path"] == [*sim_video.NODES, "end"]
        truth = dataset[record["resourceURL"]]
        tracks = record["result"]["answers"]["tracks"]
        # The clip facts are the probed ones the annotators' players reported: size, rate and length.
        assert (tracks["imageWidth"], tracks["frameRate"], tracks["frameCount"]) == (96, 10.0, truth.frames)
    score = figures["score"]
    assert score["events"]["meanTemporalIoU"] >= 0.8, printed
    assert score["detection"]["boxF1"] >= 0.8, printed
    assert score["tracking"]["idf1"] >= 0.8, printed


def test_exports_read_back_with_pycocotools_and_motmetrics(labeled, tmp_path):
    figures, client, _ = labeled
    results = {r["itemId"]: r for r in all_results(client, figures["projectId"])}

    path = tmp_path / "video.json"
    path.write_bytes(_download(client, figures["projectId"], "coco_video"))
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(path))
    videos = coco.dataset["videos"]
    assert len(videos) == 2 * ITEMS  # one per item and boxes node (detection, tracking)
    tracked = [a for a in coco.loadAnns(coco.getAnnIds()) if "track_id" in a]
    assert tracked and all(coco.imgs[a["image_id"]]["video_id"] == a["video_id"] for a in tracked)

    with zipfile.ZipFile(io.BytesIO(_download(client, figures["projectId"], "mot"))) as archive:
        sequences = [name for name in archive.namelist() if name.endswith("gt/gt.txt")]
        assert len(sequences) == ITEMS
        for name in sequences:
            frame = mm.io.loadtxt(io.StringIO(archive.read(name).decode()), fmt="mot15-2D", min_confidence=-1)
            item_id = name.split("/")[1].split("_")[0]
            tracks = results[item_id]["result"]["answers"]["tracks"]["tracks"]
            assert set(frame.index.get_level_values("Id")) == {t["id"] for t in tracks}
