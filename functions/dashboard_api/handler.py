"""The dashboard API (/dashboard/v1, Cognito JWT, `clients` group): the signed API's calls for the browser.

No routes or rules of its own: `POST /dashboard/v1/<path>` with `{"params": {...}}` runs the signed API's
`/api/v1/<path>` (client_api.handler.serve) for the token's account, and answers the same envelope with the same
codes. The account comes from the authorizer's claims only (bytebridge.identity), handed to the signed API's
routes for this one request (client_api.signed.signed_in_as) in place of a signature; the body's userId may be
omitted and, if present, must be the token's account (else code 5). GET prices, flow-schema.json and
openapi.json are the signed API's documents.
"""

import base64
import json

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.logging import correlation_paths
from client_api.handler import serve
from client_api.signed import signed_in_as

from bytebridge.dal.errors import NotFound
from bytebridge.envelope import failure
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.identity import CLIENTS, UNAUTHENTICATED_MESSAGE, Unauthenticated, WrongGroup, caller_of, require_group
from bytebridge.logic.accounts import account_of_caller
from bytebridge.observability import logger, metrics, tracer

PREFIX = "/dashboard/v1"
SIGNED_PREFIX = "/api/v1"


def _json(status: int, body: dict) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON, "Cache-Control": "no-store"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _caller_error(status: int, code: str, message: str) -> dict:
    """The JSON APIs' error shape (bytebridge.models.json_errors), as /account/v1 answers it."""
    return _json(status, {"error": {"code": code, "message": message}})


def signed_path(path: str) -> str | None:
    """/dashboard/v1/X → /api/v1/X; None outside the prefix."""
    if path != PREFIX and not path.startswith(PREFIX + "/"):
        return None
    return SIGNED_PREFIX + path[len(PREFIX) :]


def _with_user_id(event: dict, user_id: str) -> dict | ApiError:
    """The event with the body's userId filled in; the refusal if it names another account. A body that is not a
    JSON object is passed on untouched: the signed API answers it (code 2 or 3) as it answers anyone."""
    raw = event.get("body")
    if not raw:
        return event
    try:
        text = base64.b64decode(raw).decode("utf-8") if event.get("isBase64Encoded") else raw
        body = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return event
    if not isinstance(body, dict):
        return event
    if "userId" in body and body["userId"] != user_id:
        return ApiError(ErrorCode.PERMISSION_DENIED, "userId is not the signed-in account")
    return {**event, "body": json.dumps({**body, "userId": user_id}), "isBase64Encoded": False}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    try:
        account = account_of_caller(require_group(caller_of(event), CLIENTS))
    except Unauthenticated:
        return _caller_error(401, "unauthenticated", UNAUTHENTICATED_MESSAGE)
    except WrongGroup as error:
        return _caller_error(403, "forbidden", str(error))
    except NotFound:
        return _caller_error(404, "no_account", "this sign-in has no ByteBridge account (confirm the sign-up first)")
    path = signed_path(str(event.get("path") or ""))
    if path is None:  # the gateway routes only /dashboard/v1 here
        return _caller_error(404, "not_found", "no dashboard API at this path")
    rewritten = _with_user_id(event, account.user_id)
    if isinstance(rewritten, ApiError):
        logger.info("api error", extra={"code": int(rewritten.code), "detail": rewritten.detail})
        return _json(200, failure(rewritten, account.user_id))
    request_context = {**(rewritten.get("requestContext") or {}), "path": path}
    with signed_in_as(account):
        return serve({**rewritten, "path": path, "requestContext": request_context}, context)
