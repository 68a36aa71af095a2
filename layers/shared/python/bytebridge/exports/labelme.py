"""labelme: one JSON per image (<item id>.json) in a ZIP, as labelme 5.x saves them (imageData null:
labelme opens the image from imagePath, relative to the JSON file; imagePath is writer.safe_file_name, the
name to save the item's image under)."""

import base64
from itertools import count
from typing import Any

from bytebridge.annotations.choices import MultipleChoiceAnswer, SingleChoiceAnswer
from bytebridge.annotations.image import (
    BoxAnswer,
    CuboidAnswer,
    KeypointAnswer,
    PolygonAnswer,
    PolylineAnswer,
    RotatedBoxAnswer,
    SegmentationAnswer,
)
from bytebridge.consensus.geometry import rotated_corners
from bytebridge.enums import ExportFormat
from bytebridge.exports.geometry import png_bitmap, rle_bounds, rle_decode
from bytebridge.exports.model import ExportItem
from bytebridge.exports.writer import NodeAnswer, image_size, json_bytes, safe_file_name
from bytebridge.exports.zipped import ZipWriter

LABELME_VERSION = "5.5.0"


def _shape(label: str, shape_type: str, points, group_id: int | None = None, **extra: Any) -> dict:
    return {
        "label": label,
        "points": [[float(x), float(y)] for x, y in points],
        "group_id": group_id,
        "description": "",
        "shape_type": shape_type,
        "flags": {},
        "mask": None,
    } | extra


def _mask_shape(label: str, counts: list[int], width: int, height: int) -> dict | None:
    """labelme's mask shape: the mask's pixel box as two points (inclusive) and a PNG of the mask inside it."""
    box = rle_bounds(counts, height)
    if box is None:
        return None
    x1, y1, x2, y2 = box
    crop = rle_decode(counts, height, width)[y1 : y2 + 1, x1 : x2 + 1]
    return _shape(label, "mask", [(x1, y1), (x2, y2)], mask=base64.b64encode(png_bitmap(crop)).decode("ascii"))


class LabelmeWriter(ZipWriter):
    format = ExportFormat.LABELME

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        width, height = image_size(item, answers)
        flags: dict[str, bool] = {}
        shapes: list[dict] = []
        groups = count(1)  # a cuboid's two faces share a group id
        for node_answer in answers:
            answer = node_answer.answer
            if isinstance(answer, SingleChoiceAnswer | MultipleChoiceAnswer):
                chosen = {answer.choice} if isinstance(answer, SingleChoiceAnswer) else set(answer.choices)
                for option in (*node_answer.labels, *chosen):
                    flags[option] = flags.get(option, False) or option in chosen
            elif isinstance(answer, BoxAnswer):
                shapes += [_shape(b.label, "rectangle", [(b.x, b.y), (b.x + b.w, b.y + b.h)]) for b in answer.boxes]
            elif isinstance(answer, RotatedBoxAnswer):
                shapes += [
                    _shape(b.label, "polygon", rotated_corners(b.cx, b.cy, b.w, b.h, b.angle)) for b in answer.boxes
                ]
            elif isinstance(answer, PolygonAnswer):
                shapes += [_shape(p.label, "polygon", p.points) for p in answer.polygons]
            elif isinstance(answer, KeypointAnswer):
                shapes += [_shape(p.label, "point", [(p.x, p.y)]) for p in answer.points]
            elif isinstance(answer, PolylineAnswer):
                shapes += [
                    _shape(line.label, "line" if len(line.points) == 2 else "linestrip", line.points)
                    for line in answer.lines
                ]
            elif isinstance(answer, CuboidAnswer):
                for cuboid in answer.cuboids:
                    group = next(groups)
                    shapes.append(_shape(cuboid.label, "polygon", cuboid.front, group, description="cuboid front"))
                    shapes.append(_shape(cuboid.label, "polygon", cuboid.back, group, description="cuboid back"))
            elif isinstance(answer, SegmentationAnswer):
                masks = (_mask_shape(m.label, m.counts, answer.image_width, answer.image_height) for m in answer.masks)
                shapes += [shape for shape in masks if shape is not None]
            else:
                raise TypeError(f"no labelme form for {type(answer).__name__}")  # the capability matrix rules it out
        document = {
            "version": LABELME_VERSION,
            "flags": flags,
            "shapes": shapes,
            "imagePath": safe_file_name(item.item_id, item.url),
            "imageData": None,
            "imageHeight": height,
            "imageWidth": width,
            "bytebridge": {"item_id": item.item_id, "url": item.url},
        }
        self.write_member(f"{safe_file_name(item.item_id, '')}.json", json_bytes(document))
