"""OCR regions as COCO-Text: COCO's layout (`images`, `annotations`, `categories` lists, so pycocotools and COCO
tooling load it) with COCO-Text v2's fields on each annotation: `utf8_string` (the text read), `mask` (the region's
four corners, flat [x1, y1, …, x4, y4]), `legibility` ("legible"; "illegible" for an empty text) and `class` (the
region's label, also its category). `bbox`, `area` and `segmentation` (the quadrilateral) are COCO's, so
`annToMask` works. Images are the items, with their width and height when known and the item id in `bytebridge`.
"""

from typing import Any

import numpy as np

from bytebridge.annotations.ocr import OcrAnswer
from bytebridge.consensus.geometry import signed_area
from bytebridge.enums import ExportFormat
from bytebridge.exports.model import ExportItem, ExportSchema
from bytebridge.exports.spool import Sink, drain, spool
from bytebridge.exports.writer import NodeAnswer, ParsedWriter, image_size, json_bytes, safe_file_name


class CocoTextWriter(ParsedWriter):
    format = ExportFormat.COCO_TEXT
    extension = "json"
    content_type = "application/json"

    def __init__(self, sink: Sink, schema: ExportSchema):
        super().__init__(sink, schema)
        self._categories: dict[str, int] = {}
        self._images = spool()
        self._image_id = 0
        self._annotation_id = 0
        self.sink.write(b'{"info":{"description":"ByteBridge export (COCO-Text)"},"licenses":[],"annotations":[')

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        self._image_id += 1
        width, height = image_size(item, answers)
        image: dict[str, Any] = {"id": self._image_id, "file_name": safe_file_name(item.item_id, item.url)}
        image |= {"coco_url": item.url, "width": width, "height": height} if width and height else {}
        image["bytebridge"] = {"item_id": item.item_id}
        self._images.write(b"," + json_bytes(image) if self._image_id > 1 else json_bytes(image))
        for node_answer in answers:
            assert isinstance(node_answer.answer, OcrAnswer)  # the capability matrix lets only OCR regions in
            for region in node_answer.answer.regions:
                self._write_region(region, node_answer.node_id)

    def _write_region(self, region: Any, node_id: str) -> None:
        corners = np.array(region.corners(), dtype=float)
        (x1, y1), (x2, y2) = corners.min(axis=0), corners.max(axis=0)
        flat = [float(v) for v in corners.ravel()]
        self._annotation_id += 1
        annotation = {
            "id": self._annotation_id,
            "image_id": self._image_id,
            "category_id": self._categories.setdefault(region.label, len(self._categories) + 1),
            "iscrowd": 0,
            "bbox": [float(x1), float(y1), float(x2 - x1), float(y2 - y1)],
            "area": abs(signed_area(corners)),
            "segmentation": [flat],
            "mask": flat,
            "utf8_string": region.text,
            "legibility": "legible" if region.text.strip() else "illegible",
            "class": region.label,
            "node": node_id,
        }
        self.sink.write(b"," + json_bytes(annotation) if self._annotation_id > 1 else json_bytes(annotation))

    def finish(self) -> None:
        self.sink.write(b'],"images":[')
        drain(self._images, self.sink)
        categories = [{"id": i, "name": name, "supercategory": "text"} for name, i in self._categories.items()]
        self.sink.write(b'],"categories":' + json_bytes(categories) + b"}")
