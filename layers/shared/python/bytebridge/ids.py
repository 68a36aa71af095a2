"""Identifier shapes from the documented samples: U_<32 hex>, p<n>_<8 chars>, test_<32 chars>."""

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_SECRET_ALPHABET = string.ascii_lowercase + string.digits


def new_user_id() -> str:
    return "U_" + uuid.uuid4().hex.upper()


def new_project_id(sequence: int) -> str:
    return f"p{sequence}_" + "".join(secrets.choice(_ALNUM) for _ in range(8))


def new_secret_key(prefix: str = "test") -> str:
    return f"{prefix}_" + "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(32))


def new_id(prefix: str) -> str:
    """A sortable-enough opaque id for internal records (items, assignments, exports)."""
    return f"{prefix}_{uuid.uuid4().hex}"
