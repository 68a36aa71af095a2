"""Every patch the local runtime makes to moto (the emulated AWS) and to powertools, as data.

moto differs from AWS in a few ways the platform depends on, and is needlessly slow in a few others; powertools
assumes one request per process, where this process serves many at once. Each Patch names its target, what
replaces it, the AWS behaviour it reproduces (or SPEED_ONLY), AWS's documentation of that behaviour, and the
parameters the target must still have for the replacement to fit. local.emulator.emulated_aws applies the
"emulator" group of PATCHES, in order, and undoes them on exit (the powertools ones stay for the life of the
process, see Patch.lifetime).

The "test-clock" group reproduces no AWS behaviour by itself: it puts moto's SQS and Step Functions timers on
bytebridge.clock (replacements in local.moto_clock), so that a test moving the clock moves those timers too. Only
the test harness applies it (moto_on_the_clock, from local.reset), after emulated_aws; `make run` does not.

tests/integration/test_emulator_patches.py checks that every target still exists with those parameters at the
pinned moto and powertools versions, and shows each AWS behaviour (each timer following the clock) on the
emulated platform. Local runtime only.
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any, Literal

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition

from local.moto_clock import (
    ClockEvent,
    threading_with_clock_events,
    time_on_the_clock,
    unix_time_millis_on_the_clock,
    unix_time_on_the_clock,
)
from local.moto_speedups import (
    COPY_DEFERRED,
    COPY_WITHOUT_TABLES,
    VISIBLE_NOW,
    ClientsKept,
    copies_after_filter,
    item_level_rollback,
    members_picked_once,
    method_names_kept,
    paged_listing,
    parsed_once,
    placed_after_delete,
    placed_after_put,
    placed_after_update,
    program_parsed_once,
    query_narrowed_and_filtered_first,
    retention_from_the_queue,
)

SPEED_ONLY = "speed only"

# moto answers calls from several threads (HTTP requests, one thread per Step Functions execution), and its
# conditional writes are check-then-set in Python, so all emulated calls are serialized on this lock.
AWS_LOCK = threading.RLock()
# Waiting on this releases AWS_LOCK entirely (however deeply held) and takes it back after.
AWS_IDLE = threading.Condition(AWS_LOCK)
_LONG_POLL_STEP_SECONDS = 0.05

_ABSENT = object()

Group = Literal["emulator", "test-clock"]


@dataclass(frozen=True)
class Patch:
    target: str  # "module:Owner.attribute" or "module:attribute"
    replacement: Any  # what the target becomes; with wraps=True, a function of the original that returns it
    behaviour: str  # the AWS behaviour the patch reproduces, or SPEED_ONLY
    docs: tuple[str, ...]  # AWS's documentation of that behaviour (of the API concerned, for a speed-up)
    parameters: tuple[str, ...] | None  # the target's parameter names, as the replacement uses them; None: data
    reason: str  # what moto (or powertools) does instead, and why that matters here
    wraps: bool = False
    # "emulator": undone when the emulator stops. "process": installed once, never undone (see the powertools ones).
    lifetime: Literal["emulator", "process"] = "emulator"
    install: Callable[[Any, str, Any], None] = setattr
    # "emulator": applied by emulated_aws (`make run`, tests). "test-clock": only by moto_on_the_clock (tests).
    group: Group = "emulator"
    # For a name that the target module looks up when it runs (a module or a class it imported): how its source
    # uses that name, which must still be there for the replacement to take effect.
    uses: tuple[str, ...] = ()

    @property
    def kind(self) -> Literal["correctness", "speed", "test-clock"]:
        if self.group == "test-clock":
            return "test-clock"
        return "speed" if self.behaviour == SPEED_ONLY else "correctness"

    def resolve(self) -> tuple[Any, str]:
        """(owner, attribute name): the class or module the target lives on."""
        module_name, _, path = self.target.partition(":")
        *owners, attribute = path.split(".")
        owner: Any = import_module(module_name)
        for name in owners:
            owner = getattr(owner, name)
        return owner, attribute

    def _value(self, owner: Any, attribute: str) -> Any:
        return self.replacement(getattr(owner, attribute)) if self.wraps else self.replacement

    @contextmanager
    def applied(self) -> Iterator[None]:
        owner, attribute = self.resolve()
        if self.lifetime == "process":
            _install_once(self, owner, attribute)
            yield
            return
        before = vars(owner).get(attribute, _ABSENT)  # absent: inherited, and the base class stays untouched
        self.install(owner, attribute, self._value(owner, attribute))
        try:
            yield
        finally:
            if before is _ABSENT:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, before)


_INSTALLED: set[str] = set()
_INSTALLING = threading.Lock()


def _install_once(patch: Patch, owner: Any, attribute: str) -> None:
    with _INSTALLING:
        if patch.target not in _INSTALLED:
            patch.install(owner, attribute, patch._value(owner, attribute))
            _INSTALLED.add(patch.target)


# --- Every call is atomic ------------------------------------------------------------------------------------------


def _serialized(process_request):
    def wrapper(self, request):
        with AWS_LOCK:
            return process_request(self, request)

    return wrapper


# --- Lambda runs our handlers --------------------------------------------------------------------------------------


def _decode(body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body) if body else {}


def _run_handler(function_name: str, body: Any, response_headers: Any) -> str:
    from local import emulator  # looked up per call: bench.aws_meter wraps emulator.invoke_handler

    result, failed = emulator.invoke_handler(function_name, _decode(body))
    if failed:
        response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps(result)


def _simple_invoke(self, function_name, qualifier, body, headers, response_headers):
    return _run_handler(function_name, body, response_headers).encode("utf-8")


def _function_invoke(self, body, request_headers, response_headers):
    return _run_handler(self.function_name, body, response_headers)


# --- SQS long polls ------------------------------------------------------------------------------------------------


def _long_poll(receive_message):
    """Poll without waiting, and sleep between polls with the lock released."""

    def receive(self, queue_name, count, wait_seconds_timeout, *args, **kwargs):
        deadline = time.monotonic() + (wait_seconds_timeout or 0)
        while True:
            messages = receive_message(self, queue_name, count, 0, *args, **kwargs)
            if messages or time.monotonic() >= deadline:
                return messages
            AWS_IDLE.wait(timeout=min(_LONG_POLL_STEP_SECONDS, max(0.0, deadline - time.monotonic())))

    return receive


# --- Step Functions task tokens ------------------------------------------------------------------------------------


def _new_token_per_attempt(evaluate):
    def attempt(self, env):
        if self.resource.condition == ResourceCondition.WaitForTaskToken:
            env.callback_pool_manager.add(env.states.context_object.update_task_token())
        return evaluate(self, env)

    return attempt


def _closed_after_attempt(integrate):
    def integration(self, env, *args, **kwargs):
        token = env.states.context_object.context_object_data["Task"]["Token"]
        try:
            return integrate(self, env, *args, **kwargs)
        finally:
            env.callback_pool_manager._pool.pop(token, None)

    return integration


def _heartbeat_any_time(notify_heartbeat):
    def heartbeat(self) -> bool:
        return notify_heartbeat(self) or self._outcome is None

    return heartbeat


def _answered_before_waiting(setup_heartbeat_endpoint):
    """Start the task's new heartbeat timer already woken if its outcome came first."""

    def setup(self, heartbeat_seconds: int):
        endpoint = setup_heartbeat_endpoint(self, heartbeat_seconds)
        if self._outcome is not None:
            endpoint.notify()
        return endpoint

    return setup


# --- KMS keys (speed) ----------------------------------------------------------------------------------------------


def _one_key_pair_for_symmetric_keys(generate_private_key):
    def private_key(key_spec: str):
        if key_spec == "SYMMETRIC_DEFAULT":
            return _shared_rsa_key(generate_private_key)
        return generate_private_key(key_spec)

    return private_key


@cache
def _shared_rsa_key(generate_private_key):
    return generate_private_key("RSA_2048")


# --- powertools request state, per thread --------------------------------------------------------------------------


class _RequestState(threading.local):
    current_event: Any = None
    lambda_context: Any = None


_REQUEST = _RequestState()
_CONTEXTS = threading.local()


def _per_thread(name: str) -> property:
    return property(lambda _: getattr(_REQUEST, name), lambda _, value: setattr(_REQUEST, name, value))


def _resolver_context(resolver) -> dict:
    contexts = _CONTEXTS.__dict__.setdefault("by_resolver", {})
    return contexts.setdefault(id(resolver), {})


def _set_resolver_context(resolver, value: dict) -> None:
    _resolver_context(resolver).clear()
    _resolver_context(resolver).update(value)


def _on_class_and_metaclass(owner: type, attribute: str, value: property) -> None:
    """Class-level reads and writes (`BaseRouter.current_event = ...`) go through the metaclass, instance reads
    (`self.current_event`) through the class: the property goes on both."""
    type.__setattr__(owner, attribute, value)  # first: once the metaclass has it, this would call its setter
    metaclass = type(owner)
    owner.__class__ = type(f"{metaclass.__name__}PerThread_{attribute}", (metaclass,), {attribute: value})


# --- The registry --------------------------------------------------------------------------------------------------

_SFN_CALLBACK = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback"
_SFN_ENDPOINT = "moto.stepfunctions.parser.asl.eval.callback.callback"
_POWERTOOLS_ROUTER = "aws_lambda_powertools.event_handler.api_gateway"
_SFN_ASL = "moto.stepfunctions.parser.asl"

_DOCS_CALLBACK = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token"
_DOCS_SEND_TASK_SUCCESS = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html"
_DOCS_SEND_TASK_HEARTBEAT = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html"
_DOCS_ONE_REQUEST_PER_ENVIRONMENT = (
    "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html",
    "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
)
_DOCS_SQS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest"
_DOCS_TASK_STATE = "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html"
_DOCS_WAIT_STATE = "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html"
_TEST_CLOCK_REASON = (
    "moto measures {what} on the system clock, so a test that moves bytebridge.clock (clock.advance) would see "
    "the platform's business time move but not this timer, and would have to sleep for real. Tests only: "
    "reproduces no AWS behaviour by itself."
)
_POWERTOOLS_REASON = (
    "Powertools keeps the current request on the router class (BaseRouter.current_event, .lambda_context) and on "
    "the resolver (.context), which is right for one request per process; this process serves many at once, one "
    "per thread. Kept for the life of the process: a resolver built while it is installed (handler modules are "
    "imported lazily) has no context of its own to fall back to."
)

_TABLE_QUERY_PARAMETERS = (
    "self",
    "hash_key",
    "range_comparison",
    "range_objs",
    "limit",
    "exclusive_start_key",
    "scan_index_forward",
    "projection_expressions",
    "index_name",
    "consistent_read",
    "filter_expression",
    "hash_key_conditions",
    "range_key_conditions",
    "filter_kwargs",
)
_INDEX_PARTITIONS_REASON = (
    "Keeps the table's index partitions (local.moto_speedups.IndexPartitions) up to date with this write, so that a "
    "Query on an index reads its partition instead of the whole table (see the Table.query patch)."
)

PATCHES: tuple[Patch, ...] = (
    Patch(
        target="moto.core.botocore_stubber:BotocoreStubber.process_request",
        replacement=_serialized,
        wraps=True,
        behaviour=(
            "Each API request is atomic whatever else runs at the same time: of two concurrent conditional writes "
            "to one item, only one succeeds (no lost update)."
        ),
        docs=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BestPractices_ImplementingVersionControl.html",
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
        ),
        parameters=("self", "request"),
        reason=(
            "moto answers calls from several threads (HTTP requests, one thread per Step Functions execution) and "
            "checks conditions then writes in Python, without a lock: every emulated call is serialized on AWS_LOCK."
        ),
    ),
    Patch(
        target="moto.awslambda_simple.models:LambdaSimpleBackend.invoke",
        replacement=_simple_invoke,
        behaviour=(
            "Invoke runs the function's code with the payload and answers its result; an exception in the handler "
            "answers a function error (X-Amz-Function-Error: Unhandled, errorMessage/errorType/stackTrace), which a "
            "state machine's lambda:invoke task sees as a failure."
        ),
        docs=(
            "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html",
        ),
        parameters=("self", "function_name", "qualifier", "body", "headers", "response_headers"),
        reason=(
            "moto without Docker runs no code: it answers the payload back. Ours run in-process. Step Functions' "
            "lambda:invoke tasks and moto's SQS event source mappings come this way too."
        ),
    ),
    Patch(
        target="moto.awslambda.models:LambdaFunction.invoke",
        replacement=_function_invoke,
        behaviour=(
            "Triggers run the function's code with their records: a DynamoDB stream's event source mapping, an SNS "
            "subscription."
        ),
        docs=(
            "https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html",
        ),
        parameters=("self", "body", "request_headers", "response_headers"),
        reason=(
            "moto invokes the function object itself for these (and for the legacy InvokeAsync), which would run "
            "the code in Docker. Ours run in-process."
        ),
    ),
    Patch(
        target="moto.sqs.models:SQSBackend.receive_message",
        replacement=_long_poll,
        wraps=True,
        behaviour=(
            "A long poll (WaitTimeSeconds > 0) waits for a message without holding up other calls, and returns as "
            "soon as one arrives."
        ),
        docs=(
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html",
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html",
        ),
        parameters=(
            "self",
            "queue_name",
            "count",
            "wait_seconds_timeout",
            "visibility_timeout",
            "message_attribute_names",
        ),
        reason=(
            "moto waits inside the receive call, i.e. inside AWS_LOCK, which would stop every other thread (every "
            "sender too) for the whole wait."
        ),
    ),
    Patch(
        target=f"{_SFN_CALLBACK}:StateTaskServiceCallback._eval_execution",
        replacement=_new_token_per_attempt,
        wraps=True,
        behaviour="Every attempt of a .waitForTaskToken Task state (every Retry) gets a new task token.",
        docs=(
            _DOCS_CALLBACK,
            "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html",
            "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
        ),
        parameters=("self", "env"),
        reason=(
            "moto re-uses the first attempt's token, so a re-issued annotator slot's old message would not be stale "
            "(bytebridge.workers.claim relies on it being stale)."
        ),
    ),
    Patch(
        target=f"{_SFN_CALLBACK}:StateTaskServiceCallback._eval_integration_pattern",
        replacement=_closed_after_attempt,
        wraps=True,
        behaviour=(
            "Once its attempt has ended (failed, timed out, retried), a task token is refused: Step Functions "
            "answers TaskTimedOut (here InvalidToken; bytebridge.workers.tasks takes both as gone)."
        ),
        docs=(_DOCS_SEND_TASK_SUCCESS, _DOCS_SEND_TASK_HEARTBEAT),
        parameters=("self", "env", "resource_runtime_part", "normalised_parameters", "state_credentials"),
        reason="moto keeps accepting a token after its attempt ended.",
    ),
    Patch(
        target=f"{_SFN_ENDPOINT}:CallbackEndpoint.notify_heartbeat",
        replacement=_heartbeat_any_time,
        wraps=True,
        behaviour=(
            "SendTaskHeartbeat is accepted for any open task token, also before the task has begun to wait (e.g. "
            "from a consumer its message reached at once)."
        ),
        docs=(_DOCS_SEND_TASK_HEARTBEAT, _DOCS_CALLBACK),
        parameters=("self",),
        reason=(
            "moto answers InvalidToken to a heartbeat that comes after its task sent the message but before the "
            "task's heartbeat timer is set up; a claim that came that fast would drop a live task as stale."
        ),
    ),
    Patch(
        target=f"{_SFN_ENDPOINT}:CallbackEndpoint.setup_heartbeat_endpoint",
        replacement=_answered_before_waiting,
        wraps=True,
        behaviour="A SendTaskSuccess that comes before its task has begun to wait completes the task at once.",
        docs=(_DOCS_SEND_TASK_SUCCESS, "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html"),
        parameters=("self", "heartbeat_seconds"),
        reason=(
            "In that same gap moto records the outcome but wakes no heartbeat timer (there is none yet): the task "
            "then waits HeartbeatSeconds for a wake-up and fails with States.HeartbeatTimeout."
        ),
    ),
    Patch(
        target="moto.kms.models:generate_private_key",
        replacement=_one_key_pair_for_symmetric_keys,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",),
        parameters=("key_spec",),
        reason=(
            "moto makes an RSA-2048 key pair for every KMS key, symmetric ones included, where it is never used "
            "(0.1-0.6 s each, a test's largest set-up cost). Symmetric keys share one; asymmetric keys get their own."
        ),
    ),
    Patch(
        target="moto.dynamodb.models:copy",
        replacement=COPY_WITHOUT_TABLES,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html",),
        parameters=None,
        reason=(
            "moto's TransactWriteItems deep-copies every table it names (to roll back), so each transaction costs "
            "time in proportion to the table's size. With the next patch: only the touched items are saved."
        ),
    ),
    Patch(
        target="moto.dynamodb.models:DynamoDBBackend.transact_write_items",
        replacement=item_level_rollback,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html",),
        parameters=("self", "transact_items"),
        reason="See local.moto_speedups: a cancelled transaction puts back exactly the items it touched.",
    ),
    Patch(
        target="moto.s3.models:S3Backend.list_objects_v2",
        replacement=paged_listing,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html",),
        parameters=("self", "bucket", "prefix", "delimiter", "continuation_token", "start_after", "max_keys"),
        reason=(
            "moto builds, filters and sorts every key of the bucket for each page, so listing a bucket of n keys "
            "costs O(n²) (100,000 keys: a minute). See local.moto_speedups.paged_listing."
        ),
    ),
    Patch(
        target="moto.dynamodb.models.table:Table.query",
        replacement=query_narrowed_and_filtered_first,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html",
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html",
        ),
        parameters=_TABLE_QUERY_PARAMETERS,
        uses=("self.all_items()",),
        reason=(
            "moto lists and sorts every item of the table for each Query (Table.all_items), then keeps the asked "
            "partition: O(n log n) per query, a 1,000-item run quadratic. Only the partition's items (of the table, "
            "or of an index, from local.moto_speedups.IndexPartitions) are handed to moto's own query code. A "
            "filtered query copies only the items that pass its filter (copies_after_filter)."
        ),
    ),
    Patch(
        target="moto.dynamodb.models.table:copy",
        replacement=COPY_DEFERRED,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html",),
        parameters=None,
        uses=("results = copy.deepcopy(results)", "results.append(copy.deepcopy(item))"),
        reason=(
            "moto's Query deep-copies every item it read (a whole partition) before applying the FilterExpression, "
            "and Scan every item it keeps before it. With the next two patches: only the items that pass are copied "
            "(local.moto_speedups.copies_after_filter)."
        ),
    ),
    Patch(
        target="moto.dynamodb.models.table:Table.scan",
        replacement=copies_after_filter,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html",),
        parameters=(
            "self",
            "filters",
            "limit",
            "exclusive_start_key",
            "filter_expression",
            "index_name",
            "consistent_read",
            "projection_expression",
            "segments",
        ),
        reason="See the copy patch above: a filtered Scan copies only the items that pass its FilterExpression.",
    ),
    Patch(
        target="moto.dynamodb.models.table:Table.put_item",
        replacement=placed_after_put,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html",),
        parameters=(
            "self",
            "item_attrs",
            "expected",
            "condition_expression",
            "expression_attribute_names",
            "expression_attribute_values",
            "overwrite",
            "return_values_on_condition_check_failure",
        ),
        reason=_INDEX_PARTITIONS_REASON,
    ),
    Patch(
        target="moto.dynamodb.models.table:Table.delete_item",
        replacement=placed_after_delete,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html",),
        parameters=("self", "hash_key", "range_key"),
        reason=_INDEX_PARTITIONS_REASON,
    ),
    Patch(
        target="moto.dynamodb.models:DynamoDBBackend.update_item",
        replacement=placed_after_update,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html",),
        parameters=(
            "self",
            "table_name",
            "key",
            "update_expression",
            "expression_attribute_names",
            "expression_attribute_values",
            "attribute_updates",
            "expected",
            "condition_expression",
            "return_values_on_condition_check_failure",
        ),
        reason=_INDEX_PARTITIONS_REASON,
    ),
    Patch(
        target="moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_entrypoint",
        replacement=program_parsed_once,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html",),
        parameters=("self",),
        reason=(
            "moto parses the state machine's definition again for every execution it starts (ANTLR, tens of ms), "
            "the largest part of a StartExecution. See local.moto_speedups.program_parsed_once."
        ),
    ),
    Patch(
        target="moto.sqs.models:SQSBackend.is_message_valid_based_on_retention_period",
        replacement=retention_from_the_queue,
        behaviour=SPEED_ONLY,
        docs=(f"{_DOCS_SQS}/APIReference/API_ReceiveMessage.html",),
        parameters=("self", "queue_name", "message"),
        reason=(
            "moto checks each received message's retention through GetQueueAttributes, which counts the queue's "
            "messages (three passes, three times over) per message received. See "
            "local.moto_speedups.retention_from_the_queue."
        ),
    ),
    Patch(
        target="moto.sqs.models:Queue.messages",
        replacement=VISIBLE_NOW,
        behaviour=SPEED_ONLY,
        docs=(f"{_DOCS_SQS}/APIReference/API_ReceiveMessage.html",),
        parameters=None,
        reason=(
            "moto's list of a queue's receivable messages reads the clock twice per message (each a datetime "
            "construction), on every receive: a long poll over a queue of many in-flight messages. See "
            "local.moto_speedups.visible_now."
        ),
    ),
    Patch(
        target=f"{_SFN_ASL}.utils.json_path:parse",
        replacement=parsed_once,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html",),
        parameters=("path", "debug"),
        uses=("parse(path)",),
        reason=(
            "moto's Step Functions interpreter parses every JSONPath of every state it runs with a new parser, "
            "which reads its grammar tables each time. See local.moto_speedups.parsed_once."
        ),
    ),
    Patch(
        target=f"{_SFN_ASL}.utils.boto_client:boto3",
        replacement=ClientsKept,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html",),
        parameters=None,
        uses=("boto3.client(",),
        reason=(
            "moto's Step Functions interpreter makes a new AWS client for each Task state it runs (a Lambda invoke, "
            "an SQS send). See local.moto_speedups.ClientsKept."
        ),
    ),
    Patch(
        target="moto.core.serialize:ResponseSerializer.get_value",
        replacement=members_picked_once,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html",),
        parameters=("self", "value", "key", "shape"),
        reason=(
            "moto's response serializer builds a context and asks six alias providers for every member of every "
            "structure it writes (each member of each DynamoDB AttributeValue of each item): a fifth of a signed "
            "call's time. See local.moto_speedups.members_picked_once."
        ),
    ),
    Patch(
        target="moto.core.responses:method_names_from_class",
        replacement=method_names_kept,
        wraps=True,
        behaviour=SPEED_ONLY,
        docs=("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations.html",),
        parameters=("clazz",),
        uses=("method_names_from_class(self.__class__)",),
        reason=(
            "moto lists the response class's functions (inspect.getmembers) on every API call to find the action's "
            "handler. See local.moto_speedups.method_names_kept."
        ),
    ),
    Patch(
        target=f"{_POWERTOOLS_ROUTER}:BaseRouter.current_event",
        replacement=_per_thread("current_event"),
        install=_on_class_and_metaclass,
        lifetime="process",
        behaviour=(
            "Lambda runs one request at a time in an execution environment: a handler's current event belongs to "
            "the request it is handling."
        ),
        docs=_DOCS_ONE_REQUEST_PER_ENVIRONMENT,
        parameters=None,
        reason=_POWERTOOLS_REASON,
    ),
    Patch(
        target=f"{_POWERTOOLS_ROUTER}:BaseRouter.lambda_context",
        replacement=_per_thread("lambda_context"),
        install=_on_class_and_metaclass,
        lifetime="process",
        behaviour=(
            "Lambda runs one request at a time in an execution environment: a handler's Lambda context belongs to "
            "the request it is handling."
        ),
        docs=_DOCS_ONE_REQUEST_PER_ENVIRONMENT,
        parameters=None,
        reason=_POWERTOOLS_REASON,
    ),
    Patch(
        target=f"{_POWERTOOLS_ROUTER}:ApiGatewayResolver.context",
        replacement=property(_resolver_context, _set_resolver_context),
        lifetime="process",
        behaviour=(
            "Lambda runs one request at a time in an execution environment: what a request adds to the resolver's "
            "context (append_context) is seen by that request only, and cleared after it."
        ),
        docs=_DOCS_ONE_REQUEST_PER_ENVIRONMENT,
        parameters=None,
        reason=_POWERTOOLS_REASON,
    ),
    Patch(
        target="moto.sqs.models:unix_time",
        replacement=unix_time_on_the_clock,
        wraps=True,
        group="test-clock",
        behaviour=(
            "SQS message retention follows bytebridge.clock: a message is gone once MessageRetentionPeriod has "
            "passed since it was sent (also queue timestamps and PurgeQueue's 60-second rule)."
        ),
        docs=(
            f"{_DOCS_SQS}/APIReference/API_SetQueueAttributes.html",
            f"{_DOCS_SQS}/APIReference/API_PurgeQueue.html",
        ),
        parameters=("dt",),
        uses=("unix_time()",),
        reason=_TEST_CLOCK_REASON.format(what="message retention (seconds since the epoch)"),
    ),
    Patch(
        target="moto.sqs.models:unix_time_millis",
        replacement=unix_time_millis_on_the_clock,
        wraps=True,
        group="test-clock",
        behaviour=(
            "SQS visibility timeouts (ReceiveMessage's VisibilityTimeout, ChangeMessageVisibility) and delays "
            "(DelaySeconds of a queue or a message) follow bytebridge.clock, as do SentTimestamp and "
            "ApproximateFirstReceiveTimestamp."
        ),
        docs=(
            f"{_DOCS_SQS}/SQSDeveloperGuide/sqs-visibility-timeout.html",
            f"{_DOCS_SQS}/SQSDeveloperGuide/sqs-delay-queues.html",
            f"{_DOCS_SQS}/SQSDeveloperGuide/sqs-message-timers.html",
        ),
        parameters=("dt",),
        uses=("unix_time_millis()",),
        reason=_TEST_CLOCK_REASON.format(what="visibility and delays (milliseconds since the epoch)"),
    ),
    Patch(
        target=f"{_SFN_ENDPOINT}:Event",
        replacement=ClockEvent,
        group="test-clock",
        behaviour=(
            "A Task state's HeartbeatSeconds follows bytebridge.clock: with no SendTaskHeartbeat for that long "
            "(on the clock), the task times out (AWS: States.HeartbeatTimeout; moto reports States.Timeout). So "
            "does the callback wait's TimeoutSeconds (and an activity's wait for a worker)."
        ),
        docs=(_DOCS_TASK_STATE, _DOCS_SEND_TASK_HEARTBEAT, _DOCS_CALLBACK),
        parameters=(),  # moto makes its events with Event(); ClockEvent changes only Event.wait(timeout)
        uses=("Event()", "wait(timeout="),
        reason=_TEST_CLOCK_REASON.format(what="a heartbeat's wait (threading.Event.wait with a timeout)"),
    ),
    Patch(
        target=f"{_SFN_ASL}.component.state.exec.execute_state:threading",
        replacement=threading_with_clock_events,
        wraps=True,
        group="test-clock",
        behaviour=(
            "A Task state's TimeoutSeconds follows bytebridge.clock: a task still running that long (on the "
            "clock) fails with States.Timeout."
        ),
        docs=(_DOCS_TASK_STATE, "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"),
        parameters=None,
        uses=("threading.Event()", "terminated_event.wait(timeout_seconds)"),
        reason=_TEST_CLOCK_REASON.format(what="a task's timeout (threading.Event().wait with a timeout)"),
    ),
    Patch(
        target=f"{_SFN_ASL}.eval.environment:threading",
        replacement=threading_with_clock_events,
        wraps=True,
        group="test-clock",
        behaviour=(
            "A Wait state's Seconds (or SecondsPath) follow bytebridge.clock: the execution goes on once they have "
            "passed on the clock (with the next patch; not a Timestamp, which moto measures with datetime.now)."
        ),
        docs=(_DOCS_WAIT_STATE,),
        parameters=None,
        uses=("self.program_state_event = threading.Event()",),
        reason=_TEST_CLOCK_REASON.format(what="a Wait state (the execution's threading.Event, waited on)"),
    ),
    Patch(
        target=f"{_SFN_ASL}.component.state.wait.wait_function.wait_function:time",
        replacement=time_on_the_clock,
        wraps=True,
        group="test-clock",
        behaviour=(
            "A Wait state's Seconds (or SecondsPath) follow bytebridge.clock: once woken, the state counts the "
            "seconds it has waited on the clock, so it does not wait again for the rest."
        ),
        docs=(_DOCS_WAIT_STATE,),
        parameters=None,
        uses=("time.time()", "env.program_state_event.wait(wait_seconds)"),
        reason=_TEST_CLOCK_REASON.format(what="how long a Wait state has waited (time.time)"),
    ),
    Patch(
        target=f"{_SFN_ASL}.component.common.retry.retrier_decl:time",
        replacement=time_on_the_clock,
        wraps=True,
        group="test-clock",
        behaviour=(
            "A Retrier's interval (IntervalSeconds, BackoffRate, MaxDelaySeconds) follows bytebridge.clock: the "
            "next attempt starts once that interval has passed on the clock."
        ),
        docs=(
            "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
            _DOCS_TASK_STATE,
        ),
        parameters=None,
        uses=("time.sleep(interval_seconds)",),
        reason=_TEST_CLOCK_REASON.format(what="a retry interval (time.sleep)"),
    ),
)

# The unpatched callables, taken when this module is first imported (before any patch can be applied), so the
# contract test inspects moto's and powertools' own signatures even while an emulator is running.
ORIGINALS: dict[str, Any] = {
    patch.target: getattr(*patch.resolve()) for patch in PATCHES if patch.parameters is not None
}


def in_group(group: Group) -> tuple[Patch, ...]:
    return tuple(patch for patch in PATCHES if patch.group == group)


@contextmanager
def moto_on_the_clock() -> Iterator[None]:
    """Apply the test-clock group while active (after emulated_aws has started): moto's SQS and Step Functions timers
    follow bytebridge.clock. Events and timers created while it is active keep following the clock."""
    with ExitStack() as stack:
        for patch in in_group("test-clock"):
            stack.enter_context(patch.applied())
        yield
