"""API secrets at rest: KMS-encrypted, bound to their account by encryption context, so a table
dump (or a ciphertext copied onto another account) reveals nothing."""

import base64
import logging
from functools import cache

from bytebridge.aws import client
from bytebridge.settings import get_settings

# botocore logs whole request and response bodies at DEBUG: for KMS those are the plaintext secrets.
_PAYLOAD_LOGGERS = ("botocore.endpoint", "botocore.parsers")


@cache
def _keep_payloads_out_of_logs() -> None:
    """Never let a DEBUG log level anywhere print a secret on its way to or from KMS."""
    for name in _PAYLOAD_LOGGERS:
        wire_logger = logging.getLogger(name)
        if wire_logger.level < logging.INFO:  # unset (inherits, maybe DEBUG later) or DEBUG
            wire_logger.setLevel(logging.INFO)


def _context(user_id: str, purpose: str | None) -> dict[str, str]:
    """API secrets are bound to the account; other secrets (the webhook secret) also to their purpose, so one
    kind's ciphertext never decrypts as the other's."""
    return {"userId": user_id} if purpose is None else {"userId": user_id, "purpose": purpose}


def seal(user_id: str, secret: str, purpose: str | None = None) -> str:
    _keep_payloads_out_of_logs()
    out = client("kms").encrypt(
        KeyId=get_settings().secrets_key_id,
        Plaintext=secret.encode("utf-8"),
        EncryptionContext=_context(user_id, purpose),
    )
    return base64.b64encode(out["CiphertextBlob"]).decode("ascii")


def unseal(user_id: str, ciphertext: str, purpose: str | None = None) -> str:
    _keep_payloads_out_of_logs()
    out = client("kms").decrypt(
        CiphertextBlob=base64.b64decode(ciphertext), EncryptionContext=_context(user_id, purpose)
    )
    return out["Plaintext"].decode("utf-8")
