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
    notify_from: str = "noreply@bytebridge.local"


_ENV = {
    "region": "AWS_REGION",
    "secrets_key_id": "SECRETS_KEY_ID",
    "signature_window_seconds": "SIGNATURE_WINDOW_SECONDS",
    "data_bucket": "DATA_BUCKET",
    "exports_bucket": "EXPORTS_BUCKET",
    "state_machine_arn": "STATE_MACHINE_ARN",
    "presign_seconds": "PRESIGN_SECONDS",
    "notify_from": "NOTIFY_FROM",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(**{field: os.environ[env] for field, env in _ENV.items() if env in os.environ})
