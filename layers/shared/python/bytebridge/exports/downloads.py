"""The newest finished export of a project, as retrieveProject's extraInfo reports it: how many items it
holds and a short-lived presigned GET URL (settings.presign_seconds) of its file."""

from bytebridge.aws import s3_presigner
from bytebridge.dal.exports import ExportModel, ExportStatus
from bytebridge.settings import get_settings


def latest_download(user_id: str, project_id: str) -> tuple[int, str]:
    """(items in the project's newest finished export, a short-lived presigned GET URL of it), or (0, "")."""
    newest_first = ExportModel.query(
        project_id,
        filter_condition=(ExportModel.status == ExportStatus.DONE.value) & (ExportModel.user_id == user_id),
        scan_index_forward=False,
    )
    for export in newest_first:
        return export.item_count, presigned_url(export)
    return 0, ""


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
