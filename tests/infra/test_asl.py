"""ASL placeholders, as the CDK app and the local runtime both read them (infra.asl, no CDK)."""

import pytest

from infra import asl

pytestmark = pytest.mark.xdist_group("cdk")


def test_placeholders_name_a_catalog_resource_and_an_attribute():
    text = '{"A": "${RouteItemFunctionArn}", "B": "${TasksQueueUrl}", "C": "${SeenRequestsTableName}", "D": "$.x"}'
    found = {p.text: (p.kind, p.attribute, p.pascal_name) for p in asl.placeholders(text)}
    assert found == {
        "RouteItemFunctionArn": ("function", "arn", "RouteItem"),
        "TasksQueueUrl": ("queue", "url", "Tasks"),
        "SeenRequestsTableName": ("table", "name", "SeenRequests"),
    }
    assert asl.parse("RouteItemFunctionArn").target(["consensus", "route-item"]) == "route-item"


def test_bad_placeholders_are_refused():
    with pytest.raises(ValueError, match="expected <Name>FunctionArn"):
        asl.parse("Consensus")
    with pytest.raises(ValueError, match="expected"):
        asl.parse("FunctionArn")  # a kind without a name
    with pytest.raises(ValueError, match="no queue named 'Tasks'"):
        asl.parse("TasksQueueUrl").target(["callbacks"])
