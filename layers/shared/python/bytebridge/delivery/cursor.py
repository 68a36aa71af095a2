"""Opaque page cursors: base64url of DynamoDB's LastEvaluatedKey plus the listing it belongs to.

Decoding is strict (the exact key names of that listing, typed values, the requested project), so a cursor
from another listing or another project is a bad parameter, never a query on someone else's keys."""

import base64
import binascii
import json

from bytebridge.errors import ApiError, ErrorCode

_VERSION = 1
_TYPES = frozenset({"S", "N"})


def encode(listing: str, key: dict | None) -> str | None:
    if not key:
        return None
    raw = json.dumps({"v": _VERSION, "l": listing, "k": key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode(cursor: str | None, listing: str, key_names: frozenset[str], project_id: str) -> dict | None:
    if cursor is None:
        return None
    bad = ApiError(ErrorCode.PARAMETER_INVALID, "cursor is not a nextCursor of this listing")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        envelope = json.loads(raw)
    except (binascii.Error, ValueError):
        raise bad from None
    if not isinstance(envelope, dict) or envelope.get("v") != _VERSION or envelope.get("l") != listing:
        raise bad
    key = envelope.get("k")
    if not isinstance(key, dict) or set(key) != key_names:
        raise bad
    for value in key.values():
        if not isinstance(value, dict) or len(value) != 1:
            raise bad
        ((kind, text),) = value.items()
        if kind not in _TYPES or not isinstance(text, str) or len(text) > 128:
            raise bad
        if kind == "N" and not text.isdigit():
            raise bad
    if key["project_id"] != {"S": project_id}:
        raise bad
    return key
