"""Export jobs: one row per requested export of a project's finished items (bytebridge.exports.jobs)."""

from itertools import islice

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, save, table, update, update_if
from bytebridge.enums import ExportStatus


class ExportModel(Model):
    class Meta(BaseMeta):
        table_name = table("exports")

    project_id = UnicodeAttribute(hash_key=True)
    export_id = UnicodeAttribute(range_key=True)  # time-ordered (ids.new_export_id): newest last
    user_id = UnicodeAttribute()
    format = UnicodeAttribute()
    status = UnicodeAttribute(default=ExportStatus.QUEUED.value)
    s3_key = UnicodeAttribute()
    item_count = IntAttribute(default=0)  # items written so far (progress while running), then the total
    size_bytes = IntAttribute(null=True)
    summary = JSONAttribute(null=True)  # ExportSummary.to_dict(): exported / unsupported / invalid counts
    error = UnicodeAttribute(null=True)
    created_at = TimestampMs()
    started_at = TimestampMs(null=True)
    finished_at = TimestampMs(null=True)


def create_export(project_id: str, export_id: str, *, user_id: str, fmt: str, s3_key: str, now: int) -> ExportModel:
    """Record a queued export; ConditionFailed if the id is taken."""
    export = ExportModel(project_id, export_id, user_id=user_id, format=fmt, s3_key=s3_key, created_at=now)
    save(export, ExportModel.export_id.does_not_exist())
    return export


def get_export(project_id: str, export_id: str) -> ExportModel | None:
    return get_or_none(ExportModel, project_id, export_id)


def start_running(export: ExportModel, now: int) -> bool:
    """Queued (or failed, for a retry) → running; False if another run has it or it is done."""
    return update_if(
        export,
        [ExportModel.status.set(ExportStatus.RUNNING.value), ExportModel.started_at.set(now)],
        ExportModel.status.is_in(ExportStatus.QUEUED.value, ExportStatus.FAILED.value),
    )


def record_progress(export: ExportModel, written: int) -> None:
    update(export, [ExportModel.item_count.set(written)])


def mark_failed(export: ExportModel, error: str, now: int) -> None:
    update(
        export,
        [
            ExportModel.status.set(ExportStatus.FAILED.value),
            ExportModel.error.set(error),
            ExportModel.finished_at.set(now),
        ],
    )


def mark_done(export: ExportModel, *, items: int, size_bytes: int, summary: dict, now: int) -> None:
    update(
        export,
        [
            ExportModel.status.set(ExportStatus.DONE.value),
            ExportModel.item_count.set(items),
            ExportModel.size_bytes.set(size_bytes),
            ExportModel.summary.set(summary),
            ExportModel.finished_at.set(now),
            ExportModel.error.remove(),
        ],
    )


def newest_done(user_id: str, project_id: str) -> ExportModel | None:
    """The project's newest finished export of this account, or None."""
    newest_first = ExportModel.query(
        project_id,
        filter_condition=(ExportModel.status == ExportStatus.DONE.value) & (ExportModel.user_id == user_id),
        scan_index_forward=False,
    )
    return next(iter(newest_first), None)


def list_exports(user_id: str, project_id: str, limit: int) -> list[ExportModel]:
    """The project's exports of this account, newest first (export ids are time-ordered), at most `limit`."""
    newest_first = ExportModel.query(
        project_id, filter_condition=ExportModel.user_id == user_id, scan_index_forward=False, page_size=limit
    )
    return list(islice(newest_first, limit))
