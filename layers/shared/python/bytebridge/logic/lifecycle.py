"""The project lifecycle after alterState start (docs 新手指南: 审核, 试标, 付费并启动项目):

    draft ──start──► checking ──operator approve──► trial ──last trial item finished──► trialDone
      ▲                 │                                                                  │
      └──── reject ─────┘ (reasons + note)                  client acceptTrial ◄───────────┤
      ▲                                                          │                         │
      └───────────────────── reconfigure (editable again) ◄──────┼─────────────────────────┘
      draft (reconfigured) ──start──► trial (a new round, no second review)
                                          waitingPayment ──operator start──► inProgress ──end──► ending ─► completed

Every transition is one transaction: the status change (conditional on the status read) and its history row
(bytebridge.dal.history). Operators' use cases are in bytebridge.logic.operators; the signed client calls are
here. The trial runs through the real engine; its items cost nothing (bytebridge.dal.items.mark_finished).
"""

import math
import random
from dataclasses import dataclass

from bytebridge import ids
from bytebridge.billing import invoices, ledger
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.flows import find_version, save_version
from bytebridge.dal.gold import GoldModel, add_gold, all_gold
from bytebridge.dal.history import SYSTEM, history, transition
from bytebridge.dal.items import all_item_keys, mark_trial, reset_trial_item, set_trial_issue, trial_items
from bytebridge.dal.projects import ProjectModel, get_live_project, get_project, set_project_fields
from bytebridge.delivery import events
from bytebridge.engine.launch import launch_wave, withdraw_in_flight
from bytebridge.engine.progress import trial_done_if_finished
from bytebridge.enums import ItemStatus, ProjectStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic import projects
from bytebridge.logic.flows import DOCUMENTED
from bytebridge.logic.projects import create_project
from bytebridge.models.client_api import (
    CreateProjectParams,
    HistoryEntry,
    Option,
    ProjectConfigData,
    RetrieveProjectData,
    RetrieveProjectParams,
    ReviewInfo,
    TrialInfo,
    TrialIssueEntry,
)
from bytebridge.models.lifecycle import CloneProjectParams, LifecycleData, TrialIssuesData, TrialIssuesParams

S = ProjectStatus
TRIAL_MIN_ITEMS = 20
TRIAL_SHARE = 0.05


class LifecycleError(Exception):
    """A refused operator action, for the JSON operator API: `status` is the HTTP status to answer."""

    status = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(LifecycleError):
    status = 404
    code = "not_found"


class Conflict(LifecycleError):
    """The project is not (or no longer) in a status that allows the action: another operator or the client
    acted first."""

    status = 409
    code = "conflict"


def trial_sample_size(item_count: int, chosen: int | None = None) -> int:
    """max(20, ceil(5% of the items)), or the size operators chose; never more than the project has."""
    wanted = chosen if chosen else max(TRIAL_MIN_ITEMS, math.ceil(item_count * TRIAL_SHARE))
    return max(0, min(wanted, item_count))


# ---- starting a trial (operator approval, or a relabel after reconfigure) -----------------------------------


def begin_trial(project: ProjectModel, *, by: str, reason: str | None = None, lock: int | None = None) -> bool:
    """Move the project (checking, or a reconfigured draft) into a new trial round: one transaction claims the
    round (so of two racing approvals one wins, False for the other); then the previous rounds' items go back to
    not started, a sample of the items is marked with the round, and its first wave is launched."""
    P = ProjectModel
    now = now_ms()
    trial_round = (project.trial_round or 0) + 1
    size = trial_sample_size(project.item_count, project.trial_size)
    condition = P.trial_round == project.trial_round
    if lock is not None:
        condition = condition & (P.start_lock_until == lock)
    claimed = transition(
        project,
        S.TRIAL,
        by=by,
        now=now,
        reason=reason,
        condition=condition,
        actions=[
            P.trial_round.set(trial_round),
            P.trial_count.set(size),
            P.trial_finished.set(0),
            P.trial_cost_cents.set(0),
            P.review_reasons.remove(),
            P.review_note.remove(),
            P.reconfigured.remove(),
            P.issues_submitted_at.remove(),
            P.issues_answer.remove(),
            P.issues_answered_at.remove(),
        ],
    )
    if not claimed:
        return False
    from_status = project.status
    _sample(project, trial_round, size)
    events.on_project_status(project.project_id, from_status, S.TRIAL.value)
    current = get_project(project.user_id, project.project_id)
    if current is not None:
        launch_wave(current)
    trial_done_if_finished(project.user_id, project.project_id)  # a project whose sample is empty
    return True


def _sample(project: ProjectModel, trial_round: int, size: int) -> None:
    """Earlier rounds' items back to not started (their old results go), then `size` items, drawn at random
    (seeded by project and round: a retry draws the same), marked with the round."""
    for earlier in range(1, trial_round):
        for item in trial_items(project.project_id, earlier):
            reset_trial_item(item, project.user_id)
    ready = (item for item in all_item_keys(project.project_id) if item.status == ItemStatus.NOT_STARTED)
    keys = sorted(item.item_id for item in ready)  # refused items are never labeled
    chosen = random.Random(f"{project.project_id}#{trial_round}").sample(keys, min(size, len(keys)))
    marked = sum(mark_trial(project.project_id, item_id, trial_round) for item_id in chosen)
    if marked != size:  # an item was removed meanwhile: the trial is what was marked
        P = ProjectModel
        set_project_fields(project, {"trial_count": marked}, P.trial_round == trial_round)


# ---- the client's decisions (signed calls) ------------------------------------------------------------------


def _refusal(status: ProjectStatus, action: str) -> ApiError:
    """The documented code for `action` on a project not in trialDone."""
    if status is S.DRAFT:
        return ApiError(ErrorCode.START_FAILED, f"the project has no trial to {action}: submit it (alterState start)")
    if status in (S.CHECKING, S.TRIAL):
        return ApiError(ErrorCode.UNDER_REVIEW, f"the trial is not finished yet: {action} once it is (trialDone)")
    if status is S.COMPLETED:
        return ApiError(ErrorCode.ALREADY_COMPLETED)
    return ApiError(ErrorCode.ALREADY_RUNNING, f"the trial was accepted already (the project is {status})")


def _trial_done(account: AccountModel, project_id: str, action: str) -> ProjectModel:
    project = get_live_project(account.user_id, project_id)
    if project.status_enum is not S.TRIAL_DONE:
        raise _refusal(project.status_enum, action)
    return project


def _data(project: ProjectModel, status: ProjectStatus) -> LifecycleData:
    return LifecycleData(project_id=project.project_id, project_status=status.value, created=now_ms() // 1000)


def _move(account: AccountModel, project: ProjectModel, to: ProjectStatus, action: str, **options) -> None:
    """trialDone → `to`, unless trial items are being relabeled (an operator's answer to the issues): code 18."""
    idle = ProjectModel.processing_count == 0
    if not transition(project, to, by=account.user_id, now=now_ms(), condition=idle, **options):
        current = get_live_project(account.user_id, project.project_id)  # 8 if deleted meanwhile
        if current.status_enum is not S.TRIAL_DONE:
            raise _refusal(current.status_enum, action)
        if current.processing_count:
            raise ApiError(
                ErrorCode.CHECKING_STATUS, f"trial items are being relabeled: {action} the trial once they are done"
            )
        raise ApiError(ErrorCode.CHECKING_STATUS, "the project changed meanwhile: retrieve it and retry")
    events.on_project_status(project.project_id, project.status, to.value)


def accept_trial(account: AccountModel, project_id: str) -> LifecycleData:
    """试标结果通过: trialDone → waitingPayment. No money moves here (the payment step starts the project)."""
    project = _trial_done(account, project_id, "accept")
    _move(account, project, S.WAITING_PAYMENT, "accept", reason="trial accepted")
    return _data(project, S.WAITING_PAYMENT)


def reconfigure(account: AccountModel, project_id: str) -> LifecycleData:
    """试标结果有问题: trialDone → draft, editable again; the next alterState start runs a new trial round at once
    (重新标注), without a second review."""
    project = _trial_done(account, project_id, "reconfigure")
    _move(
        account,
        project,
        S.DRAFT,
        "reconfigure",
        reason="reconfigure after trial",
        actions=[ProjectModel.reconfigured.set(now_ms())],
    )
    return _data(project, S.DRAFT)


def trial_issues(account: AccountModel, params: TrialIssuesParams) -> TrialIssuesData:
    """Store (replace) the client's comment per trial item; an empty comment removes it. Only items of the
    current trial round (code 2 names the first that is not)."""
    project = _trial_done(account, params.project_id, "comment on")
    for position, issue in enumerate(params.issues):
        if not set_trial_issue(project.project_id, issue.item_id, project.trial_round, issue.comment or None):
            raise ApiError(
                ErrorCode.PARAMETER_INVALID, f"issues[{position}].itemId: {issue.item_id} is not an item of the trial"
            )
    count = sum(1 for item in trial_items(project.project_id, project.trial_round) if item.trial_issue)
    return TrialIssuesData(**dict(_data(project, S.TRIAL_DONE)), issues=count)


def submit_trial_issues(account: AccountModel, project_id: str) -> TrialIssuesData:
    """提交全部问题: the comments go to the operators (GET /operator/v1/disputes), who answer and may relabel."""
    project = _trial_done(account, project_id, "submit issues of")
    count = sum(1 for item in trial_items(project.project_id, project.trial_round) if item.trial_issue)
    if not count:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "no trial item has a comment: add them with trialIssues first")
    P = ProjectModel
    fields = {"issues_submitted_at": now_ms(), "issues_answer": None, "issues_answered_at": None}
    still = (P.status == S.TRIAL_DONE.value) & (P.trial_round == project.trial_round)
    if not set_project_fields(project, fields, still):
        raise _refusal(get_live_project(account.user_id, project_id).status_enum, "submit issues of")
    return TrialIssuesData(**dict(_data(project, S.TRIAL_DONE)), issues=count)


def clone_project(account: AccountModel, params: CloneProjectParams) -> ProjectConfigData:
    """复用任务流: a new draft with the source's settings, its latest flow and its gold tasks; no items."""
    source = get_live_project(account.user_id, params.project_id)
    create = CreateProjectParams(
        project_name=params.name,
        type=source.type,
        task_type=source.task_type,
        instruction=source.instruction or "",
        question=source.question,
        target=source.target,
        options=[Option(value=option.value) for option in source.options or ()] or None,
    )
    data = create_project(account, create)
    clone = get_live_project(account.user_id, data.project_id)
    now = now_ms()
    if source.flow_version is not None and source.flow_origin != DOCUMENTED:
        row = find_version(source.project_id, source.flow_version)
        if row is not None:
            save_version(clone, 1, row.definition, row.origin, now, draft_only=True)
    by_node: dict[tuple[str, str], list[GoldModel]] = {}
    for gold in all_gold(source.project_id):
        by_node.setdefault((gold.node_id, gold.resource_type), []).append(gold)
    for (node_id, kind), golds in by_node.items():
        entries = [("g" + ids.new_item_id(now, n)[1:], g.url, g.answer) for n, g in enumerate(golds)]
        add_gold(clone.project_id, node_id, kind, entries, now)
    return data


# ---- alterState start / end (called by bytebridge.logic.project_state) -------------------------------------


def relabel(account: AccountModel, project: ProjectModel, lock: int) -> bool:
    """alterState start of a reconfigured draft: a new trial round at once (no second review)."""
    return begin_trial(project, by=account.user_id, reason="relabel after reconfigure", lock=lock)


def submit_for_review(account: AccountModel, project: ProjectModel, lock: int) -> bool:
    """alterState start of a draft: draft → checking (operators review it)."""
    P = ProjectModel
    moved = transition(
        project, S.CHECKING, by=account.user_id, now=now_ms(), reason="submitted", condition=P.start_lock_until == lock
    )
    if moved:
        events.on_project_status(project.project_id, project.status, S.CHECKING.value)
    return moved


def end_project(account: AccountModel, project: ProjectModel) -> bool:
    """alterState end: running/paused → ending (no new item starts), in-flight items withdrawn (not started
    again, uncharged), then ending → completed; finished items stay deliverable. A project found already ending
    (an earlier call stopped half-way) is drained and completed. False if the status changed meanwhile."""
    ended = project.status_enum is S.ENDING or transition(
        project, S.ENDING, by=account.user_id, now=now_ms(), reason="ended early by the client"
    )
    if not ended:
        return False
    withdraw_in_flight(project.user_id, project.project_id)
    P = ProjectModel
    now = now_ms()
    drained = transition(
        project,
        S.COMPLETED,
        by=SYSTEM,
        now=now,
        reason="ended early: in-flight items withdrawn",
        from_status=S.ENDING,
        condition=P.processing_count == 0,
        actions=[P.completed_at.set(now)],
    )
    if drained:
        ledger.release_unused(project.user_id, project.project_id)  # what the pre-charge did not use
        events.on_project_status(project.project_id, project.status, S.COMPLETED.value)
        invoices.request_invoice(project.user_id, project.project_id)
    else:
        # An item was launched or reworked between our read and the withdrawal: a repeated end finishes it.
        raise ApiError(ErrorCode.CHECKING_STATUS, "items are still being withdrawn: call alterState end again")
    return True


# ---- what retrieveProject adds -----------------------------------------------------------------------------


@dataclass
class LifecycleView:
    history: list[HistoryEntry]
    review: ReviewInfo | None
    trial: TrialInfo | None


def lifecycle_view(project: ProjectModel) -> LifecycleView:
    entries = [
        HistoryEntry(at=row.at, by=row.by, from_=row.from_status, to=row.to_status, reason=row.reason)
        for row in history(project.project_id)
    ]
    review = None
    if project.review_reasons is not None:
        review = ReviewInfo(reasons=list(project.review_reasons), note=project.review_note or "")
    trial = None
    if project.trial_round:
        items = trial_items(project.project_id, project.trial_round)
        trial = TrialInfo(
            round=project.trial_round,
            size=project.trial_count,
            finished=project.trial_finished,
            cost=(project.trial_cost_cents or 0) / 100,
            issues=[TrialIssueEntry(item_id=i.item_id, comment=i.trial_issue) for i in items if i.trial_issue],
            issues_submitted=project.issues_submitted_at is not None,
            answer=project.issues_answer,
        )
    return LifecycleView(history=entries, review=review, trial=trial)


def retrieve_project(account: AccountModel, params: RetrieveProjectParams) -> RetrieveProjectData:
    """retrieveProject, with the lifecycle's extra fields: history, review (while rejected), trial."""
    data = projects.retrieve_project(account, params)
    view = lifecycle_view(get_live_project(account.user_id, params.project_id))
    return data.model_copy(update={"history": view.history, "review": view.review, "trial": view.trial})
