"""Seen request signatures, so a signed request is accepted once (conditional put)."""

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, table


class SeenRequestModel(Model):
    class Meta(BaseMeta):
        table_name = table("seen-requests")

    user_id = UnicodeAttribute(hash_key=True)
    request_sign = UnicodeAttribute(range_key=True)
    timestamp = NumberAttribute()
    # Clean-up only: correctness comes from the timestamp window, since TTL deletes up to ~48 h late.
    expires_at = TTLAttribute()
