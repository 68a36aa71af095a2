"""Downloads of exports: the newest finished export of a project, as retrieveProject's extraInfo reports it
(how many items it holds and a short-lived presigned GET URL, settings.presign_seconds, of its file), and any
export by id (retrieveExport, listExports) with its own link."""

from bytebridge.aws import s3_presigner
from bytebridge.dal import exports as export_rows
from bytebridge.dal.exports import ExportModel, newest_done
from bytebridge.dal.projects import get_live_project
from bytebridge.enums import ExportStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.settings import get_settings


def latest_download(user_id: str, project_id: str) -> tuple[int, str]:
    """(items in the project's newest finished export, a short-lived presigned GET URL of it), or (0, "")."""
    export = newest_done(user_id, project_id)
    return (0, "") if export is None else (export.item_count, presigned_url(export))


def presigned_url(export: ExportModel) -> str:
    settings = get_settings()
    name = export.s3_key.rsplit("/", 1)[-1]
    return s3_presigner().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.exports_bucket,
            "Key": export.s3_key,
            "ResponseContentDisposition": f'attachment; filename="{export.project_id}-{name}"',
        },
        ExpiresIn=settings.presign_seconds,
    )


LIST_LIMIT = 100  # exports listExports returns, newest first


def download_url(export: ExportModel) -> str:
    """A short-lived presigned GET URL of a finished export's file; "" while it is not done."""
    return presigned_url(export) if export.status == ExportStatus.DONE.value else ""


def retrieve_export(user_id: str, project_id: str, export_id: str) -> ExportModel:
    """One export of the signer's project. Code 8 for a project that is not the signer's (or is deleted),
    code 2 for an export id that is not one of this project's exports of this account."""
    get_live_project(user_id, project_id)
    export = export_rows.get_export(project_id, export_id)
    if export is None or export.user_id != user_id:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "exportId is not an export of this project")
    return export


def list_exports(user_id: str, project_id: str) -> list[ExportModel]:
    """The signer's exports of the project, newest first, at most LIST_LIMIT. Code 8 as retrieve_export."""
    get_live_project(user_id, project_id)
    return export_rows.list_exports(user_id, project_id, LIST_LIMIT)
