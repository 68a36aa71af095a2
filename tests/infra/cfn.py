"""Reading a synthesized CloudFormation template in the infra tests."""

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk.assertions import Template

from infra.config import StageConfig

STAGES = ("dev", "prod")


@dataclass
class Synth:
    outdir: Path
    raw: dict[str, dict]  # stage → CloudFormation template

    def template(self, stage: str = "dev") -> Template:
        return Template.from_json(self.raw[stage])

    def resources(self, type_: str, stage: str = "dev") -> dict[str, dict]:
        """logical id → resource, for one CloudFormation type."""
        return {k: r for k, r in self.raw[stage]["Resources"].items() if r["Type"] == type_}

    def function_id(self, name: str, stage: str = "dev") -> str:
        """Logical id of the Lambda function deployed for catalog function `name`."""
        physical = StageConfig(stage=stage).name(name)
        (found,) = [
            k for k, r in self.resources("AWS::Lambda::Function", stage).items()
            if r["Properties"].get("FunctionName") == physical
        ]  # fmt: skip
        return found

    def role_statements(self, function_logical_id: str, stage: str = "dev") -> list[dict]:
        """Every statement of the IAM policies attached to a function's role."""
        role = self.raw[stage]["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = []
        for policy in self.resources("AWS::IAM::Policy", stage).values():
            if {"Ref": role} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements

    def metadata(self, stage: str = "dev") -> dict[str, list[dict]]:
        return json.loads((self.outdir / f"ByteBridge-{stage}.metadata.json").read_text())


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


def ref_ids(value) -> set[str]:
    """Logical ids a CloudFormation value refers to (Ref / Fn::GetAtt, inside joins too; not AWS::Region…)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and not value["Ref"].startswith("AWS::"):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for inner in value.values():
            found |= ref_ids(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= ref_ids(inner)
    return found


# The only actions allowed on Resource "*": services without resource-level permissions (X-Ray; the log
# delivery setup Step Functions does for its execution logs).
UNSCOPABLE_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


def wildcard_grants(template: dict) -> list[tuple[str, list[str]]]:
    """(policy, actions) of every statement granting a service-wide action or, beyond UNSCOPABLE_ACTIONS,
    Resource "*"."""
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            actions = listed(statement["Action"])
            service_wide = any(a == "*" or a.endswith(":*") for a in actions)
            unscoped = "*" in listed(statement["Resource"]) and not set(actions) <= UNSCOPABLE_ACTIONS
            if service_wide or unscoped:
                found.append((logical_id, actions))
    return found
