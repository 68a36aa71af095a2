"""The one place a Lambda function is built, so runtime, architecture, logging, tracing and log retention
cannot drift between functions: every function of infra.catalog goes through `LambdaFactory.build`."""

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.asl import ROOT, pascal
from infra.bundling import IGNORED, layer_code
from infra.catalog import FunctionSpec
from infra.config import METRICS_NAMESPACE, StageConfig
from infra.nag import acknowledge

# Amazon Linux 2023, whose glibc loads the layer's manylinux_2_28 wheels (infra.bundling); the code targets 3.11
# (local dev, CI), which 3.12 runs. bundling.PYTHON_VERSION names the same version.
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
FUNCTIONS_DIR = ROOT / "functions"


def function_code(spec: FunctionSpec) -> lambda_.AssetCode:
    """Only the handler's own package from functions/ (handlers import it absolutely: `client_api.signed`) and
    those it names in code_packages; functions with the same packages share one asset."""
    packages = (spec.handler.split(".", 1)[0], *spec.code_packages)
    keep = [pattern for package in packages for pattern in (f"!{package}", f"!{package}/**")]
    return lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=["*", *keep, *(f"**/{p}" for p in IGNORED)])


class LambdaFactory(Construct):
    """Holds what every function shares (the layer, the settings environment) and builds them."""

    def __init__(self, scope: Construct, id: str, *, config: StageConfig, environment: dict[str, str]) -> None:
        super().__init__(scope, id)
        self.config = config
        self.environment = environment
        self.layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            layer_version_name=config.name("shared"),
            description="bytebridge domain package + pinned runtime requirements (requirements.txt)",
            code=layer_code(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )

    def build(self, spec: FunctionSpec, extra_environment: dict[str, str] | None = None) -> lambda_.Function:
        scope = Construct(self, pascal(spec.name))
        name = self.config.name(spec.name)
        log_group = logs.LogGroup(
            scope,
            "Logs",
            log_group_name=f"/aws/lambda/{name}",
            retention=self.config.log_retention,
            removal_policy=self.config.removal_policy,
        )
        # Our own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to this
        # function's log group only.
        role = iam.Role(
            scope,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: its log group, X-Ray, and the grants its catalog entry declares",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            scope,
            "Function",
            function_name=name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=function_code(spec),
            layers=[self.layer],
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                **self.environment,
                "POWERTOOLS_SERVICE_NAME": spec.name,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                **(extra_environment or {}),
                **spec.environment,
            },
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions (tracing=ACTIVE)",
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "Python 3.12 on purpose: its Amazon Linux 2023 (glibc 2.34) loads the layer's manylinux_2_28 wheels "
            "(numpy 2.4) while the code stays 3.11-compatible for local dev and CI; moving on is "
            "lambda_factory.RUNTIME plus bundling.PYTHON_VERSION (a test holds them equal)",
        )
        return function
