"""Data items: one uploaded resource each, walked through the project's task flow."""

from enum import StrEnum

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class ItemStatus(StrEnum):
    NOT_STARTED = "notStarted"
    PROCESSING = "processing"
    COMPLETED = "completed"  # reached an end node with a result
    FAILED = "failed"  # could not be labeled (bad resource, flow error)


class ResourceType(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    TEXT = "text"
    GRAPHIC = "graphic"


class ItemModel(Model):
    class Meta(BaseMeta):
        table_name = table("items")

    project_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)  # time-ordered, so a query pages in upload order
    user_id = UnicodeAttribute()
    resource_type = UnicodeAttribute()
    url = UnicodeAttribute()
    status = UnicodeAttribute(default=ItemStatus.NOT_STARTED.value)
    created_at = TimestampMs()
    updated_at = TimestampMs()
