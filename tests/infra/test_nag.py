"""cdk-nag's AwsSolutions checks run on the app's synth and pass; every acknowledgment names one rule
finding, sits below the stack, and says why."""

import json

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3

from infra.nag import grant_wildcard_findings, resource_types
from infra.stack import build_app
from tests.infra.cfn import STAGES

pytestmark = pytest.mark.xdist_group("cdk")


def test_synth_passes_cdk_nag(synth):
    # The session synth would have raised on an unacknowledged error; the report says so too.
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    violations = [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])]
    assert violations == []


def test_an_unacknowledged_finding_fails_the_apps_synth(tmp_path):
    """The app really runs the checks: a bucket without logging, TLS-only policy or encryption breaks it."""
    app = build_app(stages=("dev",), outdir=str(tmp_path))
    s3.Bucket(app.node.find_child("ByteBridge-dev"), "NakedBucket")
    with pytest.raises(RuntimeError, match="ValidationFailed") as failure:
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for plugin in report["pluginReports"] for v in plugin["violations"]}
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rules
    assert "NakedBucket" in str(failure.value)


@pytest.mark.parametrize("stage", STAGES)
def test_every_acknowledgment_is_one_rule_with_a_reason_below_the_stack(synth, stage):
    acknowledged = [
        (path, rule, reason)
        for path, entries in synth.metadata(stage).items()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule, reason in entry["data"].items()
    ]
    assert acknowledged
    for path, rule, reason in acknowledged:
        assert path.count("/") >= 2, f"{rule} acknowledged on the whole stack"
        assert rule.removeprefix("Annotation::").startswith("AwsSolutions-"), rule
        assert len(reason) >= 40, (path, rule, reason)
        if "IAM5" in rule:
            assert "[" in rule, f"{path}: IAM5 must name the exact finding"


def test_grant_wildcards_are_acknowledged_only_below_resources_of_the_right_kind():
    stack = Stack(App(), "Probe")
    table = dynamodb.Table(stack, "T", partition_key=dynamodb.Attribute(name="k", type=dynamodb.AttributeType.STRING))
    table_id = stack.get_logical_id(table.node.default_child)
    document = {
        "Statement": [
            {
                "Action": ["dynamodb:Query", "s3:*", "kms:GenerateDataKey*"],
                "Resource": [
                    {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/index/*"]]},
                    {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/*"]]},  # a table is no bucket
                    "*",
                    "arn:aws:s3:::someone-elses-bucket/*",
                ],
            }
        ]
    }
    assert set(grant_wildcard_findings(document, resource_types(stack))) == {
        f"AwsSolutions-IAM5[Resource::<{table_id}.Arn>/index/*]",
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
    }
