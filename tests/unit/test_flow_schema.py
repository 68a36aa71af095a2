"""The flow's JSON schema (FLOW_JSON_SCHEMA): committed as docs/flow.schema.json, served at
GET /api/v1/flow-schema.json, and what the flow builder validates against before setFlow."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from bytebridge.flows.model import FLOW_JSON_SCHEMA, Flow
from bytebridge.flows.templates import TEMPLATES, documented_flow
from tests.unit.flow_support import fan_out, linear

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "flow.schema.json"
VALIDATOR = Draft202012Validator(FLOW_JSON_SCHEMA)


def schema_errors(document: dict) -> list[str]:
    """Every error's message, with those of the alternatives a oneOf tried (a node is a task or an end node)."""

    def messages(errors) -> list[str]:
        return [text for error in errors for text in [error.message, *messages(error.context)]]

    return messages(VALIDATOR.iter_errors(document))


def model_accepts(document: dict) -> bool:
    try:
        Flow.model_validate(document)
    except ValidationError:
        return False
    return True


def classify_then_box() -> dict:
    return TEMPLATES["classify-then-box"][1]().dump()


def test_the_committed_schema_is_the_generated_one():
    # After changing bytebridge.flows.model: regenerate docs/flow.schema.json and commit it with the change.
    assert COMMITTED.read_text(encoding="utf-8") == json.dumps(FLOW_JSON_SCHEMA, indent=2) + "\n"


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(FLOW_JSON_SCHEMA)


def test_the_schema_forbids_unknown_fields_everywhere():
    definitions = FLOW_JSON_SCHEMA["$defs"]

    assert FLOW_JSON_SCHEMA["additionalProperties"] is False
    for name in ("TaskNode", "EndNode", "Edge", "Condition", "Overlap", "GoldPolicy"):
        assert definitions[name]["additionalProperties"] is False, name


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_the_schema_accepts_every_templates_wire_form(name):
    assert schema_errors(TEMPLATES[name][1]().dump()) == []


@pytest.mark.parametrize(
    "made",
    [
        linear(),
        fan_out(99),
        documented_flow("single_choice", "Pick one", "Cat or dog?", ["cat", "dog"], None),
        documented_flow("stroke", "", None, [], "lane"),
    ],
    ids=["linear", "99 branches", "documented choice", "documented stroke"],
)
def test_the_schema_accepts_other_valid_flows(made):
    assert schema_errors(made.dump()) == []


def _set(path: tuple, value):
    def change(document: dict) -> None:
        *parents, last = path
        target = document
        for part in parents:
            target = target[part]
        target[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_set(("nodes", 0, "colour"), "red"), "colour"),
        (_set(("nodes", 2, "colour"), "red"), "colour"),
        (_set(("edges", 0, "weight"), 1), "weight"),
        (_set(("edges", 0, "condition", "label"), "cat"), "label"),
        (_set(("nodes", 0, "overlap", "extra"), 1), "extra"),
        (_set(("extra",), 1), "extra"),
    ],
    ids=["task node", "end node", "edge", "condition", "overlap", "flow"],
)
def test_an_unknown_field_is_rejected_by_the_schema_and_the_model(change, says):
    document = classify_then_box()
    change(document)

    assert any(f"'{says}' was unexpected" in error for error in schema_errors(document))
    assert not model_accepts(document)


@pytest.mark.parametrize(
    "change",
    [
        _set(("nodes", 0, "id"), "1classify"),
        _set(("nodes", 0, "kind"), "start"),
        _set(("nodes", 0, "taskType"), "sketch"),
        _set(("nodes", 0, "options"), ["cat", ""]),
        _set(("nodes", 0, "overlap", "minOverlap"), 0),
        _set(("nodes", 0, "gold", "rate"), 0.9),
        _set(("edges", 0, "condition", "type"), "sometimes"),
        _set(("edges", 0, "condition", "op"), "between"),
        _set(("edges", 0, "maxTraversals"), 0),
        _set(("edges", 0, "maxTraversals"), 11),
        _set(("edges",), []),
        _set(("nodes",), [{"kind": "end", "id": "only"}]),
    ],
    ids=[
        "node id pattern",
        "unknown kind",
        "unknown task type",
        "empty option",
        "overlap below 1",
        "gold rate above 0.5",
        "unknown condition",
        "unknown op",
        "maxTraversals 0",
        "maxTraversals 11",
        "no edges",
        "one node",
    ],
)
def test_a_malformed_field_is_rejected_by_the_schema_and_the_model(change):
    document = classify_then_box()
    change(document)

    assert schema_errors(document)
    assert not model_accepts(document)


def test_the_graph_rules_are_not_the_schemas_business():
    # Given: an edge to an unknown node (a rules problem, not a shape problem)
    document = classify_then_box()
    document["edges"][0]["target"] = "nowhere"

    assert schema_errors(document) == []
    assert model_accepts(document)


def test_the_schema_and_the_model_both_refuse_a_node_without_kind():
    document = classify_then_box()
    for node in document["nodes"]:
        del node["kind"]

    assert schema_errors(document) != []
    assert not model_accepts(document)


def test_the_example_in_the_flows_page_is_the_classify_then_box_template():
    page = (COMMITTED.parent / "flows.md").read_text(encoding="utf-8")
    example = page.split("```json\n", 1)[1].split("```", 1)[0]

    assert json.loads(example) == classify_then_box()
    assert schema_errors(json.loads(example)) == []
