"""The five documented project calls."""

import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.envelope import success
from client_api.signed import signed_body

router = Router()


def json_response(body: dict) -> Response:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


@router.post("/api/v1/projects")
def create_project() -> Response:
    body, account = signed_body(router)
    return json_response(success(account.user_id, {"echo": body.get("params")}))
