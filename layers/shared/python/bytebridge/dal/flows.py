"""Saved task flows: one immutable row per version, so an item always walks the version it was launched with."""

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, table, transact
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import ProjectStatus


class FlowModel(Model):
    class Meta(BaseMeta):
        table_name = table("flows")

    project_id = UnicodeAttribute(hash_key=True)
    version = IntAttribute(range_key=True)
    user_id = UnicodeAttribute()
    definition = JSONAttribute()  # Flow.dump()
    origin = UnicodeAttribute(default="custom")  # custom | template:<name> | documented
    created_at = TimestampMs()


def flow_definition(project_id: str, version: int) -> dict:
    """A saved version's definition (Flow.dump() form)."""
    return FlowModel.get(project_id, version, consistent_read=True).definition


def find_version(project_id: str, version: int) -> FlowModel | None:
    """A saved version (consistent read), or None."""
    return get_or_none(FlowModel, project_id, version)


def save_version(
    project: ProjectModel, version: int, definition: dict, origin: str, now: int, *, draft_only: bool
) -> bool:
    """Save `version` of the project's flow and point the project at it, in one transaction, if the project
    still points at the version it was read with (and, `draft_only`, is still a draft). False otherwise (nothing
    is written); on success the row reflects the new version and origin."""
    P = ProjectModel
    row = FlowModel(
        project.project_id, version, user_id=project.user_id, definition=definition, origin=origin, created_at=now
    )
    unchanged = (
        P.flow_version.does_not_exist() if project.flow_version is None else P.flow_version == project.flow_version
    )
    condition = unchanged & (P.status == ProjectStatus.DRAFT.value) if draft_only else unchanged
    try:
        with transact() as tx:
            tx.save(row, condition=FlowModel.version.does_not_exist())
            tx.update(
                project,
                actions=[P.flow_version.set(version), P.flow_origin.set(origin), P.updated_at.set(now)],
                condition=condition,
                add_version_condition=False,
            )
    except ConditionFailed:
        return False
    project.flow_version, project.flow_origin = version, origin
    return True
