"""alterState: start, pause and delete a project, with the status rules behind codes 10–23.

Every transition is a conditional write on the status that was read, so two racing calls cannot both act:
the loser re-reads and is answered from the new status.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from bytebridge.billing import ledger, prices
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.history import transition
from bytebridge.dal.imports import drop_credentials
from bytebridge.dal.projects import (
    ProjectModel,
    get_live_project,
    release_start_lock,
    take_start_lock,
)
from bytebridge.dal.unique_keys import project_name_key, release_in
from bytebridge.engine.launch import launch_wave
from bytebridge.engine.progress import complete_if_done
from bytebridge.enums import CreditState, ProjectStatus
from bytebridge.errors import NO_LIVE_RESOURCES_MESSAGE, ApiError, ErrorCode
from bytebridge.logic import lifecycle
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
    S.ENDING: ErrorCode.ALREADY_COMPLETED,  # ended early: it completes as soon as its in-flight items are back
}
# What to do instead, where the code alone does not say it.
_START_HINTS = {
    S.TRIAL_DONE: "the trial is done: accept it (acceptTrial) or reconfigure it (reconfigure, then start)",
    S.WAITING_PAYMENT: "the trial was accepted: the project starts once it is paid for",
    S.ENDING: "it was ended early (alterState end)",
}
# Deleting is allowed for draft, trialDone and completed: nothing is being worked on or charged. Otherwise the
# answer says what to do instead.
_DELETE_REFUSALS = {
    S.IN_PROGRESS: (ErrorCode.DELETE_NOT_ALLOWED, "end it first (alterState end), then delete it"),
    S.PAUSED: (ErrorCode.DELETE_NOT_ALLOWED, "end it first (alterState end), then delete it"),
    S.ENDING: (ErrorCode.DELETE_NOT_ALLOWED, "it is ending: call alterState end again, then delete it"),
    S.CHECKING: (ErrorCode.DELETE_FAILED, "it is under review: wait for the review's answer, then delete it"),
    S.TRIAL: (ErrorCode.DELETE_FAILED, "its trial is running: delete it once the trial is done"),
    S.WAITING_PAYMENT: (ErrorCode.DELETE_FAILED, "it waits for payment: ask your project manager to cancel it"),
}
# Ending early: only a project that is running or paused (or already ending, to finish an interrupted end).
_END_REFUSALS = {
    S.DRAFT: (ErrorCode.START_FAILED, "a draft has nothing running: delete it instead"),
    S.CHECKING: (ErrorCode.UNDER_REVIEW, "nothing runs before the trial is accepted: delete it once reviewed"),
    S.TRIAL: (ErrorCode.UNDER_REVIEW, "the trial is running: wait until it is done, then delete it"),
    S.TRIAL_DONE: (ErrorCode.UNDER_REVIEW, "nothing runs before the trial is accepted: delete it instead"),
    S.WAITING_PAYMENT: (ErrorCode.UNDER_REVIEW, "nothing runs before payment: ask your project manager"),
    S.COMPLETED: (ErrorCode.ALREADY_COMPLETED, None),
}


class _StatusChanged(Exception):
    """The project changed between our read and our conditional write."""


def alter_state(account: AccountModel, params: AlterStateParams) -> AlterStateData:
    action = {AlterType.START: _start, AlterType.PAUSE: _pause, AlterType.DELETE: _delete, AlterType.END: _end}[
        params.type
    ]
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
        return ApiError(_START_REFUSALS[status], _START_HINTS.get(status))
    if project.checking_count:  # its trial sample and first wave must come from checked items only
        return ApiError(ErrorCode.CHECKING_STATUS, f"{project.checking_count} uploaded files are still being checked")
    if not project.item_count:
        if project.resources_submitted:
            return ApiError(
                ErrorCode.RESOURCE_LINK_INVALID, "every submitted file was removed", message=NO_LIVE_RESOURCES_MESSAGE
            )
        return ApiError(ErrorCode.NO_RESOURCES)
    if problem := ProjectConfig.of(project).problem():
        return ApiError(ErrorCode.START_FAILED, problem)
    return account_refusal(account)


def account_refusal(account: AccountModel) -> ApiError | None:
    """Why this account may not start or pay for a project now (codes 12, 16, 17), or None."""
    if not account.card_bound:
        return ApiError(ErrorCode.CARD_REQUIRED)
    credit_state = ledger.credit_state(account.user_id, account.credit_state)
    if credit_state == CreditState.UNSETTLED:
        return ApiError(ErrorCode.UNSETTLED_CREDIT)
    if account.chargeback_id:
        return ApiError(ErrorCode.UNSETTLED_CREDIT, "a card payment of the account is disputed at the bank")
    if credit_state == CreditState.SETTLING:
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


def _move(account: AccountModel, project: ProjectModel, to: ProjectStatus, reason: str) -> None:
    """Set the status if it is still the one we read, with its history row, else _StatusChanged."""
    if not transition(project, to, by=account.user_id, now=now_ms(), reason=reason):
        raise _StatusChanged


def _start(account: AccountModel, project: ProjectModel) -> None:
    """Draft → checking (review; the lifecycle takes it from there); paused → inProgress (resume: the next
    wave of items starts at once). Pausing stops new items; tasks already handed to annotators finish."""
    if refusal := start_refusal(account, project):
        raise refusal
    resume = project.status_enum is S.PAUSED
    # The lock covers the work between the checks and the move (the lifecycle's pre-charge goes there).
    with start_lock(project) as token:
        if resume:
            moved = transition(
                project,
                S.IN_PROGRESS,
                by=account.user_id,
                now=now_ms(),
                reason="resumed",
                condition=ProjectModel.start_lock_until == token,
            )
        else:
            # What the items will walk, fixed from review on (code 28 for changes), and its unit prices.
            prices.freeze(project, freeze_flow(project))
            # A draft reconfigured after its trial runs a new trial at once (重新标注); others go to review.
            submit = lifecycle.relabel if project.reconfigured else lifecycle.submit_for_review
            moved = submit(account, project, token)
        if not moved:
            raise _StatusChanged
    if resume:
        launch_wave(get_live_project(account.user_id, project.project_id))
        complete_if_done(account.user_id, project.project_id)  # its last items may have finished while paused


def _pause(account: AccountModel, project: ProjectModel) -> None:
    status = project.status_enum
    if status is S.PAUSED:
        raise ApiError(ErrorCode.PAUSED)
    if status is not S.IN_PROGRESS:
        raise ApiError(ErrorCode.PAUSE_FAILED, f"a {status} project cannot be paused")
    _move(account, project, S.PAUSED, "paused by the client")


def _delete(account: AccountModel, project: ProjectModel) -> None:
    """Mark the project deleted (it answers 8 from now on; the retention job purges its data) and free its
    name, in one transaction."""
    status = project.status_enum
    if status in _DELETE_REFUSALS:
        code, what_to_do = _DELETE_REFUSALS[status]
        raise ApiError(code, f"a {status} project cannot be deleted: {what_to_do}")
    name_key = project_name_key(project.user_id, project.name)
    release = lambda tx: release_in(tx, name_key, project.project_id)  # noqa: E731
    if not transition(project, S.DELETED, by=account.user_id, now=now_ms(), reason="deleted", also=release):
        raise _StatusChanged
    drop_credentials(project.project_id)  # bucket imports: nothing reads the client's buckets any more


def _end(account: AccountModel, project: ProjectModel) -> None:
    """End early: new items stop, in-flight ones are withdrawn, finished ones stay deliverable; then completed
    (and deletable)."""
    status = project.status_enum
    if status in _END_REFUSALS:
        code, what_to_do = _END_REFUSALS[status]
        raise ApiError(code, f"a {status} project cannot be ended" + (f": {what_to_do}" if what_to_do else ""))
    if not lifecycle.end_project(account, project):
        raise _StatusChanged
