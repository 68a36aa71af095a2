"""Export calls of the signed client API: request an export of a project's finished results."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.envelope import success
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
    return success(account.user_id, ExportResultData(export_id=export_id, status=export.status))
