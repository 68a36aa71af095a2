"""Projects: the documented configuration, lifecycle status, and progress counters."""

from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.base import (
    BaseMeta,
    IntAttribute,
    TimestampMs,
    delete_if,
    get_or_none,
    table,
    transact,
    update,
    update_if,
)
from bytebridge.dal.unique_keys import claim_in, owner_of, project_name_key, release_in
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ApiError, ErrorCode


class OptionMap(MapAttribute):
    value = UnicodeAttribute()


class ProjectIdIndex(GlobalSecondaryIndex):
    """Look a project up by id alone (workers, the engine, scheduled jobs); tenancy is checked after."""

    class Meta:
        index_name = "project-id"
        projection = AllProjection()

    project_id = UnicodeAttribute(hash_key=True)


class ProjectStatusIndex(GlobalSecondaryIndex):
    """Projects by status, oldest change first: what the scheduled jobs walk instead of scanning."""

    class Meta:
        index_name = "status-updated"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    updated_at = TimestampMs(range_key=True)


class ProjectOwnerIndex(GlobalSecondaryIndex):
    """An account's projects by creation time: listProjects pages through them newest first without a scan."""

    class Meta:
        index_name = "owner-created"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    created_at = TimestampMs(range_key=True)


class ProjectModel(Model):
    class Meta(BaseMeta):
        table_name = table("projects")

    user_id = UnicodeAttribute(hash_key=True)
    project_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    task_type = UnicodeAttribute()
    instruction = UnicodeAttribute(default="")
    question = UnicodeAttribute(null=True)
    target = UnicodeAttribute(null=True)  # what to frame, for frame-select types
    options = ListAttribute(of=OptionMap, default=list)
    status = UnicodeAttribute(default=ProjectStatus.DRAFT.value)
    created_at = TimestampMs()
    updated_at = TimestampMs()
    started_at = TimestampMs(null=True)
    completed_at = TimestampMs(null=True)
    version = VersionAttribute()

    # Progress, kept current by the engine so retrieveProject never scans items.
    item_count = IntAttribute(default=0)
    not_started_count = IntAttribute(default=0)
    processing_count = IntAttribute(default=0)
    completed_count = IntAttribute(default=0)
    success_count = IntAttribute(default=0)
    failed_count = IntAttribute(default=0)
    output_count = IntAttribute(default=0)
    # Admitted items whose bytes are still being checked, and those the check refused (bytebridge.ingest): neither
    # is in item_count; a checked item moves into item_count/not_started_count.
    checking_count = IntAttribute(default=0)
    refused_count = IntAttribute(default=0)
    amount_spent_cents = IntAttribute(default=0)
    # Money (bytebridge.billing): prices negotiated with operators ({task type: cents per task}, over the published
    # table), the unit prices frozen at start ({"flowVersion": v, "cents": {node id: cents}}: what the engine
    # charges), and the estimate the client confirmed (cents; the ledger holds the pre-charge itself).
    negotiated_prices = JSONAttribute(null=True)
    price_snapshot = JSONAttribute(null=True)
    confirmed_estimate_cents = IntAttribute(null=True)
    # URLs ever accepted by submitResource; unlike item_count it never drops when files are purged, so
    # starting a project whose files are all gone answers code 10's second text, not 11 ("never uploaded").
    resources_submitted = IntAttribute(default=0)
    # The latest saved task flow (bytebridge.dal.flows); none: the documented one-task flow, saved at start.
    flow_version = IntAttribute(null=True)
    flow_origin = UnicodeAttribute(null=True)  # documented | custom | template:<name>
    # Set while a start is in flight (ms it expires): a concurrent second start answers code 18.
    start_lock_until = TimestampMs(null=True)

    # Lifecycle (bytebridge.logic.lifecycle). Review: the last rejection's reasons and note.
    review_reasons = ListAttribute(of=UnicodeAttribute, null=True)
    review_note = UnicodeAttribute(null=True)
    reviewed_by = UnicodeAttribute(null=True)
    # Trial: the latest round (1, 2, … per approval or relabel), the size operators chose (None: the default
    # rule), the items sampled into the round and how many of them finished, and what they would have cost.
    trial_round = IntAttribute(default=0)
    trial_size = IntAttribute(null=True)
    trial_count = IntAttribute(default=0)
    trial_finished = IntAttribute(default=0)
    trial_cost_cents = IntAttribute(default=0)
    # Set by reconfigure (trialDone → draft): the next start runs a new trial at once, without a second review.
    reconfigured = IntAttribute(null=True)
    # Trial issues: submitted (ms) for operators to answer; the answer and when it was given.
    issues_submitted_at = TimestampMs(null=True)
    issues_answer = UnicodeAttribute(null=True)
    issues_answered_at = TimestampMs(null=True)

    project_id_index = ProjectIdIndex()
    status_index = ProjectStatusIndex()
    owner_index = ProjectOwnerIndex()

    @property
    def status_enum(self) -> ProjectStatus:
        return ProjectStatus(self.status)


def projects_newest_first(
    user_id: str, status: str | None, limit: int, start_key: dict | None
) -> tuple[list[ProjectModel], bool]:
    """Up to `limit` of the account's live projects (in `status` if given), newest first, after `start_key` (a
    key of the owner index); and whether more follow. Reads one project more than it returns to know."""
    condition = ProjectModel.status == status if status else ProjectModel.status != ProjectStatus.DELETED.value
    rows = list(
        ProjectModel.owner_index.query(
            user_id,
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit + 1,
            page_size=max(limit + 1, 100) if status else limit + 1,  # a filter skips rows: read more per call
            last_evaluated_key=start_key,
        )
    )
    return rows[:limit], len(rows) > limit


def get_live_project(user_id: str, project_id: str) -> ProjectModel:
    """The tenant's project, read with their userId as the hash key, so another account's projectId is simply
    not found. Code 8 if it does not exist, is another account's, or was deleted."""
    project = get_or_none(ProjectModel, user_id, project_id)
    if project is None or project.status == ProjectStatus.DELETED:
        raise ApiError(ErrorCode.PROJECT_NOT_FOUND)
    return project


def find_project(project_id: str) -> ProjectModel | None:
    """The project with this id (any status), by id alone: events, workers and scheduled jobs know only ids;
    tenancy is checked by callers. Read strongly from the table after the id index lookup."""
    for hit in ProjectModel.project_id_index.query(project_id, limit=1):
        return get_or_none(ProjectModel, hit.user_id, hit.project_id)
    return None


def get_project(user_id: str, project_id: str, *, attributes: list[str] | None = None) -> ProjectModel | None:
    """The tenant's project in any status, read strongly; None if it does not exist. `attributes`: read only
    these (a partial row: never write it back with its version)."""
    if attributes:
        return get_or_none(ProjectModel, user_id, project_id, attributes_to_get=attributes)
    return get_or_none(ProjectModel, user_id, project_id)


def with_status(status: ProjectStatus) -> Iterator[ProjectModel]:
    """Projects in this status, oldest change first (the status index: eventually consistent)."""
    return ProjectModel.status_index.query(status.value)


def projects_of(user_id: str) -> list[ProjectModel]:
    """Every project of the account (any status)."""
    return list(ProjectModel.query(user_id))


def set_trial_size(project: ProjectModel, size: int | None, statuses: Iterable[ProjectStatus]) -> bool:
    """The trial size operators chose (None: the default rule), if the project is in one of `statuses`."""
    P = ProjectModel
    action = P.trial_size.remove() if size is None else P.trial_size.set(size)
    in_status = P.status.is_in(*(status.value for status in statuses))
    return update_if(project, [action, P.updated_at.set(now_ms())], in_status, add_version_condition=False)


def set_project_fields(project: ProjectModel, values: dict, condition: Any) -> bool:
    """Set (None: remove) these attributes if `condition` holds; False otherwise."""
    P = ProjectModel
    actions = [getattr(P, k).remove() if v is None else getattr(P, k).set(v) for k, v in values.items()]
    return update_if(project, actions, condition, add_version_condition=False)


def complete_if_idle(user_id: str, project_id: str) -> bool:
    """inProgress → completed if no item is waiting or in flight; False otherwise (or already moved)."""
    P = ProjectModel
    now = now_ms()
    idle = (P.status == ProjectStatus.IN_PROGRESS.value) & (P.processing_count == 0) & (P.not_started_count == 0)
    idle &= P.checking_count.does_not_exist() | (P.checking_count == 0)  # added items still being checked
    actions = [P.status.set(ProjectStatus.COMPLETED.value), P.completed_at.set(now), P.updated_at.set(now)]
    return update_if(P(user_id, project_id), actions, idle, add_version_condition=False)


def reopen_completed(user_id: str, project_id: str) -> bool:
    """completed → inProgress (a rejected item goes back for rework); False if the project was not completed."""
    P = ProjectModel
    actions = [P.status.set(ProjectStatus.IN_PROGRESS.value), P.completed_at.remove(), P.updated_at.set(now_ms())]
    return update_if(
        P(user_id, project_id), actions, P.status == ProjectStatus.COMPLETED.value, add_version_condition=False
    )


def with_status_updated_before(status: ProjectStatus, cutoff: int) -> Iterator[ProjectModel]:
    """Projects in this status last changed at or before `cutoff`, oldest first (the status index: eventually
    consistent)."""
    return ProjectModel.status_index.query(status.value, ProjectModel.updated_at <= cutoff)


def uncount_unstarted(project: ProjectModel, count: int, now: int) -> None:
    """Take `count` removed not-started items off the project's counters (resources_submitted stays)."""
    P = ProjectModel
    actions = [P.item_count.add(-count), P.not_started_count.add(-count), P.updated_at.set(now)]
    update(project, actions, add_version_condition=False)


def delete_if_deleted(project: ProjectModel) -> bool:
    """Delete the project row if its status is deleted; False if it is not (or the row is gone)."""
    return delete_if(project, ProjectModel.status == ProjectStatus.DELETED.value, add_version_condition=False)


def _config_values(config: dict) -> dict:
    """ProjectModel attribute values of a configuration (`options` given as plain values)."""
    return {**config, "options": [OptionMap(value=value) for value in config["options"]]}


def _seq_unchanged(account: AccountModel):
    current = account.project_seq or 0
    if current:
        return AccountModel.project_seq == current
    return AccountModel.project_seq.does_not_exist() | (AccountModel.project_seq == 0)


def create_numbered(account: AccountModel, project_id: str, seq: int, config: dict, now: int) -> ProjectModel:
    """A draft project with the configuration `config` (ProjectModel attributes, options as plain values), its
    name claim, and the account's project_seq set to `seq`, in one transaction. ConditionFailed if the name is
    taken or the account's project_seq is no longer the one read (nothing is written)."""
    project = ProjectModel(account.user_id, project_id, created_at=now, updated_at=now, **_config_values(config))
    with transact() as tx:
        tx.save(project, condition=ProjectModel.project_id.does_not_exist())
        claim_in(tx, project_name_key(account.user_id, config["name"]), project_id)
        tx.update(account, actions=[AccountModel.project_seq.set(seq)], condition=_seq_unchanged(account))
    return project


def update_draft_config(project: ProjectModel, config: dict, now: int) -> None:
    """Write the configuration `config` (as for create_numbered; None removes an attribute) if the project is
    still a draft. A new name moves the name claim in the same transaction. ConditionFailed if the project left
    draft or the new name is taken (nothing is written)."""
    P = ProjectModel
    actions = [
        getattr(P, name).remove() if value is None else getattr(P, name).set(value)
        for name, value in _config_values(config).items()
    ]
    actions.append(P.updated_at.set(now))
    still_draft = P.status == ProjectStatus.DRAFT.value
    if config["name"] == project.name:
        update(project, actions, still_draft, add_version_condition=False)
        return
    with transact() as tx:
        release_in(tx, project_name_key(project.user_id, project.name), project.project_id)
        claim_in(tx, project_name_key(project.user_id, config["name"]), project.project_id)
        tx.update(project, actions=actions, condition=still_draft, add_version_condition=False)


def name_owner(user_id: str, name: str) -> str | None:
    """The id of the tenant's project holding `name` (consistent read), or None."""
    return owner_of(project_name_key(user_id, name))


def take_start_lock(project: ProjectModel, until: int, now: int) -> bool:
    """Hold the start lock until `until`, if it is free (absent or expired at `now`) and the status is still the
    one read; False otherwise."""
    P = ProjectModel
    free = P.start_lock_until.does_not_exist() | (P.start_lock_until < now)
    return update_if(
        project,
        [P.start_lock_until.set(until)],
        free & (P.status == project.status),
        add_version_condition=False,
    )


def release_start_lock(project: ProjectModel, until: int) -> bool:
    """Drop the start lock if it is still the one that expires at `until`; False if it is not (expired and
    taken by another start)."""
    P = ProjectModel
    return update_if(project, [P.start_lock_until.remove()], P.start_lock_until == until, add_version_condition=False)
