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
    # Invoices (bytebridge.billing.invoices): their bucket (SSE-KMS, never purged with a project), who issues them
    # (printed on every invoice), the prefix of their gapless numbers, and how long their download links live.
    invoices_bucket: str = Field(default_factory=lambda: resource_name("invoices"))
    invoice_seller: str = "ByteBridge"
    invoice_seller_address: str = ""
    invoice_number_prefix: str = "BB"
    invoice_link_seconds: int = Field(default=300, ge=60, le=3600)
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
    # A new account has no card until it saves one (setupCard, confirmCard); a stage may set it true to skip cards.
    signup_card_bound: bool = False
    # Stripe (bytebridge.billing.stripe_gateway): the API's base URL when it is not Stripe's (the local runtime's
    # localstripe), the publishable key the browser's Stripe.js uses, and the Secrets Manager secret holding the
    # secret key and the webhook signing secret ({"secretKey": ..., "webhookSecret": ...}).
    stripe_api_base: str = ""
    stripe_publishable_key: str = ""
    stripe_secret_name: str = Field(default_factory=lambda: resource_name("stripe"))
    # Scheduled top-ups charge when the balance will not cover this much of each running project's recent usage rate.
    topup_horizon_seconds: int = Field(default=86400, ge=60)
    # Admission checks (bytebridge.ingest). Local stage only, set by the local runtime and the test harness:
    # check new items in the admitting call instead of through the ingest-checks queue (moto's queues have no
    # consumers there), and "the public web" for names that do not resolve: the local web stand-in's host:port
    # (local.web_standin), reached over plain http. Deployed stages never set either.
    ingest_check_inline: bool = False
    web_standin: str = ""
    fetch_timeout_seconds: float = Field(default=5.0, gt=0)  # one item's head fetch, redirects included


_ENV = {
    "region": "AWS_REGION",
    "secrets_key_id": "SECRETS_KEY_ID",
    "signature_window_seconds": "SIGNATURE_WINDOW_SECONDS",
    "data_bucket": "DATA_BUCKET",
    "exports_bucket": "EXPORTS_BUCKET",
    "invoices_bucket": "INVOICES_BUCKET",
    "invoice_seller": "INVOICE_SELLER",
    "invoice_seller_address": "INVOICE_SELLER_ADDRESS",
    "invoice_number_prefix": "INVOICE_NUMBER_PREFIX",
    "invoice_link_seconds": "INVOICE_LINK_SECONDS",
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
    "stripe_api_base": "STRIPE_API_BASE",
    "stripe_publishable_key": "STRIPE_PUBLISHABLE_KEY",
    "stripe_secret_name": "STRIPE_SECRET_NAME",
    "topup_horizon_seconds": "TOPUP_HORIZON_SECONDS",
    "ingest_check_inline": "INGEST_CHECK_INLINE",
    "web_standin": "WEB_STANDIN",
    "fetch_timeout_seconds": "FETCH_TIMEOUT_SECONDS",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(**{field: os.environ[env] for field, env in _ENV.items() if env in os.environ})
