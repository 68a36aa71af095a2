"""Data items: one uploaded resource each, walked through the project's task flow."""

from enum import StrEnum

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class ItemStatus(StrEnum):
    NOT_STARTED = "notStarted"
    PROCESSING = "processing"
    COMPLETED = "completed"  # reached an end node with a result
    FAILED = "failed"  # could not be labeled (bad resource, flow error)


class Acceptance(StrEnum):
    PENDING = "pending"  # delivered, waiting for the client (auto-accepted after 21 days)
    ACCEPTED = "accepted"
    AUTO_ACCEPTED = "autoAccepted"
    REJECTED = "rejected"  # re-queued for free rework


class ResourceType(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    TEXT = "text"
    GRAPHIC = "graphic"


class AcceptanceIndex(GlobalSecondaryIndex):
    """Items by acceptance state, oldest delivery first: the 21-day auto-acceptance queries
    acceptance="pending" with delivered_at older than the window instead of scanning. Sparse: only delivered
    items (with both attributes) are indexed. Keys only: the job re-reads each item before its conditional write."""

    class Meta:
        index_name = "acceptance-delivered"
        projection = KeysOnlyProjection()

    acceptance = UnicodeAttribute(hash_key=True)
    delivered_at = NumberAttribute(range_key=True)


class DeliveredIndex(GlobalSecondaryIndex):
    """A project's delivered items in delivery order (sparse on delivered_at): listResults pages "what was
    delivered since T" as a key range instead of filtering the whole project."""

    class Meta:
        index_name = "project-delivered"
        projection = AllProjection()

    project_id = UnicodeAttribute(hash_key=True)
    delivered_at = NumberAttribute(range_key=True)


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

    # Written by the engine when the item reaches an end node; read by results, acceptance, exports.
    flow_version = NumberAttribute(null=True)
    execution_arn = UnicodeAttribute(null=True)
    round = NumberAttribute(default=0)  # 0, then +1 per rework after a rejection
    step = NumberAttribute(default=0)  # tasks finished this round (progress["step"], as a number to condition on)
    # While processing: {"step", "path", "answers", "traversals", "costCents", "next"} (bytebridge.engine.progress)
    progress = JSONAttribute(null=True)
    failure = UnicodeAttribute(null=True)  # why a failed item could not be labeled
    # {"endNode": id, "path": [node ids], "answers": {node_id: answer (bytebridge.annotations form)}}
    result = JSONAttribute(null=True)
    delivered_at = NumberAttribute(null=True)  # ms; starts the 21-day acceptance window
    acceptance = UnicodeAttribute(null=True)
    acceptance_comment = UnicodeAttribute(null=True)
    accepted_at = NumberAttribute(null=True)
    rework_count = NumberAttribute(default=0)
    cost_cents = NumberAttribute(default=0)  # sum of unit prices of the tasks this item went through

    acceptance_index = AcceptanceIndex()
    delivered_index = DeliveredIndex()
