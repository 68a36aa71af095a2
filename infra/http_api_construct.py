"""The HTTP API ($1.00 per million requests, REST's is $3.50): the catalog functions marked `http_api` (the worker
API, whose per-judgment calls are most of the API bill). Their callers authenticate inside the function (bearer
tokens), so no API Gateway authorizer is needed. Payload format 1.0 is the REST proxy event, so the handlers'
APIGatewayRestResolver reads it unchanged. One `$default` stage (no stage prefix in the paths), throttled, with
JSON access logs."""

import json
from collections.abc import Iterable

import jsii
from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.catalog import FunctionSpec
from infra.config import StageConfig
from infra.nag import acknowledge

NO_AUTHORIZER_REASON = (
    "the HTTP API's functions authenticate every call themselves: the worker API checks the annotator's bearer "
    "token (bytebridge.workers.tokens) and answers its documented 401 envelope; an API Gateway authorizer would "
    "only add a second lookup of the same token"
)

# The HTTP API's access log variables ($context.resourcePath and the REST-only ones have no HTTP API value).
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "requestTime": "$context.requestTimeEpoch",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogs:
    """JSON access logs into a log group (the v2 module has the interface but no ready-made settings class)."""

    def __init__(self, group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(group)
        self._format = apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS))

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format


def http_routed(specs: Iterable[FunctionSpec]) -> list[tuple[str, FunctionSpec]]:
    """(prefix, spec) of every http_prefix of the HTTP API's functions."""
    specs = [spec for spec in specs if spec.http_api]
    for spec in specs:
        if spec.authorizer_prefixes:  # the Cognito authorizer is the REST API's
            raise ValueError(f"{spec.name}: a function on the HTTP API cannot have authorizer_prefixes")
    return [(prefix, spec) for spec in specs for prefix in spec.http_prefixes]


class HttpApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        specs: Iterable[FunctionSpec],
        functions: dict[str, lambda_.Function],
    ) -> None:
        super().__init__(scope, id)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.api = apigwv2.HttpApi(
            self,
            "HttpApi",
            api_name=config.name("http-api"),
            description="ByteBridge worker API (Lambda proxy routes from infra.catalog, FunctionSpec.http_api)",
            create_default_stage=False,  # the stage below, with throttling and access logs
        )
        self.stage = apigwv2.HttpStage(
            self,
            "Stage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=config.api_rate_limit, burst_limit=config.api_burst_limit),
            access_log_settings=_AccessLogs(access_logs),
            detailed_metrics_enabled=True,
        )
        self.prefixes: list[str] = []
        for prefix, spec in http_routed(specs):
            integration = integrations.HttpLambdaIntegration(
                f"{spec.name}-integration",
                functions[spec.name],
                payload_format_version=apigwv2.PayloadFormatVersion.VERSION_1_0,  # the REST proxy event
            )
            for path in (prefix, f"{prefix}/{{proxy+}}"):
                for route in self.api.add_routes(path=path, methods=[apigwv2.HttpMethod.ANY], integration=integration):
                    acknowledge(route, "AwsSolutions-APIG4", NO_AUTHORIZER_REASON)
            self.prefixes.append(prefix)
        CfnOutput(self, "HttpApiUrl", value=self.api.api_endpoint, description="the worker API's HTTP API")

    @property
    def domain_name(self) -> str:
        """The API's execute-api host (CloudFront's origin for its prefixes)."""
        stack = Stack.of(self)
        return f"{self.api.api_id}.execute-api.{stack.region}.{stack.url_suffix}"
