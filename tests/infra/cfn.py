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

    def catalog_functions(self, stage: str = "dev") -> dict[str, dict]:
        """The functions of infra.catalog (named by us), without CDK's own (the copier of the dashboard build)."""
        return {
            k: r for k, r in self.resources("AWS::Lambda::Function", stage).items() if "FunctionName" in r["Properties"]
        }

    def function_id(self, name: str, stage: str = "dev") -> str:
        """Logical id of the Lambda function deployed for catalog function `name`."""
        return self.named("AWS::Lambda::Function", "FunctionName", name, stage)

    def named(self, type_: str, name_property: str, name: str, stage: str = "dev") -> str:
        """Logical id of the one resource of `type_` whose `name_property` is the stage's name for `name`."""
        physical = StageConfig(stage=stage).name(name)
        (found,) = [
            k for k, r in self.resources(type_, stage).items() if r["Properties"].get(name_property) == physical
        ]
        return found

    def queue_id(self, name: str, stage: str = "dev") -> str:
        return self.named("AWS::SQS::Queue", "QueueName", name, stage)

    def table_id(self, base: str, stage: str = "dev") -> str:
        return self.named("AWS::DynamoDB::Table", "TableName", base, stage)

    def state_machine_id(self, name: str, stage: str = "dev") -> str:
        return self.named("AWS::StepFunctions::StateMachine", "StateMachineName", name, stage)

    def function_role(self, function_logical_id: str, stage: str = "dev") -> str:
        return self.raw[stage]["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]

    def statements_of_role(self, role_logical_id: str, stage: str = "dev") -> list[dict]:
        """Every statement of the IAM policies attached to a role."""
        return [
            statement
            for policy in policies(self.raw[stage]).values()
            if {"Ref": role_logical_id} in policy.get("Roles", [])
            for statement in policy["PolicyDocument"]["Statement"]
        ]

    def role_statements(self, function_logical_id: str, stage: str = "dev") -> list[dict]:
        """Every statement of the IAM policies attached to a function's role."""
        return self.statements_of_role(self.function_role(function_logical_id, stage), stage)

    def grants(self, role_logical_id: str, stage: str = "dev") -> dict[str, set[str]]:
        """What a role may do, by target: the logical id of each resource its policies name (a rendered string
        for an ARN built from names, "*" for any resource) → the actions allowed on it."""
        out: dict[str, set[str]] = {}
        for statement in self.statements_of_role(role_logical_id, stage):
            assert statement["Effect"] == "Allow", statement
            if "Condition" in statement:  # narrower grants (e.g. by KMS encryption context): asserted where made
                continue
            for resource in listed(statement["Resource"]):
                for target in ref_ids(resource) or {render(resource)}:
                    out.setdefault(target, set()).update(listed(statement["Action"]))
        return out

    def api_paths(self, stage: str = "dev") -> dict[str, str]:
        """Full path of every API Gateway resource → its logical id."""
        resources = {k: r["Properties"] for k, r in self.resources("AWS::ApiGateway::Resource", stage).items()}

        def path(logical_id: str) -> str:
            parent = resources[logical_id]["ParentId"]
            prefix = "" if "Fn::GetAtt" in parent else path(parent["Ref"])  # GetAtt: the API's root resource
            return f"{prefix}/{resources[logical_id]['PathPart']}"

        return {path(k): k for k in resources}

    def metadata(self, stage: str = "dev") -> dict[str, list[dict]]:
        return json.loads((self.outdir / f"ByteBridge-{stage}.metadata.json").read_text())


def policies(template: dict) -> dict[str, dict]:
    """logical id → properties of every IAM policy: roles' default policies and the managed policies CDK moves
    statements into when a role outgrows the inline size limit."""
    return {
        k: r["Properties"]
        for k, r in template["Resources"].items()
        if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
    }


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


def render(value) -> str:
    """A CloudFormation string value with its pseudo parameters as ${AWS::…}: ARNs built from names compare as text."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(render(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"${{{value['Ref']}}}"
    return str(value)


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
    for logical_id, policy in policies(template).items():
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = listed(statement["Action"])
            service_wide = any(a == "*" or a.endswith(":*") for a in actions)
            unscoped = "*" in listed(statement["Resource"]) and not set(actions) <= UNSCOPABLE_ACTIONS
            if service_wide or unscoped:
                found.append((logical_id, actions))
    return found
