"""Authentication shared by every client API route: the signature over the raw body, checked before the
route runs. Powertools validates the body first, so a body that fails validation is authenticated by the
validation error handler instead: unsigned callers learn nothing about what their body lacks."""

import json
from collections.abc import Callable

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, BaseRouter, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.auth import authenticate
from bytebridge.models.client_api import ErrorEnvelope

_ACCOUNT = "signed_account"


def _raw_body(event: BaseProxyEvent) -> str:
    try:
        return event.decoded_body or ""
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(ErrorCode.JSON_PARSE_FAILED, "body is not UTF-8 text") from exc


def authenticate_event(router: BaseRouter) -> AccountModel:
    """The account that signed the current request (cached for the request); ApiError otherwise."""
    if (account := router.context.get(_ACCOUNT)) is not None:
        return account
    raw = _raw_body(router.current_event)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ApiError(ErrorCode.JSON_PARSE_FAILED, "body is not JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("userId"), str) or not body["userId"]:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "userId is required")
    account = authenticate(dict(router.current_event.headers or {}), raw, body["userId"], now_ms())
    router.append_context(**{_ACCOUNT: account})
    return account


def require_signature(app: ApiGatewayResolver, next_middleware: NextMiddleware) -> Response:
    authenticate_event(app)
    return next_middleware(app)


def signed_account(router: BaseRouter) -> AccountModel:
    """The signer of the current request (set by require_signature)."""
    return router.context[_ACCOUNT]


def signed_post(router: BaseRouter, path: str, success_model: type, summary: str) -> Callable:
    """A POST route that runs only for requests signed by the body's userId, documented with the envelopes
    it answers: HTTP 200 with code 0 or a documented error code, HTTP 500 with code 1."""
    return router.post(
        path,
        summary=summary,
        middlewares=[require_signature],
        responses={
            200: {
                "description": "code 0 and data, or a documented error code (2–28) and its errorMsg",
                "content": {"application/json": {"model": success_model | ErrorEnvelope}},
            },
            500: {
                "description": "code 1: unknown error",
                "content": {"application/json": {"model": ErrorEnvelope}},
            },
        },
    )


def body_user_id(event: APIGatewayProxyEvent) -> str | None:
    """The userId a (possibly invalid) body claims, for echoing in error envelopes."""
    try:
        value = json.loads(_raw_body(event)).get("userId")
    except (ApiError, ValueError, AttributeError, RecursionError):
        return None
    return value if isinstance(value, str) else None
