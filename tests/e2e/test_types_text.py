"""Text entities and OCR regions end to end on the local platform, over HTTP only. `local.simulate --flow
text-entities` uploads simulated texts (English and Chinese, served by the local web stand-in and kept with their
items at ingestion) to a flow of one text_spans node; `--flow ocr-regions` uploads pictures of signs to a flow of
one ocr_regions node. Three simulated annotators label them through the worker API; the client reads the
consolidated answers, exports spaCy-style JSON Lines and CoNLL-2003 (read back with seqeval) and COCO-Text (read
back with pycocotools)."""

import contextlib
import io
import json

import pytest
import requests
from pycocotools.coco import COCO
from seqeval.metrics.sequence_labeling import get_entities

from bytebridge.exports.ner import TOKEN
from local import sim_text
from local.simulate import Client, all_results, run_simulation

pytestmark = pytest.mark.xdist_group("platform")
ITEMS = 10
SEED = 7


def _label(platform, flow: str):
    printed = io.StringIO()
    figures = run_simulation(
        platform.base_url, flow=flow, items=ITEMS, annotators=3, accuracy=0.85, seed=SEED, out=printed
    )
    client = Client(platform.base_url, platform.user_id, platform.secret)
    assert figures["status"] == "completed", printed.getvalue()
    return figures, client, all_results(client, figures["projectId"])


@pytest.fixture(scope="module")
def entities(platform):
    return _label(platform, "text-entities")


@pytest.fixture(scope="module")
def ocr(platform):
    return _label(platform, "ocr-regions")


def _export(client: Client, project_id: str, fmt: str) -> tuple[bytes, dict]:
    exported = client.call("/api/v1/projects/exportResult", {"projectId": project_id, "format": fmt})
    info = client.call("/api/v1/projects/retrieveExport", {"projectId": project_id, "exportId": exported["exportId"]})
    assert info["status"] == "done", info
    download = requests.get(info["downloadURL"], timeout=60)  # presigned: no credentials needed
    assert download.status_code == 200
    return download.content, info["summary"]


def test_every_text_gets_consolidated_entities_close_to_the_truth(entities):
    figures, _, results = entities

    dataset = sim_text.ner_dataset(ITEMS, seed=SEED)
    assert {r["resourceURL"] for r in results} == set(dataset)
    for record in results:
        answer = record["result"]["answers"][sim_text.NER_NODE]
        assert answer["textLength"] == len(dataset[record["resourceURL"]].text)
    assert figures["score"]["spanF1"] >= 0.8, figures  # bench.quality_text: one annotator at 0.8 scores ~0.8


def test_entities_export_to_spacy_json_lines_whose_offsets_slice_the_texts(entities):
    figures, client, results = entities

    data, summary = _export(client, figures["projectId"], "ner_jsonl")

    lines = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert len(lines) == ITEMS and summary["exported"] == {"text_spans": ITEMS}
    by_url = {r["resourceURL"]: r["result"]["answers"][sim_text.NER_NODE] for r in results}
    for line in lines:
        truth = sim_text.ner_truth_of(line["meta"]["url"])
        assert line["text"] == truth.text  # the text kept at ingestion is the one served and labeled
        assert [(s["start"], s["end"], s["label"]) for s in line["spans"]] == [
            (s["start"], s["end"], s["label"]) for s in by_url[line["meta"]["url"]]["spans"]
        ]
        assert all(line["text"][s["start"] : s["end"]] == s["text"] for s in line["spans"])
    assert any("北京" in line["text"] or "张伟" in line["text"] for line in lines)


def test_entities_export_to_conll_bio_that_seqeval_reads_back(entities):
    figures, client, results = entities

    data, summary = _export(client, figures["projectId"], "conll")

    documents = data.decode("utf-8").split("-DOCSTART- -X- -X- O\n")[1:]
    assert len(documents) == ITEMS and summary["exported"] == {"text_spans": ITEMS}
    in_upload_order = sorted(results, key=lambda r: r["itemId"])  # item ids are time-ordered: the export's order
    answers = [r["result"]["answers"][sim_text.NER_NODE] for r in in_upload_order]
    texts = [sim_text.ner_truth_of(r["resourceURL"]).text for r in in_upload_order]
    for document, answer, text in zip(documents, answers, texts, strict=True):
        rows = [line.split(" ") for line in document.splitlines() if line]
        tokens = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
        assert [row[0] for row in rows] == [text[s:e] for s, e in tokens]
        entities_back = [(tokens[a][0], tokens[b][1], label) for label, a, b in get_entities([row[3] for row in rows])]
        # The annotators mark whole tokens, so BIO keeps every consolidated span exactly.
        assert entities_back == sorted((s["start"], s["end"], s["label"]) for s in answer["spans"])


def test_every_picture_gets_consolidated_text_regions(ocr):
    figures, _, results = ocr

    assert {r["resourceURL"] for r in results} == set(sim_text.ocr_dataset(ITEMS, seed=SEED))
    assert figures["score"]["regionF1"] >= 0.8 and figures["score"]["cer"] <= 0.1, figures


def test_ocr_regions_export_to_coco_text_that_pycocotools_loads(ocr, tmp_path):
    figures, client, results = ocr
    data, summary = _export(client, figures["projectId"], "coco_text")
    path = tmp_path / "coco_text.json"
    path.write_bytes(data)

    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(path))

    assert len(coco.imgs) == ITEMS and summary["exported"] == {"ocr_regions": ITEMS}
    assert {c["name"] for c in coco.loadCats(coco.getCatIds())} <= set(sim_text.OCR_LABELS)
    by_item = {r["itemId"]: r["result"]["answers"][sim_text.OCR_NODE]["regions"] for r in results}
    for image in coco.imgs.values():
        assert (image["width"], image["height"]) == (640, 480)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]]))
        assert [a["utf8_string"] for a in anns] == [r["text"] for r in by_item[image["bytebridge"]["item_id"]]]
        assert all(coco.annToMask(a).any() and len(a["mask"]) == 8 for a in anns)
