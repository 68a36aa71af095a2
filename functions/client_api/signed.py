"""Authentication shared by every client API route: the signature over the raw body, checked before the
route runs. Powertools validates the body first, so a body that fails validation is authenticated by the
validation error handler instead: unsigned callers learn nothing about what their body lacks.

The dashboard API (functions/dashboard_api) runs these same routes for a caller the Cognito authorizer verified:
its handler names the account in a context variable (signed_in_as) for the one request, and authenticate_event
takes that account instead of a signature. The signed API's own entry point clears it (signature_required), so a
request to /api/v1 is always checked by its signature, whatever the thread ran before."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
# Per request and per thread (the local runtime serves requests on several threads in one process): never on the
# resolver, whose state is shared by every request of the process.
_JWT_ACCOUNT: ContextVar[AccountModel | None] = ContextVar("jwt_account", default=None)


@contextmanager
def signed_in_as(account: AccountModel) -> Iterator[None]:
    """Run the routes for `account`, verified by the dashboard's JWT authorizer, instead of a signature."""
    token = _JWT_ACCOUNT.set(account)
    try:
        yield
    finally:
        _JWT_ACCOUNT.reset(token)


@contextmanager
def signature_required() -> Iterator[None]:
    """Run the routes for signed requests only (the signed API's entry point)."""
    token = _JWT_ACCOUNT.set(None)
    try:
        yield
    finally:
        _JWT_ACCOUNT.reset(token)


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
    if (signed_in := _JWT_ACCOUNT.get()) is not None:
        if body["userId"] != signed_in.user_id:  # the dashboard fills it in; another account's is refused
            raise ApiError(ErrorCode.PERMISSION_DENIED, "userId is not the signed-in account")
        router.append_context(**{_ACCOUNT: signed_in})
        return signed_in
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
