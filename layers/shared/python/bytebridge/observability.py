"""Observability of every entry point: the one powertools Logger, Tracer and Metrics, and `count` for the business
metrics the domain code emits.

Every handler is decorated the same way, in this order (outermost first):

    @logger.inject_lambda_context(correlation_id_path=...)   # context keys and correlation id for all that follows
    @tracer.capture_lambda_handler(capture_response=False)  # responses hold client data: kept out of traces
    @metrics.log_metrics                                    # flushes right after the handler, inside its trace
    def lambda_handler(event, context): ...

Service name and namespace are the environment's (the CDK sets POWERTOOLS_SERVICE_NAME to the function's catalog
name and POWERTOOLS_METRICS_NAMESPACE per function); metrics carry `service` and `stage` dimensions, so stages
sharing an account stay apart.

`logger`, `tracer` and `metrics` are built on first use (module __getattr__), not when this module is imported:
domain code imports only `count` and builds nothing. The handler modules use them at import, to decorate their
entry points: powertools' own pattern (one instance per execution environment, kept across warm invocations).

Metrics: powertools keeps one buffer per process, filled by `add_metric` and emptied only by a flush. Lambda runs
one invocation per process, the local runtime runs many at once on threads (API requests, Step Functions
executions), and domain code also runs outside any handler (scripts, tests). So the buffer here belongs to the
running invocation of the current thread: `log_metrics` opens it and flushes it, `count` outside an invocation
writes its metric at once, and nothing accumulates or reaches another invocation's output. An invocation that
counted nothing writes nothing (powertools would warn every time). With POWERTOOLS_METRICS_DISABLED (`make run`
sets it unless LOG_LEVEL asks for INFO or DEBUG) or without a namespace, `count` does nothing; it never raises.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider
from aws_lambda_powertools.shared import constants

from bytebridge.settings import stage

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer

    logger: Logger
    tracer: Tracer
    metrics: Metrics

log = logging.getLogger(__name__)
T = TypeVar("T")


class BusinessMetric(StrEnum):
    """What the domain counts (namespace POWERTOOLS_METRICS_NAMESPACE, unit Count); the ops dashboard graphs them."""

    ITEMS_FINISHED = "ItemsFinished"  # an item reached an end node (engine.progress.finish)
    ITEMS_FAILED = "ItemsFailed"  # an item could not be labeled (engine.progress.fail)
    CONSENSUS_ROUNDS = "ConsensusRounds"  # judgments of a task consolidated (engine.advance)
    CLAIMS_SERVED = "ClaimsServed"  # an annotator's claim got a task (workers.claim)
    CLAIMS_EMPTY = "ClaimsEmpty"  # ... or found no work
    CALLBACKS_DELIVERED = "CallbacksDelivered"  # a callback POST answered 2xx (delivery.callbacks)
    CALLBACKS_FAILED = "CallbacksFailed"  # a callback attempt failed (retried later, or parked in the DLQ)
    EXPORTED_ITEMS = "ExportedItems"  # items written by a finished export (exports.jobs)


_BUILD = threading.RLock()


def _once(factory: Callable[[], T]) -> Callable[[], T]:
    """A cached factory that builds at most once, even when threads race to the first call."""
    built: list[T] = []

    @functools.wraps(factory)
    def get() -> T:
        if not built:
            with _BUILD:
                if not built:
                    built.append(factory())
        return built[0]

    return get


# -- metrics: one buffer per running invocation -----------------------------------------------------------------


class _Buffer:
    """What powertools' EMF provider keeps between add_metric and the flush."""

    def __init__(self, dimensions: dict[str, str]):
        self.metric_set: dict[str, Any] = {}
        self.dimension_set: dict[str, str] = dict(dimensions)
        self.metadata_set: dict[str, Any] = {}
        self.dimension_sets: list[dict[str, str]] = []
        self.timestamp: int | None = None


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.invocations: list[_Buffer] = []  # decorated handlers running on this thread, innermost last
        self.loose: _Buffer | None = None  # for direct provider use outside any invocation


_THREAD = _ThreadState()


def _in_invocation() -> bool:
    return bool(_THREAD.invocations)


def _buffered(attribute: str) -> property:
    return property(
        lambda self: getattr(self._buffer(), attribute),
        lambda self, value: setattr(self._buffer(), attribute, value),
    )


class _InvocationEMFProvider(AmazonCloudWatchEMFProvider):
    """powertools' CloudWatch EMF provider with the buffer of the current thread's running invocation instead of
    one per process, namespace and service read from the environment when metrics are written, and a `stage`
    dimension next to powertools' `service`."""

    metric_set = _buffered("metric_set")
    dimension_set = _buffered("dimension_set")
    metadata_set = _buffered("metadata_set")
    dimension_sets = _buffered("dimension_sets")
    timestamp = _buffered("timestamp")

    def __init__(self) -> None:
        super().__init__()
        self._namespace: str | None = None  # explicit values win over the environment (powertools' setters)
        self._service: str | None = None

    @property  # type: ignore[override]  # powertools says str, yet it is None when unset
    def namespace(self) -> str | None:
        return self._namespace or os.getenv(constants.METRICS_NAMESPACE_ENV)

    @namespace.setter
    def namespace(self, value: str | None) -> None:
        self._namespace = value

    @property  # type: ignore[override]
    def service(self) -> str | None:
        return self._service or os.getenv(constants.SERVICE_NAME_ENV)

    @service.setter
    def service(self, value: str | None) -> None:
        self._service = value

    def _buffer(self) -> _Buffer:
        if _THREAD.invocations:
            return _THREAD.invocations[-1]
        if _THREAD.loose is None:
            _THREAD.loose = _Buffer(getattr(self, "default_dimensions", {}))
        return _THREAD.loose

    def _common_dimensions(self) -> dict[str, str]:
        service = self.service
        return {"stage": stage(), **({"service": service} if service else {})}

    def serialize_metric_set(self, metrics=None, dimensions=None, metadata=None):
        if dimensions is None:
            for name, value in self._common_dimensions().items():
                self.dimension_set.setdefault(name, value)
        return super().serialize_metric_set(metrics=metrics, dimensions=dimensions, metadata=metadata)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        if not self.metric_set and not raise_on_empty_metrics:
            return  # nothing counted: nothing to write (powertools would warn on every such invocation)
        if is_metrics_disabled():
            self.clear_metrics()  # powertools keeps a disabled buffer growing
            return
        super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)

    def log_metrics(self, lambda_handler=None, capture_cold_start_metric=False, raise_on_empty_metrics=False, **kwargs):
        if lambda_handler is None:  # used with arguments: @metrics.log_metrics(...)
            return functools.partial(
                self.log_metrics,
                capture_cold_start_metric=capture_cold_start_metric,
                raise_on_empty_metrics=raise_on_empty_metrics,
                **kwargs,
            )
        flushing = super().log_metrics(
            lambda_handler,
            capture_cold_start_metric=capture_cold_start_metric,
            raise_on_empty_metrics=raise_on_empty_metrics,
            **kwargs,
        )

        @functools.wraps(lambda_handler)
        def invocation(event, context, *args, **kw):
            _THREAD.invocations.append(_Buffer(self.default_dimensions))
            try:
                return flushing(event, context, *args, **kw)  # flushes this invocation's buffer at its end
            finally:
                _THREAD.invocations.pop()

        return invocation

    def write_one(self, name: str, value: float, dimensions: dict[str, str]) -> None:
        """One metric as its own EMF line, now: with `service`/`stage` and, if given, also by `dimensions`."""
        blob = AmazonCloudWatchEMFProvider(namespace=self.namespace, service=self.service)
        blob.add_metric(name=name, unit=MetricUnit.Count, value=value)
        common = self._common_dimensions()
        for key, dimension in common.items():
            blob.add_dimension(name=key, value=dimension)
        if dimensions:
            blob.add_dimensions(**common, **dimensions)
        sys.stdout.write(json.dumps(blob.serialize_metric_set(), separators=(",", ":")) + "\n")


_FAILED: set[str] = set()


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Count a business event. Inside a handler decorated with `metrics.log_metrics` it joins that invocation's
    metrics, written when the handler ends; with dimensions, or outside any handler, it is written at once as its
    own EMF line. Never raises: a metric must not fail the work it counts."""
    try:
        provider = _provider()
        if is_metrics_disabled() or not provider.namespace:
            return
        if dimensions or not _in_invocation():
            provider.write_one(name, value, {key: str(dimension) for key, dimension in dimensions.items()})
        else:
            provider.add_metric(name=name, unit=MetricUnit.Count, value=value)
    except Exception:
        if name not in _FAILED:  # once per metric: a broken metric must not flood the logs either
            _FAILED.add(name)
            log.warning("metric %s not recorded", name, exc_info=True)


# -- the three powertools utilities, built on first use ---------------------------------------------------------


@_once
def _provider() -> _InvocationEMFProvider:
    return _InvocationEMFProvider()


@_once
def get_metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(provider=_provider())


@_once
def get_logger() -> Logger:
    from aws_lambda_powertools import Logger

    return Logger()


class _OffTracer:
    """The part of powertools' Tracer that our code uses, for when tracing is off: a disabled powertools Tracer
    still imports the X-Ray SDK (about a third of a handler's import time), this imports nothing and traces
    nothing, as a disabled Tracer would."""

    disabled = True

    def capture_lambda_handler(self, lambda_handler=None, capture_response=None, capture_error=None):
        return lambda_handler if lambda_handler is not None else self.capture_lambda_handler

    capture_method = capture_lambda_handler

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        pass


# What the tracer patches on Lambda: our AWS calls (boto3 and pynamodb both go through botocore's client) and
# plain HTTP (callbacks, Stripe, admission fetches: http.client underneath). powertools' default, patch_all, also
# imports every other library X-Ray can patch (requests, httpx, sqlite3, ...) just to patch it: ~100 ms of cold start.
TRACED_MODULES = ("botocore", "httplib")


@_once
def get_tracer() -> Tracer:
    """Off outside Lambda (no LAMBDA_TASK_ROOT) and wherever POWERTOOLS_TRACE_DISABLED is set (the local runtime,
    tests), as powertools decides it, and then without the X-Ray SDK; on Lambda it patches TRACED_MODULES when
    first built, i.e. when the handler module is imported."""
    from aws_lambda_powertools.tracing.tracer import Tracer as PowertoolsTracer

    if PowertoolsTracer._is_tracer_disabled():
        return cast("Tracer", _OffTracer())
    return PowertoolsTracer(patch_modules=TRACED_MODULES)


_FACTORIES: dict[str, Callable[[], Any]] = {"logger": get_logger, "tracer": get_tracer, "metrics": get_metrics}


def __getattr__(name: str) -> Any:
    if name in _FACTORIES:
        return _FACTORIES[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
