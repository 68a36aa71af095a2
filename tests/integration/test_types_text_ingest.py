"""Text items at ingestion for text entities (bytebridge.ingest.check): a short UTF-8 text is kept with its item,
exactly as the annotators' browsers decode it; a text-spans flow refuses texts too long to keep, texts that are not
wholly UTF-8 (tests/e2e/test_types_text.py exports the kept texts)."""

from bytebridge.dal.items import ItemModel
from bytebridge.enums import ItemStatus
from local import web_standin
from local.web_standin import Reply
from tests.support.client_api import SUBMIT, create_project
from tests.support.engine import SET_FLOW

TEXT_PROJECT = {
    "projectName": "entities",
    "type": "text_classification",
    "instruction": "entities",
    "taskType": "single_choice",
    "question": "any?",
    "options": [{"value": "yes"}, {"value": "no"}],
}
SPANS_FLOW = {
    "start": "ner",
    "nodes": [
        {"kind": "task", "id": "ner", "taskType": "text_spans", "labels": ["PER", "LOC"]},
        {"kind": "end", "id": "end"},
    ],
    "edges": [{"source": "ner", "target": "end"}],
}
HOST = "https://texts.example.com"


def submit(api, project_id: str, urls: list[str], resource_type: str = "text") -> dict[str, ItemModel]:
    out = api.call(SUBMIT, {"projectId": project_id, "resourceType": resource_type, "resourceURLs": urls})
    assert out["code"] == 0, out
    return {item.url: item for item in ItemModel.query(project_id, consistent_read=True)}


def spans_project(api) -> str:
    project_id = create_project(api, TEXT_PROJECT)
    assert api.call(SET_FLOW, {"projectId": project_id, "flow": SPANS_FLOW})["code"] == 0
    return project_id


def test_a_short_text_is_kept_with_its_item_as_browsers_decode_it(api):
    project_id = create_project(api, TEXT_PROJECT)  # no flow yet: texts are kept all the same
    url = f"{HOST}/bom.txt"
    web_standin.register(url, Reply("\ufeff张伟 met Ann in 北京.\r\n".encode(), content_type="text/plain"))

    items = submit(api, project_id, [url])

    assert items[url].status == ItemStatus.NOT_STARTED
    assert items[url].text == "张伟 met Ann in 北京.\r\n"  # no byte-order mark; line ends as they are


def test_a_text_spans_flow_refuses_texts_too_long_to_keep_and_broken_utf8(api):
    project_id = spans_project(api)
    long, latin1, fine = f"{HOST}/long.txt", f"{HOST}/latin1.txt", f"{HOST}/fine.txt"
    web_standin.register(long, Reply(("北京" * 11_000).encode(), content_type="text/plain"))  # 66 kB of UTF-8
    web_standin.register(latin1, Reply("café crème brûlée".encode("latin-1"), content_type="text/plain"))
    web_standin.register(fine, Reply(b"Ann went to Paris.", content_type="text/plain"))

    items = submit(api, project_id, [long, latin1, fine])

    assert (items[long].status, items[long].refusal) == (
        ItemStatus.REFUSED,
        "text_spans tasks take UTF-8 texts of at most 64 KiB",
    )
    assert items[latin1].status == ItemStatus.REFUSED and "not UTF-8 text" in items[latin1].refusal
    assert (items[fine].status, items[fine].text) == (ItemStatus.NOT_STARTED, "Ann went to Paris.")


def test_a_long_text_is_still_accepted_without_a_text_spans_flow(api):
    project_id = create_project(api, TEXT_PROJECT)
    url = f"{HOST}/long.txt"
    web_standin.register(url, Reply(("北京" * 11_000).encode(), content_type="text/plain"))

    item = submit(api, project_id, [url])[url]

    assert (item.status, item.text) == (ItemStatus.NOT_STARTED, None)
