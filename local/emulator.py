"""Emulated AWS in this process (moto), with our Lambda handlers behind moto's Lambda API.

Two seams route invocations to the real handlers, in-process:
- LambdaSimpleBackend.invoke: the Invoke API, which Step Functions' lambda:invoke tasks use;
- LambdaFunction.invoke: event-source triggers (SQS mappings, DynamoDB streams) and async invokes.
A handler's exception becomes a Lambda function error, which a state machine sees as a failed task.

moto answers calls from several threads (HTTP requests, one thread per Step Functions execution),
and its conditional writes are check-then-set in Python, so all emulated calls are serialized.
"""

import importlib
import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, BaseRouter
from moto import mock_aws
from moto.awslambda.models import LambdaFunction
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.botocore_stubber import BotocoreStubber
from moto.kms import models as kms_models
from moto.sqs.models import SQSBackend
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint

from bytebridge.aws import reset_clients
from bytebridge.settings import resource_name
from infra.catalog import FUNCTIONS
from local.moto_speedups import item_level_transaction_rollback

MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "bytebridge",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "ByteBridge",
    "POWERTOOLS_DEV": "false",
}

_AWS_LOCK = threading.RLock()
# Waiting on this releases _AWS_LOCK entirely (however deeply held) and takes it back after.
_AWS_IDLE = threading.Condition(_AWS_LOCK)
_LONG_POLL_STEP_SECONDS = 0.05


@dataclass
class LocalContext:
    """The attributes of a Lambda context that powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    invoked_function_arn: str = ""
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _physical_to_handler() -> dict[str, tuple[int, Callable[[Any, Any], Any]]]:
    table = {}
    for spec in FUNCTIONS:
        module_name, attr = spec.handler.rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), attr)
        table[resource_name(spec.name)] = (spec.memory_mb, handler)
    return table


_HANDLERS: dict[str, tuple[int, Callable[[Any, Any], Any]]] = {}


def invoke_handler(function_name: str, payload: Any) -> tuple[Any, bool]:
    """Run our handler for `function_name` (name or ARN). Returns (result, failed)."""
    name = function_name.split(":function:")[-1].split(":")[0]
    if not _HANDLERS:
        _HANDLERS.update(_physical_to_handler())
    memory, handler = _HANDLERS[name]
    context = LocalContext(
        function_name=name,
        memory_limit_in_mb=memory,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
    )
    try:
        return handler(payload, context), False
    except Exception as exc:  # a handler crash is a Lambda function error, as on AWS
        return {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exception(exc),
        }, True


def _decode(body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body) if body else {}


def _simple_invoke(self, function_name, qualifier, body, headers, response_headers):
    result, failed = invoke_handler(function_name, _decode(body))
    if failed:
        response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps(result).encode("utf-8")


def _function_invoke(self, body, request_headers, response_headers):
    result, failed = invoke_handler(self.function_name, _decode(body))
    if failed:
        response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps(result)


class _PerThread(threading.local):
    current_event: Any = None
    lambda_context: Any = None


_REQUEST = _PerThread()
_CONTEXTS = threading.local()


def _per_thread(name: str) -> property:
    return property(lambda _: getattr(_REQUEST, name), lambda _, value: setattr(_REQUEST, name, value))


def _resolver_context(resolver) -> dict:
    contexts = _CONTEXTS.__dict__.setdefault("by_resolver", {})
    return contexts.setdefault(id(resolver), {})


def _set_resolver_context(resolver, value: dict) -> None:
    _resolver_context(resolver).clear()
    _resolver_context(resolver).update(value)


@cache
def isolate_powertools_requests() -> None:
    """Lambda runs one request per process; this process serves many at once, one per thread. Powertools keeps
    the current request on the router class (BaseRouter.current_event, .lambda_context) and on the resolver
    (.context): give each thread its own, as separate Lambda processes would have. Local runtime only."""
    names = ("current_event", "lambda_context")

    class PerThreadRouterMeta(type(BaseRouter)):
        pass

    for name in names:  # class-level reads and writes go through the metaclass, instance reads through the class
        setattr(PerThreadRouterMeta, name, _per_thread(name))
        type.__setattr__(BaseRouter, name, _per_thread(name))
    BaseRouter.__class__ = PerThreadRouterMeta
    ApiGatewayResolver.context = property(_resolver_context, _set_resolver_context)


def _long_poll(receive_message):
    """moto waits for messages inside the receive call, i.e. inside _AWS_LOCK, which would stop every other
    thread (and so every sender) for the whole wait. Poll without waiting instead, and sleep between polls
    with the lock released."""

    def receive(self, queue_name, count, wait_seconds_timeout, *args, **kwargs):
        deadline = time.monotonic() + (wait_seconds_timeout or 0)
        while True:
            messages = receive_message(self, queue_name, count, 0, *args, **kwargs)
            if messages or time.monotonic() >= deadline:
                return messages
            _AWS_IDLE.wait(timeout=min(_LONG_POLL_STEP_SECONDS, max(0.0, deadline - time.monotonic())))

    return receive


@cache
def _one_rsa_key():
    return _MOTO_PRIVATE_KEY("RSA_2048")


_MOTO_PRIVATE_KEY = kms_models.generate_private_key


def _private_key(key_spec: str):
    """moto makes an RSA-2048 key pair for every KMS key, symmetric ones included, where it is never used
    (0.1-0.6 s each, a test's largest set-up cost). Symmetric keys share one; asymmetric keys get their own."""
    return _one_rsa_key() if key_spec == "SYMMETRIC_DEFAULT" else _MOTO_PRIVATE_KEY(key_spec)


def _new_token_per_attempt(evaluate):
    """moto re-uses a task's token when its Task state is retried; Step Functions gives every attempt a new one,
    so the message of a re-issued annotator slot is stale (bytebridge.workers.claim relies on that)."""

    def attempt(self, env):
        if self.resource.condition == ResourceCondition.WaitForTaskToken:
            env.callback_pool_manager.add(env.states.context_object.update_task_token())
        return evaluate(self, env)

    return attempt


def _closed_after_attempt(integrate):
    """moto keeps accepting a token after its attempt ended; Step Functions answers TaskTimedOut."""

    def integration(self, env, *args, **kwargs):
        token = env.states.context_object.context_object_data["Task"]["Token"]
        try:
            return integrate(self, env, *args, **kwargs)
        finally:
            env.callback_pool_manager._pool.pop(token, None)

    return integration


def _heartbeat_any_time(notify_heartbeat):
    """moto answers InvalidToken to a heartbeat that comes after its task sent the SQS message but before the
    task began to wait (its heartbeat timer is set up in between). Step Functions takes a heartbeat for any open
    token; a claim that came that fast would otherwise drop a live task as stale."""

    def heartbeat(self) -> bool:
        return notify_heartbeat(self) or self._outcome is None

    return heartbeat


def _answered_before_waiting(setup_heartbeat_endpoint):
    """In that same gap, a SendTaskSuccess sets the outcome but wakes no heartbeat timer (there is none yet), and
    the task would then wait a whole heartbeat period for a wake-up: start the new timer already woken."""

    def setup(self, heartbeat_seconds: int):
        endpoint = setup_heartbeat_endpoint(self, heartbeat_seconds)
        if self._outcome is not None:
            endpoint.notify()
        return endpoint

    return setup


def _serialized(process_request):
    def wrapper(self, request):
        with _AWS_LOCK:
            return process_request(self, request)

    return wrapper


@contextmanager
def _patched(owner: type, attr: str, replacement: Any) -> Iterator[None]:
    inherited = attr not in owner.__dict__  # then the original lives on a base class, which stays untouched
    original = owner.__dict__.get(attr)
    setattr(owner, attr, replacement)
    try:
        yield
    finally:
        if inherited:
            delattr(owner, attr)
        else:
            setattr(owner, attr, original)


@contextmanager
def _patched_module(module: Any, name: str, replacement: Any) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


def stop_executions() -> None:
    """Stop every running execution: their threads would otherwise outlive the emulator they belong to."""
    sfn = boto3.client("stepfunctions", region_name=FAKE_ENV["AWS_REGION"])
    for machine in sfn.list_state_machines()["stateMachines"]:
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING")[
            "executions"
        ]:
            sfn.stop_execution(executionArn=execution["executionArn"])


@contextmanager
def emulated_aws(extra_env: dict[str, str] | None = None) -> Iterator[None]:
    """Start emulated AWS for this process; our handlers answer Lambda invocations."""
    for key, value in FAKE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.update(extra_env or {})
    reset_clients()
    isolate_powertools_requests()
    patches = [
        # moto's behaviour where it differs from AWS in a way the platform depends on
        (BotocoreStubber, "process_request", _serialized(BotocoreStubber.process_request)),
        (LambdaSimpleBackend, "invoke", _simple_invoke),
        (LambdaFunction, "invoke", _function_invoke),
        (SQSBackend, "receive_message", _long_poll(SQSBackend.receive_message)),
        (StateTaskServiceCallback, "_eval_execution", _new_token_per_attempt(StateTaskServiceCallback._eval_execution)),
        (
            StateTaskServiceCallback,
            "_eval_integration_pattern",
            _closed_after_attempt(StateTaskServiceCallback._eval_integration_pattern),
        ),
        (CallbackEndpoint, "notify_heartbeat", _heartbeat_any_time(CallbackEndpoint.notify_heartbeat)),
        (
            CallbackEndpoint,
            "setup_heartbeat_endpoint",
            _answered_before_waiting(CallbackEndpoint.setup_heartbeat_endpoint),
        ),
    ]
    with ExitStack() as stack:
        stack.enter_context(mock_aws(config=MOTO_CONFIG))
        for owner, attr, replacement in patches:
            stack.enter_context(_patched(owner, attr, replacement))
        # and where it is needlessly slow
        stack.enter_context(_patched_module(kms_models, "generate_private_key", _private_key))
        stack.enter_context(item_level_transaction_rollback())
        try:
            yield
        finally:
            reset_clients()
