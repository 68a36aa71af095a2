"""Gold tasks: items of a project with a known answer for one node, mixed into annotators' work to measure them."""

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, TimestampMs, get_or_none, table


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


def gold_ids(project_id: str) -> list[str]:
    """The ids of every gold task of the project."""
    return [gold.gold_id for gold in GoldModel.query(project_id, attributes_to_get=["gold_id"])]


def all_gold(project_id: str) -> list[GoldModel]:
    """Every gold task of the project (consistent read)."""
    return list(GoldModel.query(project_id, consistent_read=True))


def get_gold(project_id: str, gold_id: str) -> GoldModel | None:
    """One gold task, read strongly; None if it does not exist."""
    return get_or_none(GoldModel, project_id, gold_id)


def gold_for_node(project_id: str, node_id: str) -> list[GoldModel]:
    """The project's gold tasks of one node."""
    return list(GoldModel.query(project_id, filter_condition=GoldModel.node_id == node_id))


def add_gold(
    project_id: str, node_id: str, resource_type: str, entries: list[tuple[str, str, dict]], now: int
) -> list[GoldModel]:
    """New gold tasks for one node, one per (gold_id, url, answer) of `entries` (batched, unconditional)."""
    rows = [
        GoldModel(
            project_id,
            gold_id,
            node_id=node_id,
            resource_type=resource_type,
            url=url,
            answer=answer,
            created_at=now,
        )
        for gold_id, url, answer in entries
    ]
    with GoldModel.batch_write() as batch:
        for row in rows:
            batch.save(row)
    return rows
