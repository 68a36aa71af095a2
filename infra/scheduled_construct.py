"""EventBridge schedules for every catalog function that has a `schedule` (the local runtime's scheduler
thread reads the same field)."""

from collections.abc import Iterable

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.asl import pascal
from infra.catalog import FunctionSpec
from infra.config import StageConfig


class ScheduledConstruct(Construct):
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
        self.rules: dict[str, events.Rule] = {}
        for spec in specs:
            if not spec.schedule:
                continue
            self.rules[spec.name] = events.Rule(
                self,
                f"{pascal(spec.name)}Schedule",
                rule_name=config.name(spec.name),
                description=f"{spec.schedule}: {spec.description}"[:512],
                schedule=events.Schedule.expression(spec.schedule),
                targets=[
                    # Every job is idempotent and the next run catches up: a couple of retries, then let
                    # it go rather than pile up stale runs.
                    targets.LambdaFunction(functions[spec.name], retry_attempts=2, max_event_age=Duration.minutes(30))
                ],
            )
