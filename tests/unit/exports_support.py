"""Shared material of the export tests: item records, one valid answer per task type, a schema naming a
node per task type, RLE helpers, and a PNG reader (the layer writes 1-bit PNGs without an imaging library)."""

import io
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from bytebridge.annotations import TaskType
from bytebridge.exports.formats import write_export
from bytebridge.exports.model import ExportSchema, ExportSummary, NodeInfo

WIDTH, HEIGHT = 64, 48
SIZE = {"imageWidth": WIDTH, "imageHeight": HEIGHT}


@dataclass
class Record:
    item_id: str
    url: str
    resource_type: str = "image"
    result: dict | None = None
    text: str | None = None  # a text item's content, kept at ingestion: the text-entity exports read it


SAMPLE_TEXT = "Ann flew to 北京 on Monday."  # what SAMPLES' text_spans answer marks (code point offsets)


def item(n: int, answers: dict[str, dict]) -> Record:
    path = ["start", *answers, "end"]
    return Record(
        f"i{n:04d}",
        f"https://data.example.com/img/{n}.jpg",
        "image",
        {"endNode": "end", "path": path, "answers": answers},
        SAMPLE_TEXT,
    )


def rle(mask: np.ndarray) -> list[int]:
    """Column-major uncompressed RLE counts of a boolean (height, width) mask, starting with 0s."""
    flat = mask.T.reshape(-1).astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    return [0, *counts] if flat[0] else counts


def sample_mask() -> np.ndarray:
    mask = np.zeros((HEIGHT, WIDTH), dtype=bool)
    mask[5:20, 10:30] = True  # a block spanning many columns (runs wrap into the next column)
    mask[40:48, 60:64] = True  # touching the bottom-right corner
    mask[0, 0] = True
    return mask


SAMPLES: dict[TaskType, dict] = {
    TaskType.SINGLE_CHOICE: {"choice": "cat"},
    TaskType.MULTIPLE_CHOICE: {"choices": ["cat", "dog"]},
    TaskType.RECTANGLE: {**SIZE, "boxes": [{"label": "car", "x": 1.5, "y": 2, "w": 10, "h": 5}]},
    TaskType.FREE_POINT: {**SIZE, "points": [{"label": "nose", "x": 3, "y": 4}, {"label": "eye", "x": 5, "y": 6}]},
    TaskType.STROKE: {**SIZE, "lines": [{"label": "lane", "points": [[0, 0], [10, 10], [20, 5]]}]},
    TaskType.CUBE: {
        **SIZE,
        "cuboids": [
            {
                "label": "crate",
                "front": [[10, 10], [20, 10], [20, 20], [10, 20]],
                "back": [[14, 6], [24, 6], [24, 16], [14, 16]],
            }
        ],
    },
    TaskType.ROTATED_BOX: {**SIZE, "boxes": [{"label": "ship", "cx": 30, "cy": 20, "w": 20, "h": 10, "angle": 30}]},
    TaskType.POLYGON: {**SIZE, "polygons": [{"label": "roof", "points": [[0, 0], [10, 0], [10, 10]]}]},
    TaskType.SEGMENTATION: {**SIZE, "masks": [{"label": "sky", "counts": rle(sample_mask())}]},
    TaskType.TRANSCRIPTION: {"text": "hello world"},
    TaskType.TEXT_SPANS: {
        "textLength": len(SAMPLE_TEXT),
        "spans": [{"start": 0, "end": 3, "label": "PER"}, {"start": 12, "end": 14, "label": "LOC"}],
    },
    TaskType.OCR_REGIONS: {
        **SIZE,
        "regions": [
            {"label": "sign", "text": "EXIT", "x": 2, "y": 3, "w": 20, "h": 8},
            {"label": "sign", "text": "出口", "quad": [[30, 10], [50, 12], [49, 20], [29, 18]]},
        ],
    },
    TaskType.SKELETON: {
        **SIZE,
        "skeleton": {"keypoints": ["head", "hip", "foot"], "edges": [[1, 2], [2, 3]]},
        "instances": [{"label": "walker", "keypoints": [[10, 5, 2], [12, 20, 1], [0, 0, 0]], "bbox": [5, 2, 15, 40]}],
    },
    TaskType.VIDEO_EVENTS: {"duration": 12.5, "segments": [{"label": "goal", "start": 1.5, "end": 4}]},
    TaskType.AUDIO_SEGMENTS: {
        "duration": 9.5,
        "segments": [
            {"label": "speech", "start": 0.5, "end": 2.25, "text": "good morning"},
            {"label": "door", "start": 3, "end": 3.5, "text": None},
        ],
    },
    TaskType.VIDEO_DETECTION: {
        **SIZE,
        "frameRate": 25,
        "frameCount": 50,
        "frames": [
            {"frame": 0, "boxes": [{"label": "car", "x": 1, "y": 2, "w": 10, "h": 5}]},
            {"frame": 10, "boxes": []},
        ],
    },
    TaskType.VIDEO_TRACKING: {
        **SIZE,
        "frameRate": 25,
        "frameCount": 20,
        "tracks": [
            {
                "id": 4,
                "label": "car",
                "keyframes": [
                    {"frame": 2, "x": 1, "y": 2, "w": 10, "h": 5},
                    {"frame": 12, "x": 21, "y": 2, "w": 10, "h": 5, "occluded": True},
                    {"frame": 15, "x": 21, "y": 2, "w": 10, "h": 5, "outside": True},
                ],
            }
        ],
    },
}

LABELS: dict[TaskType, tuple[str, ...]] = {
    TaskType.SINGLE_CHOICE: ("cat", "dog", "unknown"),
    TaskType.MULTIPLE_CHOICE: ("cat", "dog", "bird"),
    TaskType.RECTANGLE: ("car", "person"),
}


def node_id(task_type: TaskType) -> str:
    return f"n_{task_type.value}"


SCHEMA = ExportSchema({node_id(t): NodeInfo(t, LABELS.get(t, ())) for t in TaskType})


def export(fmt: str, items, schema: ExportSchema = SCHEMA) -> tuple[bytes, ExportSummary]:
    sink = io.BytesIO()
    summary = write_export(fmt, items, schema, sink)
    return sink.getvalue(), summary


def read_png(data: bytes) -> np.ndarray:
    """A boolean mask from a 1-bit greyscale, non-interlaced PNG, checking signature and chunk CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour, interlace) == (1, 0, 0)
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(height, -1)
    assert (rows[:, 0] == 0).all()  # filter type "none" on every row
    return np.unpackbits(rows[:, 1:], axis=1)[:, :width].astype(bool)
