"""How a delivered item looks to the client: one view for listResults, retrieveResult and callbacks."""

from typing import overload

from bytebridge.dal.items import ItemModel
from bytebridge.models.results import ResultRecord

ACCEPT_WINDOW_MS = 21 * 24 * 3600 * 1000  # free rework inside it; accepted automatically after it


@overload
def accept_deadline(delivered_at: int) -> int: ...
@overload
def accept_deadline(delivered_at: int | None) -> int | None: ...
def accept_deadline(delivered_at: int | None) -> int | None:
    return None if delivered_at is None else delivered_at + ACCEPT_WINDOW_MS


def result_record(item: ItemModel) -> ResultRecord:
    return ResultRecord(
        item_id=item.item_id,
        resource_type=item.resource_type,
        resource_url=item.url,
        status=item.status,
        created_at=item.created_at,
        delivered_at=item.delivered_at,
        acceptance=item.acceptance,
        acceptance_comment=item.acceptance_comment,
        accepted_at=item.accepted_at,
        accept_deadline=accept_deadline(item.delivered_at),
        rework_count=item.rework_count or 0,
        flow_version=item.flow_version,
        result=item.result,
    )
