"""API secrets at rest: KMS-encrypted, bound to their account by encryption context, so a table
dump (or a ciphertext copied onto another account) reveals nothing."""

import base64
import logging
import threading
from functools import cache

from bytebridge.aws import client
from bytebridge.clock import now_ms
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


# Decrypted secrets are kept in process memory this long, so a warm signed call makes no KMS call. The cache is keyed
# by the account and the ciphertext, never by the account alone: callers read the row on every call and pass what it
# holds now, so a revoked or rotated secret stops (or starts) working on the next call; the TTL only bounds how long
# a plaintext outlives its use in memory (and how long a disabled KMS key goes unnoticed by a warm process).
UNSEALED_TTL_MS = 5 * 60_000
UNSEALED_MAX_ENTRIES = 10_000  # a warm process serves few accounts; the bound only stops unbounded growth
_unsealed: dict[tuple[str, str, str | None], tuple[int, str]] = {}
_unsealed_lock = threading.Lock()


def unseal_cached(user_id: str, ciphertext: str, purpose: str | None = None) -> str:
    """unseal(), decrypting a given (account, ciphertext, purpose) at most once per UNSEALED_TTL_MS in this process."""
    key = (user_id, ciphertext, purpose)
    now = now_ms()
    hit = _unsealed.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    secret = unseal(user_id, ciphertext, purpose)  # raises if KMS refuses it: nothing is cached then
    with _unsealed_lock:
        if len(_unsealed) >= UNSEALED_MAX_ENTRIES:
            for stale in [k for k, (until, _s) in _unsealed.items() if until <= now] or list(_unsealed):
                del _unsealed[stale]
        _unsealed[key] = (now + UNSEALED_TTL_MS, secret)
    return secret


def forget_unsealed() -> None:
    """Drop every decrypted secret held in memory."""
    with _unsealed_lock:
        _unsealed.clear()
