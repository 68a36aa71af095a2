"""The text-entity exports (spaCy-style JSON Lines, CoNLL-2003 BIO read back by seqeval) and the OCR export
(COCO-Text fields on COCO's layout, loaded by pycocotools), from the text kept with each item at ingestion."""

import json
from itertools import pairwise

import numpy as np
import pytest
from pycocotools.coco import COCO
from seqeval.metrics.sequence_labeling import get_entities

from bytebridge.annotations import TaskType
from bytebridge.exports.formats import write_export
from bytebridge.exports.model import ExportSchema, NodeInfo
from bytebridge.exports.ner import TOKEN
from tests.unit.exports_support import Record, export

TEXTS = [
    "Ann Lee flew to Paris.\nShe met 张伟 at 清华大学 on Monday.",
    "今天张伟在北京参观了腾讯。",
    "Nothing to see here.",
]
SPANS = [
    [(0, 7, "PER"), (16, 21, "LOC"), (31, 33, "PER"), (37, 41, "ORG")],
    [(2, 4, "PER"), (5, 7, "LOC"), (10, 12, "ORG")],
    [],
]
SCHEMA = ExportSchema({"ner": NodeInfo(TaskType.TEXT_SPANS, ("PER", "LOC", "ORG"))})


def record(n: int, text: str | None, marked: list[tuple[int, int, str]], length: int | None = None) -> Record:
    answer = {
        "textLength": len(text or "") if length is None else length,
        "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in marked],
    }
    result = {"endNode": "end", "path": ["ner", "end"], "answers": {"ner": answer}}
    return Record(f"i{n}", f"https://texts.example.com/{n}.txt", "text", result, text)


def records() -> list[Record]:
    return [record(n, text, spans) for n, (text, spans) in enumerate(zip(TEXTS, SPANS, strict=True))]


def conll_documents(data: bytes) -> list[list[tuple[str, str]]]:
    """(token, tag) per document, reading the columns as CoNLL-2003 readers do: -DOCSTART- starts a document,
    blank lines end sentences, the tag is the last column."""
    documents: list[list[tuple[str, str]]] = []
    for line in data.decode("utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            documents.append([])
        elif line:
            columns = line.split(" ")
            assert len(columns) == 4, line
            documents[-1].append((columns[0], columns[-1]))
    return documents


def test_ner_jsonl_has_one_line_per_item_whose_offsets_slice_the_text():
    data, summary = export("ner_jsonl", records(), SCHEMA)

    lines = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert [line["text"] for line in lines] == TEXTS
    for line, marked in zip(lines, SPANS, strict=True):
        assert [(s["start"], s["end"], s["label"]) for s in line["spans"]] == marked
        assert all(line["text"][s["start"] : s["end"]] == s["text"] for s in line["spans"])
    assert lines[0]["spans"][2]["text"] == "张伟" and lines[1]["spans"][2]["text"] == "腾讯"
    assert lines[1]["meta"] == {"itemId": "i1", "url": "https://texts.example.com/1.txt", "node": "ner"}
    assert summary.exported["text_spans"] == 3 and summary.items == 3


def test_conll_bio_tags_read_back_by_seqeval_give_the_same_entities():
    data, summary = export("conll", records(), SCHEMA)

    documents = conll_documents(data)
    assert len(documents) == 3 and summary.exported["text_spans"] == 3
    for document, text, marked in zip(documents, TEXTS, SPANS, strict=True):
        tokens = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
        assert [token for token, _ in document] == [text[s:e] for s, e in tokens]
        entities = get_entities([tag for _, tag in document])
        assert [(tokens[first][0], tokens[last][1], label) for label, first, last in entities] == marked


def test_conll_puts_a_blank_line_at_each_line_break_and_cjk_characters_are_tokens():
    data, _ = export("conll", records()[:1], SCHEMA)

    lines = data.decode("utf-8").split("\n")
    assert lines[:4] == ["-DOCSTART- -X- -X- O", "", "Ann -X- _ B-PER", "Lee -X- _ I-PER"]
    assert lines[lines.index(". -X- _ O") + 1] == ""  # "Paris." ends the first line of the text
    assert "张 -X- _ B-PER" in lines and "伟 -X- _ I-PER" in lines and "大 -X- _ I-ORG" in lines


def test_bio_cannot_nest_so_the_first_of_overlapping_spans_is_written():
    nested = record(0, "Bank of China Tower", [(0, 13, "ORG"), (8, 13, "LOC"), (0, 19, "FAC")])

    documents = conll_documents(export("conll", [nested], SCHEMA)[0])

    assert get_entities([tag for _, tag in documents[0]]) == [("FAC", 0, 3)]


def test_an_item_without_its_text_or_with_another_length_is_counted_invalid_not_written():
    kept, missing, changed = records()[0], record(1, None, SPANS[1], length=13), record(2, "short", [], length=9)

    for fmt in ("ner_jsonl", "conll"):
        data, summary = export(fmt, [kept, missing, changed], SCHEMA)

        assert summary.exported["text_spans"] == 1 and summary.invalid["text_spans"] == 2
        documents = [line for line in data.splitlines() if line.startswith((b'{"text"', b"-DOCSTART-"))]
        assert len(documents) == 1 and "北京" not in data.decode("utf-8")


OCR_ANSWER = {
    "imageWidth": 200,
    "imageHeight": 100,
    "regions": [
        {"label": "printed", "text": "EXIT", "x": 10, "y": 10, "w": 40, "h": 20},
        {"label": "handwritten", "text": "出口", "quad": [[60, 10], [100, 14], [98, 34], [58, 30]]},
        {"label": "printed", "text": "", "x": 120, "y": 60, "w": 30, "h": 10},
    ],
}


def test_coco_text_loads_in_pycocotools_with_text_masks_and_categories(tmp_path):
    schema = ExportSchema({"read": NodeInfo(TaskType.OCR_REGIONS, ("printed", "handwritten"))})
    items = [
        Record("i0", "https://pics.example.com/sign.jpg", "image", {"answers": {"read": OCR_ANSWER}}),
        Record("i1", "https://pics.example.com/none.jpg", "image", {"answers": {}}),
    ]
    data, summary = export("coco_text", items, schema)
    path = tmp_path / "coco_text.json"
    path.write_bytes(data)

    coco = COCO(str(path))

    assert len(coco.imgs) == 2 and summary.exported["ocr_regions"] == 1
    assert {c["name"] for c in coco.loadCats(coco.getCatIds())} == {"printed", "handwritten"}
    image = coco.imgs[1]
    assert (image["width"], image["height"], image["bytebridge"]["item_id"]) == (200, 100, "i0")
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[1]))
    assert [a["utf8_string"] for a in anns] == ["EXIT", "出口", ""]
    assert [a["legibility"] for a in anns] == ["legible", "legible", "illegible"]
    assert anns[0]["bbox"] == [10, 10, 40, 20] and anns[0]["mask"] == [10, 10, 50, 10, 50, 30, 10, 30]
    assert anns[1]["mask"] == [60, 10, 100, 14, 98, 34, 58, 30] and anns[1]["bbox"] == [58, 10, 42, 24]
    for ann in anns:
        mask = coco.annToMask(ann)
        assert mask.shape == (100, 200) and abs(int(mask.sum()) - ann["area"]) <= 0.15 * ann["area"] + 40
    assert np.isclose(anns[1]["area"], 808.0)  # the shoelace area of the quadrilateral


class CountingSink:
    def __init__(self):
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


@pytest.mark.parametrize("fmt", ["ner_jsonl", "conll", "coco_text"])
def test_each_item_is_written_before_the_next_is_pulled(fmt):
    sink, sizes = CountingSink(), []
    schema = ExportSchema(
        {"ner": NodeInfo(TaskType.TEXT_SPANS, ("PER",)), "read": NodeInfo(TaskType.OCR_REGIONS, ("printed",))}
    )

    def items():
        for n in range(20):
            sizes.append(sink.size)
            answers = (
                {"read": OCR_ANSWER}
                if fmt == "coco_text"
                else {"ner": record(n, TEXTS[0], SPANS[0]).result["answers"]["ner"]}
            )
            yield Record(f"i{n}", f"https://example.com/{n}", "text", {"answers": answers}, TEXTS[0])

    summary = write_export(fmt, items(), schema, sink)

    assert summary.items == 20
    assert all(later > earlier for earlier, later in pairwise(sizes))
