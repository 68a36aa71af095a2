"""The flow calls of the signed client API (setFlow, retrieveFlow, listFlowTemplates, submitGold) and the flow
schema document, in-process through the client API handler."""

import copy
import json

import pytest
from client_api.handler import FLOW_SCHEMA_PATH, lambda_handler

from bytebridge.dal.gold import GoldModel
from bytebridge.errors import ErrorCode
from bytebridge.flows.model import FLOW_JSON_SCHEMA, Flow
from bytebridge.flows.templates import TEMPLATES, box_then_review, classify_then_box
from local.emulator import LocalContext
from local.gateway import proxy_event
from tests.support.client_api import (
    ALTER,
    SAMPLE_CREATE,
    assert_error,
    create_project,
    nothing_changes,
    project_with_resources,
    second_account,
)

SET_FLOW = "/api/v1/projects/setFlow"
RETRIEVE_FLOW = "/api/v1/projects/retrieveFlow"
TEMPLATES_PATH = "/api/v1/flows/templates"
SUBMIT_GOLD = "/api/v1/projects/submitGold"
GOLD_URLS = ["https://files.example.com/gold/1.jpg", "https://files.example.com/gold/2.jpg"]


def three_way_flow() -> dict:
    """A custom flow with three branches: one end per answer of a three-option question."""
    return {
        "start": "species",
        "nodes": [
            {
                "kind": "task",
                "id": "species",
                "taskType": "single_choice",
                "question": "Which animal?",
                "options": ["cat", "dog", "bird"],
            },
            {"kind": "end", "id": "cats"},
            {"kind": "end", "id": "dogs"},
            {"kind": "end", "id": "others"},
        ],
        "edges": [
            {"source": "species", "target": "cats", "condition": {"type": "optionChosen", "value": "cat"}},
            {"source": "species", "target": "dogs", "condition": {"type": "optionChosen", "value": "dog"}},
            {"source": "species", "target": "others"},
        ],
    }


def without_fallback() -> dict:
    flow = classify_then_box().dump()
    flow["edges"] = [edge for edge in flow["edges"] if edge["target"] != "other"]
    flow["nodes"] = [node for node in flow["nodes"] if node["id"] != "other"]
    return flow


def unreachable() -> dict:
    flow = classify_then_box().dump()
    flow["nodes"].append({"kind": "end", "id": "orphan"})
    return flow


def unbounded_loop() -> dict:
    flow = box_then_review().dump()
    for edge in flow["edges"]:
        edge.pop("maxTraversals", None)
    return flow


def test_given_a_draft_when_set_flow_with_a_template_or_a_custom_flow_then_it_answers_the_version_and_branches(api):
    project_id = create_project(api)

    by_template = api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})
    custom = api.call(SET_FLOW, {"projectId": project_id, "flow": three_way_flow()})

    assert by_template["code"] == 0 and custom["code"] == 0, (by_template, custom)
    assert by_template["data"] == {
        "projectId": project_id,
        "flowVersion": 1,
        "origin": "template:classify-then-box",
        "frozen": False,
        "branches": 2,
        "flow": classify_then_box().dump(),
    }
    data = custom["data"]
    assert (data["flowVersion"], data["origin"], data["frozen"], data["branches"]) == (2, "custom", False, 3)
    assert data["flow"] == Flow.model_validate(three_way_flow()).dump()
    latest = api.call(RETRIEVE_FLOW, {"projectId": project_id})["data"]
    first = api.call(RETRIEVE_FLOW, {"projectId": project_id, "flowVersion": 1})["data"]
    assert latest == data and first == by_template["data"]


@pytest.mark.parametrize(
    "flow, node, rule",
    [
        (without_fallback(), "classify", "(exhaustive)"),
        (unreachable(), "orphan", "(reachable)"),
        (unbounded_loop(), "box", "(bounded-loops)"),
    ],
)
def test_given_an_invalid_flow_then_set_flow_answers_9_naming_node_and_rule_and_saves_nothing(api, flow, node, rule):
    project_id = create_project(api)
    api.call(SET_FLOW, {"projectId": project_id, "template": "box-then-review"})

    with nothing_changes():
        out = api.call(SET_FLOW, {"projectId": project_id, "flow": flow})

    assert_error(out, ErrorCode.PROJECT_UPDATE_FAILED, api)
    assert out["detail"].startswith(f"{node}: ") and rule in out["detail"], out["detail"]
    assert api.call(RETRIEVE_FLOW, {"projectId": project_id})["data"]["flowVersion"] == 1


def test_given_an_unknown_template_or_both_or_neither_then_set_flow_is_refused(api):
    project_id = create_project(api)

    with nothing_changes():
        unknown = api.call(SET_FLOW, {"projectId": project_id, "template": "nope"})
    both = api.call(SET_FLOW, {"projectId": project_id, "template": "box-then-review", "flow": three_way_flow()})
    neither = api.call(SET_FLOW, {"projectId": project_id})

    assert unknown["code"] == ErrorCode.PROJECT_UPDATE_FAILED and "classify-then-box" in unknown["detail"]
    assert both["code"] == neither["code"] == ErrorCode.PARAMETER_INVALID


def test_given_a_started_project_then_set_flow_answers_28_and_retrieve_flow_shows_the_frozen_version(api):
    project_id = project_with_resources(api)
    api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0

    with nothing_changes():
        out = api.call(SET_FLOW, {"projectId": project_id, "flow": three_way_flow()})

    assert_error(out, ErrorCode.MODIFY_AFTER_OPEN, api)
    frozen = api.call(RETRIEVE_FLOW, {"projectId": project_id})["data"]
    assert (frozen["flowVersion"], frozen["origin"], frozen["frozen"]) == (1, "template:classify-then-box", True)
    assert frozen["flow"] == classify_then_box().dump()


def test_given_no_set_flow_then_retrieve_flow_shows_the_documented_one_task_flow_until_start_freezes_it(api):
    project_id = project_with_resources(api)

    before = api.call(RETRIEVE_FLOW, {"projectId": project_id})["data"]
    assert api.call(ALTER, {"projectId": project_id, "type": "start"})["code"] == 0
    after = api.call(RETRIEVE_FLOW, {"projectId": project_id})["data"]

    assert (before["flowVersion"], before["origin"], before["frozen"], before["branches"]) == (
        None,
        "documented",
        False,
        1,
    )
    task, end = before["flow"]["nodes"]
    assert before["flow"]["start"] == task["id"] == "task" and end["kind"] == "end"
    assert task["taskType"] == SAMPLE_CREATE["taskType"] and task["question"] == SAMPLE_CREATE["question"]
    assert task["options"] == [option["value"] for option in SAMPLE_CREATE["options"]]
    assert before["flow"]["edges"] == [{"source": "task", "target": end["id"], "condition": {"type": "always"}}]
    assert (after["flowVersion"], after["origin"], after["frozen"]) == (1, "documented", True)
    assert after["flow"] == before["flow"]
    missing = api.call(RETRIEVE_FLOW, {"projectId": project_id, "flowVersion": 2})
    assert_error(missing, ErrorCode.QUERY_FAILED, api)


def test_list_flow_templates_answers_every_template_with_its_flow(api):
    out = api.call(TEMPLATES_PATH, {})

    assert out["code"] == 0, out
    templates = {t["name"]: t for t in out["data"]["templates"]}
    assert set(templates) == set(TEMPLATES) >= {"classify-then-box", "box-then-review", "segment-audio"}
    for name, (description, make) in TEMPLATES.items():
        assert templates[name] == {"name": name, "description": description, "flow": make().dump()}


def gold_entries(*answers: dict) -> list[dict]:
    return [{"resourceURL": f"https://files.example.com/gold/{n}.jpg", "answer": a} for n, a in enumerate(answers)]


def test_given_gold_answers_when_one_does_not_fit_the_node_then_submit_gold_stores_none_and_names_it(api):
    project_id = create_project(api)
    api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})
    gold = {"projectId": project_id, "nodeId": "classify", "resourceType": "image"}

    with nothing_changes():
        out = api.call(SUBMIT_GOLD, {**gold, "items": gold_entries({"choice": "cat"}, {"choice": "bird"})})
    assert_error(out, ErrorCode.PARAMETER_INVALID, api)
    assert out["detail"].startswith("items[1].answer: ") and "bird" in out["detail"]
    for problem, says in [
        ({"items": gold_entries({"choice": "cat"}, {"choices": ["cat"]})}, "items[1].answer"),
        ({"nodeId": "nowhere", "items": gold_entries({"choice": "cat"})}, "nowhere"),
        ({"nodeId": "boxed", "items": gold_entries({"choice": "cat"})}, "end node"),
    ]:
        refused = api.call(SUBMIT_GOLD, {**gold, **problem})
        assert refused["code"] == ErrorCode.PARAMETER_INVALID and says in refused["detail"], refused
    assert list(GoldModel.query(project_id)) == []

    stored = api.call(SUBMIT_GOLD, {**gold, "items": gold_entries({"choice": "cat"}, {"choice": "dog"})})

    assert stored["code"] == 0, stored
    ids = stored["data"]["goldIds"]
    assert stored["data"]["nodeId"] == "classify" and len(set(ids)) == 2
    rows = sorted(GoldModel.query(project_id, consistent_read=True), key=lambda row: row.url)
    assert [(row.url, row.answer, row.node_id) for row in rows] == [
        ("https://files.example.com/gold/0.jpg", {"choice": "cat"}, "classify"),
        ("https://files.example.com/gold/1.jpg", {"choice": "dog"}, "classify"),
    ]
    assert {row.gold_id for row in rows} == set(ids) and all(i.startswith("g") for i in ids)


def test_given_another_accounts_project_then_every_flow_call_answers_8_and_changes_nothing(api):
    project_id = create_project(api)
    api.call(SET_FLOW, {"projectId": project_id, "template": "classify-then-box"})
    other = second_account()
    calls = [
        (SET_FLOW, {"projectId": project_id, "flow": three_way_flow()}),
        (SET_FLOW, {"projectId": project_id, "template": "box-then-review"}),
        (RETRIEVE_FLOW, {"projectId": project_id}),
        (RETRIEVE_FLOW, {"projectId": project_id, "flowVersion": 1}),
        (
            SUBMIT_GOLD,
            {"projectId": project_id, "nodeId": "classify", "resourceType": "image", "items": gold_entries({})},
        ),
    ]

    for path, call_params in calls:
        with nothing_changes():
            out = other.call(path, copy.deepcopy(call_params))
        assert_error(out, ErrorCode.PROJECT_NOT_FOUND, other)
    assert api.call(RETRIEVE_FLOW, {"projectId": project_id})["data"]["flowVersion"] == 1


def test_the_flow_schema_is_served_without_a_signature(aws):
    response = lambda_handler(proxy_event("GET", FLOW_SCHEMA_PATH, {}, b"", "127.0.0.1"), LocalContext("client-api"))

    assert response["statusCode"] == 200
    schema = json.loads(response["body"])
    assert schema == FLOW_JSON_SCHEMA
    assert {"start", "nodes", "edges"} <= set(schema["properties"]) and "TaskNode" in schema["$defs"]
