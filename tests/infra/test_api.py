"""The REST API: a proxy route per catalog http_prefix to the function serving it, stage throttling, JSON
access logs, execution logs without bodies, X-Ray."""

import json

import pytest

from infra.api_construct import ACCESS_LOG_FIELDS, routed
from infra.catalog import FUNCTIONS, FunctionSpec
from infra.config import StageConfig
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
    prefixes = [(prefix, spec) for spec in FUNCTIONS for prefix in spec.http_prefixes]
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
