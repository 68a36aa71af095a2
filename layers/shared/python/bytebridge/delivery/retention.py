"""Retention (docs FAQ: files are stored temporarily; "当您的项目完成7天,或您的项目上传文件后长期未启动,我们将清除
临时存储的文件,每次清除之前,都会有文件通知到您"; deleted data is gone "在2个小时内").

- Files of a project completed 7 days ago, or of a draft with files that nobody touched for 30 days, are
  purged after an e-mail warning: a run warns (and records warned_at), a run at least 24 h later purges.
  Results stay; only the uploaded files (and, for an idle draft, its never-started items) go.
- A deleted project loses everything in S3 and DynamoDB on the next hourly run.

Projects are found through the status index (never a scan). Every step is conditional or naturally
idempotent, so a run that is repeated or crashes half-way is safe to run again.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pynamodb.exceptions import DeleteError
from pynamodb.models import Model

from bytebridge.dal.base import now_ms
from bytebridge.dal.delivery import ProjectDeliveryModel, get_delivery
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.flows import FlowModel
from bytebridge.dal.gold import GoldModel
from bytebridge.dal.items import ItemModel
from bytebridge.dal.judgments import AssignmentModel, JudgmentModel, item_key
from bytebridge.dal.projects import ProjectModel, ProjectStatus
from bytebridge.dal.unique_keys import UniqueKeyModel, project_name_key
from bytebridge.delivery.conditional import update_if
from bytebridge.delivery.notify import mail_account
from bytebridge.logic.projects import conditional_failure
from bytebridge.logic.resources import purge_unstarted_items
from bytebridge.settings import get_settings
from bytebridge.storage import delete_prefix, project_prefix

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000
COMPLETED_KEEP_MS = 7 * DAY_MS
IDLE_DRAFT_MS = 30 * DAY_MS
NOTICE_MS = DAY_MS  # the warning comes at least this long before the purge

D = ProjectDeliveryModel


class Reason(StrEnum):
    COMPLETED = "completed"
    IDLE = "idle"


@dataclass(frozen=True)
class _Due:
    project: ProjectModel
    reason: Reason
    anchor: int  # when the files became due for purging; identifies the retention cycle


def _anchor(project: ProjectModel, reason: Reason) -> int:
    return (project.completed_at or project.updated_at) if reason is Reason.COMPLETED else project.updated_at


def _due(now: int) -> Iterator[_Due]:
    # updated_at is the index's range key and completed_at ≤ updated_at, so the key condition never misses one.
    for project in ProjectModel.status_index.query(
        ProjectStatus.COMPLETED.value, ProjectModel.updated_at <= now - COMPLETED_KEEP_MS
    ):
        if _anchor(project, Reason.COMPLETED) <= now - COMPLETED_KEEP_MS:
            yield _Due(project, Reason.COMPLETED, _anchor(project, Reason.COMPLETED))
    for project in ProjectModel.status_index.query(
        ProjectStatus.DRAFT.value, ProjectModel.updated_at <= now - IDLE_DRAFT_MS
    ):
        if project.item_count:  # "uploaded and never started": a draft with nothing uploaded holds no files
            yield _Due(project, Reason.IDLE, project.updated_at)


def _still_due(due: _Due) -> ProjectModel | None:
    """The project as it is now, if it is still in the state that made it due (the index lags)."""
    try:
        project = ProjectModel.get(due.project.user_id, due.project.project_id, consistent_read=True)
    except ProjectModel.DoesNotExist:
        return None
    expected = ProjectStatus.COMPLETED if due.reason is Reason.COMPLETED else ProjectStatus.DRAFT
    if project.status != expected or _anchor(project, due.reason) != due.anchor:
        return None
    return project


def _warning_text(project: ProjectModel, reason: Reason, purge_after: int) -> str:
    when = datetime.fromtimestamp(purge_after / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    why = (
        "was completed 7 days ago"
        if reason is Reason.COMPLETED
        else "has had uploaded files but was not started for 30 days"
    )
    keep = (
        "Your results stay available."
        if reason is Reason.COMPLETED
        else "Items not yet started will be removed with them; upload the files again to use them."
    )
    return (
        f"Your project {project.name} ({project.project_id}) {why}. The files we stored temporarily for it will "
        f"be deleted after {when}. {keep}"
    )


def _warn(due: _Due, now: int) -> bool:
    """Start the cycle: record the warning (once per anchor), then mail it; an unsent mail undoes the record."""
    project = due.project
    started = update_if(
        D(project.project_id),
        [
            D.user_id.set(project.user_id),
            D.retention_reason.set(due.reason.value),
            D.retention_anchor.set(due.anchor),
            D.warned_at.set(now),
            D.purged_at.remove(),
        ],
        D.retention_anchor.does_not_exist() | (D.retention_anchor != due.anchor),
    )
    if not started:
        return False
    try:
        mail_account(
            project.user_id,
            f"[ByteBridge] Stored files of {project.name} will be deleted",
            _warning_text(project, due.reason, now + NOTICE_MS),
        )
    except Exception:
        update_if(D(project.project_id), [D.warned_at.remove(), D.retention_anchor.remove()], D.warned_at == now)
        raise
    return True


def _purge_files(due: _Due) -> bool:
    project = _still_due(due)
    if project is None:
        return False
    settings = get_settings()
    removed = delete_prefix(settings.data_bucket, project_prefix(project.user_id, project.project_id))
    if due.reason is Reason.IDLE:
        removed += purge_unstarted_items(project)
    log.info("retention purge", extra={"projectId": project.project_id, "reason": due.reason, "removed": removed})
    return True


@dataclass
class RetentionReport:
    warned: int = 0
    purged: int = 0


def run_retention(now: int | None = None) -> RetentionReport:
    now = now_ms() if now is None else now
    report = RetentionReport()
    for due in list(_due(now)):
        row = get_delivery(due.project.project_id)
        if row is None or row.retention_anchor != due.anchor:
            report.warned += _warn(due, now)
            continue
        noticed = row.warned_at is not None and row.warned_at <= now - NOTICE_MS
        if row.purged_at is None and noticed and _purge_files(due):
            same_cycle = (D.retention_anchor == due.anchor) & D.purged_at.does_not_exist()
            report.purged += update_if(row, [D.purged_at.set(now)], same_cycle)
    return report


# ---- deleted projects --------------------------------------------------------------------------------------

# Tables whose hash key is the project id and whose rows belong to the project only. Listed explicitly:
# money records (the ledger) outlive a project and must never be swept up by a generic rule.
# Tables keyed by project id; judgments (keyed by item) and their assignment handles go first, found from these.
PROJECT_TABLES: tuple[type[Model], ...] = (ItemModel, GoldModel, ExportModel, ProjectDeliveryModel, FlowModel)


def _delete_partition(model: type[Model], project_id: str) -> int:
    rows = list(model.query(project_id, consistent_read=True))
    with model.batch_write() as batch:
        for row in rows:
            batch.delete(row)
    return len(rows)


def _delete_judgments(project_id: str) -> int:
    """Every judgment of the project's items and gold tasks, with the assignment handles pointing at them."""
    keys = [item.item_id for item in ItemModel.query(project_id, attributes_to_get=["item_id"])]
    keys += [gold.gold_id for gold in GoldModel.query(project_id, attributes_to_get=["gold_id"])]
    deleted = 0
    for key in keys:
        rows = list(JudgmentModel.query(item_key(project_id, key), consistent_read=True))
        with AssignmentModel.batch_write() as batch:
            for row in rows:
                batch.delete(AssignmentModel(row.assignment_id))
        with JudgmentModel.batch_write() as batch:
            for row in rows:
                batch.delete(row)
        deleted += len(rows)
    return deleted


def purge_project(project: ProjectModel) -> None:
    """Remove every trace of a deleted project; the project row goes last, so a crash leaves it to be found
    by the next run."""
    settings = get_settings()
    for bucket in (settings.data_bucket, settings.exports_bucket):
        delete_prefix(bucket, project_prefix(project.user_id, project.project_id))
    _delete_judgments(project.project_id)
    for model in PROJECT_TABLES:
        _delete_partition(model, project.project_id)
    claim = UniqueKeyModel(project_name_key(project.user_id, project.name))
    try:  # normally released by the delete itself; only ever ours
        claim.delete(condition=UniqueKeyModel.owner == project.project_id)
    except DeleteError as exc:
        if not conditional_failure(exc):
            raise
    try:
        project.delete(condition=ProjectModel.status == ProjectStatus.DELETED.value, add_version_condition=False)
    except DeleteError as exc:
        if not conditional_failure(exc):
            raise


def purge_deleted_projects() -> int:
    """The hourly sweep: every project in status deleted is purged (the docs promise within 2 hours)."""
    projects = list(ProjectModel.status_index.query(ProjectStatus.DELETED.value))
    for project in projects:
        purge_project(project)
    return len(projects)
