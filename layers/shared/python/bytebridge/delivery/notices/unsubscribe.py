"""Unsubscribe links of non-essential notices: `<public_url>/auth/v1/unsubscribe?token=<userId>.<mac>`, where
mac is the KMS HMAC (HMAC_SHA_256, key notices_key_id) of "unsubscribe:<userId>", base64url. No expiry: a link in
an old mail keeps working. The HMAC key never leaves KMS; forging a token needs kms:GenerateMac on it. Following
the link (GET, or the one-click POST of RFC 8058) turns the account's non-essential notices off; essential ones
(codes, reviews, status changes, results to accept, purge warnings) still arrive.
"""

import base64
import hmac
from urllib.parse import quote

from botocore.exceptions import ClientError

from bytebridge.aws import client
from bytebridge.dal.accounts import get_account, set_preferences
from bytebridge.settings import get_settings

PATH = "/auth/v1/unsubscribe"
_ALGORITHM = "HMAC_SHA_256"


class InvalidToken(Exception):
    """The token is malformed, forged, or names no account."""


def _mac(user_id: str) -> str:
    out = client("kms").generate_mac(
        KeyId=get_settings().notices_key_id, Message=f"unsubscribe:{user_id}".encode(), MacAlgorithm=_ALGORITHM
    )
    return base64.urlsafe_b64encode(out["Mac"]).decode().rstrip("=")


def token_for(user_id: str) -> str:
    return f"{user_id}.{_mac(user_id)}"


def unsubscribe_url(user_id: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}{PATH}?token={quote(token_for(user_id), safe='')}"


def user_of(token: str) -> str:
    """The account a genuine token names; InvalidToken otherwise."""
    user_id, dot, mac = (token or "").strip().rpartition(".")
    if not dot or not user_id or not mac or len(token) > 512:
        raise InvalidToken("malformed token")
    try:
        expected = _mac(user_id)
    except ClientError as exc:  # e.g. a user id KMS refuses as a message: not one of ours
        raise InvalidToken("invalid token") from exc
    if not hmac.compare_digest(expected, mac):
        raise InvalidToken("invalid token")
    return user_id


def unsubscribe(token: str) -> str:
    """Turn off the non-essential notices of the account the token names; returns its user id. Idempotent."""
    user_id = user_of(token)
    account = get_account(user_id)
    if account is None:
        raise InvalidToken("no such account")
    set_preferences(account, language=None, notices_optional=False)
    return user_id
