"""A project labeled end to end on the local platform, over HTTP only, as a client and a crowd see it:
`local.simulate` creates a classify-then-box project (cats get boxes), uploads 50 simulated images, submits it,
the demo operator approves it (operator API), the trial runs, the client accepts it and the operator starts it,
and 8 annotators at ~80% accuracy work it through the worker API while some skip tasks, walk away from claims
(their leases run out) and submit twice. Then the client exports the results and downloads them through the
presigned URL retrieveProject gives."""

import io
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter

import pytest
import requests
from bytebridge_client import Client as SdkClient
from pycocotools.coco import COCO
from pypdf import PdfReader

from local.annotators import make_dataset
from local.simulate import Client, Faults, all_results, run_simulation

pytestmark = pytest.mark.xdist_group("platform")
ITEMS = 50
ANNOTATORS = 8
SEED = 7


@pytest.fixture(scope="session")  # once per test run, however pytest-xdist orders the platform group's tests
def simulated(platform):
    printed = io.StringIO()
    faults = Faults(skip_rate=0.05, double_submit_rate=0.1, abandon_rate=0.05)
    figures = run_simulation(
        platform.base_url, items=ITEMS, annotators=ANNOTATORS, accuracy=0.8, faults=faults, seed=SEED, out=printed
    )
    client = Client(platform.base_url, platform.user_id, platform.secret)
    return figures, client, printed.getvalue()


def test_every_item_reaches_an_end_node_once_despite_skips_abandons_and_double_submits(simulated):
    figures, client, printed = simulated
    results = all_results(client, figures["projectId"])

    assert figures["status"] == "completed", printed
    progress = figures["progress"]
    assert progress["projectItemQuantity"] == progress["completedQuantity"] == ITEMS
    assert progress["successQuantity"] + progress["failedQuantity"] == ITEMS
    assert progress["outputQuantity"] == progress["successQuantity"] == len(results)
    assert len({r["itemId"] for r in results}) == ITEMS  # none lost, none twice
    dataset = make_dataset(ITEMS, seed=SEED)
    assert {r["resourceURL"] for r in results} == set(dataset)
    for record in results:
        result = record["result"]
        chosen = result["answers"]["classify"]["choice"]
        assert result["path"] == (["classify", "box", "boxed"] if chosen == "cat" else ["classify", "other"])
        assert result["endNode"] == result["path"][-1]
        assert record["acceptance"] == "pending"
    # The faults happened, and the ones that could double count were answered as duplicates, never accepted twice.
    done = figures["annotators"]
    assert done["abandoned"] > 0 and done["skipped"] > 0 and done["duplicate submit"] > 0
    assert "resubmit 200" not in done  # a second submit is a duplicate, or refused once the lease ran out (409)
    boxed = sum("box" in r["result"]["answers"] for r in results)
    # bytebridge.pricing; the trial's sample (max(20, 5%) items) was labeled free: only the rest is charged
    trial = figures["trial"]
    assert trial["size"] == trial["finished"] == 20 and trial["cost"] > 0
    assert progress["amountSpent"] + trial["cost"] == pytest.approx(ITEMS * 0.02 + boxed * 0.06)


def _judgment_accuracy(client: Client, project_id: str, results: list[dict]) -> float:
    """How often a single annotator's classify judgment was right, over the same items."""
    dataset = make_dataset(ITEMS, seed=SEED)
    right = total = 0
    for record in results:
        detail = client.call("/api/v1/projects/retrieveResult", {"projectId": project_id, "itemId": record["itemId"]})
        for judgment in detail["judgments"]:
            if judgment["nodeId"] == "classify":
                total += 1
                right += judgment["answer"]["choice"] == dataset[record["resourceURL"]].label
    return right / total


def test_consolidated_answers_beat_a_single_annotator_against_the_ground_truth(simulated):
    figures, client, printed = simulated
    results = all_results(client, figures["projectId"])
    score = figures["score"]
    single = _judgment_accuracy(client, figures["projectId"], results)

    assert score["items"] == ITEMS
    # Weighted votes of 3-5 annotators are right more often than one of them alone (~0.8 here: ~0.92 expected).
    assert score["classAccuracy"] > single, printed
    assert score["classAccuracy"] >= 0.75, printed
    assert score["boxedItems"] > 0 and score["boxAccuracy"] >= 0.55, printed


def test_no_annotator_judged_the_same_task_twice(simulated):
    figures, client, _ = simulated
    for record in all_results(client, figures["projectId"])[:25]:
        detail = client.call(
            "/api/v1/projects/retrieveResult", {"projectId": figures["projectId"], "itemId": record["itemId"]}
        )
        per_node = Counter((j["nodeId"], j["worker"]) for j in detail["judgments"])
        assert per_node and max(per_node.values()) == 1, detail["judgments"]
        nodes = {j["nodeId"] for j in detail["judgments"]}
        assert nodes == set(record["result"]["path"][:-1])
        # at least the node's minimum overlap (3), at most one judgment per annotator of the crowd
        assert all(3 <= sum(1 for j in detail["judgments"] if j["nodeId"] == n) <= ANNOTATORS for n in nodes)


def _export(client: Client, project_id: str, fmt: str) -> bytes:
    exported = client.call("/api/v1/projects/exportResult", {"projectId": project_id, "format": fmt})
    assert exported["status"] == "done", exported
    extra = client.call("/api/v1/projects/retrieveProject", {"projectId": project_id})["extraInfo"]
    assert extra["downloadableResultNum"] == ITEMS
    download = requests.get(extra["downloadResultURL"], timeout=60)  # presigned: no credentials needed
    assert download.status_code == 200
    return download.content


def test_the_labeled_project_exports_to_coco_that_pycocotools_loads(simulated, tmp_path):
    figures, client, _ = simulated
    results = all_results(client, figures["projectId"])
    path = tmp_path / "export.json"
    path.write_bytes(_export(client, figures["projectId"], "coco"))

    coco = COCO(str(path))

    assert len(coco.imgs) == ITEMS
    # Categories are the box node's labels only; the classify answer stays in the image's own field (issue 12).
    categories = {c["name"]: c["id"] for c in coco.loadCats(coco.getCatIds())}
    assert set(categories) == {"cat"}
    by_url = {r["resourceURL"]: r["result"]["answers"] for r in results}
    for image in coco.imgs.values():
        (classified,) = image["bytebridge"]["classifications"]
        assert classified["choices"] == [by_url[image["coco_url"]]["classify"]["choice"]]
        assert {ann["category_id"] for ann in coco.imgToAnns[image["id"]]} <= {categories["cat"]}
        assert image["file_name"].startswith(image["bytebridge"]["item_id"] + "_")
    assert len({image["file_name"] for image in coco.imgs.values()}) == ITEMS
    boxes = sum(len(r["result"]["answers"]["box"]["boxes"]) for r in results if "box" in r["result"]["answers"])
    assert len(coco.getAnnIds()) == boxes
    assert all(ann["bbox"][2] > 0 and ann["bbox"][3] > 0 for ann in coco.loadAnns(coco.getAnnIds()))
    assert all(coco.annToMask(ann).any() for ann in coco.loadAnns(coco.getAnnIds()))


def test_the_labeled_project_exports_to_pascal_voc_xml(simulated):
    figures, client, _ = simulated
    time.sleep(0.01)  # retrieveProject links the newest export: make this one newer than the COCO one
    archive = zipfile.ZipFile(io.BytesIO(_export(client, figures["projectId"], "voc")))

    documents = [ET.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".xml")]

    boxed = [doc for doc in documents if doc.findall("object")]
    assert boxed and all(obj.findtext("name") == "cat" for doc in boxed for obj in doc.findall("object"))
    for doc in boxed:
        box = doc.find("object/bndbox")
        assert float(box.findtext("xmax")) > float(box.findtext("xmin"))


def test_the_completed_project_is_invoiced_with_its_charge(simulated):
    """The invoice of the completed project (issued by the invoice job when it completed) opens as a PDF through
    its presigned link (the local S3 door checks the signature) and its total is what the project was charged."""
    figures, client, _ = simulated
    project_id = figures["projectId"]

    invoice = client.call("/api/v1/billing/retrieveInvoice", {"projectId": project_id})

    assert invoice["totalCents"] == round(figures["progress"]["amountSpent"] * 100) > 0
    assert [i["number"] for i in client.call("/api/v1/billing/listInvoices", {})["invoices"]] == [invoice["number"]]
    pdf = requests.get(invoice["pdfURL"], timeout=30)
    assert pdf.status_code == 200, pdf.text
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    total = f"${invoice['totalCents'] // 100:,}.{invoice['totalCents'] % 100:02d}"
    assert f"Invoice {invoice['number']}" in text and project_id in text and total in text


def test_the_sdk_iterates_every_result_once_across_pages_and_accepts_them_in_bulk(simulated, platform):
    """bytebridge_client over the same project: results page by page (7 a page, so the last page is short) each
    exactly once, then every pending one accepted in one call of the SDK, and nothing left to accept after."""
    figures, client, _ = simulated
    project_id = figures["projectId"]
    sdk = SdkClient(platform.user_id, platform.secret, platform.base_url)

    ids = [record.itemId for record in sdk.iter_results(project_id, page_size=7)]
    accepted = sdk.accept_all(project_id)

    assert len(ids) == len(set(ids)) == figures["progress"]["outputQuantity"]
    assert set(ids) == {record["itemId"] for record in all_results(client, project_id)}
    assert accepted == len(ids)
    assert sdk.accept_all(project_id) == 0
    assert {record.acceptance for record in sdk.iter_results(project_id)} == {"accepted"}
