"""Gold tasks: items of a project with a known answer for one node, mixed into annotators' work to measure them."""

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, table


class GoldModel(Model):
    class Meta(BaseMeta):
        table_name = table("gold")

    project_id = UnicodeAttribute(hash_key=True)
    gold_id = UnicodeAttribute(range_key=True)  # "g…": never an item id, so judgments of gold never mix with items'
    node_id = UnicodeAttribute()
    resource_type = UnicodeAttribute()
    url = UnicodeAttribute()
    answer = JSONAttribute()
    created_at = TimestampMs()
