"""Disputes of consumed amounts: a client contests items of a project it was charged for; an operator accepts
(crediting an amount, at most what those items cost) or rejects it. Each disputed item is claimed once
(a uniqueness claim owned by the dispute), so an item is never disputed twice.

Status: filing (claims being written) → open → accepting (credit being posted) → accepted, or open → rejected.
Every move is conditional on the status it leaves, so two operators (or a retry) cannot decide twice."""

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.dal.base import (
    BaseMeta,
    IntAttribute,
    TimestampMs,
    delete_if,
    get_or_none,
    save,
    table,
    transact,
    update_if,
)
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.unique_keys import UniqueKeyModel, claim_in, release_in

FILING = "filing"
OPEN = "open"
ACCEPTING = "accepting"
ACCEPTED = "accepted"
REJECTED = "rejected"
_CLAIMS_PER_TRANSACTION = 99  # DynamoDB's limit is 100 actions


class DisputeStatusIndex(GlobalSecondaryIndex):
    """Disputes by status, oldest first: the operators' queue."""

    class Meta:
        index_name = "status-created"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = TimestampMs(range_key=True)


class DisputeModel(Model):
    class Meta(BaseMeta):
        table_name = table("disputes")

    user_id = UnicodeAttribute(hash_key=True)
    dispute_id = UnicodeAttribute(range_key=True)  # time-ordered: newest last
    project_id = UnicodeAttribute()
    item_ids = ListAttribute(of=UnicodeAttribute, default=list)
    reason = UnicodeAttribute()
    status = UnicodeAttribute(default=FILING)
    disputed_cents = IntAttribute(default=0)  # what the disputed items were charged
    credited_cents = IntAttribute(null=True)  # accepted: the amount credited to the balance
    decision_note = UnicodeAttribute(null=True)  # the operator's reason (rejection) or note (acceptance)
    decided_by = UnicodeAttribute(null=True)
    created_at = TimestampMs()
    decided_at = TimestampMs(null=True)

    status_index = DisputeStatusIndex()


def item_key(project_id: str, item_id: str) -> str:
    return f"dispute-item#{project_id}#{item_id}"


def disputed_items(project_id: str, item_ids: list[str]) -> dict[str, str]:
    """Those of `item_ids` already claimed by a dispute → that dispute's id (consistent batch read)."""
    keys = [item_key(project_id, item_id) for item_id in item_ids]
    claims = UniqueKeyModel.batch_get(keys, consistent_read=True)
    return {claim.key.rsplit("#", 1)[1]: claim.owner for claim in claims}


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CLAIMS_PER_TRANSACTION):
        yield values[start : start + _CLAIMS_PER_TRANSACTION]


def file(dispute: DisputeModel) -> bool:
    """Write the dispute (filing), claim its items (≤ 99 per transaction), then open it. False, with nothing
    left behind, if an item was claimed by another dispute meanwhile."""
    save(dispute, DisputeModel.dispute_id.does_not_exist())
    claimed: list[str] = []
    try:
        for chunk in _chunks([str(item_id) for item_id in dispute.item_ids]):
            with transact() as tx:
                for item_id in chunk:
                    claim_in(tx, item_key(dispute.project_id, item_id), dispute.dispute_id)
            claimed += chunk
    except ConditionFailed:
        for chunk in _chunks(claimed):
            with transact() as tx:
                for item_id in chunk:
                    release_in(tx, item_key(dispute.project_id, item_id), dispute.dispute_id)
        delete_if(dispute, DisputeModel.status == FILING)
        return False
    return move(dispute, [FILING], OPEN)


def move(dispute: DisputeModel, from_statuses: list[str], to: str, **values: Any) -> bool:
    """Change the dispute's status (and set `values`; None removes) if it is in one of `from_statuses`; False
    otherwise."""
    D = DisputeModel
    changes = [
        getattr(D, name).remove() if value is None else getattr(D, name).set(value) for name, value in values.items()
    ]
    actions = [D.status.set(to), *changes]
    if not update_if(dispute, actions, D.status.is_in(*from_statuses)):
        return False
    dispute.status = to
    for name, value in values.items():
        setattr(dispute, name, value)
    return True


def get_dispute(user_id: str, dispute_id: str) -> DisputeModel | None:
    return get_or_none(DisputeModel, user_id, dispute_id)


def disputes_of(user_id: str, project_id: str | None = None) -> list[DisputeModel]:
    """The account's disputes (of one project if given), oldest first."""
    condition = DisputeModel.project_id == project_id if project_id else None
    return list(DisputeModel.query(user_id, filter_condition=condition, consistent_read=True))


def with_status(statuses: list[str], limit: int = 200) -> list[DisputeModel]:
    """Disputes in these statuses across accounts, oldest first per status (the index lags a little)."""
    out: list[DisputeModel] = []
    for status in statuses:
        out += list(DisputeModel.status_index.query(status, limit=limit))
    return out[:limit]
