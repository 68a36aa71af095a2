"""VOC and labelme with hostile label text (issue 12): every file is well-formed and parses back to the
label (minus what XML cannot hold), and member and image file names are safe on every OS."""

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest

from bytebridge.annotations import TaskType
from tests.unit.exports_support import SIZE, Record, export, node_id

BOXES = node_id(TaskType.RECTANGLE)
HOSTILE = [
    "bell\x07tab\tnull\x00esc\x1b",
    "<object><name>x</name></object>",
    "a & b &amp; &#0; &#x1;",
    "]]> <![CDATA[ x ]]>",
    "\u732b \u0627\u0644\u0642\u0637 \u043a\u043e\u0442 \U0001f408",
    "quote \" apostrophe ' back\\slash",
    "form\x0cfeed\x0bvtab\x7fdel\ufffe",
]
XML_CANNOT_HOLD = set("\x00\x07\x1b\x0c\x0b\ufffe")
UNSAFE_IN_NAMES = set('\\:<>"|?*') | {chr(c) for c in range(32)}


def hostile_items() -> list[Record]:
    boxes = [{"label": label, "x": 1, "y": 1, "w": 5, "h": 5} for label in HOSTILE]
    url = 'https://cdn.example.com/D:\\scans\\we<i>rd|"name".jpg'
    answers = {BOXES: {**SIZE, "boxes": boxes}}
    return [
        Record(f"i{n}", url, "image", {"endNode": "end", "path": ["start", BOXES, "end"], "answers": answers})
        for n in range(2)
    ]


def members(fmt: str) -> dict[str, bytes]:
    data, summary = export(fmt, hostile_items())
    assert summary.exported == {"rectangle_frame_select": 2}
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def test_voc_with_hostile_labels_is_well_formed_and_keeps_the_text():
    files = members("voc")

    assert len(files) == 2
    for name, data in files.items():
        assert not set(name) & UNSAFE_IN_NAMES
        root = ET.fromstring(data)  # raises on any malformed XML
        names = [obj.find("name").text or "" for obj in root.iter("object")]
        assert names == ["".join(c for c in label if c not in XML_CANNOT_HOLD) for label in HOSTILE]
        filename = root.find("filename").text
        assert not set(filename) & UNSAFE_IN_NAMES
        assert filename.endswith("_we_i_rd_name_.jpg")
    assert {ET.fromstring(d).find("filename").text for d in files.values()} == {
        "i0_we_i_rd_name_.jpg",
        "i1_we_i_rd_name_.jpg",
    }


def test_labelme_with_hostile_labels_round_trips_exactly():
    files = members("labelme")

    assert sorted(files) == ["i0.json", "i1.json"]
    for data in files.values():
        document = json.loads(data.decode("utf-8"))
        assert [shape["label"] for shape in document["shapes"]] == HOSTILE
        assert not set(document["imagePath"]) & UNSAFE_IN_NAMES


@pytest.mark.parametrize("fmt", ["coco", "labelme"])
def test_a_lone_surrogate_in_a_label_does_not_break_the_export(fmt):
    answers = {BOXES: {**SIZE, "boxes": [{"label": "bad\ud800", "x": 1, "y": 1, "w": 2, "h": 2}]}}
    items = [Record("i0", "https://x.example/a.jpg", "image", {"endNode": "end", "path": [], "answers": answers})]

    data, _ = export(fmt, items)

    if fmt == "labelme":
        data = zipfile.ZipFile(io.BytesIO(data)).read("i0.json")
    assert "bad" in data.decode("utf-8")
