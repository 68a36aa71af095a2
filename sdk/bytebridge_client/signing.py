"""The documented request signature (MD5, or HMAC-SHA256 over the same string) and the check of a callback's
`ByteBridge-Signature` header on the client's receiving side."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

MD5 = "md5"
HMAC_SHA256 = "HMAC-SHA256"
CALLBACK_TOLERANCE_SECONDS = 300


def sign(user_id: str, body: str, timestamp: str, secret_key: str, sign_type: str = MD5) -> str:
    """RequestSign of `body` (the exact text sent): upper(md5(sign_str)), or upper(hmac_sha256(secret, sign_str)).
    The documented string always says SignType=md5, for both types."""
    text = f"userID={user_id}&Body={body}&SignType=md5&Timestamp={timestamp}&secretKey={secret_key}".encode()
    if sign_type == HMAC_SHA256:
        return hmac.new(secret_key.encode(), text, hashlib.sha256).hexdigest().upper()
    if sign_type == MD5:
        return hashlib.md5(text).hexdigest().upper()
    raise ValueError(f"SignType must be {MD5!r} or {HMAC_SHA256!r}, not {sign_type!r}")


def signed_headers(user_id: str, body: str, secret_key: str, timestamp_ms: int, sign_type: str = MD5) -> dict:
    stamp = str(timestamp_ms)
    return {
        "Content-Type": "application/json",
        "Timestamp": stamp,
        "SignType": sign_type,
        "RequestSign": sign(user_id, body, stamp, secret_key, sign_type),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), "")


def verify_callback(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    tolerance_seconds: int = CALLBACK_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether a callback POST is from ByteBridge: one `v1` of its ByteBridge-Signature is HMAC-SHA256(webhook
    secret, "<t>.<event id>.<raw body>") and `t` is within `tolerance_seconds`. Pass the raw body bytes as
    received; use the ByteBridge-Event-Id header to ignore repeats."""
    pairs = [part.split("=", 1) for part in _header(headers, "ByteBridge-Signature").split(",") if "=" in part]
    stamp = next((value for key, value in pairs if key.strip() == "t"), "")
    event_id = _header(headers, "ByteBridge-Event-Id")
    current = time.time() if now is None else now
    if not stamp.isdigit() or not event_id or abs(current - int(stamp)) > tolerance_seconds:
        return False
    expected = hmac.new(secret.encode(), f"{stamp}.{event_id}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value.strip()) for key, value in pairs if key.strip() == "v1")
