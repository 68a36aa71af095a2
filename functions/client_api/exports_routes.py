"""Export calls of the signed client API: request an export of a project's finished results."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.exports.jobs import get_export, request_export
from bytebridge.models.exports import ExportResultData, ExportResultRequest, ExportResultResponse
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/exportResult", ExportResultResponse, "Export a project's results to a file")
def export_result(request: ExportResultRequest) -> ExportResultResponse:
    account = signed_account(router)
    params = request.params
    export_id = request_export(account.user_id, params.project_id, params.format)
    export = get_export(account.user_id, params.project_id, export_id)
    assert export is not None  # request_export has just recorded it, for this account
    data = ExportResultData(export_id=export_id, status=export.status)
    return ExportResultResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
