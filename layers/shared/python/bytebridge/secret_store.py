"""API secrets at rest: KMS-encrypted, bound to their account by encryption context, so a table
dump (or a ciphertext copied onto another account) reveals nothing."""

import base64

from bytebridge.aws import client
from bytebridge.settings import get_settings


def _context(user_id: str) -> dict[str, str]:
    return {"userId": user_id}


def seal(user_id: str, secret: str) -> str:
    out = client("kms").encrypt(
        KeyId=get_settings().secrets_key_id,
        Plaintext=secret.encode("utf-8"),
        EncryptionContext=_context(user_id),
    )
    return base64.b64encode(out["CiphertextBlob"]).decode("ascii")


def unseal(user_id: str, ciphertext: str) -> str:
    out = client("kms").decrypt(CiphertextBlob=base64.b64decode(ciphertext), EncryptionContext=_context(user_id))
    return out["Plaintext"].decode("utf-8")
