"""listProjects: the account's projects newest first, one page per call (a query on the projects table's owner
index, never a scan), each with the counts and money retrieveProject reports (logic.projects.Progress)."""

import base64
import binascii
import json

from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.projects import ProjectModel, projects_newest_first
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.projects import Progress
from bytebridge.models.project_list import (
    LISTED_STATUSES,
    MAX_PAGE,
    ListProjectsData,
    ListProjectsParams,
    ProjectSummary,
)

_CURSOR_VERSION = 1


def _cursor(project: ProjectModel) -> str:
    """The owner index key of the page's last project, opaque (base64url JSON)."""
    key = {"p": project.project_id, "c": int(project.created_at), "v": _CURSOR_VERSION}
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _start_key(cursor: str | None, user_id: str) -> dict | None:
    """The DynamoDB start key of a cursor, for the caller's own partition only: a cursor carries no account, so
    another account's cursor can only page through the caller's projects. Code 2 if it is not one of ours."""
    if cursor is None:
        return None
    bad = ApiError(ErrorCode.PARAMETER_INVALID, "cursor is not a nextCursor of listProjects")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise bad from None
    if not isinstance(key, dict) or set(key) != {"p", "c", "v"} or key["v"] != _CURSOR_VERSION:
        raise bad
    project_id, created_at = key["p"], key["c"]
    if not isinstance(project_id, str) or not 0 < len(project_id) <= 64:
        raise bad
    if not isinstance(created_at, int) or isinstance(created_at, bool) or created_at < 0:
        raise bad
    return {
        "user_id": {"S": user_id},
        "project_id": {"S": project_id},
        "created_at": {"N": str(created_at)},
    }


def summary(project: ProjectModel) -> ProjectSummary:
    progress = Progress.of(project)  # the counters retrieveProject reports, kept current by the engine
    return ProjectSummary(
        project_id=project.project_id,
        name=project.name,
        type=project.type,
        task_type=project.task_type,
        status=project.status,
        created_at=int(project.created_at),
        item_count=progress.items,
        no_start_quantity=progress.not_started,
        processing_quantity=progress.processing,
        completed_quantity=progress.completed,
        success_quantity=progress.success,
        failed_quantity=progress.failed,
        output_quantity=progress.output,
        amount_spent=progress.spent_cents / 100,
        spent_cents=progress.spent_cents,
        estimate_cents=project.confirmed_estimate_cents,
    )


def list_projects(account: AccountModel, params: ListProjectsParams) -> ListProjectsData:
    if not 1 <= params.page_size <= MAX_PAGE:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"pageSize must be 1–{MAX_PAGE}")
    if params.status is not None and params.status not in LISTED_STATUSES:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"status must be one of {', '.join(LISTED_STATUSES)}")
    start_key = _start_key(params.cursor, account.user_id)
    rows, more = projects_newest_first(account.user_id, params.status, params.page_size, start_key)
    return ListProjectsData(
        projects=[summary(project) for project in rows],
        next_cursor=_cursor(rows[-1]) if more and rows else None,
    )
