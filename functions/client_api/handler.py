"""The signed client API (docs: ByteBridge API). Thin: authenticate, parse, call logic, wrap."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths

from bytebridge.dal.base import now_ms
from bytebridge.envelope import failure, success
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.auth import authenticate

logger = Logger(service="client-api")
app = APIGatewayRestResolver()


def _json(body: dict) -> Response:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _signed_body() -> tuple[dict, str]:
    """Parse the body and authenticate it; returns (body, user_id)."""
    raw = app.current_event.body or ""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ApiError(ErrorCode.JSON_PARSE_FAILED, "body is not JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("userId"), str) or not body["userId"]:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "userId is required")
    authenticate(dict(app.current_event.headers or {}), raw, body["userId"], now_ms())
    return body, body["userId"]


@app.post("/api/v1/projects")
@app.post("/api/v1/projects/")
def create_project() -> Response:
    body, user_id = _signed_body()
    return _json(success(user_id, {"echo": body.get("params")}))


@app.exception_handler(ApiError)
def handle_api_error(error: ApiError) -> Response:
    logger.info("api error", extra={"code": int(error.code), "detail": error.detail})
    return _json(failure(error, _body_user_id()))


def _body_user_id() -> str | None:
    try:
        value = json.loads(app.current_event.body or "").get("userId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
