"""The APIs: a proxy route per catalog http_prefix to the function serving it, on the REST API or (functions
marked http_api) the HTTP API; stage throttling, JSON access logs, execution logs without bodies, X-Ray."""

import json

import pytest

from infra import http_api_construct
from infra.api_construct import ACCESS_LOG_FIELDS, routed
from infra.catalog import FUNCTIONS, FunctionSpec, by_name
from infra.config import StageConfig
from infra.http_api_construct import http_routed
from tests.infra.cfn import ref_ids

pytestmark = pytest.mark.xdist_group("cdk")


def test_every_http_prefix_routes_to_its_function(synth):
    paths = synth.api_paths()
    methods = synth.resources("AWS::ApiGateway::Method")
    served = {}
    for method in methods.values():
        props = method["Properties"]
        (resource,) = ref_ids(props["ResourceId"])
        assert props["HttpMethod"] == "ANY"
        assert props["Integration"]["Type"] == "AWS_PROXY"
        served[resource] = ref_ids(props["Integration"]["Uri"]) & set(synth.resources("AWS::Lambda::Function"))
    prefixes = [(prefix, spec) for spec in FUNCTIONS if not spec.http_api for prefix in spec.http_prefixes]
    assert prefixes  # the client API at least
    for prefix, spec in prefixes:
        function = synth.function_id(spec.name)
        assert served[paths[prefix]] == {function}, prefix  # the prefix itself
        assert served[paths[f"{prefix}/{{proxy+}}"]] == {function}, prefix  # and everything below it
    assert len(methods) == 2 * len(prefixes)


def test_routes_are_created_parents_first_and_prefixes_are_unique():
    a = FunctionSpec(name="a", handler="a.h", description="", http_prefixes=("/api/v1/worker",))
    b = FunctionSpec(name="b", handler="b.h", description="", http_prefixes=("/api/v1",))
    assert [prefix for prefix, _ in routed([a, b])] == ["/api/v1", "/api/v1/worker"]
    with pytest.raises(ValueError, match="/api/v1"):
        routed([b, FunctionSpec(name="c", handler="c.h", description="", http_prefixes=("/api/v1",))])


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_stage_throttling_logging_and_tracing(synth, stage):
    config = StageConfig(stage=stage)
    (stage_props,) = [r["Properties"] for r in synth.resources("AWS::ApiGateway::Stage", stage).values()]
    (settings,) = stage_props["MethodSettings"]
    assert settings["HttpMethod"] == "*" and settings["ResourcePath"] == "/*"
    assert settings["ThrottlingRateLimit"] == config.api_rate_limit
    assert settings["ThrottlingBurstLimit"] == config.api_burst_limit
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False  # bodies carry signatures and client data
    assert settings["MetricsEnabled"] is True
    assert stage_props["TracingEnabled"] is True
    access = stage_props["AccessLogSetting"]
    assert json.loads(access["Format"]) == ACCESS_LOG_FIELDS
    (group,) = ref_ids(access["DestinationArn"])
    assert synth.resources("AWS::Logs::LogGroup", stage)[group]["Properties"]["RetentionInDays"] > 0
    assert StageConfig(stage="prod").api_rate_limit > StageConfig(stage="dev").api_rate_limit


def test_api_is_regional_and_stage_named(synth):
    (api,) = synth.resources("AWS::ApiGateway::RestApi").values()
    assert api["Properties"]["Name"] == "bytebridge-dev-api"
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_the_worker_api_is_on_the_http_api_with_the_rest_proxy_payload_and_no_authorizer(synth):
    assert by_name("worker-api").http_api  # its per-judgment calls: $1.00/M there, $3.50/M on REST
    assert not any(spec.http_api for spec in FUNCTIONS if spec.authorizer_prefixes)
    (api_id, api), *others = synth.resources("AWS::ApiGatewayV2::Api").items()
    assert not others and api["Properties"]["ProtocolType"] == "HTTP"
    integrations = synth.resources("AWS::ApiGatewayV2::Integration")
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"] for r in synth.resources("AWS::ApiGatewayV2::Route").values()
    }
    prefixes = http_routed(FUNCTIONS)
    assert {prefix for prefix, _ in prefixes} == {"/worker/v1"}
    assert set(routes) == {f"ANY {path}" for prefix, _ in prefixes for path in (prefix, f"{prefix}/{{proxy+}}")}
    for prefix, spec in prefixes:
        for key in (f"ANY {prefix}", f"ANY {prefix}/{{proxy+}}"):
            route = routes[key]
            assert ref_ids(route["ApiId"]) == {api_id}
            assert route.get("AuthorizationType", "NONE") == "NONE", key  # the function checks bearer tokens
            (integration_id,) = ref_ids(route["Target"])
            integration = integrations[integration_id]["Properties"]
            assert integration["IntegrationType"] == "AWS_PROXY"
            assert integration["PayloadFormatVersion"] == "1.0", key  # the REST proxy event its resolver reads
            assert ref_ids(integration["IntegrationUri"]) == {synth.function_id(spec.name)}
    # API Gateway may invoke the function, from this API only.
    permissions = [
        p["Properties"]
        for p in synth.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com" and api_id in json.dumps(p["Properties"])
    ]
    assert permissions and all(ref_ids(p["FunctionName"]) == {synth.function_id("worker-api")} for p in permissions)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_http_api_stage_is_throttled_and_access_logged(synth, stage):
    config = StageConfig(stage=stage)
    (props,) = [r["Properties"] for r in synth.resources("AWS::ApiGatewayV2::Stage", stage).values()]
    assert props["StageName"] == "$default" and props["AutoDeploy"] is True  # paths have no stage prefix
    settings = props["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] == config.api_rate_limit
    assert settings["ThrottlingBurstLimit"] == config.api_burst_limit
    assert settings["DetailedMetricsEnabled"] is True
    access = props["AccessLogSettings"]
    assert json.loads(access["Format"]) == http_api_construct.ACCESS_LOG_FIELDS
    (group,) = ref_ids(access["DestinationArn"])
    assert synth.resources("AWS::Logs::LogGroup", stage)[group]["Properties"]["RetentionInDays"] > 0


def test_a_function_with_a_cognito_authorizer_cannot_be_put_on_the_http_api():
    spec = FunctionSpec(
        name="a", handler="a.h", description="", http_prefixes=("/x",), authorizer_prefixes=("/x",), http_api=True
    )
    with pytest.raises(ValueError, match="authorizer_prefixes"):
        http_routed([spec])
