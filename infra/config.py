"""Per-stage settings of the CDK app, read from context (`-c stage=prod`); names follow
bytebridge.settings.resource_name so the deployed code finds what the stack created."""

import re
from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk.aws_logs import RetentionDays
from constructs import Node

STAGES = ("dev", "prod")
DEFAULT_STAGE = "dev"
# The layer's settings default to alias/bytebridge-secrets (the local runtime's key); a deployed stage names its
# key alias/bytebridge-<stage>-secrets and passes that as SECRETS_KEY_ID.
SECRETS_KEY_BASE = "secrets"
NOTICES_KEY_BASE = "notices"  # the HMAC key signing unsubscribe links (bytebridge.delivery.notices.unsubscribe)
METRICS_NAMESPACE = "ByteBridge"


@dataclass(frozen=True)
class StageConfig:
    stage: str
    notify_from: str = "noreply@bytebridge.example"  # SES identity the notifications are sent from
    alarm_email: str | None = None  # subscribed to the alarm topic when given
    operator_email: str | None = None  # the first operator, created in the user pool at deploy (-c operatorEmail)

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}: use one of {', '.join(STAGES)} (-c stage=...)")
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", self.notify_from):
            raise ValueError(f"notifyFrom must be an e-mail address, got {self.notify_from!r}")
        if self.operator_email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", self.operator_email):
            raise ValueError(f"operatorEmail must be an e-mail address, got {self.operator_email!r}")

    @classmethod
    def from_context(cls, node: Node) -> "StageConfig":
        return cls(
            stage=node.try_get_context("stage") or DEFAULT_STAGE,
            notify_from=node.try_get_context("notifyFrom") or cls.notify_from,
            alarm_email=node.try_get_context("alarmEmail") or None,
            operator_email=node.try_get_context("operatorEmail") or None,
        )

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    def name(self, base: str) -> str:
        """bytebridge.settings.resource_name for this stage (tests hold the two to the same format)."""
        return f"bytebridge-{self.stage}-{base}"

    @property
    def stack_name(self) -> str:
        return f"ByteBridge-{self.stage}"

    @property
    def secrets_key_alias(self) -> str:
        return f"alias/{self.name(SECRETS_KEY_BASE)}"

    @property
    def notices_key_alias(self) -> str:
        return f"alias/{self.name(NOTICES_KEY_BASE)}"

    @property
    def notify_domain(self) -> str:
        return self.notify_from.rsplit("@", 1)[1]

    @property
    def removal_policy(self) -> RemovalPolicy:
        """Prod keeps its data when the stack goes; dev stacks clean up after themselves."""
        return RemovalPolicy.RETAIN if self.is_prod else RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> RetentionDays:
        return RetentionDays.THREE_MONTHS if self.is_prod else RetentionDays.TWO_WEEKS

    # API Gateway stage throttling (steady requests/s and burst), below the account's 10,000/s default so
    # one client's burst cannot starve the other stages in the account.
    @property
    def api_rate_limit(self) -> int:
        return 500 if self.is_prod else 50

    @property
    def api_burst_limit(self) -> int:
        return 1000 if self.is_prod else 100
