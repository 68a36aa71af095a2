"""Native JSON Lines export: every answer as stored, one item per line."""

import json

from bytebridge.annotations import TaskType
from tests.unit.exports_support import SAMPLES, Record, export, item, node_id


def test_every_answer_round_trips_with_its_task_type():
    answers = {node_id(t): answer for t, answer in SAMPLES.items()}
    items = [item(0, answers), item(1, {node_id(TaskType.TRANSCRIPTION): {"text": "ünïcode\n"}})]

    data, summary = export("json", iter(items))

    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["answers"] == answers
    assert first["taskTypes"] == {node_id(t): t.value for t in SAMPLES}
    assert (first["itemId"], first["url"], first["resourceType"]) == ("i0000", items[0].url, "image")
    assert (first["endNode"], first["path"]) == ("end", items[0].result["path"])
    assert second["answers"] == {node_id(TaskType.TRANSCRIPTION): {"text": "ünïcode\n"}}
    assert summary.exported == {t.value: 1 + (t is TaskType.TRANSCRIPTION) for t in TaskType}
    assert summary.unsupported == {}


def test_answers_of_unknown_nodes_are_kept_and_counted():
    stored = {"n_mystery": {"anything": [1, 2]}}

    data, summary = export("json", [item(0, stored), Record("i0001", "s3://b/k.txt", "text", None)])

    first, second = (json.loads(line) for line in data.splitlines())
    assert first["answers"] == stored
    assert first["taskTypes"] == {}
    assert second == {
        "itemId": "i0001",
        "url": "s3://b/k.txt",
        "resourceType": "text",
        "endNode": None,
        "path": [],
        "taskTypes": {},
        "answers": {},
    }
    assert summary.unknown_nodes == 1
    assert summary.items == 2
