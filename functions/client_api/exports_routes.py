"""Export calls of the signed client API: request an export of a project's finished results, and retrieve
one export (or list them) by id, with its own download link."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.dal.exports import ExportModel
from bytebridge.exports.downloads import download_url, list_exports, retrieve_export
from bytebridge.exports.jobs import get_export, request_export
from bytebridge.models.exports import (
    ExportInfo,
    ExportResultData,
    ExportResultRequest,
    ExportResultResponse,
    ListExportsData,
    ListExportsRequest,
    ListExportsResponse,
    RetrieveExportRequest,
    RetrieveExportResponse,
)
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


def _info(export: ExportModel) -> ExportInfo:
    return ExportInfo(
        export_id=export.export_id,
        format=export.format,
        status=export.status,
        item_count=export.item_count,
        size_bytes=export.size_bytes,
        summary=export.summary,
        error=export.error,
        created_at=export.created_at,
        finished_at=export.finished_at,
        download_url=download_url(export),
    )


@signed_post(router, "/api/v1/projects/retrieveExport", RetrieveExportResponse, "An export's status and download link")
def retrieve_export_call(request: RetrieveExportRequest) -> RetrieveExportResponse:
    account = signed_account(router)
    export = retrieve_export(account.user_id, request.params.project_id, request.params.export_id)
    return RetrieveExportResponse(timestamp=now_ms(), user_id=account.user_id, data=_info(export))


@signed_post(router, "/api/v1/projects/listExports", ListExportsResponse, "A project's exports, newest first")
def list_exports_call(request: ListExportsRequest) -> ListExportsResponse:
    account = signed_account(router)
    exports = [_info(export) for export in list_exports(account.user_id, request.params.project_id)]
    return ListExportsResponse(timestamp=now_ms(), user_id=account.user_id, data=ListExportsData(exports=exports))
