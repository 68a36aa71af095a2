"""Authentication shared by every client API route: parse the JSON body, verify its signature."""

import json

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.base import now_ms
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.auth import authenticate


def signed_body(router: BaseRouter) -> tuple[dict, AccountModel]:
    """The request's JSON body and the account that signed it; raises ApiError otherwise."""
    raw = router.current_event.body or ""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ApiError(ErrorCode.JSON_PARSE_FAILED, "body is not JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("userId"), str) or not body["userId"]:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "userId is required")
    account = authenticate(dict(router.current_event.headers or {}), raw, body["userId"], now_ms())
    return body, account


def body_user_id(raw: str | None) -> str | None:
    """The userId a (possibly invalid) body claims, for echoing in error envelopes."""
    try:
        value = json.loads(raw or "").get("userId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
