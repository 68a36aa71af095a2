"""Projects of the signed client API: create, setProject, retrieveProject.

Tenancy is structural: a project is always read with the signer's userId as its hash key, so another
account's projectId is simply not found (code 8), exactly like one that never existed.
"""

from dataclasses import dataclass, replace

from bytebridge import ids
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel, refresh_account
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.items import uploaded_between
from bytebridge.dal.projects import (
    ProjectModel,
    create_numbered,
    get_live_project,
    name_owner,
    update_draft_config,
)
from bytebridge.enums import ItemStatus, ProjectStatus
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
from bytebridge.models.windows import time_window

_SEQ_ATTEMPTS = 5  # creates racing for the same account's project number retry this often


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
        """ProjectModel attribute values (options as plain values)."""
        return {
            "name": self.name,
            "type": self.type,
            "task_type": self.task_type,
            "instruction": self.instruction,
            "question": self.question,
            "target": self.target,
            "options": list(self.options),
        }

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


def create_project(account: AccountModel, params: CreateProjectParams) -> ProjectConfigData:
    """Create a draft project numbered by the account's project_seq. The project, its name claim and the
    counter are written in one transaction: a taken name (7) or a failed write leaves no trace."""
    config = ProjectConfig().merged(params)
    require_valid(config, ErrorCode.PROJECT_CREATE_FAILED)
    for _ in range(_SEQ_ATTEMPTS):
        now = now_ms()
        seq = (account.project_seq or 0) + 1
        project_id = ids.new_project_id(seq)
        try:
            create_numbered(account, project_id, seq, config.attributes(), now)
        except ConditionFailed:
            if name_owner(account.user_id, config.name) is not None:
                raise ApiError(ErrorCode.PROJECT_CREATE_FAILED, "projectName is used by another project") from None
            refresh_account(account)  # another create took this number: take the next one
            continue
        return config.data(project_id, now)
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
    try:
        update_draft_config(project, config.attributes(), now)
    except ConditionFailed:
        # Something changed since the read: say what, from the current state.
        if get_live_project(account.user_id, project.project_id).status_enum.opened:
            raise ApiError(ErrorCode.MODIFY_AFTER_OPEN) from None
        if name_owner(account.user_id, config.name) not in (None, project.project_id):
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
        progress = cls()
        for item in uploaded_between(
            project_id, start_ms, end_ms, attributes=["item_id", "status", "delivered_at", "cost_cents"]
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
