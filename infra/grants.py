"""Turns the `access` entries of infra.catalog (FunctionSpec.access, StateMachineSpec.access) into exact CDK
grants to the function's or state machine's role: one entry, one grant on one named resource
(table.grant_read_data, queue.grant_send_messages, state_machine.grant_task_response…).
An entry naming something the stack does not have fails the synth, so a typo cannot deploy a function or a
state machine that is denied at run time."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.asl import pascal
from infra.catalog import FunctionSpec
from infra.config import StageConfig
from infra.nag import acknowledge

# "userpool:<name>:signup": the admin calls of bytebridge.logic.users (confirm a sign-up, write the account's id into
# the user, add it to `clients`, set a reset password, end its sessions). SignUp and InitiateAuth need no IAM.
USER_POOL_SIGNUP_ACTIONS = (
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminConfirmSignUp",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut",
)
# "queue:<name>:read" looks a queue up (its URL from its name, its attributes): nothing sent, received or decrypted.
QUEUE_READ_ACTIONS = ("sqs:GetQueueUrl", "sqs:GetQueueAttributes")


class Granted(Protocol):
    """A catalog entry with access: FunctionSpec or StateMachineSpec (frozen dataclasses, so read-only here)."""

    @property
    def name(self) -> str: ...

    @property
    def access(self) -> tuple[str, ...]: ...


# The roles grants go to: a principal that is also a construct, whose stack formats the ARNs and holds imports.
Principal = lambda_.Function | sfn.StateMachine


def state_machine_arn(scope: Construct, config: StageConfig, name: str) -> str:
    """A state machine's ARN from its name alone: functions that start executions get it in their environment
    without a reference to the machine, whose definition may in turn reference those functions (no cycle)."""
    return Stack.of(scope).format_arn(
        service="states",
        resource="stateMachine",
        resource_name=config.name(name),
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def workflow_environment(scope: Construct, config: StageConfig, spec: FunctionSpec) -> dict[str, str]:
    """STATE_MACHINE_ARN (bytebridge.settings) for a function allowed to start one workflow."""
    started = [
        entry.split(":")[1] for entry in spec.access if entry.startswith("workflow:") and entry.endswith(":start")
    ]
    if len(started) > 1:
        raise ValueError(f"{spec.name}: settings hold one STATE_MACHINE_ARN, access starts {started}")
    return {"STATE_MACHINE_ARN": state_machine_arn(scope, config, started[0])} if started else {}


@dataclass
class Resources:
    """What grants can name, by catalog name."""

    config: StageConfig
    tables: dict[str, dynamodb.Table]
    buckets: dict[str, s3.Bucket]
    secrets_key: kms.Key
    notices_key: kms.Key | None = None
    secrets: dict[str, secretsmanager.ISecret] = field(default_factory=dict)
    functions: dict[str, lambda_.Function] = field(default_factory=dict)
    queues: dict[str, sqs.Queue] = field(default_factory=dict)
    state_machine_names: tuple[str, ...] = ()
    user_pools: dict[str, cognito.IUserPool] = field(default_factory=dict)
    _imported: dict[str, sfn.IStateMachine] = field(default_factory=dict)

    def _workflow(self, scope: Construct, name: str) -> sfn.IStateMachine:
        if name not in self.state_machine_names:
            raise KeyError(name)
        if name not in self._imported:
            # Imported by ARN (see state_machine_arn): grants on it do not depend on the machine resource.
            stack = Stack.of(scope)
            arn = state_machine_arn(stack, self.config, name)
            self._imported[name] = sfn.StateMachine.from_state_machine_arn(stack, f"Imported{pascal(name)}", arn)
        return self._imported[name]

    def _grant_stop(self, principal: Principal, name: str) -> None:
        """states:StopExecution on the executions of one state machine (named, so no reference to the machine)."""
        machine_name = self.config.name(name)
        arn = Stack.of(principal).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        statement = iam.PolicyStatement(actions=["states:StopExecution"], resources=[arn])
        principal.grant_principal.add_to_principal_policy(statement)
        role = principal.grant_principal
        assert isinstance(role, Construct)  # a function's or state machine's role
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:"
            f"{machine_name}:*]",
            f"StopExecution confined to the executions of {machine_name} (one per item; names are not known ahead)",
        )

    def _grant_seal_imports(self, principal: Principal) -> None:
        """kms:Encrypt on the secrets key for bucket-import credentials only (encryption context purpose
        import:<importId>, bytebridge.ingest.origins.sealing_purpose): the client API stores them, and still cannot
        seal an API secret (whose context has no purpose)."""
        statement = iam.PolicyStatement(
            actions=["kms:Encrypt"],
            resources=[self.secrets_key.key_arn],
            conditions={"StringLike": {"kms:EncryptionContext:purpose": "import:*"}},
        )
        principal.grant_principal.add_to_principal_policy(statement)

    def _grant_assume_client_roles(self, principal: Principal) -> None:
        """sts:AssumeRole on roles of other accounts (bucket imports through a client's role, with its external id):
        the client names the role, so it cannot be listed ahead. bytebridge.logic.imports refuses roles of our own
        account, and each client role's trust policy names our account and the client's external id."""
        statement = iam.PolicyStatement(actions=["sts:AssumeRole"], resources=["arn:aws:iam::*:role/*"])
        principal.grant_principal.add_to_principal_policy(statement)
        role = principal.grant_principal
        assert isinstance(role, Construct)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:aws:iam::*:role/*]",
            "bucket imports assume the role each client names in its own account (external id required by the role)",
        )

    def _email_identities(self, scope: Construct) -> list[str]:
        """SES checks the sending identity: the notify_from address and its domain, nothing else."""
        return [
            Stack.of(scope).format_arn(service="ses", resource="identity", resource_name=identity)
            for identity in (self.config.notify_from, self.config.notify_domain)
        ]

    def grant_all(self, principal: Principal, spec: Granted) -> None:
        """`principal` is a grantable construct: a Lambda function, a state machine."""
        for entry in spec.access:
            try:
                self._grant(principal, *entry.split(":"))
            except (TypeError, KeyError) as exc:
                raise ValueError(f"{spec.name}: cannot grant {entry!r} (unknown {exc})") from exc

    def _grant(self, principal: Principal, kind: str, name: str, mode: str | None = None) -> None:
        if kind == "role" and name == "clients" and mode == "assume":
            self._grant_assume_client_roles(principal)
            return
        if kind == "email" and name == "send" and mode is None:
            statement = iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"], resources=self._email_identities(principal)
            )
            principal.grant_principal.add_to_principal_policy(statement)
            return
        grants: dict[str, Callable[[], object]]
        if kind == "table":
            table = self.tables[name]
            grants = {
                "read": lambda: table.grant_read_data(principal),
                "write": lambda: table.grant_read_write_data(principal),
            }
        elif kind == "bucket":
            bucket = self.buckets[name]
            grants = {"read": lambda: bucket.grant_read(principal), "write": lambda: bucket.grant_read_write(principal)}
        elif kind == "queue":
            queue = self.queues[name]
            grants = {
                "read": lambda: queue.grant(principal, *QUEUE_READ_ACTIONS),
                "send": lambda: queue.grant_send_messages(principal),
                "consume": lambda: queue.grant_consume_messages(principal),
            }
        elif kind == "function":
            target = self.functions[name]
            grants = {"invoke": lambda: target.grant_invoke(principal)}
        elif kind == "key" and name == "secrets":
            key = self.secrets_key
            grants = {
                "encrypt": lambda: key.grant_encrypt(principal),
                "decrypt": lambda: key.grant_decrypt(principal),
                "seal-imports": lambda: self._grant_seal_imports(principal),
            }
        elif kind == "key" and name == "notices" and self.notices_key is not None:
            notices_key = self.notices_key
            grants = {"mac": lambda: notices_key.grant(principal, "kms:GenerateMac")}
        elif kind == "secret":
            secret = self.secrets[name]
            grants = {"read": lambda: secret.grant_read(principal)}
        elif kind == "userpool":
            pool = self.user_pools[name]
            grants = {"signup": lambda: pool.grant(principal, *USER_POOL_SIGNUP_ACTIONS)}
        elif kind == "workflow":
            machine = self._workflow(principal, name)
            grants = {
                "start": lambda: machine.grant_start_execution(principal),
                "respond": lambda: machine.grant_task_response(principal),
                # its executions only: ending a project early stops its items' executions
                "stop": lambda: self._grant_stop(principal, name),
            }
        else:
            raise KeyError(kind)
        if mode not in grants:  # also an entry without a mode ("table:items")
            raise KeyError(mode)
        grants[mode]()
