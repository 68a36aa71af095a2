"""The signed client API (docs: ByteBridge API). Thin: routes authenticate, parse, call logic, wrap;
errors are mapped to the documented envelope here, in one place:

- documented business errors (ApiError, codes 2–28): HTTP 200, the code in the envelope, as documented;
- a body that fails validation: code 2 (3 if it is not JSON), answered only to an authenticated caller;
- an unknown path under /api/: code 4 for POST; any other method (but GET of the OpenAPI document): code 5;
- anything unexpected: logged, HTTP 500 with code 1, so gateways, alarms and client retries see a failure.
"""

import json
from functools import cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths

from bytebridge.body import BodyTooLarge, UnreadableBody, first_problem, screen
from bytebridge.envelope import failure
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.flows.model import FLOW_JSON_SCHEMA
from bytebridge.observability import logger, metrics, tracer
from client_api import (
    billing_routes,
    data_in_routes,
    disputes_routes,
    exports_routes,
    flows_routes,
    ingest_routes,
    invoices_routes,
    lifecycle_routes,
    messages_routes,
    payments_routes,
    projects_routes,
    results_routes,
)
from client_api.signed import authenticate_event, body_user_id, signature_required

OPENAPI_PATH = "/api/v1/openapi.json"
# The largest legitimate body, submitResource (or submitGold) with 1,000 links of 2,048 characters, is about 2.1 MB;
# API Gateway would pass up to 10 MB and Lambda 6 MB.
MAX_BODY_BYTES = 4 * 1024 * 1024
FLOW_SCHEMA_PATH = "/api/v1/flow-schema.json"

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(projects_routes.router)
app.include_router(results_routes.router)
app.include_router(exports_routes.router)
app.include_router(invoices_routes.router)
app.include_router(disputes_routes.router)
app.include_router(flows_routes.router)
app.include_router(lifecycle_routes.router)
app.include_router(messages_routes.router)
app.include_router(billing_routes.router)
app.include_router(payments_routes.router)
app.include_router(data_in_routes.router)
app.include_router(ingest_routes.router)


def _envelope(error: ApiError, status_code: int = 200) -> Response:
    body = failure(error, body_user_id(app.current_event))
    return Response(status_code=status_code, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


@app.exception_handler(ApiError)
def handle_api_error(error: ApiError) -> Response:
    logger.info("api error", extra={"code": int(error.code), "detail": error.detail})
    return _envelope(error)


@app.exception_handler(RequestValidationError)
def handle_invalid_body(error: RequestValidationError) -> Response:
    errors = list(error.errors())
    if any(e.get("loc", ("",))[0] == "response" for e in errors):  # our answer failed its model: a bug
        return handle_unexpected(error)
    try:
        authenticate_event(app)  # unsigned callers get the signature's verdict, not our field list
    except ApiError as auth_error:
        return handle_api_error(auth_error)
    return handle_api_error(ApiError(ErrorCode.PARAMETER_INVALID, first_problem(errors)))


@app.exception_handler(RequestUnsupportedContentType)
def handle_unsupported_content_type(error: RequestUnsupportedContentType) -> Response:
    return handle_api_error(ApiError(ErrorCode.JSON_PARSE_FAILED, "send the body as application/json"))


@app.exception_handler(UnicodeDecodeError)
def handle_undecodable_body(error: UnicodeDecodeError) -> Response:
    return handle_api_error(ApiError(ErrorCode.JSON_PARSE_FAILED, "body is not UTF-8 text"))


@app.not_found
def handle_unknown_route(error: NotFoundError) -> Response:
    if app.current_event.http_method.upper() != "POST":
        return handle_api_error(
            ApiError(ErrorCode.PERMISSION_DENIED, "the API answers POST only (and GET of its schemas)")
        )
    return handle_api_error(ApiError(ErrorCode.URL_INVALID, f"no API at {app.current_event.path}"))


@app.exception_handler(Exception)
def handle_unexpected(error: Exception) -> Response:
    logger.exception("unexpected error")
    return _envelope(ApiError(ErrorCode.UNKNOWN), status_code=500)


@app.get(OPENAPI_PATH, include_in_schema=False)
def get_openapi_document():  # no return annotation: the document is not described by itself
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


@app.get(FLOW_SCHEMA_PATH, include_in_schema=False)
def get_flow_schema():
    """The JSON schema of a task flow (setFlow's `flow`), for the dashboard's flow builder and clients."""
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(FLOW_JSON_SCHEMA))


@cache
def openapi_document() -> str:
    """The client API's OpenAPI 3.1 document (docs/openapi.json is this, committed)."""
    # powertools' OpenAPI models are the largest import of this handler; only this route needs them
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

    signature_headers = {
        "Timestamp": "Request time, epoch milliseconds (digits only; within 5 minutes of the server's clock)",
        "SignType": '"md5" (documented) or "HMAC-SHA256"',
        "RequestSign": (
            "upper-case hex of md5 (or HMAC-SHA256 keyed by the secret) over "
            '"userID=<userId>&Body=<body as sent>&SignType=md5&Timestamp=<Timestamp>&secretKey=<secret>"'
        ),
    }
    document = json.loads(
        app.get_openapi_json_schema(
            title="ByteBridge client API",
            version="1.0.0",
            description=(
                "The signed HTTP API of the ByteBridge documentation. Every call is a POST of "
                '{"userId": ..., "params": {...}} signed with the account\'s secret key; every answer is the '
                'envelope {"code", "successMsg" | "errorMsg", "timestamp", "userId", "data"}. Documented '
                "errors (codes 2-28) come with HTTP 200; code 1 (unknown error) with HTTP 500."
            ),
            security_schemes={
                name: APIKey(name=name, in_=APIKeyIn.header, description=text)
                for name, text in signature_headers.items()
            },
            security=[{name: [] for name in signature_headers}],
        )
    )
    # Invalid bodies are answered with code 2 inside the envelope, never with powertools' HTTP 422.
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        document["components"]["schemas"].pop(name, None)
    return json.dumps(document, indent=2, ensure_ascii=False)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    with signature_required():  # a request to the signed API is checked by its signature, always
        return serve(event, context)


def serve(event: dict, context) -> dict:
    """One request through the routes; the caller is authenticated by signature, or by the dashboard API's JWT
    (client_api.signed.signed_in_as)."""
    if event.get("httpMethod") == "POST" and (refusal := _refuse_unreadable_body(event)) is not None:
        return refusal
    return app.resolve(event, context)


def _refuse_unreadable_body(event: dict) -> dict | None:
    """The envelope for a body no route may see (too large: code 2; not UTF-8, nested too deep, or not sent as
    JSON: code 3), answered before routing and signature checks; None: route the request."""
    user_id = None
    try:
        value = screen(event, MAX_BODY_BYTES)
        if isinstance(value, dict) and isinstance(value.get("userId"), str):
            user_id = value["userId"]
        content_type = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == "content-type"), "")
        if (content_type or "").strip() and not content_type.strip().lower().startswith("application/json"):
            error = ApiError(ErrorCode.JSON_PARSE_FAILED, "send the body as application/json")
        else:
            return None
    except BodyTooLarge as exc:
        error = ApiError(ErrorCode.PARAMETER_INVALID, str(exc))
    except UnreadableBody as exc:
        error = ApiError(ErrorCode.JSON_PARSE_FAILED, str(exc))
    logger.info("api error", extra={"code": int(error.code), "detail": error.detail})
    return {
        "statusCode": 200,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(failure(error, user_id)),
        "isBase64Encoded": False,
    }
