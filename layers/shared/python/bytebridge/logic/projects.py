"""Projects of the signed client API: create, setProject, retrieveProject.

Tenancy is structural: a project is always read with the signer's userId as its hash key, so another
account's projectId is simply not found (code 8), exactly like one that never existed.
"""

from dataclasses import dataclass, replace

from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from bytebridge import ids
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.base import now_ms, transact_write
from bytebridge.dal.items import ItemModel, ItemStatus
from bytebridge.dal.projects import OptionMap, ProjectModel, ProjectStatus
from bytebridge.dal.unique_keys import UniqueKeyModel, project_name_key
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.exports.downloads import latest_download
from bytebridge.models.client_api import (
    CLASSIFICATION_TYPES,
    TASK_TYPES,
    CreateProjectParams,
    ExtraInfo,
    Option,
    ProjectConfigData,
    ProjectExtra,
    ProjectProgress,
    ProjectSettings,
    ProjectType,
    RetrieveProjectData,
    RetrieveProjectParams,
    SetProjectData,
    SetProjectParams,
)

_SEQ_ATTEMPTS = 5  # creates racing for the same account's project number retry this often
MAX_TIME_MS = 10**13 - 1  # item ids carry 13-digit times (ids.new_item_id)


def conditional_failure(exc: PynamoDBException) -> bool:
    """True if a write was refused by its condition (as opposed to failing)."""
    if isinstance(exc, TransactWriteError):
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons)
    return exc.cause_response_code == "ConditionalCheckFailedException"


# ProjectSettings (wire) field -> ProjectConfig field
_SETTINGS_FIELDS = {
    "project_name": "name",
    "type": "type",
    "task_type": "task_type",
    "instruction": "instruction",
    "question": "question",
    "target": "target",
    "options": "options",
}


@dataclass(frozen=True)
class ProjectConfig:
    """A project's documented configuration, checked by one rule set for create (7), setProject (9)
    and start (19)."""

    name: str = ""
    type: str = ""
    task_type: str = ""
    instruction: str = ""
    question: str | None = None
    target: str | None = None
    options: tuple[str, ...] = ()

    @classmethod
    def of(cls, project: ProjectModel) -> "ProjectConfig":
        return cls(
            name=project.name,
            type=project.type,
            task_type=project.task_type,
            instruction=project.instruction or "",
            question=project.question,
            target=project.target,
            options=tuple(option.value for option in project.options or ()),
        )

    def merged(self, settings: ProjectSettings) -> "ProjectConfig":
        """This configuration with the fields `settings` gives (omitted or null fields stay as they are;
        a blank question or target clears it)."""
        changes = {}
        for wire_name, name in _SETTINGS_FIELDS.items():
            value = getattr(settings, wire_name)
            if value is None:
                continue
            if wire_name == "options":
                value = tuple(option.value for option in value)
            elif wire_name in ("question", "target"):
                value = value.strip() or None
            changes[name] = value
        return replace(self, **changes)

    def problem(self) -> str | None:
        """Why this configuration is not acceptable, or None."""
        if not self.name:
            return "projectName is required"
        if self.type not in set(ProjectType):
            return f"type must be one of {', '.join(ProjectType)}"
        allowed = TASK_TYPES[ProjectType(self.type)]
        if self.task_type not in allowed:
            return f"taskType of a {self.type} project must be one of {', '.join(allowed)}"
        if self.type in CLASSIFICATION_TYPES:
            if not self.question:
                return "question is required for classification projects"
            if len(self.options) < 2:
                return "options are required for classification projects: at least two"
        elif not self.target:
            return f"target (what to label) is required for {self.type} projects"
        if len(set(self.options)) != len(self.options):
            return "option values must be unique"
        return None

    def attributes(self) -> dict:
        """ProjectModel attribute values."""
        return {
            "name": self.name,
            "type": self.type,
            "task_type": self.task_type,
            "instruction": self.instruction,
            "question": self.question,
            "target": self.target,
            "options": [OptionMap(value=value) for value in self.options],
        }

    def update_actions(self) -> list:
        actions = []
        for name, value in self.attributes().items():
            attribute = getattr(ProjectModel, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        return actions

    def data(self, project_id: str, written_ms: int) -> ProjectConfigData:
        """The documented create/setProject data ("created" is when this configuration was written)."""
        return ProjectConfigData(
            project_id=project_id,
            type=self.type,
            name=self.name,
            task_type=self.task_type,
            instruction=self.instruction,
            qiestion=self.question,
            question=self.question,
            target=self.target,
            extra=ProjectExtra(options=[Option(value=value) for value in self.options]),
            created=written_ms // 1000,
        )


def require_valid(config: ProjectConfig, code: ErrorCode) -> None:
    if problem := config.problem():
        raise ApiError(code, problem)


def get_live_project(user_id: str, project_id: str) -> ProjectModel:
    """The signer's project; code 8 if it does not exist, is another account's, or was deleted."""
    try:
        project = ProjectModel.get(user_id, project_id, consistent_read=True)
    except ProjectModel.DoesNotExist:
        raise ApiError(ErrorCode.PROJECT_NOT_FOUND) from None
    if project.status == ProjectStatus.DELETED:
        raise ApiError(ErrorCode.PROJECT_NOT_FOUND)
    return project


def _name_owner(user_id: str, name: str) -> str | None:
    try:
        return UniqueKeyModel.get(project_name_key(user_id, name), consistent_read=True).owner
    except UniqueKeyModel.DoesNotExist:
        return None


def release_name(tx: TransactWrite, project: ProjectModel) -> None:
    """Drop the project's name claim inside `tx` (a rename or a delete), so the name can be used again."""
    claim = UniqueKeyModel(project_name_key(project.user_id, project.name))
    tx.delete(claim, condition=(UniqueKeyModel.owner == project.project_id) | UniqueKeyModel.key.does_not_exist())


def _seq_unchanged(account: AccountModel):
    current = account.project_seq or 0
    if current:
        return AccountModel.project_seq == current
    return AccountModel.project_seq.does_not_exist() | (AccountModel.project_seq == 0)


def create_project(account: AccountModel, params: CreateProjectParams) -> ProjectConfigData:
    """Create a draft project numbered by the account's project_seq. The project, its name claim and the
    counter are written in one transaction: a taken name (7) or a failed write leaves no trace."""
    config = ProjectConfig().merged(params)
    require_valid(config, ErrorCode.PROJECT_CREATE_FAILED)
    for _ in range(_SEQ_ATTEMPTS):
        now = now_ms()
        seq = (account.project_seq or 0) + 1
        project = ProjectModel(
            account.user_id, ids.new_project_id(seq), created_at=now, updated_at=now, **config.attributes()
        )
        claim = UniqueKeyModel(project_name_key(account.user_id, config.name), owner=project.project_id)
        try:
            with transact_write() as tx:
                tx.save(project, condition=ProjectModel.project_id.does_not_exist())
                tx.save(claim, condition=UniqueKeyModel.key.does_not_exist())
                tx.update(account, actions=[AccountModel.project_seq.set(seq)], condition=_seq_unchanged(account))
        except TransactWriteError as exc:
            if not conditional_failure(exc):
                raise
            if _name_owner(account.user_id, config.name) is not None:
                raise ApiError(ErrorCode.PROJECT_CREATE_FAILED, "projectName is used by another project") from None
            account.refresh(consistent_read=True)  # another create took this number: take the next one
            continue
        return config.data(project.project_id, now)
    raise RuntimeError(f"project_seq of {account.user_id} kept changing")


def update_project(account: AccountModel, params: SetProjectParams) -> SetProjectData:
    """setProject: change a draft's configuration (omitted fields unchanged). A rename moves the name claim
    in the same transaction as the update, guarded by the draft status (28 once opened)."""
    project = get_live_project(account.user_id, params.project_id)
    if project.status_enum.opened:
        raise ApiError(ErrorCode.MODIFY_AFTER_OPEN)
    config = ProjectConfig.of(project).merged(params)
    require_valid(config, ErrorCode.PROJECT_UPDATE_FAILED)
    now = now_ms()
    actions = [*config.update_actions(), ProjectModel.updated_at.set(now)]
    still_draft = ProjectModel.status == ProjectStatus.DRAFT.value
    try:
        if config.name == project.name:
            project.update(actions=actions, condition=still_draft, add_version_condition=False)
        else:
            new_claim = UniqueKeyModel(project_name_key(account.user_id, config.name), owner=project.project_id)
            with transact_write() as tx:
                release_name(tx, project)
                tx.save(new_claim, condition=UniqueKeyModel.key.does_not_exist())
                tx.update(project, actions=actions, condition=still_draft, add_version_condition=False)
    except (UpdateError, TransactWriteError) as exc:
        if not conditional_failure(exc):
            raise
        # Something changed since the read: say what, from the current state.
        if get_live_project(account.user_id, project.project_id).status_enum.opened:
            raise ApiError(ErrorCode.MODIFY_AFTER_OPEN) from None
        if _name_owner(account.user_id, config.name) not in (None, project.project_id):
            raise ApiError(ErrorCode.PROJECT_UPDATE_FAILED, "projectName is used by another project") from None
        raise
    data = config.data(project.project_id, now)
    return SetProjectData(**dict(data), project_status=ProjectStatus.DRAFT.code)


# ---- retrieveProject --------------------------------------------------------------------------------------


@dataclass
class Progress:
    items: int = 0
    not_started: int = 0
    processing: int = 0
    completed: int = 0  # finished either way: succeeded or failed
    success: int = 0
    failed: int = 0
    output: int = 0  # delivered to the client
    spent_cents: int = 0

    @classmethod
    def of(cls, project: ProjectModel) -> "Progress":
        """The project's counters, kept current by writers, so an unfiltered retrieve never scans."""
        return cls(
            items=project.item_count,
            not_started=project.not_started_count,
            processing=project.processing_count,
            completed=project.completed_count,
            success=project.success_count,
            failed=project.failed_count,
            output=project.output_count,
            spent_cents=project.amount_spent_cents,
        )

    @classmethod
    def of_window(cls, project_id: str, start_ms: int, end_ms: int) -> "Progress":
        """Counts over the items uploaded in [start_ms, end_ms]: a key-range query (item ids sort by time)."""
        low, high = ids.item_id_range(start_ms, end_ms)
        progress = cls()
        for item in ItemModel.query(
            project_id,
            ItemModel.item_id.between(low, high),
            consistent_read=True,
            attributes_to_get=["item_id", "status", "delivered_at", "cost_cents"],
        ):
            progress.items += 1
            progress.not_started += item.status == ItemStatus.NOT_STARTED
            progress.processing += item.status == ItemStatus.PROCESSING
            progress.success += item.status == ItemStatus.COMPLETED
            progress.failed += item.status == ItemStatus.FAILED
            progress.output += item.delivered_at is not None
            progress.spent_cents += item.cost_cents or 0
        progress.completed = progress.success + progress.failed
        return progress


def _time_filter(value: int | str | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_TIME_MS)):
            raise ApiError(ErrorCode.QUERY_FAILED, f"{name} must be epoch milliseconds (digits)")
        value = int(value)
    if not 0 <= value <= MAX_TIME_MS:
        raise ApiError(ErrorCode.QUERY_FAILED, f"{name} must be epoch milliseconds between 0 and {MAX_TIME_MS}")
    return value


def time_window(start_time: int | str | None, end_time: int | str | None) -> tuple[int, int] | None:
    """The inclusive [start, end] ms window a retrieve asks for, or None for the whole project (code 26)."""
    start, end = _time_filter(start_time, "startTime"), _time_filter(end_time, "endTime")
    if start is None and end is None:
        return None
    start, end = start or 0, MAX_TIME_MS if end is None else end
    if start > end:
        raise ApiError(ErrorCode.QUERY_FAILED, "startTime is after endTime")
    return start, end


def extra_info(project: ProjectModel) -> ExtraInfo:
    """The project's newest finished export (exportResult): its item count and a presigned download URL."""
    count, url = latest_download(project.user_id, project.project_id)
    return ExtraInfo(downloadable_result_num=count, download_result_url=url)


def retrieve_project(account: AccountModel, params: RetrieveProjectParams) -> RetrieveProjectData:
    project = get_live_project(account.user_id, params.project_id)
    window = time_window(params.start_time, params.end_time)
    progress = Progress.of(project) if window is None else Progress.of_window(project.project_id, *window)
    return RetrieveProjectData(
        project_data=ProjectProgress(
            project_name=project.name,
            project_instruction=project.instruction or "",
            question=project.question,
            target=project.target,
            project_type=project.type,
            task_type=project.task_type,
            project_item_quantity=progress.items,
            processing_quantity=progress.processing,
            project_status=project.status,
            completed_quantity=progress.completed,
            no_start_quantity=progress.not_started,
            success_quantity=progress.success,
            failed_quantity=progress.failed,
            output_quantity=progress.output,
            amount_spent=progress.spent_cents / 100,
            options=[Option(value=option.value) for option in project.options or ()],
        ),
        extra_info=extra_info(project),
    )
