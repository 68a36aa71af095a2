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
from enum import StrEnum

from bytebridge.clock import now_ms
from bytebridge.dal.base import delete_partition
from bytebridge.dal.delivery import (
    ProjectDeliveryModel,
    get_delivery,
    mark_purged,
    start_retention_cycle,
    undo_retention_warning,
)
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.flows import FlowModel
from bytebridge.dal.gold import GoldModel, gold_ids
from bytebridge.dal.history import HistoryModel
from bytebridge.dal.imports import delete_project_imports, drop_credentials
from bytebridge.dal.items import ItemModel, delete_rows, item_ids, unstarted
from bytebridge.dal.judgments import delete_task_rows
from bytebridge.dal.messages import MessageModel, MessageThreadModel
from bytebridge.dal.projects import (
    ProjectModel,
    delete_if_deleted,
    get_project,
    uncount_unstarted,
    with_status,
    with_status_updated_before,
)
from bytebridge.dal.unique_keys import project_name_key, release
from bytebridge.delivery import notices
from bytebridge.delivery.notices import Kind
from bytebridge.enums import ProjectStatus
from bytebridge.settings import get_settings
from bytebridge.storage import delete_prefix, project_prefix

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000
COMPLETED_KEEP_MS = 7 * DAY_MS
IDLE_DRAFT_MS = 30 * DAY_MS
NOTICE_MS = DAY_MS  # the warning comes at least this long before the purge


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
    for project in with_status_updated_before(ProjectStatus.COMPLETED, now - COMPLETED_KEEP_MS):
        if _anchor(project, Reason.COMPLETED) <= now - COMPLETED_KEEP_MS:
            yield _Due(project, Reason.COMPLETED, _anchor(project, Reason.COMPLETED))
    for project in with_status_updated_before(ProjectStatus.DRAFT, now - IDLE_DRAFT_MS):
        if project.item_count:  # "uploaded and never started": a draft with nothing uploaded holds no files
            yield _Due(project, Reason.IDLE, project.updated_at)


def _still_due(due: _Due) -> ProjectModel | None:
    """The project as it is now, if it is still in the state that made it due (the index lags)."""
    project = get_project(due.project.user_id, due.project.project_id)
    if project is None:
        return None
    expected = ProjectStatus.COMPLETED if due.reason is Reason.COMPLETED else ProjectStatus.DRAFT
    if project.status != expected or _anchor(project, due.reason) != due.anchor:
        return None
    return project


_WARNINGS = {Reason.COMPLETED: Kind.PURGE_WARNING_TEMP_FILES, Reason.IDLE: Kind.PURGE_WARNING_UNSTARTED}


def _warn(due: _Due, now: int) -> bool:
    """Start the cycle: record the warning (once per anchor), then mail it; an unsent mail undoes the record."""
    project = due.project
    if not start_retention_cycle(project.project_id, project.user_id, due.reason.value, due.anchor, now):
        return False
    try:
        notices.send(
            _WARNINGS[due.reason],
            project.user_id,
            project_name=project.name,
            project_id=project.project_id,
            purge_after=now + NOTICE_MS,
        )
    except Exception:
        undo_retention_warning(project.project_id, now)
        raise
    return True


def purge_unstarted_items(project: ProjectModel) -> int:
    """Remove the items no one has started (their files were purged: "上传文件后长期未启动,我们将清除临时存储的
    文件") and take them off the counters. resources_submitted stays, so a later start answers code 10's
    second text rather than 11. Returns how many were removed."""
    items = unstarted(project.project_id)
    if not items:
        return 0
    delete_rows(items)
    uncount_unstarted(project, len(items), now_ms())
    return len(items)


def _purge_files(due: _Due) -> bool:
    project = _still_due(due)
    if project is None:
        return False
    settings = get_settings()
    removed = delete_prefix(settings.data_bucket, project_prefix(project.user_id, project.project_id))
    if due.reason is Reason.IDLE:
        removed += purge_unstarted_items(project)
        drop_credentials(project.project_id)  # its imported items are gone with them
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
            report.purged += mark_purged(row, due.anchor, now)
    return report


# ---- deleted projects --------------------------------------------------------------------------------------

# Tables whose hash key is the project id and whose rows belong to the project only. Listed explicitly:
# money records (the ledger) outlive a project and must never be swept up by a generic rule.
# Tables keyed by project id; judgments (keyed by item) and their assignment handles go first, found from these.
PROJECT_TABLES = (
    HistoryModel,
    ItemModel,
    GoldModel,
    ExportModel,
    ProjectDeliveryModel,
    FlowModel,
    MessageModel,
    MessageThreadModel,
)


def _delete_judgments(project_id: str) -> int:
    """Every judgment of the project's items and gold tasks, with the assignment handles pointing at them."""
    keys = item_ids(project_id) + gold_ids(project_id)
    return sum(delete_task_rows(project_id, key) for key in keys)


def purge_project(project: ProjectModel) -> None:
    """Remove every trace of a deleted project; the project row goes last, so a crash leaves it to be found
    by the next run."""
    settings = get_settings()
    for bucket in (settings.data_bucket, settings.exports_bucket):
        delete_prefix(bucket, project_prefix(project.user_id, project.project_id))
    _delete_judgments(project.project_id)
    delete_project_imports(project.project_id)  # keyed by import id: found through the project's index
    for model in PROJECT_TABLES:
        delete_partition(model, project.project_id)
    # Normally released by the delete itself; only ever ours.
    release(project_name_key(project.user_id, project.name), project.project_id)
    delete_if_deleted(project)


def purge_deleted_projects() -> int:
    """The hourly sweep: every project in status deleted is purged (the docs promise within 2 hours)."""
    projects = list(with_status(ProjectStatus.DELETED))
    for project in projects:
        purge_project(project)
    return len(projects)
