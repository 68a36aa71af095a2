"""Video exports read back by the formats' own readers: COCO-video by pycocotools, MOTChallenge by motmetrics."""

import io
import json
import zipfile
from pathlib import Path

import motmetrics as mm
import numpy as np
import pytest
from pycocotools.coco import COCO

from bytebridge.annotations import TaskType, parse_answer
from bytebridge.consensus.geometry import box_iou
from bytebridge.exports.model import ExportSchema, NodeInfo
from bytebridge.exports.mot import mot_lines
from local.sim_video import corners
from tests.unit.exports_support import SAMPLES, Record, export

SCHEMA = ExportSchema(
    {
        "det": NodeInfo(TaskType.VIDEO_DETECTION, ("car", "person")),
        "trk": NodeInfo(TaskType.VIDEO_TRACKING, ("person", "car")),
    }
)
TRACKING = {
    "imageWidth": 320,
    "imageHeight": 240,
    "frameRate": 10,
    "frameCount": 12,
    "tracks": [
        {
            "id": 7,
            "label": "car",
            "keyframes": [
                {"frame": 0, "x": 0, "y": 10, "w": 20, "h": 10},
                {"frame": 10, "x": 100, "y": 10, "w": 20, "h": 10},
            ],
        },
        {
            "id": 3,
            "label": "person",
            "keyframes": [
                {"frame": 2, "x": 50, "y": 50, "w": 10, "h": 30, "occluded": True},
                {"frame": 5, "x": 50, "y": 50, "w": 10, "h": 30, "outside": True},
            ],
        },
    ],
}


def item(n: int, answers: dict[str, dict], url: str = "https://x.example/clip.mp4") -> Record:
    return Record(str(n), url, "video", {"endNode": "end", "path": ["start", *answers, "end"], "answers": answers})


def _coco(data: bytes, tmp_path: Path) -> COCO:
    path = tmp_path / "coco.json"
    path.write_bytes(data)
    return COCO(str(path))


def test_coco_video_loads_in_pycocotools(tmp_path: Path) -> None:
    items = [
        item(0, {"det": SAMPLES[TaskType.VIDEO_DETECTION]}, url="https://x.example/a.mp4"),
        item(1, {"trk": TRACKING}, url="https://x.example/b.webm"),
    ]
    data, summary = export("coco_video", items, SCHEMA)
    coco = _coco(data, tmp_path)
    document = json.loads(data)

    assert summary.exported == {"video_detection": 1, "video_tracking": 1}
    assert [(v["id"], v["length"], v["fps"]) for v in document["videos"]] == [(1, 50, 25.0), (2, 12, 10.0)]
    detection_images = [i for i in document["images"] if i["video_id"] == 1]
    assert [i["frame_id"] for i in detection_images] == [0, 10]  # the sampled frames the answer lists
    assert len([i for i in document["images"] if i["video_id"] == 2]) == 12  # tracking: every frame
    assert {c["name"]: c["id"] for c in coco.loadCats(coco.getCatIds())} == {"car": 1, "person": 2}

    car_track = coco.loadAnns(coco.getAnnIds(catIds=[1]))
    tracked = [a for a in car_track if a["video_id"] == 2]
    assert len(tracked) == 12 and len({a["track_id"] for a in tracked}) == 1
    frame_5 = next(a for a in tracked if coco.imgs[a["image_id"]]["frame_id"] == 5)
    assert frame_5["bbox"] == [50.0, 10.0, 20.0, 10.0]  # interpolated halfway between the keyframes
    person = coco.loadAnns(coco.getAnnIds(catIds=[2]))
    assert [coco.imgs[a["image_id"]]["frame_id"] for a in person] == [2, 3, 4]  # outside from frame 5
    assert all(a["occluded"] for a in person)
    assert coco.imgs[frame_5["image_id"]]["file_name"].endswith("/000005.jpg")


def _mot_frame(text: str) -> "mm.io.pd.DataFrame":
    return mm.io.loadtxt(io.StringIO(text), fmt="mot15-2D", min_confidence=-1)


def test_mot_zip_reads_back_with_motmetrics() -> None:
    data, summary = export("mot", [item(0, {"trk": TRACKING}, url="https://x.example/clip.mp4")], SCHEMA)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        gt = archive.read("trk/0_clip/gt/gt.txt").decode()
        seqinfo = archive.read("trk/0_clip/seqinfo.ini").decode()
        labels = archive.read("labels.txt").decode().split()

    assert summary.exported == {"video_tracking": 1}
    assert set(names) == {"trk/0_clip/gt/gt.txt", "trk/0_clip/seqinfo.ini", "labels.txt"}
    assert "frameRate=10" in seqinfo and "seqLength=12" in seqinfo
    assert labels == ["person", "car"]  # the node's declared order
    frame = _mot_frame(gt)
    assert len(frame) == 12 + 3
    assert sorted(frame.index.get_level_values("Id").unique()) == [3, 7]
    person = frame.xs(3, level="Id")
    assert list(person.index) == [3, 4, 5]  # 1-based MOT frames for frames 2..4
    assert (person["Visibility"] == 0.5).all() and (person["ClassId"] == 1).all()
    np.testing.assert_allclose(frame.loc[(6, 7), ["X", "Y", "Width", "Height"]], [50, 10, 20, 10])

    # Read back, the file scores as a perfect tracking of the answer it came from (motmetrics' own metrics).
    accumulator = mm.MOTAccumulator(auto_id=True)
    answer = parse_answer(TaskType.VIDEO_TRACKING, TRACKING)
    for n in range(12):
        truth = [(t.id, b) for t in answer.tracks if (b := t.box_at(n)) is not None]  # type: ignore[attr-defined]
        rows = frame.xs(n + 1, level="FrameId") if n + 1 in frame.index.get_level_values("FrameId") else frame.iloc[:0]
        read = rows[["X", "Y", "Width", "Height"]].to_numpy(dtype=float)
        read_corners = np.column_stack([read[:, :2], read[:, :2] + read[:, 2:]])
        distance = 1 - box_iou(corners([b for _, b in truth]), read_corners)
        distance[distance > 0.5] = np.nan
        accumulator.update([i for i, _ in truth], list(rows.index), distance)
    metrics = mm.metrics.create().compute(accumulator, metrics=["idf1", "num_switches"])
    assert metrics.loc[0, "idf1"] == pytest.approx(1.0)
    assert metrics.loc[0, "num_switches"] == 0


def test_mot_lines_are_sorted_by_frame_then_id() -> None:
    answer = parse_answer(TaskType.VIDEO_TRACKING, TRACKING)
    lines = mot_lines(answer, {"person": 1, "car": 2}).splitlines()  # type: ignore[arg-type]
    keys = [(int(line.split(",")[0]), int(line.split(",")[1])) for line in lines]
    assert keys == sorted(keys)
    assert lines[0] == "1,7,1,11,20,10,1,2,1"  # 1-based pixels


def test_events_are_not_coco_video() -> None:
    data, summary = export("coco_video", [item(0, {"ev": SAMPLES[TaskType.VIDEO_EVENTS]})])
    assert summary.unsupported == {"video_events": 1}
    assert json.loads(data)["videos"] == []
