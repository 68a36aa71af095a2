"""Export jobs: one row per requested export of a project's finished items (bytebridge.exports.jobs)."""

from enum import StrEnum

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class ExportStatus(StrEnum):
    QUEUED = "queued"  # recorded; the export function was invoked asynchronously
    RUNNING = "running"
    DONE = "done"  # the file is in the exports bucket under s3_key
    FAILED = "failed"  # see error; an async retry of the invocation may run it again


class ExportModel(Model):
    class Meta(BaseMeta):
        table_name = table("exports")

    project_id = UnicodeAttribute(hash_key=True)
    export_id = UnicodeAttribute(range_key=True)  # time-ordered (ids.new_export_id): newest last
    user_id = UnicodeAttribute()
    format = UnicodeAttribute()
    status = UnicodeAttribute(default=ExportStatus.QUEUED.value)
    s3_key = UnicodeAttribute()
    item_count = NumberAttribute(default=0)  # items written so far (progress while running), then the total
    size_bytes = NumberAttribute(null=True)
    summary = JSONAttribute(null=True)  # ExportSummary.to_dict(): exported / unsupported / invalid counts
    error = UnicodeAttribute(null=True)
    created_at = TimestampMs()
    started_at = TimestampMs(null=True)
    finished_at = TimestampMs(null=True)
