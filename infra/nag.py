"""cdk-nag (AwsSolutions) on the whole app, and the one way this code acknowledges a finding: at the narrowest
construct that has it, with the reason next to it.

The CDK grant methods the stack uses (table.grant_read_data, bucket.grant_read_write, key.grant_decrypt,
function.grant_invoke) emit a few wildcards that are still confined to one named resource: a table's own
indexes, one bucket's objects, one function's versions, the *-variants of one KMS action family.
`acknowledge_grant_wildcards` acknowledges exactly those findings, policy by policy, and nothing else: a
`Resource::*`, a wildcard on a resource the stack does not own, or an unknown wildcard action still fails."""

import re
from typing import TypeGuard

import jsii
from aws_cdk import Acknowledgment, App, AspectPriority, Aspects, CfnResource, IAspect, Stack, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# Action wildcards CDK's own grants use, and why each is still one resource's worth of access.
GRANT_ACTIONS = {
    "kms:GenerateDataKey*": "CDK KMS grant for one encrypted table/bucket/queue: GenerateDataKey and its "
    "WithoutPlaintext variant, on that resource's key only",
    "kms:ReEncrypt*": "CDK KMS grant: ReEncryptFrom/To on the one key of the resource granted",
    "s3:GetObject*": "CDK bucket grant: GetObject and its Acl/Version/Tagging variants, on one bucket's objects",
    "s3:GetBucket*": "CDK bucket grant: bucket metadata reads (location, versioning) of one bucket",
    "s3:List*": "CDK bucket grant: listing one bucket (prefix scans for purges and exports)",
    "s3:DeleteObject*": "CDK bucket grant_read_write: deletes in one bucket (retention purge, export rewrite)",
    "s3:Abort*": "CDK bucket grant_read_write: AbortMultipartUpload in one bucket (streamed exports)",
}
# Resource wildcards below one resource the stack owns: suffix → (CloudFormation type, what it covers).
GRANT_RESOURCE_SUFFIXES = {
    "/index/*": ("AWS::DynamoDB::Table", "the global secondary indexes of that one table"),
    "/*": ("AWS::S3::Bucket", "the objects of that one bucket"),
    ":*": ("AWS::Lambda::Function", "the versions and aliases of that one function"),
}
_ARN_WILDCARD = re.compile(r"^<([A-Za-z0-9]+)\.Arn>(.*)$")


def apply_checks(app: App) -> None:
    """Every stack of the app is checked at synth; an unacknowledged error stops the synth."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def _render(value) -> str:
    """A resolved CloudFormation value the way cdk-nag prints it in finding ids (<Logical.Attr>, <Ref>)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            return f"<{logical}.{attribute}>"
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(_render(part) for part in parts)
    return str(value)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _is_cfn_resource(node: IConstruct) -> TypeGuard[CfnResource]:
    """CfnResource.is_cfn_resource: a type guard in CDK's TypeScript API, a plain bool in its Python bindings."""
    return CfnResource.is_cfn_resource(node)


def resource_types(stack: Stack) -> dict[str, str]:
    """logical id → CloudFormation type, for every resource of the stack."""
    return {stack.get_logical_id(c): c.cfn_resource_type for c in stack.node.find_all() if _is_cfn_resource(c)}


def grant_wildcard_findings(document: dict, types: dict[str, str]) -> dict[str, str]:
    """{finding id: reason} for the resource-confined grant wildcards of one resolved policy document."""
    findings = {}
    for statement in document.get("Statement", []):
        for action in _listed(statement.get("Action", [])):
            if "*" in action and action in GRANT_ACTIONS:
                findings[f"AwsSolutions-IAM5[Action::{action}]"] = GRANT_ACTIONS[action]
        for resource in map(_render, _listed(statement.get("Resource", []))):
            match = _ARN_WILDCARD.match(resource)
            if not match or match.group(2) not in GRANT_RESOURCE_SUFFIXES:
                continue
            expected_type, covers = GRANT_RESOURCE_SUFFIXES[match.group(2)]
            if types.get(match.group(1)) == expected_type:
                findings[f"AwsSolutions-IAM5[Resource::{resource}]"] = f"CDK grant confined to {covers}"
    return findings


# A role's default policy, and the managed policies CDK moves its statements into when it outgrows IAM's inline
# size limit (OverflowPolicy1…).
POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


def _is_policy(node: IConstruct) -> TypeGuard[iam.CfnPolicy | iam.CfnManagedPolicy]:
    """A policy resource, told by its CloudFormation type (the L1 classes of POLICY_TYPES)."""
    return _is_cfn_resource(node) and node.cfn_resource_type in POLICY_TYPES


@jsii.implements(IAspect)
class _GrantWildcards:
    """Acknowledges each policy's grant wildcards. An aspect, because a role splits its oversized default policy
    into overflow policies in a mutating aspect: this one runs after it and sees the final policies."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.types: dict[str, str] | None = None

    def visit(self, node: IConstruct) -> None:
        if not _is_policy(node):
            return
        if self.types is None:  # every resource exists once aspects run
            self.types = resource_types(self.stack)
        document = self.stack.resolve(node.policy_document)
        for finding, reason in grant_wildcard_findings(document, self.types).items():
            acknowledge(node, finding, reason)


def acknowledge_grant_wildcards(stack: Stack) -> None:
    Aspects.of(stack).add(_GrantWildcards(stack), priority=AspectPriority.READONLY)
