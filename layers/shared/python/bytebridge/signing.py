"""The documented request signature, plus the HMAC-SHA256 upgrade path.

sign_str = "userID=%s&Body=%s&SignType=md5&Timestamp=%s&secretKey=%s"
RequestSign = upper(md5(sign_str))          for SignType "md5" (as documented)
RequestSign = upper(hmac_sha256(secret, s)) for SignType "HMAC-SHA256", over the same string

The body is the exact text the client sent: any formatting or key order signs as sent.
"""

import hashlib
import hmac
from collections.abc import Iterable

SIGN_TYPE_MD5 = "md5"
SIGN_TYPE_HMAC = "HMAC-SHA256"
SIGN_TYPES = (SIGN_TYPE_MD5, SIGN_TYPE_HMAC)


def sign_string(user_id: str, body: str, timestamp: str, secret: str) -> str:
    # The documented string always says SignType=md5; the HMAC variant keeps it so one builder serves both.
    return f"userID={user_id}&Body={body}&SignType=md5&Timestamp={timestamp}&secretKey={secret}"


def compute_sign(user_id: str, body: str, timestamp: str, secret: str, sign_type: str = SIGN_TYPE_MD5) -> str:
    text = sign_string(user_id, body, timestamp, secret).encode("utf-8")
    if sign_type == SIGN_TYPE_HMAC:
        return hmac.new(secret.encode("utf-8"), text, hashlib.sha256).hexdigest().upper()
    if sign_type == SIGN_TYPE_MD5:
        return hashlib.md5(text).hexdigest().upper()
    raise ValueError(f"unsupported SignType {sign_type!r}")


def matches_any(user_id: str, body: str, timestamp: str, secrets: Iterable[str], sign_type: str, given: str) -> bool:
    """True if `given` is the signature under any active secret; every secret is checked in constant time."""
    given_bytes = given.strip().upper().encode("ascii", "replace")
    found = False
    for secret in secrets:
        expected = compute_sign(user_id, body, timestamp, secret, sign_type).encode("ascii")
        found |= hmac.compare_digest(expected, given_bytes)
    return found


def signed_headers(user_id: str, body: str, secret: str, timestamp_ms: int, sign_type: str = SIGN_TYPE_MD5) -> dict:
    """Headers a client (or our callback sender) attaches to a signed body."""
    ts = str(timestamp_ms)
    return {
        "Content-Type": "application/json",
        "Timestamp": ts,
        "SignType": sign_type,
        "RequestSign": compute_sign(user_id, body, ts, secret, sign_type),
    }
