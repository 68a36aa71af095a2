"""The dashboard API in the template: /dashboard/v1 routed to its own function behind the Cognito authorizer, with
exactly the signed API's grants (it runs the same routes), and the projects table's owner index listProjects pages."""

import json

import pytest

from infra.catalog import by_name
from tests.infra.cfn import ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def _grants(synth, name: str) -> dict[str, set[str]]:
    return synth.grants(synth.function_role(synth.function_id(name)))


def test_the_dashboard_prefix_routes_to_its_function_behind_the_cognito_authorizer(synth):
    spec = by_name("dashboard-api")
    assert spec.http_prefixes == spec.authorizer_prefixes == ("/dashboard/v1",)
    assert not by_name("client-api").authorizer_prefixes  # the signed API stays signature-only
    ((authorizer_id, _),) = synth.resources("AWS::ApiGateway::Authorizer").items()
    paths = synth.api_paths()
    function = synth.function_id("dashboard-api")
    for path in ("/dashboard/v1", "/dashboard/v1/{proxy+}"):
        (props,) = [
            method["Properties"]
            for method in synth.resources("AWS::ApiGateway::Method").values()
            if ref_ids(method["Properties"]["ResourceId"]) == {paths[path]}
        ]
        assert props["AuthorizationType"] == "COGNITO_USER_POOLS" and ref_ids(props["AuthorizerId"]) == {authorizer_id}
        assert function in ref_ids(props["Integration"]["Uri"])


def test_the_dashboard_function_has_exactly_the_signed_apis_grants(synth):
    assert by_name("dashboard-api").access == by_name("client-api").access
    dashboard, signed = _grants(synth, "dashboard-api"), _grants(synth, "client-api")
    # Each writes its own log group only; every other grant is the same.
    for grants, own_logs in ((dashboard, "FunctionsDashboardApiLogs"), (signed, "FunctionsClientApiLogs")):
        (logs,) = [resource for resource in grants if resource.startswith(own_logs)]
        assert grants.pop(logs) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert len(dashboard) > 10 and dashboard == signed


def test_the_projects_table_has_the_owner_index_newest_first_paging_needs(synth):
    tables = {r["Properties"]["TableName"]: r["Properties"] for r in synth.resources("AWS::DynamoDB::Table").values()}
    indexes = {i["IndexName"]: i for i in tables["bytebridge-dev-projects"]["GlobalSecondaryIndexes"]}
    owner = indexes["owner-created"]
    assert {k["KeyType"]: k["AttributeName"] for k in owner["KeySchema"]} == {"HASH": "user_id", "RANGE": "created_at"}
    assert owner["Projection"]["ProjectionType"] == "ALL"


def test_the_dashboard_functions_code_holds_the_client_api_routes_it_runs(synth):
    assets = json.loads((synth.outdir / "ByteBridge-dev.assets.json").read_text())["files"]
    staged = {a["displayName"]: synth.outdir / a["source"]["path"] for a in assets.values() if "displayName" in a}
    (dashboard,) = [path for name, path in staged.items() if "DashboardApi" in name and name.endswith("Code")]
    assert (dashboard / "dashboard_api" / "handler.py").is_file()
    assert (dashboard / "client_api" / "handler.py").is_file() and (dashboard / "client_api" / "signed.py").is_file()
    assert not (dashboard / "worker_api").exists()  # nothing it does not import
