"""What each export format can say about each task type: the capability matrix, as data.

docs/exports.md shows the same table (a unit test keeps the two in step). Writers consult it before
touching an answer: an unsupported answer is skipped and counted in the export summary, never fatal.
"""

from dataclasses import dataclass
from enum import StrEnum

from bytebridge.annotations import TaskType
from bytebridge.enums import ExportFormat


class Support(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Capability:
    support: Support
    how: str = ""  # what is written (partial: what is lost; unsupported: why)


def _full(how: str = "") -> Capability:
    return Capability(Support.FULL, how)


def _partial(how: str) -> Capability:
    return Capability(Support.PARTIAL, how)


def _no(why: str) -> Capability:
    return Capability(Support.UNSUPPORTED, why)


_COCO_IMAGE_LABELS = (
    "COCO has no image-level labels: the chosen options in the image's `bytebridge` field, never categories"
)

CAPABILITIES: dict[ExportFormat, dict[TaskType, Capability]] = {
    ExportFormat.COCO: {
        TaskType.SINGLE_CHOICE: _partial(_COCO_IMAGE_LABELS),
        TaskType.MULTIPLE_CHOICE: _partial(_COCO_IMAGE_LABELS),
        TaskType.RECTANGLE: _full("bbox [x, y, w, h], area, and the box polygon as segmentation"),
        TaskType.FREE_POINT: _partial(
            "one single-keypoint annotation per point, category = label with keypoints [label]: answers carry no "
            "instance grouping, so multi-keypoint skeletons cannot be formed (keypoint_skeleton answers can)"
        ),
        TaskType.STROKE: _no("COCO has no open polylines"),
        TaskType.CUBE: _partial(
            "bbox of the 8 corners (and its polygon as segmentation); the corners in the annotation's `cuboid` field"
        ),
        TaskType.ROTATED_BOX: _partial(
            "segmentation polygon of the 4 corners, bbox enclosing them, area w*h; the exact box in the "
            "annotation's `rotated_box` field [cx, cy, w, h, angle]"
        ),
        TaskType.POLYGON: _full("segmentation polygon, bbox, shoelace area"),
        TaskType.SEGMENTATION: _full("uncompressed RLE {counts, size} with iscrowd 1, bbox and area from the runs"),
        TaskType.TRANSCRIPTION: _partial("COCO has no image-level text: in the image's `bytebridge` field"),
        TaskType.SKELETON: _full(
            "one annotation per instance: keypoints [x, y, v] x n, num_keypoints, bbox (drawn, else the labeled "
            "keypoints' box), area; the category carries the skeleton's keypoint names and edges"
        ),
        TaskType.AUDIO_SEGMENTS: _no("COCO describes images, not recordings"),
        TaskType.TEXT_SPANS: _no("COCO describes images, not texts (ner_jsonl, conll)"),
        TaskType.OCR_REGIONS: _no("COCO has no text on its annotations: coco_text adds COCO-Text's fields"),
        TaskType.VIDEO_EVENTS: _no("COCO describes images, not clips"),
        TaskType.VIDEO_DETECTION: _no("COCO describes images, not clips (coco_video)"),
        TaskType.VIDEO_TRACKING: _no("COCO describes images, not clips (coco_video, mot)"),
    },
    ExportFormat.VOC: {
        TaskType.SINGLE_CHOICE: _no("VOC XML has no image-level labels"),
        TaskType.MULTIPLE_CHOICE: _no("VOC XML has no image-level labels"),
        TaskType.RECTANGLE: _full("bndbox, 1-based inclusive pixel indexes"),
        TaskType.FREE_POINT: _no("VOC XML has no points"),
        TaskType.STROKE: _no("VOC XML has no lines"),
        TaskType.CUBE: _partial("bndbox of the 8 corners"),
        TaskType.ROTATED_BOX: _partial("bndbox enclosing the 4 corners; the angle is lost"),
        TaskType.POLYGON: _partial("bndbox of the polygon; the outline is lost (VOC segmentation is PNG, not XML)"),
        TaskType.SEGMENTATION: _partial("bndbox of the mask; the mask is lost (VOC segmentation is PNG, not XML)"),
        TaskType.TRANSCRIPTION: _no("VOC XML has no text"),
        TaskType.SKELETON: _no("VOC XML has no keypoints"),
        TaskType.AUDIO_SEGMENTS: _no("VOC XML describes images, not recordings"),
        TaskType.TEXT_SPANS: _no("VOC XML describes images, not texts"),
        TaskType.OCR_REGIONS: _no("VOC XML has no text (coco_text)"),
        TaskType.VIDEO_EVENTS: _no("VOC XML describes images, not clips"),
        TaskType.VIDEO_DETECTION: _no("VOC XML describes images, not clips (coco_video)"),
        TaskType.VIDEO_TRACKING: _no("VOC XML describes images, not clips (coco_video, mot)"),
    },
    ExportFormat.LABELME: {
        TaskType.SINGLE_CHOICE: _full("image flags {option: chosen}"),
        TaskType.MULTIPLE_CHOICE: _full("image flags {option: chosen}"),
        TaskType.RECTANGLE: _full("rectangle shape [[x1, y1], [x2, y2]]"),
        TaskType.FREE_POINT: _full("point shapes"),
        TaskType.STROKE: _full("line shape (2 points) or linestrip"),
        TaskType.CUBE: _partial("two polygons (front and back face) sharing a group_id; labelme has no cuboid shape"),
        TaskType.ROTATED_BOX: _partial("polygon of the 4 corners: exact, but labelme edits it as a polygon"),
        TaskType.POLYGON: _full("polygon shape"),
        TaskType.SEGMENTATION: _full("mask shape: bbox points and a base64 PNG of the mask inside it"),
        TaskType.TRANSCRIPTION: _no("labelme has no image-level text"),
        TaskType.SKELETON: _no("labelme has no skeletons (COCO keeps instances, names and edges)"),
        TaskType.AUDIO_SEGMENTS: _no("labelme describes images, not recordings"),
        TaskType.TEXT_SPANS: _no("labelme describes images, not texts"),
        TaskType.OCR_REGIONS: _no("labelme shapes carry no text (coco_text)"),
        TaskType.VIDEO_EVENTS: _no("labelme describes images, not clips"),
        TaskType.VIDEO_DETECTION: _no("labelme describes images, not clips (coco_video)"),
        TaskType.VIDEO_TRACKING: _no("labelme describes images, not clips (coco_video, mot)"),
    },
    ExportFormat.JSON: {task_type: _full("the stored answer, as is") for task_type in TaskType},
    ExportFormat.NER_JSONL: {task_type: _no("spaCy-style JSON Lines hold text entities") for task_type in TaskType}
    | {TaskType.TEXT_SPANS: _full('{"text", "spans": [{"start", "end", "label", "text"}], "meta"}, code points')},
    ExportFormat.CONLL: {task_type: _no("CoNLL-2003 holds tagged tokens of a text") for task_type in TaskType}
    | {TaskType.TEXT_SPANS: _partial("BIO tags on tokens: of overlapping spans the first stays; ends snap to tokens")},
    ExportFormat.COCO_TEXT: {task_type: _no("COCO-Text holds text regions of images") for task_type in TaskType}
    | {TaskType.OCR_REGIONS: _full("bbox, quadrilateral as segmentation and mask, utf8_string, legibility, class")},
    ExportFormat.WEBVTT: {task_type: _no("WebVTT holds timed text of a recording") for task_type in TaskType}
    | {TaskType.AUDIO_SEGMENTS: _full("a cue per segment: `<v label>transcript`, or `[label]` when untranscribed")},
    ExportFormat.SRT: {task_type: _no("SubRip holds timed text of a recording") for task_type in TaskType}
    | {TaskType.AUDIO_SEGMENTS: _partial("a cue per segment: `[label] transcript`; the label is part of the text")},
    ExportFormat.COCO_VIDEO: {task_type: _no("COCO-video holds boxes on video frames") for task_type in TaskType}
    | {
        TaskType.VIDEO_DETECTION: _full("an image per sampled frame (video_id, frame_id), bbox annotations"),
        TaskType.VIDEO_TRACKING: _full("an image per frame, interpolated bboxes with track_id and occluded"),
    },
    ExportFormat.MOT: {task_type: _no("MOTChallenge holds tracks of a clip") for task_type in TaskType}
    | {TaskType.VIDEO_TRACKING: _partial("gt.txt per clip: occluded as visibility 0.5; keyframes interpolated")},
}


def capability(fmt: ExportFormat, task_type: TaskType) -> Capability:
    return CAPABILITIES[fmt][task_type]


def matrix_markdown() -> str:
    """The matrix and what each cell means, as docs/exports.md carries them (a test keeps them equal)."""
    formats = list(ExportFormat)
    lines = [
        "| task type | " + " | ".join(fmt.value for fmt in formats) + " |",
        "|---|" + "---|" * len(formats),
    ]
    for task_type in TaskType:
        cells = [CAPABILITIES[fmt][task_type].support.value for fmt in formats]
        lines.append(f"| {task_type.value} | " + " | ".join(cells) + " |")
    for fmt in formats:
        lines += ["", f"`{fmt.value}`:", ""]
        for task_type, cap in CAPABILITIES[fmt].items():
            lines.append(f"- {task_type.value} ({cap.support.value}): {cap.how}")
    return "\n".join(lines)
