"""Seen request signatures, so a signed request is accepted once (conditional put)."""

from datetime import datetime

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, save, table
from bytebridge.dal.errors import ConditionFailed


class SeenRequestModel(Model):
    class Meta(BaseMeta):
        table_name = table("seen-requests")

    user_id = UnicodeAttribute(hash_key=True)
    request_sign = UnicodeAttribute(range_key=True)
    timestamp = IntAttribute()
    # Clean-up only: correctness comes from the timestamp window, since TTL deletes up to ~48 h late.
    expires_at = TTLAttribute()


def remember_request(user_id: str, request_sign: str, timestamp: int, expires_at: datetime) -> bool:
    """Record a signature as seen; False if it already was (a replay)."""
    seen = SeenRequestModel(user_id, request_sign, timestamp=timestamp, expires_at=expires_at)
    try:
        save(seen, SeenRequestModel.request_sign.does_not_exist())
    except ConditionFailed:
        return False
    return True
