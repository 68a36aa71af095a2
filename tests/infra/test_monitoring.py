"""Alarms and dashboard: API 5xx and latency, Lambda errors and throttles per function, queue age, DLQ depth,
failed executions per state machine, all to an encrypted SNS topic; the business metrics on the dashboard."""

import json

import pytest

from bytebridge.observability import BusinessMetric
from infra import catalog
from infra.monitoring_construct import (
    API_5XX_PER_PERIOD,
    API_P99_LATENCY_MS,
    CONSUMED_QUEUE_AGE_SECONDS,
    HUMAN_QUEUE_AGE_SECONDS,
)
from tests.infra.cfn import STAGES, ref_ids, render

pytestmark = pytest.mark.xdist_group("cdk")


def _alarms(synth) -> list[dict]:
    return [r["Properties"] for r in synth.resources("AWS::CloudWatch::Alarm").values()]


def _dimension_refs(alarm: dict) -> set[str]:
    return set().union(*(ref_ids(d["Value"]) for d in alarm.get("Dimensions", [])))


def test_api_alarms(synth):
    api = next(iter(synth.resources("AWS::ApiGateway::RestApi")))
    by_metric = {a["MetricName"]: a for a in _alarms(synth) if a.get("Namespace") == "AWS/ApiGateway"}
    errors, latency = by_metric["5XXError"], by_metric["Latency"]
    assert errors["Statistic"] == "Sum" and errors["Threshold"] == API_5XX_PER_PERIOD
    assert latency["ExtendedStatistic"] == "p99" and latency["Threshold"] == API_P99_LATENCY_MS
    assert latency["ComparisonOperator"] == "GreaterThanThreshold"
    for alarm in (errors, latency):
        assert {d["Name"] for d in alarm["Dimensions"]} == {"ApiName"}
        assert api not in _dimension_refs(alarm)  # ApiName is the name string, not a ref
        assert alarm["Period"] == 300


def test_every_function_has_error_and_throttle_alarms(synth):
    lambda_alarms = [a for a in _alarms(synth) if a.get("Namespace") == "AWS/Lambda"]
    for spec in catalog.FUNCTIONS:
        function = synth.function_id(spec.name)
        metrics = {a["MetricName"] for a in lambda_alarms if _dimension_refs(a) == {function}}
        assert metrics == {"Errors", "Throttles"}, spec.name
    for alarm in lambda_alarms:
        assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"


def test_queue_age_and_dead_letter_depth_alarms(synth):
    queues = synth.resources("AWS::SQS::Queue")
    names = {r["Properties"]["QueueName"]["Fn::Join"][1][-1] if isinstance(r["Properties"]["QueueName"], dict)
             else r["Properties"]["QueueName"]: k for k, r in queues.items()}  # fmt: skip
    sqs_alarms = [a for a in _alarms(synth) if a.get("Namespace") == "AWS/SQS"]
    dead_letters = {q.dead_letter for q in catalog.QUEUES if q.dead_letter}
    assert dead_letters  # callbacks-dlq at least
    for spec in catalog.QUEUES:
        queue = names[f"bytebridge-dev-{spec.name}"]
        watched = {a["MetricName"]: a for a in sqs_alarms if queue in _dimension_refs(a)}
        if spec.name in dead_letters:
            assert set(watched) == {"ApproximateNumberOfMessagesVisible"}, spec.name
            assert watched["ApproximateNumberOfMessagesVisible"]["Threshold"] == 1
        else:
            assert set(watched) == {"ApproximateAgeOfOldestMessage"}, spec.name
            if spec.consumer:
                assert watched["ApproximateAgeOfOldestMessage"]["Threshold"] == CONSUMED_QUEUE_AGE_SECONDS


def test_the_item_engine_is_watched(synth):
    """item-flow's failed and timed-out executions, each task queue's oldest message (annotator supply), the
    task DLQ, and the engine's functions."""
    machine = synth.state_machine_id("item-flow")
    (failed,) = [a for a in _alarms(synth) if "Metrics" in a and machine in ref_ids(a["Metrics"])]
    stats = {m["Id"]: m["MetricStat"] for m in failed["Metrics"] if "MetricStat" in m}
    assert {(s["Metric"]["MetricName"], s["Stat"]) for s in stats.values()} == {
        ("ExecutionsFailed", "Sum"),
        ("ExecutionsTimedOut", "Sum"),
    }
    (expression,) = [m["Expression"] for m in failed["Metrics"] if "Expression" in m]
    assert expression == "FILL(failed, 0) + FILL(timedOut, 0)"
    assert failed["Threshold"] == 1 and failed["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"

    sqs_alarms = [a for a in _alarms(synth) if a.get("Namespace") == "AWS/SQS"]
    for family in catalog.TASK_FAMILIES:
        queue = synth.queue_id(f"tasks-{family}")
        (age,) = [a for a in sqs_alarms if _dimension_refs(a) == {queue}]
        assert age["MetricName"] == "ApproximateAgeOfOldestMessage" and age["Statistic"] == "Maximum", family
        assert age["Threshold"] == HUMAN_QUEUE_AGE_SECONDS and age["ComparisonOperator"] == "GreaterThanThreshold"
    (depth,) = [a for a in sqs_alarms if _dimension_refs(a) == {synth.queue_id("tasks-dlq")}]
    assert depth["MetricName"] == "ApproximateNumberOfMessagesVisible" and depth["Threshold"] == 1

    lambda_alarms = [a for a in _alarms(synth) if a.get("Namespace") == "AWS/Lambda"]
    for name in ("consensus", "launcher", "worker-api"):
        function = synth.function_id(name)
        watched = {a["MetricName"] for a in lambda_alarms if _dimension_refs(a) == {function}}
        assert watched == {"Errors", "Throttles"}, name


def test_every_alarm_notifies_the_encrypted_topic(synth):
    ((topic_id, topic),) = synth.resources("AWS::SNS::Topic").items()
    data_key = next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataDataKey"))
    assert ref_ids(topic["Properties"]["KmsMasterKeyId"]) == {data_key}
    alarms = _alarms(synth)
    assert len(alarms) == 2 + 2 * len(catalog.FUNCTIONS) + len(catalog.QUEUES) + len(catalog.STATE_MACHINES)
    for alarm in alarms:
        assert [ref_ids(a) for a in alarm["AlarmActions"]] == [{topic_id}], alarm["AlarmDescription"]
        assert alarm["AlarmDescription"]
    # CloudWatch may use the data key to publish to the topic.
    key_policy = synth.resources("AWS::KMS::Key")[data_key]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"} for s in key_policy)


def test_dashboard_shows_every_function_and_the_alarms(synth):
    (dashboard,) = synth.resources("AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == "bytebridge-dev-ops"
    body = dashboard["Properties"]["DashboardBody"]
    referenced = ref_ids(body)
    for spec in catalog.FUNCTIONS:
        assert synth.function_id(spec.name) in referenced, spec.name
    assert set(synth.resources("AWS::CloudWatch::Alarm")) <= referenced  # the alarm status widget


# Which function counts what (bytebridge.observability.count in the code each one runs).
BUSINESS_METRICS = {
    "ItemsFinished": "consensus",
    "ItemsFailed": "consensus",
    "ConsensusRounds": "consensus",
    "ClaimsServed": "worker-api",
    "ClaimsEmpty": "worker-api",
    "CallbacksDelivered": "callback-sender",
    "CallbacksFailed": "callback-sender",
    "ExportedItems": "export-job",
}


@pytest.mark.parametrize("stage", STAGES)
def test_dashboard_graphs_the_business_metrics_of_its_stage(synth, stage):
    """One row of graphs: each business metric from the namespace the functions publish to, by the dimensions
    their EMF carries (service = the emitting function's POWERTOOLS_SERVICE_NAME, stage), summed per period."""
    assert set(BUSINESS_METRICS) == set(BusinessMetric)
    (dashboard,) = synth.resources("AWS::CloudWatch::Dashboard", stage).values()
    widgets = json.loads(render(dashboard["Properties"]["DashboardBody"]))["widgets"]
    graphed = {}
    rows = set()
    for widget in widgets:
        for metric in widget["properties"].get("metrics", []):
            if metric[0] != "ByteBridge":  # AWS/... metrics (or a math expression)
                continue
            _, name, *dimensions, options = metric
            graphed[name] = (dict(zip(dimensions[::2], dimensions[1::2], strict=True)), options["stat"])
            rows.add(widget["y"])
    assert graphed == {name: ({"service": fn, "stage": stage}, "Sum") for name, fn in BUSINESS_METRICS.items()}
    (row,) = rows
    assert sum(w["width"] for w in widgets if w["y"] == row) == 24  # a full row of its own

    functions = synth.resources("AWS::Lambda::Function", stage)
    for service in set(BUSINESS_METRICS.values()):
        variables = functions[synth.function_id(service, stage)]["Properties"]["Environment"]["Variables"]
        assert variables["POWERTOOLS_SERVICE_NAME"] == service
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "ByteBridge"
