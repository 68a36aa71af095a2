"""The REST API: one proxy route per `http_prefix` of every catalog function not on the HTTP API (the same
longest-prefix routing the local gateway does), stage throttling, JSON access logs, X-Ray."""

import json
from collections.abc import Iterable

from aws_cdk import CfnOutput
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from bytebridge.identity import UNAUTHENTICATED_MESSAGE
from infra.catalog import FunctionSpec
from infra.config import StageConfig
from infra.nag import acknowledge

# Routes without the Cognito authorizer (functions without authorizer_prefixes), acknowledged method by method so a
# JWT route that lost its authorizer still fails the synth.
NO_AUTHORIZER_REASON = (
    "callers are authenticated in the function or need no token: the documented client API signs every request "
    "(HMAC over the body with the account's secret, bytebridge.signing), which an API Gateway authorizer cannot "
    "verify without the body; the auth API is where a token is obtained "
    "(sign-up, sign-in). The JWT APIs (FunctionSpec.authorizer_prefixes) use the Cognito user pool authorizer"
)
STAGE_NAME = "v1"  # the API Gateway stage; paths keep the documented /api/v1/... below it

ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "requestTime": "$context.requestTimeEpoch",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integration.error",
    "throttled": "$context.error.responseType",
    "xrayTraceId": "$context.xrayTraceId",
}


def routed(specs: Iterable[FunctionSpec]) -> list[tuple[str, FunctionSpec]]:
    """(prefix, spec) for every prefix, shortest first so parents exist before their children."""
    routes = [(prefix, spec) for spec in specs for prefix in spec.http_prefixes]
    prefixes = [prefix for prefix, _ in routes]
    duplicates = {p for p in prefixes if prefixes.count(p) > 1}
    if duplicates:
        raise ValueError(f"http_prefixes served by more than one function: {sorted(duplicates)}")
    return sorted(routes, key=lambda route: route[0].count("/"))


class ApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        specs: Iterable[FunctionSpec],
        functions: dict[str, lambda_.Function],
        user_pool: cognito.IUserPool | None = None,
    ) -> None:
        super().__init__(scope, id)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=config.name("api"),
            description="ByteBridge client and dashboard APIs (Lambda proxy routes from infra.catalog)",
            endpoint_types=[apigw.EndpointType.REGIONAL],  # CloudFront in front is ours (frontend construct)
            cloud_watch_role=True,  # execution logs need the account-level API Gateway logging role
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=config.api_rate_limit,
                throttling_burst_limit=config.api_burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full request logs would hold signatures and client payloads
                metrics_enabled=True,
                tracing_enabled=True,
            ),
        )
        self.authorizer: apigw.CognitoUserPoolsAuthorizer | None = None
        for prefix, spec in routed(specs):
            if spec.http_api:  # served by the HTTP API (infra.http_api_construct)
                continue
            integration = apigw.LambdaIntegration(functions[spec.name], proxy=True, allow_test_invoke=False)
            resource = self.api.root.resource_for_path(prefix)
            options = self._signed_in_only(user_pool) if prefix in spec.authorizer_prefixes else None
            if options:
                method = resource.add_method(
                    "ANY", integration, authorizer=options.authorizer, authorization_type=options.authorization_type
                )
            else:
                method = resource.add_method("ANY", integration)
            proxy = resource.add_proxy(default_integration=integration, any_method=True, default_method_options=options)
            if not options and proxy.any_method is not None:
                for unauthorized in (method, proxy.any_method):
                    for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                        acknowledge(unauthorized, rule, NO_AUTHORIZER_REASON)
        # A refused token answers like the functions do ({"error": {...}}; the local gateway answers the same).
        self.api.add_gateway_response(
            "Unauthorized",
            type=apigw.ResponseType.UNAUTHORIZED,
            status_code="401",
            templates={
                "application/json": json.dumps(
                    {"error": {"code": "unauthenticated", "message": UNAUTHENTICATED_MESSAGE}}
                )
            },
        )
        CfnOutput(self, "ApiUrl", value=self.api.url, description="API Gateway stage URL")

        acknowledge(
            self.api,
            "AwsSolutions-APIG2",
            "bodies are validated in the Lambda (powertools + pydantic) so bad input gets the documented error "
            "code and envelope; API Gateway's validator would answer with its own format",
        )
        acknowledge(
            self.api,
            "AwsSolutions-APIG3",
            "no WAF web ACL for now: it costs $5+/month idle per ACL; stage throttling and request signatures "
            "cover abuse at current volume (docs/deploy.md)",
        )
        acknowledge(
            self.api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "the account-level role API Gateway uses to write execution logs; AWS's managed policy is the "
            "documented one for it",
        )

    def _signed_in_only(self, user_pool: cognito.IUserPool | None) -> apigw.MethodOptions:
        """Method options of a JWT route: the stage's Cognito user pool authorizer (ID tokens)."""
        if user_pool is None:
            raise ValueError("a function has authorizer_prefixes but the API was given no user pool")
        if self.authorizer is None:
            self.authorizer = apigw.CognitoUserPoolsAuthorizer(
                self, "Authorizer", cognito_user_pools=[user_pool], authorizer_name="cognito-id-token"
            )
        return apigw.MethodOptions(authorizer=self.authorizer, authorization_type=apigw.AuthorizationType.COGNITO)
