"""Launching items: each becomes one Step Functions execution of the item flow, started when the item becomes
active, in waves of at most `max_active_items` per project (an account has 1,000,000 open executions, and an
idle execution still holds its quota). The project lifecycle calls `activate_project` once a project may run
(after payment); the launcher's schedule tops running projects up (`top_up`)."""

import json
import logging

from botocore.exceptions import ClientError

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.base import reread
from bytebridge.dal.history import SYSTEM, transition
from bytebridge.dal.items import (
    ItemModel,
    get_items,
    processing_items,
    waiting_to_launch,
    withdraw_processing,
)
from bytebridge.dal.projects import ProjectModel, find_project, get_project, with_status
from bytebridge.delivery import events
from bytebridge.engine import progress
from bytebridge.engine.state import ItemState
from bytebridge.enums import ProjectStatus
from bytebridge.settings import get_settings

log = logging.getLogger(__name__)
# Statuses whose items may start: a running project, and a project in trial (only its sampled items).
RUNNING = (ProjectStatus.IN_PROGRESS, ProjectStatus.TRIAL)


def execution_name(item_id: str, round_: int) -> str:
    """Unique per item and round: StartExecution with the same name and input is idempotent."""
    return f"{item_id}-r{round_}"


def _execution_arn(name: str) -> str:
    machine = get_settings().state_machine_arn
    return machine.replace(":stateMachine:", ":execution:") + f":{name}"


def _launch(project: ProjectModel, flow_version: int, item: ItemModel, rework: bool) -> bool:
    """Start the item's execution on `flow_version` (the project's frozen flow)."""
    round_ = item.round + 1 if rework else item.round
    name = execution_name(item.item_id, round_)
    state = ItemState(
        user_id=project.user_id,
        project_id=project.project_id,
        item_id=item.item_id,
        round=round_,
        flow_version=flow_version,
        heartbeat_seconds=get_settings().assignment_heartbeat_seconds,
    )
    if not progress.begin(item, project.user_id, flow_version, _execution_arn(name), rework=rework):
        return False  # launched already (or no longer launchable)
    try:
        client("stepfunctions").start_execution(
            stateMachineArn=get_settings().state_machine_arn, name=name, input=json.dumps(state.wire())
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
            return True  # a retried launch of the same round
        reread(item)
        if rework:
            item.round = round_ - 1
        progress.undo_begin(item, project.user_id, rework=rework)
        raise
    return True


def launch_items(project_id: str, item_ids: list[str], *, rework: bool = False) -> int:
    """Start the given items' executions (rework: rejected items, one round later, free). Items already in
    flight are skipped, so a repeated call launches nothing twice. Returns how many were started."""
    project = find_project(project_id)
    if project is None or project.status == ProjectStatus.DELETED or project.flow_version is None:
        raise LookupError(f"project {project_id} cannot launch items")
    flow_version = project.flow_version
    if rework:
        progress.reopen_completed(project.user_id, project.project_id)
    items = get_items(project_id, item_ids)
    launched = sum(_launch(project, flow_version, item, rework) for item in items)
    if rework and not launched:  # nothing went back after all: the project may be complete again
        progress.complete_if_done(project.user_id, project.project_id)
    return launched


def launch_wave(project: ProjectModel) -> int:
    """Start not-started items of a running project (in trial: of its trial sample) until `max_active_items` are
    in flight."""
    room = get_settings().max_active_items - (project.processing_count or 0)
    if project.status_enum not in RUNNING or room <= 0 or not project.not_started_count:
        return 0
    flow_version = project.flow_version
    if flow_version is None:  # never opened through alterState start: nothing was frozen to walk
        log.error("running project without a frozen flow", extra={"projectId": project.project_id})
        return 0
    launched = 0
    trial_round = project.trial_round if project.status_enum is ProjectStatus.TRIAL else None
    for item in waiting_to_launch(project.project_id, trial_round):
        launched += _launch(project, flow_version, item, rework=False)
        if launched >= room:
            break
    if launched:
        log.info("launched", extra={"projectId": project.project_id, "items": launched})
    return launched


def activate_project(
    user_id: str,
    project_id: str,
    from_status: ProjectStatus = ProjectStatus.CHECKING,
    *,
    by: str = SYSTEM,
    reason: str | None = None,
) -> int:
    """Let a project run (the lifecycle's last step: review, trial and payment done) and launch its first wave.
    The move from `from_status` is one transaction with its history row; a project already moved on is left as
    it is (its wave is topped up all the same)."""
    return start_project(user_id, project_id, from_status, by=by, reason=reason)[1]


def start_project(
    user_id: str, project_id: str, from_status: ProjectStatus, *, by: str, reason: str | None = None
) -> tuple[bool, int]:
    """activate_project that says whether this call made the move (False: the project was not in
    `from_status`, e.g. another operator started it first) and how many items it launched."""
    project = get_project(user_id, project_id)
    if project is None:
        raise LookupError(f"project {project_id} does not exist")
    if project.flow_version is None:
        raise LookupError(f"project {project_id} has no frozen flow")
    now = now_ms()
    started = [ProjectModel.started_at.set(now)]
    moved = transition(
        project, ProjectStatus.IN_PROGRESS, by=by, now=now, reason=reason, actions=started, from_status=from_status
    )
    if moved:
        events.on_project_status(project_id, from_status.value, ProjectStatus.IN_PROGRESS.value)
    launched = launch_wave(reread(project))
    progress.complete_if_done(user_id, project_id)  # nothing left to label (the trial took every item)
    return moved, launched


def withdraw_in_flight(user_id: str, project_id: str) -> int:
    """Ending early: every item in flight goes back (not started and uncharged, or a rework back to its
    delivered result) and its execution is stopped. An item that finishes meanwhile stays finished. Returns how
    many were withdrawn. Safe to repeat."""
    withdrawn = 0
    for item in processing_items(project_id):
        if not withdraw_processing(item, user_id):
            continue  # finished (or failed) meanwhile: it stays deliverable
        withdrawn += 1
        if item.execution_arn:
            try:
                client("stepfunctions").stop_execution(executionArn=item.execution_arn, cause="project ended early")
            except ClientError as exc:  # already ended: its next step would have ended it anyway
                log.info("stop_execution: %s", exc.response["Error"]["Code"], extra={"itemId": item.item_id})
    return withdrawn


def top_up() -> int:
    """One launcher run: a wave for every running project (idempotent; runs on a schedule)."""
    launched = 0
    for status in RUNNING:
        for project in with_status(status):
            launched += launch_wave(project)
    return launched
