"""alterState: start, pause and delete a project, with the status rules behind codes 10–23.

Every transition is a conditional write on the status that was read, so two racing calls cannot both act:
the loser re-reads and is answered from the new status.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.projects import (
    ProjectModel,
    get_live_project,
    mark_deleted,
    move_status,
    release_start_lock,
    take_start_lock,
)
from bytebridge.engine.launch import launch_wave
from bytebridge.engine.progress import complete_if_done
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.errors import NO_LIVE_RESOURCES_MESSAGE, ApiError, ErrorCode
from bytebridge.logic.flows import freeze_flow
from bytebridge.logic.projects import ProjectConfig
from bytebridge.models.client_api import AlterStateData, AlterStateParams, AlterType

S = ProjectStatus
START_LOCK_MS = 30_000  # long enough for a start's checks and charge; a crashed start frees the lock after it
_ATTEMPTS = 3  # re-reads after losing a race, before giving up (code 1)

# Why a start is refused in a status (draft starts review; paused resumes).
_START_REFUSALS = {
    S.CHECKING: ErrorCode.UNDER_REVIEW,
    S.TRIAL: ErrorCode.UNDER_REVIEW,
    # After the trial the next step is the client's verdict and the pre-charge, both still with review.
    S.TRIAL_DONE: ErrorCode.UNDER_REVIEW,
    S.WAITING_PAYMENT: ErrorCode.UNDER_REVIEW,
    S.IN_PROGRESS: ErrorCode.ALREADY_RUNNING,
    S.COMPLETED: ErrorCode.ALREADY_COMPLETED,
}
# Deleting is allowed for draft, trialDone and completed: nothing is being worked on or charged.
_DELETE_REFUSALS = {
    S.IN_PROGRESS: ErrorCode.DELETE_NOT_ALLOWED,  # work under way
    S.PAUSED: ErrorCode.DELETE_NOT_ALLOWED,  # work under way, not settled
    S.CHECKING: ErrorCode.DELETE_FAILED,
    S.TRIAL: ErrorCode.DELETE_FAILED,
    S.WAITING_PAYMENT: ErrorCode.DELETE_FAILED,
}


class _StatusChanged(Exception):
    """The project changed between our read and our conditional write."""


def alter_state(account: AccountModel, params: AlterStateParams) -> AlterStateData:
    action = {AlterType.START: _start, AlterType.PAUSE: _pause, AlterType.DELETE: _delete}[params.type]
    for _ in range(_ATTEMPTS):
        project = get_live_project(account.user_id, params.project_id)
        try:
            action(account, project)
        except _StatusChanged:
            continue
        return AlterStateData(project_id=project.project_id, alter_type=params.type, created=now_ms() // 1000)
    raise RuntimeError(f"{params.project_id} kept changing during {params.type}")


def start_refusal(account: AccountModel, project: ProjectModel) -> ApiError | None:
    """Why this project may not start now (other than its status or a start in flight), or None."""
    status = project.status_enum
    if status in _START_REFUSALS:
        return ApiError(_START_REFUSALS[status])
    if not project.item_count:
        if project.resources_submitted:
            return ApiError(
                ErrorCode.RESOURCE_LINK_INVALID, "every submitted file was removed", message=NO_LIVE_RESOURCES_MESSAGE
            )
        return ApiError(ErrorCode.NO_RESOURCES)
    if problem := ProjectConfig.of(project).problem():
        return ApiError(ErrorCode.START_FAILED, problem)
    if not account.card_bound:
        return ApiError(ErrorCode.CARD_REQUIRED)
    if account.credit_state == CreditState.UNSETTLED:
        return ApiError(ErrorCode.UNSETTLED_CREDIT)
    if account.credit_state == CreditState.SETTLING:
        return ApiError(ErrorCode.SETTLEMENT_IN_PROGRESS)
    return None


@contextmanager
def start_lock(project: ProjectModel) -> Iterator[int]:
    """Hold the project's start lock (yields its expiry, the token the holder's writes check).
    Code 18 while another start holds it; it expires by itself if its holder dies."""
    now = now_ms()
    until = now + START_LOCK_MS
    if not take_start_lock(project, until, now):
        if get_live_project(project.user_id, project.project_id).status != project.status:
            raise _StatusChanged
        raise ApiError(ErrorCode.CHECKING_STATUS, "another start of this project is in progress")
    try:
        yield until
    finally:
        release_start_lock(project, until)  # only if still ours: after expiry another start may hold it


def _move(project: ProjectModel, to: ProjectStatus, *, lock: int | None = None) -> None:
    """Set the status if it is still the one we read (and, with `lock`, the start lock is still that one),
    else _StatusChanged."""
    if not move_status(project, to, now_ms(), lock=lock):
        raise _StatusChanged


def _start(account: AccountModel, project: ProjectModel) -> None:
    """Draft → checking (review; the lifecycle takes it from there); paused → inProgress (resume: the next
    wave of items starts at once). Pausing stops new items; tasks already handed to annotators finish."""
    if refusal := start_refusal(account, project):
        raise refusal
    resume = project.status_enum is S.PAUSED
    # The lock covers the work between the checks and the move (the lifecycle's pre-charge goes there).
    with start_lock(project) as token:
        if not resume:
            freeze_flow(project)  # what the items will walk: fixed from review on (code 28 for changes)
        _move(project, S.IN_PROGRESS if resume else S.CHECKING, lock=token)
    if resume:
        launch_wave(get_live_project(account.user_id, project.project_id))
        complete_if_done(account.user_id, project.project_id)  # its last items may have finished while paused


def _pause(account: AccountModel, project: ProjectModel) -> None:
    status = project.status_enum
    if status is S.PAUSED:
        raise ApiError(ErrorCode.PAUSED)
    if status is not S.IN_PROGRESS:
        raise ApiError(ErrorCode.PAUSE_FAILED, f"a {status} project cannot be paused")
    _move(project, S.PAUSED)


def _delete(account: AccountModel, project: ProjectModel) -> None:
    """Mark the project deleted (it answers 8 from now on; the retention job purges its data) and free its
    name, in one transaction."""
    status = project.status_enum
    if status in _DELETE_REFUSALS:
        raise ApiError(_DELETE_REFUSALS[status], f"a {status} project cannot be deleted")
    if not mark_deleted(project, now_ms()):
        raise _StatusChanged
