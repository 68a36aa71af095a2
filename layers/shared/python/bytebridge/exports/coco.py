"""COCO JSON (instances). One pass: annotations go straight to the sink; image records, which COCO lists
before or after the annotations but which we only know item by item too, wait in a spooled temporary
file (bytebridge.exports.spool) and are copied after the annotations; categories close the
document, so labels first seen in answers still get a category.

Extensions (COCO cannot express these; readers that do not know them ignore them):
- image["bytebridge"] = {"item_id", "classifications": [{"node", "choices": [option, ...]}], "transcriptions":
  [{"node", "text"}]}: image-level answers, which never become detection categories (categories are the
  labels of drawing nodes only);
- image["file_name"] is `<item id>_<base name of the link>` (writer.safe_file_name): unique, stable, no path;
- an image whose size is unknown (no answer of the item states it, and ingestion recorded none: only items
  admitted before admission checks recorded sizes, bytebridge.ingest) has no
  "width"/"height" keys rather than a false 0×0, and image["bytebridge"]["size_unknown"] = true; such an
  image has no annotations (every drawing answer states its image's size);
- boxes, cuboids (their enclosing box) and keypoints (a degenerate polygon at the point) carry a polygon
  `segmentation` too, so pycocotools' annToMask works on every annotation;
- annotation["rotated_box"] = [cx, cy, w, h, angle] (degrees counter-clockwise on screen);
- annotation["cuboid"] = {"front": [[x, y] x4], "back": [[x, y] x4]}.
"""

from typing import Any

import numpy as np
from pydantic import BaseModel

from bytebridge.annotations import TaskType
from bytebridge.annotations.choices import MultipleChoiceAnswer, SingleChoiceAnswer
from bytebridge.annotations.image import (
    BoxAnswer,
    Cuboid,
    CuboidAnswer,
    KeypointAnswer,
    PolygonAnswer,
    RotatedBoxAnswer,
    SegmentationAnswer,
)
from bytebridge.annotations.skeleton import SkeletonAnswer
from bytebridge.annotations.text import TranscriptionAnswer
from bytebridge.consensus.geometry import rotated_corners, signed_area
from bytebridge.enums import ExportFormat
from bytebridge.exports.coco_keypoints import KeypointCategories
from bytebridge.exports.geometry import bounds, rle_area, rle_bounds
from bytebridge.exports.model import ExportItem, ExportSchema
from bytebridge.exports.spool import Sink, drain, spool
from bytebridge.exports.writer import NodeAnswer, ParsedWriter, image_size, json_bytes, safe_file_name

_IMAGE_LEVEL = (TaskType.SINGLE_CHOICE, TaskType.MULTIPLE_CHOICE, TaskType.TRANSCRIPTION)


def _flat(points) -> list[float]:
    return [float(v) for point in points for v in point]


def _box_polygon(x: float, y: float, w: float, h: float) -> list[list[float]]:
    return [[x, y, x + w, y, x + w, y + h, x, y + h]]


class CocoWriter(ParsedWriter):
    format = ExportFormat.COCO
    extension = "json"
    content_type = "application/json"

    def __init__(self, sink: Sink, schema: ExportSchema):
        super().__init__(sink, schema)
        self._categories: dict[str, int] = {label: i for i, label in enumerate(schema.declared_labels(_IMAGE_LEVEL), 1)}
        self._keypoint_labels: set[str] = set()
        self._skeletons = KeypointCategories()  # keypoint_skeleton answers: bytebridge.exports.coco_keypoints
        self._images = spool()
        self._image_id = 0
        self._annotation_id = 0
        self._wrote_annotation = False
        self.sink.write(b'{"info":{"description":"ByteBridge export"},"licenses":[],"annotations":[')

    def _category(self, label: str) -> int:
        return self._categories.setdefault(label, len(self._categories) + 1)

    def _annotation(self, image_id: int, label: str, **fields: Any) -> dict:
        self._annotation_id += 1
        head = {"id": self._annotation_id, "image_id": image_id, "category_id": self._category(label), "iscrowd": 0}
        return head | fields

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        self._image_id += 1
        image_id = self._image_id
        width, height = image_size(item, answers)
        extension: dict[str, Any] = {"item_id": item.item_id}
        annotations: list[dict] = []
        for node_answer in answers:
            answer = node_answer.answer
            if isinstance(answer, SingleChoiceAnswer | MultipleChoiceAnswer):
                chosen = [answer.choice] if isinstance(answer, SingleChoiceAnswer) else answer.choices
                extension.setdefault("classifications", []).append(
                    {"node": node_answer.node_id, "choices": list(chosen)}
                )
            elif isinstance(answer, TranscriptionAnswer):
                extension.setdefault("transcriptions", []).append({"node": node_answer.node_id, "text": answer.text})
            else:
                annotations.extend(self._objects(image_id, answer))
        image: dict[str, Any] = {
            "id": image_id,
            "file_name": safe_file_name(item.item_id, item.url),
            "coco_url": item.url,
        }
        if width and height:
            image |= {"width": width, "height": height}
        else:
            extension["size_unknown"] = True
        image["bytebridge"] = extension
        self._images.write(b"," + json_bytes(image) if image_id > 1 else json_bytes(image))
        if annotations:
            text = json_bytes(annotations)[1:-1]
            self.sink.write(b"," + text if self._wrote_annotation else text)
            self._wrote_annotation = True

    def _objects(self, image_id: int, answer: BaseModel) -> list[dict]:
        if isinstance(answer, BoxAnswer):
            return self._boxes(image_id, answer)
        if isinstance(answer, PolygonAnswer):
            return [
                self._polygon(image_id, p.label, p.points, abs(signed_area(np.asarray(p.points))))
                for p in answer.polygons
            ]
        if isinstance(answer, RotatedBoxAnswer):
            return [
                self._polygon(
                    image_id,
                    b.label,
                    rotated_corners(b.cx, b.cy, b.w, b.h, b.angle).tolist(),
                    b.w * b.h,
                    rotated_box=[b.cx, b.cy, b.w, b.h, b.angle],
                )
                for b in answer.boxes
            ]
        if isinstance(answer, CuboidAnswer):
            return [self._cuboid(image_id, c) for c in answer.cuboids]
        if isinstance(answer, KeypointAnswer):
            self._keypoint_labels.update(p.label for p in answer.points)
            return [
                self._annotation(
                    image_id,
                    p.label,
                    segmentation=[[p.x, p.y] * 3],
                    keypoints=[p.x, p.y, 2],
                    num_keypoints=1,
                    bbox=[p.x, p.y, 0, 0],
                    area=0,
                )
                for p in answer.points
            ]
        if isinstance(answer, SegmentationAnswer):
            return [
                self._mask(image_id, m.label, m.counts, answer.image_width, answer.image_height)
                for m in answer.masks
                if rle_area(m.counts)  # an empty mask is no object
            ]
        if isinstance(answer, SkeletonAnswer):
            return self._skeletons.annotations(image_id, answer, self._annotation)
        raise TypeError(f"no COCO form for {type(answer).__name__}")  # the capability matrix rules this out

    def _boxes(self, image_id: int, answer: BoxAnswer) -> list[dict]:
        """The common case of large exports, spelled out: one dict per box, no keyword merging."""
        out = []
        for b in answer.boxes:
            self._annotation_id += 1
            x, y, w, h = b.x, b.y, b.w, b.h
            out.append(
                {
                    "id": self._annotation_id,
                    "image_id": image_id,
                    "category_id": self._category(b.label),
                    "iscrowd": 0,
                    "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]],
                    "bbox": [x, y, w, h],
                    "area": w * h,
                }
            )
        return out

    def _polygon(self, image_id: int, label: str, points: list, area: float, **extra: Any) -> dict:
        x1, y1, x2, y2 = bounds(points)
        return self._annotation(
            image_id, label, segmentation=[_flat(points)], bbox=[x1, y1, x2 - x1, y2 - y1], area=area, **extra
        )

    def _cuboid(self, image_id: int, cuboid: Cuboid) -> dict:
        x1, y1, x2, y2 = bounds(cuboid.front + cuboid.back)
        corners = {"front": [list(p) for p in cuboid.front], "back": [list(p) for p in cuboid.back]}
        return self._annotation(
            image_id,
            cuboid.label,
            segmentation=_box_polygon(x1, y1, x2 - x1, y2 - y1),
            bbox=[x1, y1, x2 - x1, y2 - y1],
            area=(x2 - x1) * (y2 - y1),
            cuboid=corners,
        )

    def _mask(self, image_id: int, label: str, counts: list[int], width: int, height: int) -> dict:
        box = rle_bounds(counts, height)
        assert box is not None, "empty masks are skipped before (rle_area 0)"
        x1, y1, x2, y2 = box
        return self._annotation(
            image_id,
            label,
            segmentation={"counts": counts, "size": [height, width]},
            bbox=[x1, y1, x2 - x1 + 1, y2 - y1 + 1],
            area=rle_area(counts),
            iscrowd=1,
        )

    def finish(self) -> None:
        self.sink.write(b'],"images":[')
        drain(self._images, self.sink)
        categories = []
        for label, category_id in self._categories.items():
            category: dict[str, Any] = {"id": category_id, "name": label, "supercategory": ""}
            if label in self._keypoint_labels:
                category |= {"keypoints": [label], "skeleton": []}
            category |= self._skeletons.category_fields(label)
            categories.append(category)
        self.sink.write(b'],"categories":' + json_bytes(categories) + b"}")
