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
    """A data attribute: on a module, present; on a class, declared (powertools annotates what it sets later)."""
    if inspect.ismodule(owner):
        return hasattr(owner, attribute)
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
