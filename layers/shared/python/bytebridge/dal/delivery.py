"""Per-project delivery state: the client's callback URL, the batch of items waiting for a "ready for
acceptance" mail, the last status mail sent, and the retention warning/purge marks.

Kept out of ProjectModel on purpose: the engine bumps the project's progress counters item by item, and
delivery bookkeeping must neither contend with those writes nor with the project's VersionAttribute.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table

READY_PENDING = "pending"  # the only value of ready_flag: its presence puts the row in the sparse index


class ReadyIndex(GlobalSecondaryIndex):
    """Projects with items delivered since their last "ready for acceptance" mail (sparse: rows without
    ready_flag are not indexed), so the notifier never scans."""

    class Meta:
        index_name = "ready-pending"
        projection = AllProjection()

    ready_flag = UnicodeAttribute(hash_key=True)
    ready_since = NumberAttribute(range_key=True)


class ProjectDeliveryModel(Model):
    class Meta(BaseMeta):
        table_name = table("delivery")

    project_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    callback_url = UnicodeAttribute(null=True)
    callback_set_at = TimestampMs(null=True)
    # Items delivered since the last ready mail; the notifier sends one mail for all of them.
    ready_flag = UnicodeAttribute(null=True)
    ready_since = TimestampMs(null=True)
    ready_count = NumberAttribute(default=0)
    # A status mail waiting for the notifier, and the last one sent (so a repeated status event mails once).
    pending_status = UnicodeAttribute(null=True)
    mailed_status = UnicodeAttribute(null=True)
    # Random per project: worker pseudonyms are hashes of worker id and salt, unlinkable across projects.
    pseudonym_salt = UnicodeAttribute(null=True)
    # Retention cycle: the anchor is the time the files became due (completion, or the last change of an idle
    # draft); warned_at starts the ≥24 h notice, purged_at ends the cycle. A new anchor starts a new cycle.
    retention_reason = UnicodeAttribute(null=True)
    retention_anchor = NumberAttribute(null=True)
    warned_at = TimestampMs(null=True)
    purged_at = TimestampMs(null=True)

    ready_index = ReadyIndex()


def get_delivery(project_id: str) -> ProjectDeliveryModel | None:
    try:
        return ProjectDeliveryModel.get(project_id, consistent_read=True)
    except ProjectDeliveryModel.DoesNotExist:
        return None
