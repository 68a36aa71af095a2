"""bytebridge.observability: business metrics as CloudWatch EMF lines on stdout (what Lambda ships to CloudWatch),
one blob per handler invocation, written at once outside a handler, never mixed between invocations running at
the same time, silent when disabled; and the one decorator order on every entry point of the catalog."""

import ast
import json
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

from bytebridge import observability
from bytebridge.observability import BusinessMetric, count, metrics
from infra.catalog import FUNCTIONS

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"


@pytest.fixture
def emf(monkeypatch, capsys):
    """Metrics on, as a deployed function has them; returns a reader of the EMF blobs written since last read."""
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "ByteBridge")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "consensus")
    monkeypatch.setenv("BYTEBRIDGE_STAGE", "dev")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    def written() -> list[dict]:
        out = capsys.readouterr().out
        return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]

    return written


def values(blob: dict) -> dict[str, list[float]]:
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    return {metric["Name"]: blob[metric["Name"]] for metric in directive["Metrics"]}


def test_outside_a_handler_a_count_is_written_at_once(emf):
    count(BusinessMetric.ITEMS_FINISHED)

    (blob,) = emf()
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ByteBridge"
    assert directive["Dimensions"] == [["stage", "service"]]
    assert directive["Metrics"] == [{"Name": "ItemsFinished", "Unit": "Count"}]
    assert (blob["service"], blob["stage"], blob["ItemsFinished"]) == ("consensus", "dev", [1.0])
    count(BusinessMetric.ITEMS_FINISHED)
    assert [values(b) for b in emf()] == [{"ItemsFinished": [1.0]}]  # nothing kept from the first


def test_dimensions_add_a_breakdown_next_to_the_totals(emf):
    count(BusinessMetric.CLAIMS_SERVED, family="boxes")

    (blob,) = emf()
    assert blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["stage", "service"], ["stage", "service", "family"]]
    assert (blob["family"], blob["ClaimsServed"]) == ("boxes", [1.0])


def test_a_handler_writes_its_counts_in_one_blob_when_it_ends(emf):
    seen_inside = []

    @metrics.log_metrics
    def handler(event, context):
        count(BusinessMetric.CLAIMS_SERVED)
        count(BusinessMetric.CLAIMS_SERVED)
        count(BusinessMetric.EXPORTED_ITEMS, 3)
        seen_inside.extend(emf())
        return "done"

    assert handler({}, None) == "done"
    assert seen_inside == []
    (blob,) = emf()
    assert values(blob) == {"ClaimsServed": [1.0, 1.0], "ExportedItems": [3.0]}
    assert handler({}, None) == "done"
    assert [values(b) for b in emf()] == [{"ClaimsServed": [1.0, 1.0], "ExportedItems": [3.0]}]  # not 4 and 2


def test_a_handler_that_counted_nothing_writes_nothing_and_does_not_warn(emf):
    @metrics.log_metrics
    def handler(event, context):
        return None

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handler({}, None)
    assert emf() == []
    assert [str(w.message) for w in caught] == []


def test_a_failing_handler_still_writes_what_it_counted(emf):
    @metrics.log_metrics
    def handler(event, context):
        count(BusinessMetric.CALLBACKS_FAILED)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        handler({}, None)
    assert [values(b) for b in emf()] == [{"CallbacksFailed": [1.0]}]


def test_invocations_running_at_once_keep_their_own_metrics(emf):
    """The local runtime runs handlers on threads (API requests, Step Functions executions) in one process:
    powertools' single buffer would hand one invocation's counts to whichever flushed first."""
    a_counted, b_done = threading.Event(), threading.Event()

    @metrics.log_metrics
    def claims(event, context):
        count(BusinessMetric.CLAIMS_SERVED)
        a_counted.set()
        assert b_done.wait(5)  # b runs and flushes while this invocation holds its count
        count(BusinessMetric.CLAIMS_EMPTY)

    @metrics.log_metrics
    def consensus(event, context):
        assert a_counted.wait(5)
        count(BusinessMetric.CONSENSUS_ROUNDS)

    a = threading.Thread(target=claims, args=({}, None))
    a.start()
    consensus({}, None)
    b_done.set()
    a.join(5)

    assert [values(b) for b in emf()] == [
        {"ConsensusRounds": [1.0]},
        {"ClaimsServed": [1.0], "ClaimsEmpty": [1.0]},
    ]


def test_a_handler_invoked_inline_by_another_writes_its_own_blob(emf):
    """The local runtime runs an asynchronous invocation (the export job) inside the calling handler."""

    @metrics.log_metrics
    def export_job(event, context):
        count(BusinessMetric.EXPORTED_ITEMS, 5)

    @metrics.log_metrics
    def client_api(event, context):
        count(BusinessMetric.CALLBACKS_DELIVERED)
        export_job({}, None)
        count(BusinessMetric.CALLBACKS_DELIVERED)

    client_api({}, None)
    assert [values(b) for b in emf()] == [{"ExportedItems": [5.0]}, {"CallbacksDelivered": [1.0, 1.0]}]


def test_disabled_metrics_write_nothing_and_keep_nothing(emf, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    @metrics.log_metrics
    def handler(event, context):
        for _ in range(150):  # powertools writes a full buffer (100 values) even when disabled
            count(BusinessMetric.CLAIMS_EMPTY)

    handler({}, None)
    for _ in range(150):
        count(BusinessMetric.CLAIMS_EMPTY)
    assert emf() == []
    assert metrics.provider.metric_set == {}


def test_without_a_namespace_nothing_is_written_and_nothing_raises(emf, monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE")

    @metrics.log_metrics
    def handler(event, context):
        count(BusinessMetric.ITEMS_FAILED)

    handler({}, None)
    count(BusinessMetric.ITEMS_FAILED)
    assert emf() == []


def test_a_broken_metric_never_fails_the_work_and_is_reported_once(emf, caplog):
    too_long = "Metric" * 50  # CloudWatch takes 255 characters at most

    @metrics.log_metrics
    def handler(event, context):
        count(too_long)
        count(too_long, family="boxes")
        return "work done"

    assert handler({}, None) == "work done"
    assert emf() == []
    assert [r.getMessage() for r in caplog.records if r.name == "bytebridge.observability"] == [
        f"metric {too_long} not recorded"
    ]


def test_tracing_is_off_outside_lambda():
    assert observability.tracer.disabled


def _fresh_import(handler: str, environment: dict[str, str]) -> dict:
    """Import a handler in a new interpreter: what it loaded, and whether its tracer is on."""
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({handler!r})\n"
        "from bytebridge import observability\n"
        "tracer = observability.tracer\n"
        "print(json.dumps({'xray': sorted(m for m in sys.modules if m.startswith('aws_xray_sdk'))[:3],"
        " 'requests': 'requests' in sys.modules, 'disabled': bool(getattr(tracer, 'disabled', False))}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED")}
    done = subprocess.run([sys.executable, "-c", probe], env={**env, **environment}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_tracing_off_a_handler_never_loads_the_xray_sdk():
    loaded = _fresh_import("account_api.handler", {})
    assert loaded["disabled"] and loaded["xray"] == []


def test_on_lambda_the_tracer_patches_botocore_and_http_only():
    loaded = _fresh_import("account_api.handler", {"LAMBDA_TASK_ROOT": "/var/task", "AWS_XRAY_SDK_ENABLED": "false"})
    assert not loaded["disabled"] and loaded["xray"]  # the real SDK, here
    assert not loaded["requests"]  # patch_all would have imported requests (and the rest) to patch it


def _decorators(function: ast.FunctionDef) -> list[str]:
    return [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in function.decorator_list]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_every_entry_point_is_decorated_in_the_one_order(spec):
    """Logger outermost (context keys and correlation id for everything after), then the trace, then the metrics
    flush, right after the handler and inside its trace."""
    module, attr = spec.handler.rsplit(".", 1)
    tree = ast.parse((FUNCTIONS_DIR / (module.replace(".", "/") + ".py")).read_text())
    (function,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == attr]
    assert _decorators(function) == [
        "logger.inject_lambda_context",
        "tracer.capture_lambda_handler",
        "metrics.log_metrics",
    ]
    inject, capture, _ = function.decorator_list
    assert isinstance(inject, ast.Call) and {k.arg for k in inject.keywords} == {"correlation_id_path"}
    assert isinstance(capture, ast.Call) and ast.unparse(capture) == (
        "tracer.capture_lambda_handler(capture_response=False)"  # responses hold client data
    )
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert "from bytebridge.observability import logger, metrics, tracer" in imports
    assert not any("Logger" in line or "Tracer" in line or "Metrics" in line for line in imports)
