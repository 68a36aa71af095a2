"""Runtime settings from the environment, read once on first use (never at import)."""

import os
from functools import lru_cache

from pydantic import BaseModel, Field

DEFAULT_REGION = "us-east-1"


def stage() -> str:
    """Deployment stage; part of every resource name so stages can share an account."""
    return os.environ.get("BYTEBRIDGE_STAGE", "local")


def resource_name(base: str) -> str:
    """The physical name of a table, queue, bucket or state machine for the current stage."""
    return f"bytebridge-{stage()}-{base}"


class Settings(BaseModel):
    region: str = Field(default=DEFAULT_REGION)
    secrets_key_id: str = Field(default="alias/bytebridge-secrets")
    signature_window_seconds: int = Field(default=300, ge=1)
    data_bucket: str = Field(default_factory=lambda: resource_name("data"))
    exports_bucket: str = Field(default_factory=lambda: resource_name("exports"))
    state_machine_arn: str = ""
    presign_seconds: int = Field(default=900, ge=60)
    # Endpoint that presigned download URLs name, when it is not AWS's (the local runtime's S3 server).
    s3_public_endpoint: str = ""
    notify_from: str = "noreply@bytebridge.local"
    # Callback retries wait base·4^(attempt-1) seconds (SQS caps one delay at 900 s); tests set 0.
    callback_retry_base_seconds: int = Field(default=10, ge=0, le=900)
    callback_timeout_seconds: float = Field(default=10.0, gt=0)
    # Callback URLs on loopback/private addresses (and plain http to them): only the local runtime and the tests
    # set it (local.emulator.FAKE_ENV), and it is honoured only on the local stage; deployed stages never set it.
    allow_private_callbacks: bool = False
    callback_log_size: int = Field(default=100, ge=1, le=300)  # attempts listCallbackDeliveries keeps per project
    # Annotator work: how long a claim holds a task (heartbeats extend it; SQS caps a hold at 12 h), how long a
    # queued or claimed task may show no sign of life before Step Functions re-issues it, and its overall limit.
    lease_seconds: int = Field(default=1800, ge=1, le=11 * 3600)
    assignment_heartbeat_seconds: int = Field(default=86400, ge=1)
    assignment_timeout_seconds: int = Field(default=7 * 86400, ge=1)
    # Tasks one annotator may hold (claimed, lease running) at once; a claim beyond it is refused (heldLimit).
    max_held_tasks: int = Field(default=5, ge=1)
    # Items of one project in flight at once: executions start in waves, never all at project start.
    max_active_items: int = Field(default=1000, ge=1)
    # Notices (bytebridge.delivery.notices): the KMS HMAC key signing unsubscribe links, the public URL those links
    # start with (the API's base URL), the operators' team mailbox (told about clients' messages), and how long a
    # message thread stays quiet before the other side is mailed.
    notices_key_id: str = Field(default="alias/bytebridge-notices")
    public_url: str = "http://127.0.0.1:20000"
    operators_email: str = "operators@bytebridge.local"
    message_quiet_seconds: int = Field(default=600, ge=0)
    # The Cognito user pool of the stage and its app client (sign-up, sign-in; ID tokens name it as `aud`).
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    # Accounts created by sign-up count as card-bound until card binding exists (the money issue): no money moves
    # before an operator starts a project by hand. A stage may set it false to require cards.
    signup_card_bound: bool = True


_ENV = {
    "region": "AWS_REGION",
    "secrets_key_id": "SECRETS_KEY_ID",
    "signature_window_seconds": "SIGNATURE_WINDOW_SECONDS",
    "data_bucket": "DATA_BUCKET",
    "exports_bucket": "EXPORTS_BUCKET",
    "state_machine_arn": "STATE_MACHINE_ARN",
    "presign_seconds": "PRESIGN_SECONDS",
    "s3_public_endpoint": "S3_PUBLIC_ENDPOINT",
    "notify_from": "NOTIFY_FROM",
    "callback_retry_base_seconds": "CALLBACK_RETRY_BASE_SECONDS",
    "callback_timeout_seconds": "CALLBACK_TIMEOUT_SECONDS",
    "allow_private_callbacks": "ALLOW_PRIVATE_CALLBACKS",
    "callback_log_size": "CALLBACK_LOG_SIZE",
    "lease_seconds": "LEASE_SECONDS",
    "assignment_heartbeat_seconds": "ASSIGNMENT_HEARTBEAT_SECONDS",
    "assignment_timeout_seconds": "ASSIGNMENT_TIMEOUT_SECONDS",
    "max_held_tasks": "MAX_HELD_TASKS",
    "max_active_items": "MAX_ACTIVE_ITEMS",
    "notices_key_id": "NOTICES_KEY_ID",
    "public_url": "PUBLIC_URL",
    "operators_email": "OPERATORS_EMAIL",
    "message_quiet_seconds": "MESSAGE_QUIET_SECONDS",
    "user_pool_id": "USER_POOL_ID",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "signup_card_bound": "SIGNUP_CARD_BOUND",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(**{field: os.environ[env] for field, env in _ENV.items() if env in os.environ})
