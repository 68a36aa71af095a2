"""The item workflow: every queue of infra.catalog.QUEUES (with its dead-letter queue and consumer), and every
state machine of infra.catalog.STATE_MACHINES, deployed from its ASL file in statemachines/.

ASL placeholders (`${ConsensusFunctionArn}`, `${TasksQueueUrl}`…, see infra.asl) are resolved by catalog name,
so an ASL file needs no CDK-side list; each one also grants the state machine exactly what it needs on that
resource (invoke, send, read/write). What the ASL reaches through a value from its state (the Map sends to
`$.queueUrl`) has no placeholder: the spec's `access` entries grant it, through the same `Resources` the
functions' grants use (exposed as `self.resources` for them)."""

from collections.abc import Callable, Iterable

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import asl
from infra.asl import pascal
from infra.catalog import QueueSpec, StateMachineSpec
from infra.config import StageConfig
from infra.data_construct import DataConstruct
from infra.grants import Resources
from infra.nag import acknowledge


class WorkflowConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        data: DataConstruct,
        functions: dict[str, lambda_.Function],
        queues: Iterable[QueueSpec],
        state_machines: Iterable[StateMachineSpec],
    ) -> None:
        super().__init__(scope, id)
        self.config = config
        self.data = data
        self.functions = functions
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        # Dead-letter queues first, so a redrive policy can name its target.
        for spec in sorted(queues, key=lambda q: q.dead_letter is not None):
            self._queue(spec)
        state_machines = tuple(state_machines)
        self.resources = Resources(
            config=config,
            tables=data.tables,
            buckets=data.buckets,
            secrets_key=data.secrets_key,
            notices_key=data.notices_key,
            secrets=dict(data.secrets),
            functions=functions,
            queues=self.queues,
            state_machine_names=tuple(spec.name for spec in state_machines),
        )
        self.state_machines = {spec.name: self._state_machine(spec) for spec in state_machines}

    def _queue(self, spec: QueueSpec) -> None:
        dead_letter = None
        if spec.dead_letter:
            target = self.queues[spec.dead_letter]
            self.dead_letter_queues[spec.dead_letter] = target
            dead_letter = sqs.DeadLetterQueue(max_receive_count=spec.max_receive_count, queue=target)
        queue = sqs.Queue(
            self,
            f"{pascal(spec.name)}Queue",
            queue_name=self.config.name(spec.name),
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.data.data_key,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
            retention_period=Duration.seconds(spec.retention_seconds),
            dead_letter_queue=dead_letter,
            removal_policy=self.config.removal_policy,
        )
        self.queues[spec.name] = queue
        if spec.consumer:
            consumer = self.functions[spec.consumer]
            assert consumer.timeout is not None, "LambdaFactory.build sets every function's timeout"
            if spec.visibility_timeout_seconds < 6 * consumer.timeout.to_seconds():
                raise ValueError(f"queue {spec.name}: visibility timeout must be ≥ 6× {spec.consumer}'s timeout")
            consumer.add_event_source(
                sources.SqsEventSource(queue, batch_size=spec.batch_size, report_batch_item_failures=True)
            )

    def _resolve(self, placeholder: asl.Placeholder) -> tuple[str, Callable[[sfn.StateMachine], object]]:
        """(value, grant) for one ASL placeholder: the resource's attribute, and what the machine needs on it."""
        kind, attribute = placeholder.kind, placeholder.attribute
        if kind == "function":
            function = self.functions[placeholder.target(list(self.functions))]
            if attribute == "arn":
                return function.function_arn, function.grant_invoke
        elif kind == "queue":
            queue = self.queues[placeholder.target(list(self.queues))]
            if attribute == "url":
                return queue.queue_url, queue.grant_send_messages
            if attribute == "arn":
                return queue.queue_arn, queue.grant_send_messages
        elif kind == "table":
            table = self.data.tables[placeholder.target(list(self.data.tables))]
            if attribute == "name":
                return table.table_name, table.grant_read_write_data
            if attribute == "arn":
                return table.table_arn, table.grant_read_write_data
        elif kind == "bucket":
            bucket = self.data.buckets[placeholder.target(list(self.data.buckets))]
            if attribute == "name":
                return bucket.bucket_name, bucket.grant_read_write
        raise KeyError((kind, attribute))  # not in asl.KINDS: parse() rejects it before this

    def _state_machine(self, spec: StateMachineSpec) -> sfn.StateMachine:
        definition = asl.definition_path(spec).read_text()
        resolved = {p.text: self._resolve(p) for p in asl.placeholders(definition)}
        name = self.config.name(spec.name)
        machine = sfn.StateMachine(
            self,
            f"{pascal(spec.name)}StateMachine",
            state_machine_name=name,
            state_machine_type=sfn.StateMachineType.STANDARD,  # task tokens need Standard
            definition_body=sfn.DefinitionBody.from_string(definition),
            definition_substitutions={key: value for key, (value, _) in resolved.items()},
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=logs.LogGroup(
                    self,
                    f"{pascal(spec.name)}Logs",
                    log_group_name=f"/aws/vendedlogs/states/{name}",
                    retention=self.config.log_retention,
                    removal_policy=self.config.removal_policy,
                ),
                level=sfn.LogLevel.ALL,
                # Events only: state inputs and outputs carry clients' data and answers.
                include_execution_data=False,
            ),
        )
        for _, grant in resolved.values():
            grant(machine)
        self.resources.grant_all(machine, spec)
        acknowledge(
            machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            "log delivery (logs:CreateLogDelivery, ...) and X-Ray (PutTraceSegments, GetSamplingRules) have no "
            "resource-level permissions; that is all Resource::* covers on this role",
        )
        return machine
