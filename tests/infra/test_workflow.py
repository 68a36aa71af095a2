"""Queues from infra.catalog.QUEUES, and state machines from ASL files with their ${…} placeholders resolved
by name. The state-machine tests build a stack around a small ASL file of their own, so the loader is held to
its contract whatever statemachines/ holds today; the catalog's own machines are in the session synth."""

import json

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra import catalog
from infra.catalog import QueueSpec, StateMachineSpec
from infra.config import StageConfig
from infra.nag import apply_checks
from infra.stack import NO_BUNDLING, ByteBridgeStack
from tests.infra.cfn import listed, policies, ref_ids, wildcard_grants

pytestmark = pytest.mark.xdist_group("cdk")


def _queues(template: dict) -> dict[str, tuple[str, dict]]:
    """Physical queue name → (logical id, properties)."""
    return {
        r["Properties"]["QueueName"]: (k, r["Properties"])
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::SQS::Queue"
    }


def test_catalog_queues_are_encrypted_tls_only_with_their_dead_letter_queues(synth):
    queues = _queues(synth.raw["dev"])
    data_key = next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataDataKey"))
    policies = synth.resources("AWS::SQS::QueuePolicy").values()
    assert set(queues) == {f"bytebridge-dev-{q.name}" for q in catalog.QUEUES}
    for spec in catalog.QUEUES:
        logical_id, props = queues[f"bytebridge-dev-{spec.name}"]
        assert ref_ids(props["KmsMasterKeyId"]) == {data_key}, spec.name
        assert props["VisibilityTimeout"] == spec.visibility_timeout_seconds, spec.name
        assert props["MessageRetentionPeriod"] == spec.retention_seconds, spec.name
        if spec.dead_letter:
            redrive = props["RedrivePolicy"]
            assert redrive["maxReceiveCount"] == spec.max_receive_count
            assert ref_ids(redrive["deadLetterTargetArn"]) == {queues[f"bytebridge-dev-{spec.dead_letter}"][0]}
        denies_plain_http = [
            s
            for p in policies
            if logical_id in ref_ids(p["Properties"]["Queues"])
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert denies_plain_http, spec.name


def test_consumers_get_partial_batch_failures_and_a_long_enough_visibility(synth):
    queues = _queues(synth.raw["dev"])
    mappings = synth.resources("AWS::Lambda::EventSourceMapping").values()
    consumed = [q for q in catalog.QUEUES if q.consumer]
    assert consumed  # callbacks
    for spec in consumed:
        queue_id, props = queues[f"bytebridge-dev-{spec.name}"]
        (mapping,) = [m["Properties"] for m in mappings if ref_ids(m["Properties"]["EventSourceArn"]) == {queue_id}]
        assert ref_ids(mapping["FunctionName"]) == {synth.function_id(spec.consumer)}
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BatchSize"] == spec.batch_size
        assert props["VisibilityTimeout"] >= 6 * catalog.by_name(spec.consumer).timeout_seconds


ASL = {
    "Comment": "test flow: every placeholder kind",
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${ExportJobFunctionArn}", "Payload.$": "$"},
            "Next": "Ask",
        },
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "${TasksQueueUrl}", "MessageBody": {"token.$": "$$.Task.Token"}},
            "HeartbeatSeconds": 3600,
            "Next": "Save",
        },
        "Save": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "${ItemsTableName}", "Item": {"project_id": {"S.$": "$.p"}}},
            "End": True,
        },
    },
}


@pytest.fixture(scope="module")
def flow_stack(tmp_path_factory):
    """A dev stack whose item-flow is the test ASL above, with an extra queue for its ${TasksQueueUrl} and no
    `access` entries: the role holds what the placeholders grant and nothing else. cdk-nag on, as in the app;
    cdk.json's minimizePolicies off, so the worker API's role outgrows its inline policy (see below)."""
    folder = tmp_path_factory.mktemp("statemachines")
    (folder / "item-flow.asl.json").write_text(json.dumps(ASL))
    app = App(context=NO_BUNDLING)
    stack = ByteBridgeStack(
        app,
        "FlowTest",
        config=StageConfig(stage="dev"),
        queues=(*catalog.QUEUES, QueueSpec(name="tasks", description="t", dead_letter="tasks-dlq")),
        state_machines=(
            StateMachineSpec(name="item-flow", description="t", definition=str(folder / "item-flow.asl.json")),
        ),
    )
    apply_checks(app)
    return Template.from_stack(stack).to_json()  # synthesizes; raises on a cdk-nag error


def _resource(template: dict, type_: str) -> tuple[str, dict]:
    ((logical_id, resource),) = [(k, r) for k, r in template["Resources"].items() if r["Type"] == type_]
    return logical_id, resource["Properties"]


def _function(template: dict, name: str) -> str:
    (found,) = [
        k
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == f"bytebridge-dev-{name}"
    ]
    return found


def _statements_of_role(template: dict, role: str) -> list[dict]:
    return [
        s
        for policy in policies(template).values()
        if {"Ref": role} in policy.get("Roles", [])
        for s in policy["PolicyDocument"]["Statement"]
    ]


def test_state_machine_placeholders_resolve_to_the_named_resources(flow_stack):
    _, machine = _resource(flow_stack, "AWS::StepFunctions::StateMachine")
    substitutions = machine["DefinitionSubstitutions"]
    tables = {
        r["Properties"]["TableName"]: k
        for k, r in flow_stack["Resources"].items()
        if "TableName" in r.get("Properties", {})
    }
    assert set(substitutions) == {"ExportJobFunctionArn", "TasksQueueUrl", "ItemsTableName"}
    assert ref_ids(substitutions["ExportJobFunctionArn"]) == {_function(flow_stack, "export-job")}
    assert ref_ids(substitutions["TasksQueueUrl"]) == {_queues(flow_stack)["bytebridge-dev-tasks"][0]}
    assert ref_ids(substitutions["ItemsTableName"]) == {tables["bytebridge-dev-items"]}
    assert json.loads(machine["DefinitionString"]) == ASL  # the file, verbatim; CloudFormation substitutes

    assert machine["StateMachineName"] == "bytebridge-dev-item-flow"
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_state_machine_role_gets_exactly_what_its_placeholders_need(flow_stack):
    _, machine = _resource(flow_stack, "AWS::StepFunctions::StateMachine")
    (role,) = ref_ids(machine["RoleArn"])
    by_target: dict[str, set[str]] = {}
    for statement in _statements_of_role(flow_stack, role):
        for resource in listed(statement["Resource"]):
            for target in ref_ids(resource) or {str(resource)}:
                by_target.setdefault(target, set()).update(listed(statement["Action"]))
    assert "lambda:InvokeFunction" in by_target[_function(flow_stack, "export-job")]
    queues = _queues(flow_stack)
    assert "sqs:SendMessage" in by_target[queues["bytebridge-dev-tasks"][0]]
    items = next(
        k
        for k, r in flow_stack["Resources"].items()
        if r.get("Properties", {}).get("TableName") == "bytebridge-dev-items"
    )
    assert "dynamodb:PutItem" in by_target[items]
    other_functions = {k for k, r in flow_stack["Resources"].items() if r["Type"] == "AWS::Lambda::Function"} - {
        _function(flow_stack, "export-job")
    }
    assert not other_functions & set(by_target)
    # The catalog's family queues come from StateMachineSpec.access only, which this spec leaves empty.
    assert not {queues[f"bytebridge-dev-tasks-{family}"][0] for family in catalog.TASK_FAMILIES} & set(by_target)
    assert wildcard_grants(flow_stack) == []  # the machine's log delivery and X-Ray only


def test_grant_wildcards_in_overflow_policies_are_acknowledged(flow_stack):
    """Without minimized policies CDK moves the worker API's statements into managed overflow policies; the
    fixture's synth passing cdk-nag means their grant wildcards were acknowledged like the inline ones."""
    role = flow_stack["Resources"][_function(flow_stack, "worker-api")]["Properties"]["Role"]["Fn::GetAtt"][0]
    overflow = [
        k
        for k, r in flow_stack["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and {"Ref": role} in r["Properties"]["Roles"]
    ]
    assert overflow
    assert wildcard_grants(flow_stack) == []


def test_unknown_state_machine_access_entry_fails_the_synth():
    typo = StateMachineSpec(name="item-flow", description="t", access=("queue:tasks-chioce:send",))
    with pytest.raises(ValueError, match=r"item-flow: cannot grant 'queue:tasks-chioce:send'"):
        ByteBridgeStack(App(context=NO_BUNDLING), "Typo", config=StageConfig(stage="dev"), state_machines=(typo,))


def test_unknown_placeholder_fails_the_synth(tmp_path):
    asl = tmp_path / "bad.asl.json"
    asl.write_text(
        json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${NoSuchFunctionArn}", "End": True}}})
    )
    with pytest.raises(ValueError, match=r"NoSuchFunctionArn.*no function named 'NoSuch'"):
        ByteBridgeStack(
            App(context=NO_BUNDLING),
            "Bad",
            config=StageConfig(stage="dev"),
            state_machines=(StateMachineSpec(name="bad", description="t", definition=str(asl)),),
        )
