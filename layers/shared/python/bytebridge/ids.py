"""Identifier shapes from the documented samples: U_<32 hex>, p<n>_<8 chars>, test_<32 chars>; and item ids,
which sort by creation time so a time window is a key-range query."""

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_SECRET_ALPHABET = string.ascii_lowercase + string.digits


def new_user_id() -> str:
    return "U_" + uuid.uuid4().hex.upper()


def new_project_id(sequence: int) -> str:
    return f"p{sequence}_" + "".join(secrets.choice(_ALNUM) for _ in range(8))


def new_item_id(created_ms: int, position: int = 0) -> str:
    """i<13-digit ms><4-digit position in its upload call><6 random chars>: sorts by creation time, then by
    upload order within one call, so a query pages items in upload order and a time window is a key range."""
    return f"i{created_ms:013d}{position:04d}" + "".join(secrets.choice(_ALNUM) for _ in range(6))


def item_id_range(start_ms: int, end_ms: int) -> tuple[str, str]:
    """Inclusive key bounds covering every item id created from start_ms to end_ms (both inclusive)."""
    return f"i{start_ms:013d}", f"i{end_ms:013d}~"  # "~" sorts after every digit and letter


def new_export_id(created_ms: int) -> str:
    """e<13-digit ms><6 random chars>: a project's exports sort by request time (newest last)."""
    return f"e{created_ms:013d}" + "".join(secrets.choice(_ALNUM) for _ in range(6))


def new_import_id(created_ms: int) -> str:
    """m<13-digit ms><6 random chars>: a project's bucket imports sort by request time (newest last)."""
    return f"m{created_ms:013d}" + "".join(secrets.choice(_ALNUM) for _ in range(6))


def new_upload_id(created_ms: int) -> str:
    """u<13-digit ms><10 random chars>: one createUpload call's folder under the project's uploads/."""
    return f"u{created_ms:013d}" + "".join(secrets.choice(_ALNUM) for _ in range(10))


def new_secret_key(prefix: str = "test") -> str:
    return f"{prefix}_" + "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(32))


def new_id(prefix: str) -> str:
    """A sortable-enough opaque id for internal records (items, assignments, exports)."""
    return f"{prefix}_{uuid.uuid4().hex}"
