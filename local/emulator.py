"""Emulated AWS in this process (moto), with our Lambda handlers behind moto's Lambda API.

Two seams route invocations to the real handlers, in-process:
- LambdaSimpleBackend.invoke: the Invoke API, which Step Functions' lambda:invoke tasks and SQS mappings use;
- LambdaFunction.invoke: the triggers moto invokes on the function itself (DynamoDB streams, SNS).
A handler's exception becomes a Lambda function error, which a state machine sees as a failed task.

Those seams and every other patch of moto and powertools (serialized calls, long polls, task tokens, speed-ups)
are listed, with the AWS behaviour each reproduces, in local.patches; emulated_aws applies them (all but the
"test-clock" group, which only the test harness applies).
"""

import importlib
import os
import secrets
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws
from moto.core.config import DefaultConfig

from bytebridge.aws import reset_clients
from bytebridge.settings import resource_name
from infra.catalog import FUNCTIONS
from local import web_standin
from local.patches import in_group

MOTO_CONFIG: DefaultConfig = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}

# Credentials made for this run, not the well-known "testing" ones: the local S3 door (local.s3_door) accepts only
# links signed with them, so nobody else on the machine can forge one.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": f"AKIALOCAL{secrets.token_hex(6).upper()}",
    "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    # Not "bytebridge": powertools' Logger takes over the stdlib logger named after the service (our package's).
    "POWERTOOLS_SERVICE_NAME": "bytebridge-local",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "ByteBridge",
    "POWERTOOLS_DEV": "false",
    # The local receiver of callbacks listens on 127.0.0.1 (bytebridge.delivery.callbacks); never set when deployed.
    "ALLOW_PRIVATE_CALLBACKS": "true",
    # New items are checked in the admitting call (moto's queues have no consumers): submitResource answers with
    # its items checked (bytebridge.ingest.requests). Never set when deployed.
    "INGEST_CHECK_INLINE": "true",
}


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
    os.environ.setdefault("WEB_STANDIN", web_standin.address())  # "the public web" (bytebridge.public_net)
    os.environ.update(extra_env or {})
    reset_clients()
    with ExitStack() as stack:
        stack.enter_context(mock_aws(config=MOTO_CONFIG))
        # mock_aws puts its well-known FOOBARKEY/FOOBARSECRET in the environment: ours go back over them, or anyone
        # could sign links the S3 door accepts (moto puts the originals back when it stops)
        os.environ.update(extra_env or {})
        reset_clients()
        for patch in in_group("emulator"):  # not the test-clock group: the test harness adds it
            stack.enter_context(patch.applied())
        try:
            yield
        finally:
            reset_clients()
