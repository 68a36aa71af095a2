"""Our labelme export read back by an independent labelme reader, globox's (AnnotationSet.from_labelme, polygons
included). labelme's own LabelFile cannot be installed here: labelme 6.3 imports onnxruntime when imported and its
image utilities import PyQt5 (labelme 7 needs a newer Python). globox reads each JSON's imagePath, imageWidth,
imageHeight and the rectangle/polygon shapes' labels and points, as a labelme user's pipeline would."""

import io
import zipfile
from dataclasses import dataclass

from globox import AnnotationSet

from bytebridge.annotations import TaskType
from tests.unit.exports_support import SIZE, Record, export, item, node_id

HOSTILE = ["car <b>&amp;", "]]> \x07bell", "汽车", "a/b\\c:d", "tab\there"]


@dataclass
class SizedRecord(Record):
    """An item whose size ingestion recorded (bytebridge.ingest) and whose answers state none."""

    image_width: int | None = None
    image_height: int | None = None


def load(items, tmp_path) -> AnnotationSet:
    data, _ = export("labelme", items)
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    return AnnotationSet.from_labelme(tmp_path, include_poly=True)


def test_boxes_and_polygons_with_any_label_text_load_with_their_image_sizes(tmp_path):
    rectangle, polygon = node_id(TaskType.RECTANGLE), node_id(TaskType.POLYGON)
    boxes = [{"label": label, "x": 1 + n, "y": 2, "w": 10, "h": 5} for n, label in enumerate(HOSTILE)]
    items = [
        item(0, {rectangle: {**SIZE, "boxes": boxes}}),
        item(1, {polygon: {**SIZE, "polygons": [{"label": "屋顶 & <roof>", "points": [[0, 0], [10, 0], [10, 10]]}]}}),
    ]

    loaded = load(items, tmp_path)

    assert len(loaded) == 2
    by_item = {annotation.image_id.split("_", 1)[0]: annotation for annotation in loaded}
    first = by_item["i0000"]
    assert first.image_size == (SIZE["imageWidth"], SIZE["imageHeight"])
    got = sorted((box.label, box.ltrb) for box in first.boxes)
    expected = sorted((label, (1.0 + n, 2.0, 11.0 + n, 7.0)) for n, label in enumerate(HOSTILE))
    assert got == expected
    (roof,) = by_item["i0001"].boxes
    assert (roof.label, roof.ltrb) == ("屋顶 & <roof>", (0.0, 0.0, 10.0, 10.0))


def test_an_item_without_a_drawing_answer_loads_with_the_size_ingestion_recorded(tmp_path):
    choice = node_id(TaskType.SINGLE_CHOICE)
    answered = item(3, {choice: {"choice": "cat"}})
    sized = SizedRecord(answered.item_id, answered.url, "image", answered.result, image_width=1920, image_height=1080)

    (annotation,) = load([sized], tmp_path)

    assert annotation.image_size == (1920, 1080) and annotation.boxes == []
