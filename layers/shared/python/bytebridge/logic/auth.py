"""Request authentication for the signed client API: the documented MD5 signature (or its HMAC-SHA256
variant over the same string), checked against every active secret of the account in constant time, with a
timestamp window and replay protection (across all endpoints). Secrets never leave this module."""

from dataclasses import dataclass
from datetime import UTC, datetime

from bytebridge import signing
from bytebridge.dal.accounts import AccountModel, active_secrets, get_account
from bytebridge.dal.replay import remember_request
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.settings import get_settings

MAX_TIMESTAMP_DIGITS = 15  # epoch ms has 13 digits until the year 2286
MAX_USER_ID_LENGTH = 128


@dataclass(frozen=True)
class SignedRequest:
    timestamp: str
    sign_type: str
    request_sign: str


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == lowered:
            return value
    return None


def parse_signature_headers(headers: dict[str, str]) -> SignedRequest:
    timestamp = _header(headers, "Timestamp")
    sign_type = _header(headers, "SignType")
    request_sign = _header(headers, "RequestSign")
    if not timestamp or not request_sign or not sign_type:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "headers Timestamp, SignType and RequestSign are required")
    # ASCII digits only (str.isdigit alone admits "²" and other scripts' digits), and short enough that
    # int() is cheap and cannot raise on Python's digit limit.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        raise ApiError(ErrorCode.JSON_PARSE_FAILED, "header Timestamp must be milliseconds, digits only")
    normalized = next((t for t in signing.SIGN_TYPES if t.lower() == sign_type.strip().lower()), None)
    if normalized is None:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"SignType must be one of {', '.join(signing.SIGN_TYPES)}")
    return SignedRequest(timestamp=timestamp, sign_type=normalized, request_sign=request_sign.strip())


def authenticate(headers: dict[str, str], body: str, user_id: str, now_ms: int) -> AccountModel:
    """Check the request is signed by `user_id` (the body's userId), fresh, and not seen before."""
    signed = parse_signature_headers(headers)
    window_ms = get_settings().signature_window_seconds * 1000
    if abs(now_ms - int(signed.timestamp)) > window_ms:
        raise ApiError(ErrorCode.SIGNATURE_FAILED, "Timestamp is outside the accepted window")
    # An id no account can have is not looked up (a key over DynamoDB's size limit would fail the read).
    account = get_account(user_id) if 0 < len(user_id) <= MAX_USER_ID_LENGTH else None
    if account is None:
        raise ApiError(ErrorCode.USER_NOT_FOUND)
    if not signing.matches_any(
        user_id, body, signed.timestamp, active_secrets(account), signed.sign_type, signed.request_sign
    ):
        raise ApiError(ErrorCode.SIGNATURE_FAILED)
    _remember(user_id, signed, now_ms, window_ms)
    return account


def _remember(user_id: str, signed: SignedRequest, now_ms: int, window_ms: int) -> None:
    """Accept each signature once: a replay inside the window (to any endpoint) is refused."""
    if not remember_request(
        user_id,
        signed.request_sign.upper(),
        int(signed.timestamp),
        datetime.fromtimestamp((now_ms + 2 * window_ms) / 1000, tz=UTC),
    ):
        raise ApiError(ErrorCode.SIGNATURE_FAILED, "this signed request was already used")
