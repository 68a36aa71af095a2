"""Wire models of the signed client API (docs: ByteBridge API): request bodies and response envelopes.

Field names are the documented ones, typos included (`qiestion`, `resourceDta`): existing clients read them.
Each typo has a correctly spelled twin beside it (`question`, `resourceData`) so new clients need not copy it.

Request models check shape only (a missing or mistyped field answers code 2). The documented rules that have
their own codes (type/taskType combinations: 7 and 9, links: 10 and 24, time filters: 26) are checked in
bytebridge.logic, so fields they cover are plain strings here, with their allowed values documented.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints
from pydantic.alias_generators import to_camel

from bytebridge.annotations import TaskType
from bytebridge.enums import ResourceType


class ProjectType(StrEnum):
    """Project types, as the docs' 类型 table lists them."""

    IMAGE_CLASSIFICATION = "image_classification"
    TEXT_CLASSIFICATION = "text_classification"
    IMAGE_RECTANGLE_FRAME_SELECT = "image_rectangle_frame_select"
    IMAGE_STROKE = "image_stroke"


CLASSIFICATION_TYPES = frozenset({ProjectType.IMAGE_CLASSIFICATION, ProjectType.TEXT_CLASSIFICATION})
_CHOICE_TASKS = (TaskType.SINGLE_CHOICE, TaskType.MULTIPLE_CHOICE)
_FRAME_TASKS = (TaskType.RECTANGLE, TaskType.FREE_POINT, TaskType.STROKE, TaskType.CUBE)

# The docs' 任务类型 table: the task types each project type accepts.
TASK_TYPES: dict[ProjectType, tuple[TaskType, ...]] = {
    ProjectType.IMAGE_CLASSIFICATION: _CHOICE_TASKS,
    ProjectType.TEXT_CLASSIFICATION: _CHOICE_TASKS,
    ProjectType.IMAGE_RECTANGLE_FRAME_SELECT: _FRAME_TASKS,
    ProjectType.IMAGE_STROKE: _FRAME_TASKS,
}


DOCUMENTED_TASK_TYPES = tuple(dict.fromkeys(t for types in TASK_TYPES.values() for t in types))

# The docs' resource table (image: jpg, jpeg, png, gif; audio: mp3); text and graphic are ours to pick.
RESOURCE_EXTENSIONS: dict[ResourceType, frozenset[str]] = {
    ResourceType.IMAGE: frozenset({"jpg", "jpeg", "png", "gif"}),
    ResourceType.AUDIO: frozenset({"mp3", "wav", "flac", "m4a"}),  # probed at admission (bytebridge.avprobe)
    ResourceType.TEXT: frozenset({"txt", "csv", "tsv", "json", "jsonl"}),
    ResourceType.GRAPHIC: frozenset({"jpg", "jpeg", "png", "gif"}),  # "picture contains text"
    ResourceType.VIDEO: frozenset({"mp4", "webm", "mov"}),
}
URL_SCHEMES = ("http", "https", "s3")
MAX_URL_LENGTH = 2048


class AlterType(StrEnum):
    START = "start"
    PAUSE = "pause"
    DELETE = "delete"
    END = "end"  # end a running or paused project early: finished items stay deliverable, then it can be deleted


MAX_URLS_PER_CALL = 1000
MAX_OPTIONS = 100  # the most choices a multiple-choice answer may carry (bytebridge.annotations)

ProjectName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
ProjectId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
ShortText = Annotated[str, StringConstraints(max_length=1_000)]


def _one_of(values: Iterable[str], what: str) -> dict:
    # Documents the allowed values without validating them here: the logic layer answers the documented code.
    values = [str(value) for value in values]
    return {"description": f"{what}; one of: {', '.join(values)}", "json_schema_extra": {"enum": values}}


def _extensions() -> str:
    return "; ".join(f"{kind}: {', '.join(sorted(exts))}" for kind, exts in RESOURCE_EXTENSIONS.items())


_TYPE_DOC = _one_of(ProjectType, "Project type")
_TASK_TYPE_DOC = _one_of(DOCUMENTED_TASK_TYPES, "Task type; must suit the project type (docs table)")


class _Wire(BaseModel):
    # defer_build: validators are built on first use, so a cold start builds only the models its route uses
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)


class Option(_Wire):
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


# ---- requests ---------------------------------------------------------------------------------------------


class SignedBody(_Wire):
    """Every call's body: the signer's userId and the call's params (signed as sent; see the headers)."""

    user_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        description="Your dashboard user id; the request must be signed with this account's secret key"
    )


class ProjectSettings(_Wire):
    """The documented project configuration. Every field is optional in setProject (omitted = unchanged)."""

    project_name: ProjectName | None = Field(None, description="Unique among your projects")
    type: str | None = Field(None, **_TYPE_DOC)
    instruction: Text | None = None
    question: ShortText | None = Field(None, description="Required for classification types")
    target: ShortText | None = Field(None, description="What to label; required for frame-select and stroke types")
    task_type: str | None = Field(None, **_TASK_TYPE_DOC)
    options: list[Option] | None = Field(
        None, max_length=MAX_OPTIONS, description="Required (non-empty, unique) for classification types"
    )


class CreateProjectParams(ProjectSettings):
    project_name: ProjectName = Field(description="Unique among your projects")
    type: str = Field(**_TYPE_DOC)
    task_type: str = Field(**_TASK_TYPE_DOC)


class SetProjectParams(ProjectSettings):
    project_id: ProjectId


class RetrieveProjectParams(_Wire):
    project_id: ProjectId
    start_time: StrictInt | StrictStr | None = Field(
        None, description="Only count items uploaded at or after this time (epoch ms)"
    )
    end_time: StrictInt | StrictStr | None = Field(
        None, description="Only count items uploaded at or before this time (epoch ms)"
    )


class SubmitResourceParams(_Wire):
    project_id: ProjectId
    resource_type: str = Field(**_one_of(ResourceType, "Resource type"))
    resource_urls: list[StrictStr] = Field(
        alias="resourceURLs",
        max_length=MAX_URLS_PER_CALL,
        description=f"{', '.join(URL_SCHEMES)} links of at most {MAX_URL_LENGTH} characters whose file type "
        f"suits resourceType ({_extensions()})",
    )


class AlterStateParams(_Wire):
    project_id: ProjectId
    type: AlterType


class CreateProjectRequest(SignedBody):
    params: CreateProjectParams


class SetProjectRequest(SignedBody):
    params: SetProjectParams


class RetrieveProjectRequest(SignedBody):
    params: RetrieveProjectParams


class SubmitResourceRequest(SignedBody):
    params: SubmitResourceParams


class AlterStateRequest(SignedBody):
    params: AlterStateParams


# ---- responses --------------------------------------------------------------------------------------------


class SuccessEnvelope(_Wire):
    code: int = Field(0, description="0: success")
    success_msg: str = "success"
    timestamp: int = Field(description="Server time, epoch ms")
    user_id: str


class ErrorEnvelope(_Wire):
    code: int = Field(description="A documented error code (1–28)")
    error_msg: str = Field(description="The documented message of the code")
    timestamp: int = Field(description="Server time, epoch ms")
    user_id: str | None = Field(description="The userId the request body claimed, if any")
    detail: str | None = Field(None, description="What exactly was wrong (not part of the documented API)")


class ProjectExtra(_Wire):
    options: list[Option]


class ProjectConfigData(_Wire):
    project_id: str
    type: str
    name: str
    task_type: str
    instruction: str
    qiestion: str | None = Field(description="The question, under its documented (misspelled) name")
    question: str | None
    target: str | None
    extra: ProjectExtra
    created: int = Field(description="When this configuration was written, epoch seconds")


class SetProjectData(ProjectConfigData):
    project_status: int = Field(description="Status number: 0 draft, 1 checking, 2 trial, 3 trialDone, …")


class ProjectProgress(_Wire):
    project_name: str
    project_instruction: str
    question: str | None
    target: str | None
    project_type: str
    task_type: str
    project_item_quantity: int
    processing_quantity: int
    project_status: str = Field(description="draft, checking, trial, trialDone, waitingPayment, inProgress, …")
    completed_quantity: int
    no_start_quantity: int
    success_quantity: int
    failed_quantity: int
    output_quantity: int
    amount_spent: float
    options: list[Option]


class ExtraInfo(_Wire):
    downloadable_result_num: int
    download_result_url: str = Field(alias="downloadResultURL")


class HistoryEntry(_Wire):
    at: int = Field(description="When, epoch ms")
    by: str = Field(description="Your userId, an operator's e-mail, or system")
    from_: str = Field(alias="from", description="Status before")
    to: str = Field(description="Status after")
    reason: str | None = None


class ReviewInfo(_Wire):
    reasons: list[str] = Field(
        description="Why review rejected the project: flow_logic, flow_wording, files_not_standard, sensitive_content"
    )
    note: str = Field(description="The operator's explanation")


class TrialIssueEntry(_Wire):
    item_id: str
    comment: str


class TrialInfo(_Wire):
    round: int = Field(description="1 for the first trial, +1 per relabel")
    size: int = Field(description="Items sampled into the trial (labeled free of charge)")
    finished: int = Field(description="Trial items finished so far")
    cost: float = Field(
        description="What the trial's labeling would have cost: never charged (amountSpent excludes it)"
    )
    issues: list[TrialIssueEntry] = Field(description="Your comments on trial items (trialIssues)")
    issues_submitted: bool = Field(description="submitTrialIssues was called; operators answer them")
    answer: str | None = Field(None, description="The operators' answer to the submitted issues")


class RetrieveProjectData(_Wire):
    project_data: ProjectProgress
    extra_info: ExtraInfo
    history: list[HistoryEntry] = Field(
        default_factory=list, description="Every status change, oldest first (not part of the documented API)"
    )
    review: ReviewInfo | None = Field(None, description="While rejected by review: the reasons and note")
    trial: TrialInfo | None = Field(None, description="The latest trial, once the project passed review")


class SubmitResourceData(_Wire):
    project_id: str
    resource_type: str
    resource_dta: list[str] = Field(description="The accepted links, under their documented (misspelled) name")
    resource_data: list[str]
    created: int = Field(description="Epoch seconds")
    added_urls: list[str] = Field(
        alias="addedURLs", description="The links that became new items (each once; not part of the documented API)"
    )
    existing_urls: list[str] = Field(
        alias="existingURLs",
        description="The links already in the project, added by an earlier call (not part of the documented API)",
    )


class AlterStateData(_Wire):
    project_id: str
    alter_type: AlterType
    created: int = Field(description="Epoch seconds")


class CreateProjectResponse(SuccessEnvelope):
    data: ProjectConfigData


class SetProjectResponse(SuccessEnvelope):
    data: SetProjectData


class RetrieveProjectResponse(SuccessEnvelope):
    data: RetrieveProjectData


class SubmitResourceResponse(SuccessEnvelope):
    data: SubmitResourceData


class AlterStateResponse(SuccessEnvelope):
    data: AlterStateData
