"""The signed client API (docs: ByteBridge API). Thin: routes authenticate, parse, call logic, wrap;
documented business errors are mapped to the envelope here, in one place."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths

from bytebridge.envelope import failure
from bytebridge.errors import ApiError
from client_api import projects_routes
from client_api.projects_routes import json_response
from client_api.signed import body_user_id

logger = Logger(service="client-api")
app = APIGatewayRestResolver()
app.include_router(projects_routes.router)


@app.exception_handler(ApiError)
def handle_api_error(error: ApiError) -> Response:
    logger.info("api error", extra={"code": int(error.code), "detail": error.detail})
    return json_response(failure(error, body_user_id(app.current_event.body)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
