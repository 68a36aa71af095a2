"""Pascal VOC: one annotation XML per image (Annotations/<item id>.xml) in a ZIP.

Boxes are VOC's integer pixel indexes, 1-based and inclusive: a box from x to x+w in our continuous
0-based pixel coordinates covers pixels floor(x)..ceil(x+w)-1, written as xmin = floor(x)+1,
xmax = ceil(x+w). Shapes VOC XML cannot hold become their enclosing box (see the capability matrix);
a box reaching past the image is clipped to it and marked truncated. Text (labels, links) passes through
writer.xml_text, so any label yields a well-formed file; <filename> is writer.safe_file_name.
"""

import math

from bytebridge.annotations.image import BoxAnswer, CuboidAnswer, PolygonAnswer, RotatedBoxAnswer, SegmentationAnswer
from bytebridge.consensus.geometry import rotated_corners
from bytebridge.enums import ExportFormat
from bytebridge.exports.geometry import bounds, rle_bounds
from bytebridge.exports.model import ExportItem
from bytebridge.exports.writer import NodeAnswer, image_size, safe_file_name, xml_text
from bytebridge.exports.zipped import ZipWriter

PixelBox = tuple[int, int, int, int]  # xmin, ymin, xmax, ymax: 1-based, inclusive


def pixel_box(x1: float, y1: float, x2: float, y2: float) -> PixelBox:
    """The 1-based inclusive pixel range covering the continuous box (x1, y1)-(x2, y2)."""
    xmin, ymin = math.floor(x1) + 1, math.floor(y1) + 1
    return xmin, ymin, max(math.ceil(x2), xmin), max(math.ceil(y2), ymin)


def _boxes(answer) -> list[tuple[str, PixelBox]]:
    if isinstance(answer, BoxAnswer):
        return [(b.label, pixel_box(b.x, b.y, b.x + b.w, b.y + b.h)) for b in answer.boxes]
    if isinstance(answer, RotatedBoxAnswer):
        return [(b.label, pixel_box(*bounds(rotated_corners(b.cx, b.cy, b.w, b.h, b.angle)))) for b in answer.boxes]
    if isinstance(answer, PolygonAnswer):
        return [(p.label, pixel_box(*bounds(p.points))) for p in answer.polygons]
    if isinstance(answer, CuboidAnswer):
        return [(c.label, pixel_box(*bounds(c.front + c.back))) for c in answer.cuboids]
    if isinstance(answer, SegmentationAnswer):
        out = []
        for mask in answer.masks:
            if box := rle_bounds(mask.counts, answer.image_height):  # inclusive 0-based pixels
                out.append((mask.label, (box[0] + 1, box[1] + 1, box[2] + 1, box[3] + 1)))
        return out
    raise TypeError(f"no VOC form for {type(answer).__name__}")  # the capability matrix rules this out


def _object(label: str, box: PixelBox, width: int, height: int) -> str:
    xmin, ymin, xmax, ymax = box
    if width and height:
        clipped = (max(xmin, 1), max(ymin, 1), min(xmax, width), min(ymax, height))
        truncated = int(clipped != box)
        xmin, ymin, xmax, ymax = clipped
    else:
        truncated = 0
    return (
        f"  <object>\n    <name>{xml_text(label)}</name>\n    <pose>Unspecified</pose>\n"
        f"    <truncated>{truncated}</truncated>\n    <difficult>0</difficult>\n"
        f"    <bndbox>\n      <xmin>{xmin}</xmin>\n      <ymin>{ymin}</ymin>\n"
        f"      <xmax>{xmax}</xmax>\n      <ymax>{ymax}</ymax>\n    </bndbox>\n  </object>\n"
    )


class VocWriter(ZipWriter):
    format = ExportFormat.VOC

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        width, height = image_size(item, answers)
        objects = "".join(
            _object(label, box, width, height) for node_answer in answers for label, box in _boxes(node_answer.answer)
        )
        xml = (
            "<annotation>\n  <folder>ByteBridge</folder>\n"
            f"  <filename>{xml_text(safe_file_name(item.item_id, item.url))}</filename>\n"
            f"  <path>{xml_text(item.url)}</path>\n"
            f"  <source>\n    <database>ByteBridge</database>\n    <annotation>{xml_text(item.item_id)}</annotation>\n"
            "  </source>\n"
            f"  <size>\n    <width>{width}</width>\n    <height>{height}</height>\n    <depth>3</depth>\n  </size>\n"
            f"  <segmented>0</segmented>\n{objects}</annotation>\n"
        )
        self.write_member(f"Annotations/{safe_file_name(item.item_id, '')}.xml", xml.encode())
