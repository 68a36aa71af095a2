"""The item engine as deployed: the item-flow state machine and its role, the annotator task queues, and the
three functions around them (consensus, launcher, worker-api), each with exactly the access it needs."""

import json

import pytest
from aws_cdk.assertions import Match

from infra import asl
from infra.catalog import STATE_MACHINES, TASK_FAMILIES
from tests.infra.cfn import UNSCOPABLE_ACTIONS, listed, ref_ids, render

pytestmark = pytest.mark.xdist_group("cdk")

ITEM_FLOW_ARN = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:bytebridge-dev-item-flow"
TASK_QUEUES = tuple(f"tasks-{family}" for family in TASK_FAMILIES)
# What CDK's queue and key grants put on the statement (SQS encrypts and decrypts with the queue's key for the
# caller, so every sender and receiver needs the key too).
SEND = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
CONSUME = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
}
TASK_RESPONSE = {"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}


def _data_key(synth) -> str:
    return next(k for k in synth.resources("AWS::KMS::Key") if k.startswith("DataDataKey"))


def _function_grants(synth, name: str) -> dict[str, set[str]]:
    return synth.grants(synth.function_role(synth.function_id(name)))


def _machine(synth) -> dict:
    return synth.resources("AWS::StepFunctions::StateMachine")[synth.state_machine_id("item-flow")]["Properties"]


def test_item_flow_is_a_standard_machine_from_its_asl_file_with_the_consensus_function(synth):
    (spec,) = [s for s in STATE_MACHINES if s.name == "item-flow"]
    source = asl.definition_path(spec).read_text()
    assert [p.text for p in asl.placeholders(source)] == ["ConsensusFunctionArn"]
    log_group = next(
        k
        for k, r in synth.resources("AWS::Logs::LogGroup").items()
        if r["Properties"].get("LogGroupName") == "/aws/vendedlogs/states/bytebridge-dev-item-flow"
    )
    synth.template().has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineName": "bytebridge-dev-item-flow",
            "StateMachineType": "STANDARD",  # task tokens need Standard
            "DefinitionString": source,  # the file, verbatim: CloudFormation substitutes the placeholder
            "DefinitionSubstitutions": {
                "ConsensusFunctionArn": {"Fn::GetAtt": [synth.function_id("consensus"), "Arn"]},
            },
            "LoggingConfiguration": {
                "Level": "ALL",
                "IncludeExecutionData": False,  # state carries clients' data and answers
                "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [log_group, "Arn"]}}}],
            },
            "TracingConfiguration": {"Enabled": True},
        },
    )
    # Two transitions per task: one token per task visit, then the Choice.
    states = json.loads(source)["States"]
    (waiting,) = [name for name, state in states.items() if state.get("Resource", "").endswith(".waitForTaskToken")]
    assert (waiting, states[waiting]["Resource"]) == ("Visit", "arn:aws:states:::lambda:invoke.waitForTaskToken")
    assert states[waiting]["Next"] == "Route" and states["Route"]["Type"] == "Choice"
    assert {choice["Next"] for choice in states["Route"]["Choices"]} == {"Visit"}


def test_item_flow_role_invokes_consensus_only(synth):
    (role,) = ref_ids(_machine(synth)["RoleArn"])
    (trust,) = synth.resources("AWS::IAM::Role")[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    grants = synth.grants(role)
    assert grants.pop("*") <= UNSCOPABLE_ACTIONS  # log delivery and X-Ray: no resource-level permissions
    assert grants == {synth.function_id("consensus"): {"lambda:InvokeFunction"}}
    assert synth.queue_id("tasks-dlq") not in grants and synth.queue_id("callbacks") not in grants


def test_worker_api_serves_worker_v1_from_the_task_queues_and_calls_consensus_but_no_workflow(synth):
    worker = synth.function_id("worker-api")
    route_resources = synth.resources("AWS::ApiGatewayV2::Route").values()
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in route_resources}
    integrations = synth.resources("AWS::ApiGatewayV2::Integration")
    for path in ("/worker/v1", "/worker/v1/{proxy+}"):  # on the HTTP API (tests/infra/test_api.py)
        (integration,) = ref_ids(routes[f"ANY {path}"]["Target"])
        assert integrations[integration]["Properties"]["IntegrationType"] == "AWS_PROXY", path
        assert ref_ids(integrations[integration]["Properties"]["IntegrationUri"]) == {worker}, path

    grants = _function_grants(synth, "worker-api")
    for queue in TASK_QUEUES:
        assert grants[synth.queue_id(queue)] == CONSUME | SEND, queue  # claim, lease, submit, release (re-send)
    assert synth.queue_id("tasks-dlq") not in grants
    actions = set().union(*grants.values())
    assert not {a for a in actions if a.startswith("states:")}  # the consensus function completes visit tokens
    invokes = {target for target, granted in grants.items() if "lambda:InvokeFunction" in granted}
    assert synth.function_id("consensus") in {ref for target in invokes for ref in ref_ids(target)} | invokes


def test_launcher_runs_every_five_minutes_and_starts_item_flow_executions_only(synth):
    launcher = synth.function_id("launcher")
    synth.template().has_resource_properties(
        "AWS::Events::Rule",
        {
            "Name": "bytebridge-dev-launcher",
            "ScheduleExpression": "rate(5 minutes)",
            "State": "ENABLED",
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [launcher, "Arn"]}})],
        },
    )
    starts = [s for s in synth.role_statements(launcher) if any(a.startswith("states:") for a in listed(s["Action"]))]
    assert [(listed(s["Action"]), render(s["Resource"])) for s in starts] == [
        (["states:StartExecution"], ITEM_FLOW_ARN)
    ]
    # The ARN built from the name (no reference, no cycle) is the deployed machine's.
    assert ITEM_FLOW_ARN.endswith(f":stateMachine:{_machine(synth)['StateMachineName']}")
    variables = synth.resources("AWS::Lambda::Function")[launcher]["Properties"]["Environment"]["Variables"]
    assert render(variables["STATE_MACHINE_ARN"]) == ITEM_FLOW_ARN


def test_consensus_sends_a_visits_slots_and_completes_item_flow_tokens_only(synth):
    grants = _function_grants(synth, "consensus")
    for queue in TASK_QUEUES:
        assert grants[synth.queue_id(queue)] == SEND, queue
    assert synth.queue_id("tasks-dlq") not in grants
    assert grants[ITEM_FLOW_ARN] == TASK_RESPONSE
    actions = set().union(*grants.values())
    assert {a for a in actions if a.startswith("states:")} == TASK_RESPONSE  # never starts an execution


def test_task_queues_redrive_to_the_dlq_encrypted_and_tls_only(synth):
    template = synth.template()
    data_key, dlq = _data_key(synth), synth.queue_id("tasks-dlq")
    task_queues = [synth.queue_id(queue) for queue in TASK_QUEUES]
    for queue in TASK_QUEUES:
        template.has_resource_properties(
            "AWS::SQS::Queue",
            {
                "QueueName": f"bytebridge-dev-{queue}",
                "KmsMasterKeyId": {"Fn::GetAtt": [data_key, "Arn"]},
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]}, "maxReceiveCount": 5},
            },
        )
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {
            "QueueName": "bytebridge-dev-tasks-dlq",
            "KmsMasterKeyId": {"Fn::GetAtt": [data_key, "Arn"]},
            "RedrivePolicy": Match.absent(),
        },
    )
    for queue in (*task_queues, dlq):
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "sqs:*",
                                    "Principal": {"AWS": "*"},
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                    "Resource": {"Fn::GetAtt": [queue, "Arn"]},
                                }
                            )
                        ]
                    ),
                    "Version": "2012-10-17",
                },
            },
        )
    # The worker API receives from them itself: no event source mapping may drain a task queue.
    mappings = synth.resources("AWS::Lambda::EventSourceMapping").values()
    assert not {q for m in mappings for q in ref_ids(m["Properties"]["EventSourceArn"])} & {*task_queues, dlq}
