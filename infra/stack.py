"""The ByteBridge stack only composes the constructs; everything it deploys is derived from the shared
catalogs (infra.catalog, the pynamodb models, statemachines/)."""

import json
import os
from collections.abc import Iterable, Sequence

from aws_cdk import App, Environment, Stack, Tags
from constructs import Construct

from infra import catalog
from infra.api_construct import STAGE_NAME, ApiConstruct
from infra.asl import ROOT
from infra.catalog import FunctionSpec, QueueSpec, StateMachineSpec
from infra.config import StageConfig
from infra.data_construct import DataConstruct
from infra.frontend_construct import FrontendConstruct
from infra.grants import workflow_environment
from infra.http_api_construct import HttpApiConstruct
from infra.identity_construct import IdentityConstruct
from infra.lambda_factory import LambdaFactory
from infra.monitoring_construct import MonitoringConstruct
from infra.nag import acknowledge_grant_wildcards, apply_checks
from infra.scheduled_construct import ScheduledConstruct
from infra.workflow_construct import WorkflowConstruct

# A plain `python app.py` (make synth, tests) skips asset bundling, i.e. the layer's pip install; the CDK CLI
# passes its own value (the stacks it deploys), which takes precedence over these defaults.
NO_BUNDLING: dict[str, list[str]] = {"aws:cdk:bundling-stacks": []}


class ByteBridgeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        functions: Sequence[FunctionSpec] = catalog.FUNCTIONS,
        queues: Iterable[QueueSpec] = catalog.QUEUES,
        state_machines: Iterable[StateMachineSpec] = catalog.STATE_MACHINES,
        env: Environment | None = None,
    ) -> None:
        super().__init__(scope, id, stack_name=config.stack_name, env=env, description=f"ByteBridge ({config.stage})")
        Tags.of(self).add("project", "bytebridge")
        Tags.of(self).add("stage", config.stage)
        data = DataConstruct(self, "Data", config=config)
        identity = IdentityConstruct(self, "Identity", config=config)
        # bytebridge.settings reads these; table, queue and function names follow from BYTEBRIDGE_STAGE.
        settings_environment = {
            "BYTEBRIDGE_STAGE": config.stage,
            "SECRETS_KEY_ID": config.secrets_key_alias,
            "NOTICES_KEY_ID": config.notices_key_alias,
            "DATA_BUCKET": data.buckets["data"].bucket_name,
            "EXPORTS_BUCKET": data.buckets["exports"].bucket_name,
            "INVOICES_BUCKET": data.buckets["invoices"].bucket_name,
            "NOTIFY_FROM": config.notify_from,
            "USER_POOL_ID": identity.user_pool.user_pool_id,
            "USER_POOL_CLIENT_ID": identity.client.user_pool_client_id,
        }
        factory = LambdaFactory(self, "Functions", config=config, environment=settings_environment)
        built = {spec.name: factory.build(spec, workflow_environment(self, config, spec)) for spec in functions}
        workflow = WorkflowConstruct(
            self,
            "Workflow",
            config=config,
            data=data,
            functions=built,
            queues=queues,
            state_machines=state_machines,
        )
        workflow.resources.user_pools["users"] = identity.user_pool
        for spec in functions:
            workflow.resources.grant_all(built[spec.name], spec)
        api = ApiConstruct(self, "Api", config=config, specs=functions, functions=built, user_pool=identity.user_pool)
        http_api = HttpApiConstruct(self, "HttpApi", config=config, specs=functions, functions=built)
        # Links in e-mails (unsubscribe) start with the API's own URL, built from its id: the functions then depend
        # on the RestApi alone, not on its deployment (whose methods depend on the functions: a cycle).
        public_url = f"https://{api.api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}/{STAGE_NAME}"
        for function in built.values():
            function.add_environment("PUBLIC_URL", public_url)
        ScheduledConstruct(self, "Scheduled", config=config, specs=functions, functions=built)
        FrontendConstruct(
            self,
            "Frontend",
            config=config,
            api=api.api,
            http_api_domain=http_api.domain_name if http_api.prefixes else None,
            specs=functions,
            logs_bucket=data.logs_bucket,
            # the browser uploads to and previews from the data bucket's presigned links
            data_origins=[f"https://{data.buckets['data'].bucket_regional_domain_name}"],
        )
        MonitoringConstruct(
            self,
            "Monitoring",
            config=config,
            key=data.data_key,
            api=api.api,
            functions=built,
            queues=workflow.queues,
            dead_letter_queues=workflow.dead_letter_queues,
            consumed_queues={q.name for q in queues if q.consumer},
            state_machines=workflow.state_machines,
        )
        acknowledge_grant_wildcards(self)


def cdk_json_context() -> dict:
    """Feature flags and defaults from cdk.json, so a plain `python app.py` synthesizes what the CLI would."""
    return json.loads((ROOT / "cdk.json").read_text()).get("context", {})


def build_app(stages: Sequence[str] | None = None, context: dict | None = None, outdir: str | None = None) -> App:
    """The app with one stack per stage: the `stage` context (-c stage=prod) by default; tests pass both.
    The CDK CLI names the output directory (CDK_OUTDIR); a plain run writes to cdk.out like the CLI would."""
    app = App(
        context={**cdk_json_context(), **NO_BUNDLING, **(context or {})},
        outdir=outdir or os.environ.get("CDK_OUTDIR") or str(ROOT / "cdk.out"),
    )
    env = Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))
    base = StageConfig.from_context(app.node)
    for stage in stages or (base.stage,):
        config = StageConfig(
            stage=stage, notify_from=base.notify_from, alarm_email=base.alarm_email, operator_email=base.operator_email
        )
        ByteBridgeStack(app, config.stack_name, config=config, env=env)
    apply_checks(app)
    return app
