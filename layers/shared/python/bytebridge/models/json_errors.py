"""The error answers of the JSON APIs (/auth/v1, /account/v1, /operator/v1): {"error": {"code", "message"}} with an
HTTP status, and the 401/403 every signed-in API answers the same way."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from bytebridge.identity import UNAUTHENTICATED_MESSAGE, Unauthenticated, WrongGroup
from bytebridge.models.account_api import ErrorBody, ErrorResponse


def error_response(status: int, code: str, message: str) -> Response:
    body = ErrorResponse(error=ErrorBody(code=code, message=message))
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


def answer_caller_errors(app: APIGatewayRestResolver) -> None:
    """401 without a valid ID token, 403 for a caller outside the route's group."""

    @app.exception_handler(Unauthenticated)
    def handle_unauthenticated(error: Unauthenticated) -> Response:
        return error_response(401, "unauthenticated", UNAUTHENTICATED_MESSAGE)

    @app.exception_handler(WrongGroup)
    def handle_wrong_group(error: WrongGroup) -> Response:
        return error_response(403, "forbidden", str(error))
