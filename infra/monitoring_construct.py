"""What ops watch: one CloudWatch dashboard and the alarms (to an SNS topic): API 5xx and latency, failed
executions, queue age, dead-letter depth, Lambda errors and throttles. Derived from whatever the other
constructs built, so a new function, queue or state machine is watched without an edit here."""

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from bytebridge.observability import BusinessMetric
from infra.asl import pascal
from infra.config import METRICS_NAMESPACE, StageConfig

PERIOD = Duration.minutes(5)
API_5XX_PER_PERIOD = 5
API_P99_LATENCY_MS = 5000
# How old the oldest message may get: a queue with a consumer function drains in seconds; a queue of human
# tasks waits for annotators, so only half a day without a claim is news.
CONSUMED_QUEUE_AGE_SECONDS = 15 * 60
HUMAN_QUEUE_AGE_SECONDS = 12 * 3600
# The business metrics the domain counts (bytebridge.observability, EMF with dimensions service and stage), one
# graph each: title, the catalog function that emits them (its POWERTOOLS_SERVICE_NAME), the metrics.
BUSINESS_GRAPHS: tuple[tuple[str, str, tuple[BusinessMetric, ...]], ...] = (
    ("Items finished / failed", "consensus", (BusinessMetric.ITEMS_FINISHED, BusinessMetric.ITEMS_FAILED)),
    ("Consensus rounds", "consensus", (BusinessMetric.CONSENSUS_ROUNDS,)),
    ("Claims served / empty", "worker-api", (BusinessMetric.CLAIMS_SERVED, BusinessMetric.CLAIMS_EMPTY)),
    (
        "Callbacks delivered / failed",
        "callback-sender",
        (BusinessMetric.CALLBACKS_DELIVERED, BusinessMetric.CALLBACKS_FAILED),
    ),
    ("Exported items", "export-job", (BusinessMetric.EXPORTED_ITEMS,)),
)


class MonitoringConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        key: kms.IKey,
        api: apigw.RestApi,
        functions: dict[str, lambda_.Function],
        queues: dict[str, sqs.Queue],
        dead_letter_queues: dict[str, sqs.Queue],
        consumed_queues: set[str],
        state_machines: dict[str, sfn.StateMachine],
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=config.name("alarms"), master_key=key, enforce_ssl=True)
        # CloudWatch publishes to the encrypted topic with the data key.
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey")
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cw.Alarm] = []

        self._alarm(
            "Api5xx",
            api.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=API_5XX_PER_PERIOD,
            description=f"API answered ≥{API_5XX_PER_PERIOD} 5xx in 5 minutes",
        )
        self._alarm(
            "ApiLatencyP99",
            api.metric_latency(period=PERIOD, statistic="p99"),
            threshold=API_P99_LATENCY_MS,
            evaluation_periods=3,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            description=f"API p99 latency above {API_P99_LATENCY_MS} ms for 15 minutes",
        )
        for name, machine in state_machines.items():
            failed = cw.MathExpression(
                expression="FILL(failed, 0) + FILL(timedOut, 0)",
                using_metrics={
                    "failed": machine.metric_failed(period=PERIOD),
                    "timedOut": machine.metric_timed_out(period=PERIOD),
                },
                period=PERIOD,
                label=f"{name} failed or timed out",
            )
            self._alarm(f"{pascal(name)}FailedExecutions", failed, 1, description=f"{name}: executions failed")
        for name, queue in queues.items():
            if name in dead_letter_queues:
                depth = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
                self._alarm(f"{pascal(name)}Depth", depth, 1, description=f"dead-letter queue {name} holds messages")
            else:
                limit = CONSUMED_QUEUE_AGE_SECONDS if name in consumed_queues else HUMAN_QUEUE_AGE_SECONDS
                age = queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
                self._alarm(
                    f"{pascal(name)}Age",
                    age,
                    limit,
                    comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    description=f"queue {name}: oldest message older than {limit} s",
                )
        for name, function in functions.items():
            self._alarm(
                f"{pascal(name)}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                1,
                description=f"{name}: invocations failed (unhandled errors)",
            )
            self._alarm(
                f"{pascal(name)}Throttles",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                1,
                description=f"{name}: invocations throttled",
            )

        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=config.name("ops"))
        self._widgets(api, functions, queues, state_machines)
        self._business_widgets(config.stage, functions)

    def _business_widgets(self, stage: str, functions: dict[str, lambda_.Function]) -> None:
        """One row: what the platform did (items labeled, annotator claims, callbacks, exports) in this stage."""
        widths = [24 // len(BUSINESS_GRAPHS) + (n < 24 % len(BUSINESS_GRAPHS)) for n in range(len(BUSINESS_GRAPHS))]
        graphs = []
        for (title, service, names), width in zip(BUSINESS_GRAPHS, widths, strict=True):
            if service not in functions:
                raise ValueError(f"business metrics of {title!r}: no function {service!r} in the catalog")
            metrics: list[cw.IMetric] = [
                cw.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name=name,
                    dimensions_map={"service": service, "stage": stage},
                    statistic="Sum",
                    period=PERIOD,
                    label=name,
                )
                for name in names
            ]
            graphs.append(cw.GraphWidget(title=title, left=metrics, width=width, height=6))
        self.dashboard.add_widgets(*graphs)

    def _alarm(
        self,
        id: str,
        metric: cw.Metric | cw.MathExpression,  # IMetric has no create_alarm; both implementations do
        threshold: float,
        *,
        description: str,
        evaluation_periods: int = 1,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) -> None:
        alarm = metric.create_alarm(
            self,
            id,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=comparison,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        action = cw_actions.SnsAction(self.topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
        self.alarms.append(alarm)

    def _widgets(self, api, functions, queues, state_machines) -> None:
        def graph(title: str, metrics: list[cw.IMetric], width: int = 8) -> cw.GraphWidget:
            return cw.GraphWidget(title=title, left=metrics, width=width, height=6)

        def per_function(metric: str, statistic: str = "Sum") -> list[cw.IMetric]:
            return [f.metric(metric, statistic=statistic, period=PERIOD, label=n) for n, f in functions.items()]

        self.dashboard.add_widgets(
            cw.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24, height=4),
        )
        self.dashboard.add_widgets(
            graph("API requests", [api.metric_count(period=PERIOD, statistic="Sum")]),
            graph(
                "API errors",
                [
                    api.metric_client_error(period=PERIOD, statistic="Sum"),
                    api.metric_server_error(period=PERIOD, statistic="Sum"),
                ],
            ),
            graph(
                "API latency (ms)",
                [
                    api.metric_latency(period=PERIOD, statistic="p50", label="p50"),
                    api.metric_latency(period=PERIOD, statistic="p99", label="p99"),
                    api.metric_integration_latency(period=PERIOD, statistic="p99", label="integration p99"),
                ],
            ),
        )
        self.dashboard.add_widgets(
            graph("Lambda invocations", per_function("Invocations"), width=6),
            graph("Lambda errors", per_function("Errors"), width=6),
            graph("Lambda throttles", per_function("Throttles"), width=6),
            graph("Lambda duration p99 (ms)", per_function("Duration", "p99"), width=6),
        )
        if state_machines:
            self.dashboard.add_widgets(
                *(
                    graph(
                        f"Workflow {name}",
                        [
                            machine.metric_started(period=PERIOD, label="started"),
                            machine.metric_succeeded(period=PERIOD, label="succeeded"),
                            machine.metric_failed(period=PERIOD, label="failed"),
                            machine.metric_timed_out(period=PERIOD, label="timed out"),
                        ],
                    )
                    for name, machine in state_machines.items()
                )
            )
        if queues:
            self.dashboard.add_widgets(
                graph(
                    "Queue depth (visible)",
                    [
                        q.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum", label=n)
                        for n, q in queues.items()
                    ],
                    width=12,
                ),
                graph(
                    "Oldest message age (s)",
                    [
                        q.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum", label=n)
                        for n, q in queues.items()
                    ],
                    width=12,
                ),
            )
