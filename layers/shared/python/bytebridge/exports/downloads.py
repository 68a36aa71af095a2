"""The newest finished export of a project, as retrieveProject's extraInfo reports it: how many items it
holds and a short-lived presigned GET URL (settings.presign_seconds) of its file."""

from bytebridge.aws import s3_presigner
from bytebridge.dal.exports import ExportModel, newest_done
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
