"""The local runtime's patches of moto and powertools (local.patches).

The contract: every target still exists, with the parameters its replacement expects (and, for a name a module
looks up, still used there), at the pinned moto and powertools versions. The behaviour: for every correctness
patch, a test on the emulated platform of the AWS behaviour it reproduces, which fails with that patch left out;
for every test-clock patch, a test that its AWS timer follows bytebridge.clock (moved, not waited for), which would
wait for real with that patch left out. Each test provisions only what it uses."""

import importlib.metadata
import inspect
import io
import json
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any, cast

import boto3
import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from botocore.exceptions import ClientError
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bytebridge import clock
from local import emulator
from local.emulator import FAKE_ENV, LocalContext, emulated_aws, stop_executions
from local.gateway import proxy_event
from local.patches import AWS_IDLE, ORIGINALS, PATCHES, SPEED_ONLY, Patch, in_group, moto_on_the_clock

ROOT = Path(__file__).resolve().parents[2]
PIN_FILES = ("requirements.txt", "requirements-dev.txt")

SFN_CALLBACK = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback"
    ":StateTaskServiceCallback"
)
SFN_ENDPOINT = "moto.stepfunctions.parser.asl.eval.callback.callback:CallbackEndpoint"
SFN_ASL = "moto.stepfunctions.parser.asl"
POWERTOOLS = "aws_lambda_powertools.event_handler.api_gateway"


def _name(patch: Patch) -> str:
    module, _, path = patch.target.partition(":")
    return path if "." in path else f"{module.rsplit('.', 1)[1]}.{path}"


# --- The contract --------------------------------------------------------------------------------------------------


def _pins() -> dict[str, str]:
    pins = {}
    for file_name in PIN_FILES:
        for line in (ROOT / file_name).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                requirement = Requirement(line)
                exact = [spec.version for spec in requirement.specifier if spec.operator == "=="]
                if exact:
                    pins[canonicalize_name(requirement.name)] = exact[0]
    return pins


def _patched_distributions() -> list[str]:
    distributions = importlib.metadata.packages_distributions()  # top-level module -> distribution names
    return sorted({canonicalize_name(distributions[patch.target.split(".")[0]][0]) for patch in PATCHES})


@pytest.mark.parametrize("distribution", _patched_distributions())
def test_the_patched_packages_are_installed_at_their_pinned_versions(distribution):
    pinned = _pins().get(distribution)
    assert pinned, f"{distribution} is patched by local.patches but has no exact pin in {PIN_FILES}"
    installed = importlib.metadata.version(distribution)
    assert installed == pinned, f"{distribution} {installed} is installed, {pinned} pinned: re-check local.patches"


def _declared(owner, attribute: str) -> bool:
    """A data attribute: on a module, present; on a class, a property or declared (powertools annotates what it sets
    later)."""
    if inspect.ismodule(owner):
        return hasattr(owner, attribute)
    if isinstance(inspect.getattr_static(owner, attribute, None), property):
        return True
    return any(attribute in vars(klass).get("__annotations__", {}) for klass in owner.__mro__)


@pytest.mark.parametrize("patch", PATCHES, ids=_name)
def test_every_patch_target_still_exists_with_the_parameters_its_replacement_expects(patch):
    owner, attribute = patch.resolve()  # fails if the module or the class is gone
    if patch.parameters is None:
        assert _declared(owner, attribute), f"{patch.target} is gone"
        return
    assert callable(getattr(owner, attribute, None)), f"{patch.target} is gone"
    target = ORIGINALS[patch.target]
    assert target.__module__.split(".")[0] != "local", "this inspects the patch, not its target"
    assert tuple(inspect.signature(target).parameters) == patch.parameters


@pytest.mark.parametrize("patch", [patch for patch in PATCHES if patch.uses], ids=_name)
def test_every_name_a_patch_replaces_is_still_used_where_it_is_replaced(patch):
    """Replacing a module's name for a module or class it imported works only while that module looks it up."""
    source = inspect.getsource(import_module(patch.target.partition(":")[0]))
    assert [use for use in patch.uses if use not in source] == []


@pytest.mark.parametrize("patch", PATCHES, ids=_name)
def test_every_patch_names_the_aws_behaviour_it_reproduces_and_its_documentation(patch):
    assert patch.behaviour and patch.reason
    assert patch.docs and all(url.startswith("https://docs.aws.amazon.com/") for url in patch.docs)
    if patch.kind == "test-clock":
        assert "bytebridge.clock" in patch.behaviour and patch.behaviour != SPEED_ONLY


def test_the_test_clock_group_is_not_applied_by_the_emulator_but_on_its_own(emulated):
    """`make run` (emulated_aws alone) keeps moto on the system clock; the test harness adds the test-clock group."""
    clock_patches = in_group("test-clock")
    assert clock_patches and all(patch.lifetime == "emulator" for patch in clock_patches)
    unpatched = {patch.target: getattr(*patch.resolve()) for patch in clock_patches}
    assert all(unpatched[target] is original for target, original in ORIGINALS.items() if target in unpatched)

    with moto_on_the_clock():
        assert [patch.target for patch in clock_patches if getattr(*patch.resolve()) is unpatched[patch.target]] == []
    assert [patch.target for patch in clock_patches if getattr(*patch.resolve()) is not unpatched[patch.target]] == []


# --- The behaviours ------------------------------------------------------------------------------------------------

SHOWN_BY: dict[str, str] = {}  # correctness patch target -> the test showing its behaviour


def shows(*targets: str) -> Callable:
    def register(test: Callable) -> Callable:
        SHOWN_BY.update(dict.fromkeys(targets, test.__name__))
        return test

    return register


def test_every_correctness_and_test_clock_patch_has_a_behaviour_test():
    assert set(SHOWN_BY) == {patch.target for patch in PATCHES if patch.kind in {"correctness", "test-clock"}}


def aws(service: str):
    return boto3.client(service, region_name=FAKE_ENV["AWS_REGION"])


@pytest.fixture
def emulated():
    with emulated_aws():
        yield


@pytest.fixture
def step_functions(emulated):
    yield
    stop_executions()  # their threads would outlive the emulator


@pytest.fixture
def on_the_clock(emulated):
    """The emulator as the test harness runs it: with moto's timers on bytebridge.clock."""
    with moto_on_the_clock():
        yield
    clock.reset()


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def lambda_function(monkeypatch, emulated) -> Callable[[Callable], str]:
    """Creates a Lambda function whose code is the given handler (the emulator runs it in-process); its name."""
    lambda_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }

    def create(handler: Callable) -> str:
        name = f"probe-{uuid.uuid4().hex[:8]}"
        monkeypatch.setitem(emulator._HANDLERS, name, (128, handler))
        role = aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(lambda_trust))["Role"]["Arn"]
        aws("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": _placeholder_zip()},
        )
        return name

    return create


def _queue(consumer: str | None = None) -> str:
    """A new queue; with a consumer, that Lambda function receives its messages (an event source mapping)."""
    url = aws("sqs").create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    if consumer:
        arn = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        aws("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=consumer, BatchSize=1)
    return url


def _table(**extra) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def _wait_for(predicate: Callable, seconds: float = 10, tick: float = 0.0):
    """With `tick`: moving the clock that many seconds on at every poll (timers on other threads come due)."""
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, "timed out"
        clock.advance(tick)
        time.sleep(0.02)
    return value


RETRY_ONCE = {"ErrorEquals": ["TryAgain"], "IntervalSeconds": 1, "MaxAttempts": 1}


def _waiting_for_token(queue_url: str, **task) -> str:
    """Starts an execution of a one-state machine: send the task token to the queue, wait for it."""
    return _execution_of(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token"}},
            **task,
        }
    )


def _execution_of(state: dict) -> str:
    """Starts an execution of a machine of this one state."""
    definition = {"StartAt": "Only", "States": {"Only": {**state, "End": True}}}
    sfn = aws("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"m-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/states",
    )["stateMachineArn"]
    return sfn.start_execution(stateMachineArn=machine, name=uuid.uuid4().hex)["executionArn"]


def _token_from(queue_url: str, tick: float = 0.0) -> str:
    def received():
        wait = 0 if tick else 1  # while moving the clock, poll often
        messages = aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=wait).get("Messages", [])
        if not messages:
            return None
        # deleted: a moved clock would end its visibility timeout, and it would come again
        aws("sqs").delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
        return json.loads(messages[0]["Body"])["token"]

    return _wait_for(received, tick=tick)


def _finished(execution_arn: str, seconds: float = 10, tick: float = 0.0) -> dict:
    sfn = aws("stepfunctions")
    return _wait_for(
        lambda: (execution := sfn.describe_execution(executionArn=execution_arn))["status"] != "RUNNING" and execution,
        seconds,
        tick,
    )


@shows("moto.core.botocore_stubber:BotocoreStubber.process_request")
def test_concurrent_conditional_writes_to_one_item_never_both_succeed(emulated):
    table = _table()
    key = {"pk": {"S": "counter"}}
    aws("dynamodb").put_item(TableName=table, Item={**key, "n": {"N": "0"}})
    successes, counted = [], threading.Lock()

    def increment_optimistically(dynamodb) -> None:
        for _ in range(20):
            seen = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["n"]["N"]
            try:
                dynamodb.update_item(
                    TableName=table,
                    Key=key,
                    UpdateExpression="SET n = :next",
                    ConditionExpression="n = :seen",
                    ExpressionAttributeValues={":seen": {"N": seen}, ":next": {"N": str(int(seen) + 1)}},
                )
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "ConditionalCheckFailedException"
                continue
            with counted:
                successes.append(seen)

    threads = [threading.Thread(target=increment_optimistically, args=(aws("dynamodb"),)) for _ in range(5)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: an unguarded check-then-set interleaves
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)

    final = int(aws("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["n"]["N"])
    assert len(successes) == final  # every successful conditional write counted once: none was lost
    assert len(set(successes)) == len(successes)  # and no two succeeded from the same version


@shows("moto.awslambda_simple.models:LambdaSimpleBackend.invoke")
def test_invoke_runs_the_function_and_answers_its_exception_as_a_function_error(lambda_function):
    def handler(event, context):
        if event.get("fail"):
            raise ValueError("not this one")
        return {"next": event["n"] + 1, "function": context.function_name}

    name = lambda_function(handler)
    answered = aws("lambda").invoke(FunctionName=name, Payload=json.dumps({"n": 1}))
    assert answered["StatusCode"] == 200 and "FunctionError" not in answered
    assert json.loads(answered["Payload"].read()) == {"next": 2, "function": name}

    failed = aws("lambda").invoke(FunctionName=name, Payload=json.dumps({"fail": True}))
    assert failed["StatusCode"] == 200 and failed["FunctionError"] == "Unhandled"
    error = json.loads(failed["Payload"].read())
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "not this one")
    assert error["stackTrace"]


@shows("moto.awslambda.models:LambdaFunction.invoke")
def test_a_dynamodb_stream_trigger_runs_the_function_with_the_new_records(lambda_function):
    events: list[dict] = []
    consumer = lambda_function(lambda event, context: events.append(event))
    table = _table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream_arn = aws("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    aws("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=consumer, StartingPosition="LATEST"
    )

    aws("dynamodb").put_item(TableName=table, Item={"pk": {"S": "first"}})

    records = _wait_for(lambda: events and events[0]["Records"], seconds=5)
    assert [(record["eventName"], record["eventSource"], record["dynamodb"]["NewImage"]) for record in records] == [
        ("INSERT", "aws:dynamodb", {"pk": {"S": "first"}})
    ]


@shows("moto.sqs.models:SQSBackend.receive_message")
def test_an_sqs_long_poll_does_not_hold_up_other_calls_and_returns_when_a_message_arrives(emulated):
    queue_url = _queue()
    polled: dict = {}

    def long_poll(sqs) -> None:
        started = time.monotonic()
        polled["messages"] = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=3).get("Messages", [])
        polled["seconds"] = time.monotonic() - started

    poller = threading.Thread(target=long_poll, args=(aws("sqs"),))
    poller.start()
    time.sleep(0.3)  # the poll is waiting on the empty queue
    started = time.monotonic()
    aws("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    aws("sqs").send_message(QueueUrl=queue_url, MessageBody="now")
    calls_took = time.monotonic() - started
    poller.join(timeout=10)

    assert calls_took < 1, f"other calls waited {calls_took:.1f} s for the long poll"
    assert [message["Body"] for message in polled["messages"]] == ["now"]
    assert polled["seconds"] < 2


@shows(f"{SFN_CALLBACK}._eval_execution")
def test_each_retry_of_a_wait_for_token_task_gets_a_new_token(step_functions):
    queue_url = _queue()
    execution = _waiting_for_token(queue_url, Retry=[RETRY_ONCE])
    first = _token_from(queue_url)

    aws("stepfunctions").send_task_failure(taskToken=first, error="TryAgain", cause="the first attempt fails")
    second = _token_from(queue_url)

    assert second != first
    aws("stepfunctions").send_task_success(taskToken=second, output="{}")
    assert _finished(execution)["status"] == "SUCCEEDED"


@shows(f"{SFN_CALLBACK}._eval_integration_pattern")
def test_a_task_token_is_refused_once_its_attempt_has_ended(step_functions):
    queue_url = _queue()
    execution = _waiting_for_token(queue_url, Retry=[RETRY_ONCE])
    first = _token_from(queue_url)
    aws("stepfunctions").send_task_failure(taskToken=first, error="TryAgain", cause="the first attempt fails")
    second = _token_from(queue_url)

    with pytest.raises(ClientError) as refused:
        aws("stepfunctions").send_task_success(taskToken=first, output='{"attempt": 1}')
    assert refused.value.response["Error"]["Code"] in {"TaskTimedOut", "InvalidToken"}

    aws("stepfunctions").send_task_success(taskToken=second, output='{"attempt": 2}')
    finished = _finished(execution)
    assert finished["status"] == "SUCCEEDED" and json.loads(finished["output"]) == {"attempt": 2}


@shows(f"{SFN_ENDPOINT}.notify_heartbeat")
def test_a_heartbeat_that_reaches_a_token_before_its_task_waits_is_accepted(lambda_function, step_functions):
    answers: list[tuple[str, str]] = []

    def consumer(event, context):  # runs inside the task's SendMessage, so before the task begins to wait
        token = json.loads(event["Records"][0]["body"])["token"]
        try:
            aws("stepfunctions").send_task_heartbeat(taskToken=token)
            answers.append((token, "accepted"))
        except ClientError as exc:
            answers.append((token, exc.response["Error"]["Code"]))

    execution = _waiting_for_token(_queue(consumer=lambda_function(consumer)), HeartbeatSeconds=60)

    token, answer = _wait_for(lambda: answers and answers[0], seconds=5)
    assert answer == "accepted"
    aws("stepfunctions").send_task_success(taskToken=token, output="{}")
    assert _finished(execution)["status"] == "SUCCEEDED"


@shows(f"{SFN_ENDPOINT}.setup_heartbeat_endpoint")
def test_an_answer_that_reaches_a_token_before_its_task_waits_completes_the_task(lambda_function, step_functions):
    def consumer(event, context):  # runs inside the task's SendMessage, so before the task begins to wait
        token = json.loads(event["Records"][0]["body"])["token"]
        aws("stepfunctions").send_task_success(taskToken=token, output='{"answered": "at once"}')

    execution = _waiting_for_token(_queue(consumer=lambda_function(consumer)), HeartbeatSeconds=2)

    finished = _finished(execution)
    assert finished["status"] == "SUCCEEDED", finished.get("error")  # not States.HeartbeatTimeout after 2 s
    assert json.loads(finished["output"]) == {"answered": "at once"}


REQUEST_STATE: dict[str, Callable[[APIGatewayRestResolver], str]] = {
    f"{POWERTOOLS}:BaseRouter.current_event": lambda app: app.current_event.path.rsplit("/", 1)[1],
    f"{POWERTOOLS}:BaseRouter.lambda_context": lambda app: app.lambda_context.aws_request_id,
    f"{POWERTOOLS}:ApiGatewayResolver.context": lambda app: app.context.get("caller"),
}


@shows(*REQUEST_STATE)
@pytest.mark.parametrize("target", REQUEST_STATE, ids=lambda target: target.rsplit(".", 1)[1])
def test_concurrent_requests_each_see_their_own_powertools_request_state(emulated, target):
    """As separate Lambda execution environments would: two requests served at once on one resolver."""
    app = APIGatewayRestResolver()
    both_inside = threading.Barrier(2, timeout=5)

    @app.get("/callers/<caller>")
    def whose(caller: str) -> dict:
        app.append_context(caller=caller)
        both_inside.wait()  # the other request has set its state too: did it overwrite this one's?
        return {"seen": REQUEST_STATE[target](app)}

    seen: dict[str, str] = {}

    def request(caller: str) -> None:
        event = proxy_event("GET", f"/callers/{caller}", {}, b"", "127.0.0.1")
        response = app.resolve(event, LocalContext(function_name="api", aws_request_id=caller))
        seen[caller] = json.loads(response["body"]).get("seen")

    threads = [threading.Thread(target=request, args=(caller,)) for caller in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert seen == {"ann": "ann", "bob": "bob"}


# --- The test clock: each timer follows bytebridge.clock, moved instead of waited for ------------------------------


def _bodies(queue_url: str, visibility_timeout: int) -> list[str]:
    answer = aws("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=visibility_timeout
    )
    return sorted(message["Body"] for message in answer.get("Messages", []))


@shows("moto.sqs.models:unix_time")
def test_sqs_message_retention_follows_the_clock(on_the_clock):
    queue_url = aws("sqs").create_queue(
        QueueName=f"q-{uuid.uuid4().hex[:8]}", Attributes={"MessageRetentionPeriod": "60"}
    )["QueueUrl"]
    aws("sqs").send_message(QueueUrl=queue_url, MessageBody="kept a minute")

    clock.advance(30)
    assert _bodies(queue_url, visibility_timeout=0) == ["kept a minute"]
    clock.advance(31)
    assert _bodies(queue_url, visibility_timeout=0) == []  # past its retention period


@shows("moto.sqs.models:unix_time_millis")
def test_sqs_visibility_timeouts_and_delays_follow_the_clock(on_the_clock):
    queue_url = _queue()
    aws("sqs").send_message(QueueUrl=queue_url, MessageBody="now")
    aws("sqs").send_message(QueueUrl=queue_url, MessageBody="in 15 minutes", DelaySeconds=900)

    assert _bodies(queue_url, visibility_timeout=60) == ["now"]
    assert _bodies(queue_url, visibility_timeout=60) == []  # in flight; the other one delayed
    clock.advance(61)
    assert _bodies(queue_url, visibility_timeout=3600) == ["now"]  # its visibility timeout ended
    clock.advance(900)
    assert _bodies(queue_url, visibility_timeout=3600) == ["in 15 minutes"]  # its delay ended

    sent = aws("sqs").send_message(QueueUrl=queue_url, MessageBody="stamped")["MessageId"]
    clock.advance(3600)
    [stamped] = [
        message
        for message in aws("sqs").receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["SentTimestamp"]
        )["Messages"]
        if message["MessageId"] == sent
    ]
    assert abs(int(stamped["Attributes"]["SentTimestamp"]) - (clock.now_ms() - 3_600_000)) < 5_000


@shows(f"{SFN_ASL}.eval.callback.callback:Event")
def test_a_heartbeat_timeout_follows_the_clock(on_the_clock, step_functions):
    queue_url = _queue()
    execution = _waiting_for_token(queue_url, HeartbeatSeconds=60, TimeoutSeconds=86_400)
    _token_from(queue_url)  # sent: the task waits for a heartbeat
    started = clock.now_s()

    finished = _finished(execution, seconds=5, tick=20)

    assert finished["status"] == "FAILED"
    assert finished.get("error") in {"States.HeartbeatTimeout", "States.Timeout"}  # moto: States.Timeout
    assert clock.now_s() - started < 3600  # so not its TimeoutSeconds (a day): the heartbeat timed out


@shows(f"{SFN_ASL}.component.state.exec.execute_state:threading")
def test_a_task_timeout_follows_the_clock(lambda_function, on_the_clock, step_functions):
    released = threading.Event()

    def still_working(event, context):
        deadline = time.monotonic() + 10
        with AWS_IDLE:  # waits with the emulator's lock released, so that other calls go on
            while not released.is_set() and time.monotonic() < deadline:
                AWS_IDLE.wait(timeout=0.05)
        return {}

    name = lambda_function(still_working)
    execution = _execution_of(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": name, "Payload": {}},
            "TimeoutSeconds": 60,
        }
    )
    try:
        finished = _finished(execution, seconds=5, tick=20)
    finally:
        released.set()

    assert (finished["status"], finished.get("error")) == ("FAILED", "States.Timeout")


@shows(f"{SFN_ASL}.eval.environment:threading", f"{SFN_ASL}.component.state.wait.wait_function.wait_function:time")
def test_a_wait_state_follows_the_clock(on_the_clock, step_functions):
    execution = _execution_of({"Type": "Wait", "Seconds": 3600})

    assert _finished(execution, seconds=5, tick=600)["status"] == "SUCCEEDED"


@shows(f"{SFN_ASL}.component.common.retry.retrier_decl:time")
def test_a_retry_interval_follows_the_clock(on_the_clock, step_functions):
    queue_url = _queue()
    execution = _waiting_for_token(
        queue_url, Retry=[{"ErrorEquals": ["TryAgain"], "IntervalSeconds": 3600, "MaxAttempts": 1}]
    )
    first = _token_from(queue_url)
    aws("stepfunctions").send_task_failure(taskToken=first, error="TryAgain", cause="the first attempt fails")

    second = _token_from(queue_url, tick=600)  # the retry comes after an hour on the clock

    assert second != first
    aws("stepfunctions").send_task_success(taskToken=second, output="{}")
    assert _finished(execution)["status"] == "SUCCEEDED"


# --- Speed-ups: the same answers as moto's own code ----------------------------------------------------------------


def _indexed_table() -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"} for attribute in ("pk", "sk", "owner", "state", "at")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-owner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by-state",
                "KeySchema": [
                    {"AttributeName": "state", "KeyType": "HASH"},
                    {"AttributeName": "at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _queried(table: str, attribute: str, value: str, index: str | None = None) -> list[dict]:
    """Every item of a Query on `attribute = value`, two per page (LastEvaluatedKey followed)."""
    pages = aws("dynamodb").get_paginator("query")
    found: list[dict] = []
    asked = {"TableName": table, "KeyConditionExpression": "#a = :v", "PaginationConfig": {"PageSize": 2}}
    asked |= {"ExpressionAttributeNames": {"#a": attribute}, "ExpressionAttributeValues": {":v": {"S": value}}}
    for page in pages.paginate(**asked, **({"IndexName": index} if index else {})):
        found += page["Items"]
    return found


def _scanned(table: str, attribute: str, value: str) -> list[dict]:
    """The same items found by a Scan (moto's own listing of the whole table)."""
    items = aws("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return [item for item in items if item.get(attribute) == {"S": value}]


def _assert_queries_match_scans(table: str) -> None:
    def ordered(items: list[dict], *names: str) -> list[tuple]:
        return sorted(tuple(item.get(name, {}).get("S", "") for name in (*names, "pk", "sk")) for item in items)

    for owner in ("ann", "bob", "cy"):  # an index without a sort key: in no defined order
        assert ordered(_queried(table, "owner", owner, "by-owner")) == ordered(_scanned(table, "owner", owner))
    for state in ("open", "done"):
        answered = _queried(table, "state", state, "by-state")
        assert [item["at"]["S"] for item in answered] == sorted(item["at"]["S"] for item in answered)  # range order
        assert ordered(answered, "at") == ordered(_scanned(table, "state", state), "at")
    for pk in ("p0", "p1", "p2", "p9"):
        answered = _queried(table, "pk", pk)
        assert answered == sorted(_scanned(table, "pk", pk), key=lambda item: item["sk"]["S"])


def test_queries_on_tables_and_indexes_answer_what_a_scan_finds_through_every_kind_of_write(emulated):
    """The Query speed-up (a table's partition, an index's partitions kept beside the table) against moto's Scan,
    after puts, updates that move an item between index partitions, deletes, a cancelled transaction, a batch
    write, and the table emptied behind the emulator's back (as local.reset does)."""
    from local.reset import _dynamodb  # the backend the emulator serves

    dynamodb = aws("dynamodb")
    table = _indexed_table()

    def put(pk: str, sk: str, **attributes: str) -> None:
        item = {"pk": pk, "sk": sk, **attributes}
        dynamodb.put_item(TableName=table, Item={name: {"S": value} for name, value in item.items()})

    for n in range(12):
        put(f"p{n % 3}", f"s{n:02d}", owner=("ann", "bob", "cy")[n % 3], state="open", at=f"{100 - n:03d}")
    put("p0", "no-owner", state="open", at="050")  # in one index only
    _assert_queries_match_scans(table)

    dynamodb.update_item(  # moves an item to another owner's partition and to "done"
        TableName=table,
        Key={"pk": {"S": "p1"}, "sk": {"S": "s01"}},
        UpdateExpression="SET #o = :o, #s = :s",
        ExpressionAttributeNames={"#o": "owner", "#s": "state"},
        ExpressionAttributeValues={":o": {"S": "cy"}, ":s": {"S": "done"}},
    )
    dynamodb.update_item(  # an update creating an item
        TableName=table,
        Key={"pk": {"S": "p2"}, "sk": {"S": "new"}},
        UpdateExpression="SET #o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "bob"}},
    )
    dynamodb.update_item(  # leaves the by-owner index
        TableName=table,
        Key={"pk": {"S": "p0"}, "sk": {"S": "s00"}},
        UpdateExpression="REMOVE #o",
        ExpressionAttributeNames={"#o": "owner"},
    )
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "p0"}, "sk": {"S": "s03"}})
    _assert_queries_match_scans(table)

    with pytest.raises(ClientError) as cancelled:  # its first write is undone: the item goes back to its partitions
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "p1"}, "sk": {"S": "s04"}},
                        "UpdateExpression": "SET #o = :o",
                        "ExpressionAttributeNames": {"#o": "owner"},
                        "ExpressionAttributeValues": {":o": {"S": "ann"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "p2"}, "sk": {"S": "s05"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    dynamodb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": {"S": "p9"}, "sk": {"S": "b"}, "owner": {"S": "ann"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "p2"}, "sk": {"S": "s08"}}}},
            ]
        }
    )
    _assert_queries_match_scans(table)

    _dynamodb().tables[table].items.clear()  # what a platform reset does between tests
    put("p1", "again", owner="bob", state="done", at="001")
    _assert_queries_match_scans(table)
    assert _queried(table, "owner", "bob", "by-owner") == [  # not the items cleared
        {"pk": {"S": "p1"}, "sk": {"S": "again"}, "owner": {"S": "bob"}, "state": {"S": "done"}, "at": {"S": "001"}}
    ]


def test_executions_of_one_machine_share_its_parsed_program_but_not_their_state(step_functions):
    """A definition is parsed once (the Step Functions speed-ups): executions running it at once keep their own
    input, task token, retries and output."""
    queue_url = _queue()
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token", "who.$": "$.who"}},
        "ResultPath": "$.answer",
        "Retry": [RETRY_ONCE],
        "End": True,
    }
    sfn = aws("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"m-{uuid.uuid4().hex[:8]}",
        definition=json.dumps({"StartAt": "Ask", "States": {"Ask": task}}),
        roleArn="arn:aws:iam::123456789012:role/states",
    )["stateMachineArn"]
    executions = {
        who: sfn.start_execution(stateMachineArn=machine, name=who, input=json.dumps({"who": who}))["executionArn"]
        for who in ("ann", "bob", "cy")
    }

    def tokens() -> dict[str, str]:
        found: dict[str, str] = {}
        while len(found) < len(executions):
            body = json.loads(_message_body(queue_url))
            found[body["who"]] = body["token"]
        return found

    first = tokens()
    sfn.send_task_failure(taskToken=first["bob"], error="TryAgain", cause="bob's first attempt fails")
    retried = json.loads(_message_body(queue_url))
    assert retried["who"] == "bob" and retried["token"] != first["bob"]
    for who, token in {**first, "bob": retried["token"]}.items():
        sfn.send_task_success(taskToken=token, output=json.dumps({"by": who}))

    for who, execution in executions.items():
        finished = _finished(execution)
        assert finished["status"] == "SUCCEEDED"
        assert json.loads(finished["output"]) == {"who": who, "answer": {"by": who}}


def _message_body(queue_url: str) -> str:
    def received():
        messages = aws("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            return None
        aws("sqs").delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
        return messages[0]["Body"]

    return _wait_for(received)


EVERY_ATTRIBUTE_TYPE: dict[str, dict[str, Any]] = {
    "pk": {"S": "p1"},
    "sk": {"S": "a"},
    "count": {"N": "42.5"},
    "blob": {"B": b"\x00\xffbytes"},
    "names": {"SS": ["ann", "bob"]},
    "numbers": {"NS": ["1", "2"]},
    "blobs": {"BS": [b"one", b"two"]},
    "nested": {"M": {"inner": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}, {"M": {}}]}}},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
}


def test_responses_are_serialized_as_moto_serializes_them_with_its_lookups_kept(emulated, monkeypatch):
    """The serializer speed-ups (local.moto_speedups.members_picked_once, method_names_kept): an item with every
    attribute type comes back as it was put, and moto's serializer writes the same bytes, twice over (the second
    time from the kept names), as with its own per-member lookups."""
    from moto.core import responses as moto_responses
    from moto.core.serialize import ResponseSerializer, XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler

    table = _indexed_table()
    dynamodb = aws("dynamodb")
    dynamodb.put_item(TableName=table, Item=EVERY_ATTRIBUTE_TYPE)
    got = dynamodb.get_item(TableName=table, Key={"pk": {"S": "p1"}, "sk": {"S": "a"}})["Item"]
    queried = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p1"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert got == EVERY_ATTRIBUTE_TYPE and queried["Items"] == [EVERY_ATTRIBUTE_TYPE]
    assert queried["ConsumedCapacity"]["TableName"] == table

    stored = {
        name: {kind: value} for name, attribute in EVERY_ATTRIBUTE_TYPE.items() for kind, value in attribute.items()
    }
    result = {"Items": [stored, stored], "Count": 2, "ScannedCount": 2, "LastEvaluatedKey": {"pk": {"S": "p1"}}}
    query = get_service_model("dynamodb").operation_model("Query")

    def body() -> str | bytes:
        serializer = get_serializer_class("dynamodb", "json")(query, value_picker=XFormedAttributePicker())
        return serializer.serialize(result)["body"]

    kept_first, kept_again = body(), body()
    monkeypatch.setattr(ResponseSerializer, "get_value", ORIGINALS["moto.core.serialize:ResponseSerializer.get_value"])
    assert kept_first == kept_again == body()
    original_names = ORIGINALS["moto.core.responses:method_names_from_class"]
    assert moto_responses.method_names_from_class(DynamoHandler) == original_names(DynamoHandler)
    assert "get_item" in original_names(DynamoHandler)


def test_filtered_queries_and_scans_answer_copies_of_what_passes_their_filter(emulated):
    """The filter-before-copy speed-up (local.moto_speedups.copies_after_filter): a filtered Query and Scan answer the
    items, counts and pages moto answers, and what they answer is a copy (changing it changes nothing stored)."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = _indexed_table()
    dynamodb = aws("dynamodb")
    for n in range(12):
        item = {"pk": {"S": "p1"}, "sk": {"S": f"s{n:02d}"}, "state": {"S": "done" if n % 3 else "open"}}
        dynamodb.put_item(TableName=table, Item=item | {"tags": {"L": [{"S": f"t{n}"}]}})
    filtered = {"FilterExpression": "#s = :open", "ExpressionAttributeNames": {"#s": "state"}}
    filtered |= {"ExpressionAttributeValues": {":open": {"S": "open"}}}

    queried = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        **filtered | {"ExpressionAttributeValues": {":open": {"S": "open"}, ":p": {"S": "p1"}}},
    )
    assert [item["sk"]["S"] for item in queried["Items"]] == ["s00", "s03", "s06", "s09"]
    assert (queried["Count"], queried["ScannedCount"]) == (4, 12)
    paged = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        Limit=5,
        **filtered | {"ExpressionAttributeValues": {":open": {"S": "open"}, ":p": {"S": "p1"}}},
    )
    assert [item["sk"]["S"] for item in paged["Items"]] == ["s00", "s03"]
    assert paged["LastEvaluatedKey"] == {"pk": {"S": "p1"}, "sk": {"S": "s04"}}
    scanned = dynamodb.scan(TableName=table, **filtered)
    assert sorted(item["sk"]["S"] for item in scanned["Items"]) == ["s00", "s03", "s06", "s09"]
    assert scanned["ScannedCount"] == 12

    moto_table = dynamodb_backends["123456789012"]["us-east-1"].get_table(table)
    expression = get_filter_expression("#s = :open", {"#s": "state"}, {":open": {"S": "open"}})
    answered, _, _ = cast(Any, moto_table).query(  # moto's own call, its optional arguments None
        DynamoType({"S": "p1"}), None, None, None, None, True, None, filter_expression=expression
    )
    answered[0].attrs["tags"].value.append({"S": "changed"})
    stored = dynamodb.get_item(TableName=table, Key={"pk": {"S": "p1"}, "sk": {"S": "s00"}})["Item"]
    assert stored["tags"] == {"L": [{"S": "t0"}]}
