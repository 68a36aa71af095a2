"""The operator API in the template: its route behind the Cognito authorizer, its function's exact grants (the
lifecycle tables, the audit log, the item flow: start only; the client API may also stop executions), and the
lifecycle's tables."""

import pytest

from infra.catalog import by_name
from tests.infra.cfn import ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def _grants(synth, name: str) -> dict[str, set[str]]:
    return synth.grants(synth.function_role(synth.function_id(name)))


def test_the_operator_prefix_routes_to_the_operator_function_behind_the_cognito_authorizer(synth):
    spec = by_name("operator-api")
    assert spec.http_prefixes == spec.authorizer_prefixes == ("/operator/v1",)
    ((authorizer_id, _),) = synth.resources("AWS::ApiGateway::Authorizer").items()
    paths = synth.api_paths()
    function = synth.function_id("operator-api")
    for path in ("/operator/v1", "/operator/v1/{proxy+}"):
        (props,) = [
            method["Properties"]
            for method in synth.resources("AWS::ApiGateway::Method").values()
            if ref_ids(method["Properties"]["ResourceId"]) == {paths[path]}
        ]
        assert props["AuthorizationType"] == "COGNITO_USER_POOLS" and ref_ids(props["AuthorizerId"]) == {authorizer_id}
        assert function in ref_ids(props["Integration"]["Uri"])


def test_the_lifecycle_tables_exist_on_demand_with_their_keys(synth):
    tables = {r["Properties"]["TableName"]: r["Properties"] for r in synth.resources("AWS::DynamoDB::Table").values()}
    history = tables["bytebridge-dev-project-history"]
    audit = tables["bytebridge-dev-audit"]
    assert {k["KeyType"]: k["AttributeName"] for k in history["KeySchema"]} == {"HASH": "project_id", "RANGE": "sk"}
    assert {k["KeyType"]: k["AttributeName"] for k in audit["KeySchema"]} == {"HASH": "day", "RANGE": "sk"}
    assert history["BillingMode"] == audit["BillingMode"] == "PAY_PER_REQUEST"


def test_operator_and_lifecycle_grants_are_exact(synth):
    operator = _grants(synth, "operator-api")
    for table in ("projects", "items", "project-history", "audit", "messages", "message-threads"):
        assert (
            "dynamodb:UpdateItem" in operator[synth.table_id(table)]
            or "dynamodb:PutItem" in operator[synth.table_id(table)]
        ), table
    # Accounts: written only as a ledger posting writes them (a dispute credit that settles arrears ends them).
    assert "dynamodb:UpdateItem" in operator[synth.table_id("accounts")]
    workflow = [actions for actions in operator.values() if any(a.startswith("states:") for a in actions)]
    assert workflow == [{"states:StartExecution"}]  # starts the item flow (trial, start, relabel); nothing else
    assert synth.table_id("exports") not in operator  # nothing it did not declare

    # The client API starts trials (relabel) and stops the executions of a project ended early.
    client = _grants(synth, "client-api")
    assert "dynamodb:PutItem" in client[synth.table_id("project-history")]
    stop = [targets for targets, actions in client.items() if "states:StopExecution" in actions]
    assert stop and all("execution" in target for target in stop)
    # The consensus step moves trial → trialDone with its history row.
    assert "dynamodb:PutItem" in _grants(synth, "consensus")[synth.table_id("project-history")]
