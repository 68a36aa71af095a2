"""Saved task flows: one immutable row per version, so an item always walks the version it was launched with."""

from functools import lru_cache

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table
from bytebridge.flows.model import Flow


class FlowModel(Model):
    class Meta(BaseMeta):
        table_name = table("flows")

    project_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    user_id = UnicodeAttribute()
    definition = JSONAttribute()  # Flow.dump()
    origin = UnicodeAttribute(default="custom")  # custom | template:<name> | documented
    created_at = TimestampMs()


@lru_cache(maxsize=256)
def load_flow(project_id: str, version: int) -> Flow:
    """A saved version (immutable, so it is cached for the life of the process)."""
    row = FlowModel.get(project_id, version, consistent_read=True)
    return Flow.model_validate(row.definition)
