"""Wire models of the worker API (annotators; /worker/v1): claim, heartbeat, submit, release, profile."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from bytebridge.annotations.skeleton import Skeleton

MAX_WAIT_SECONDS = 20  # SQS's long-poll maximum, and well inside API Gateway's 29 s


class _Wire(BaseModel):
    # defer_build: validators are built on first use, so a cold start builds only the models its route uses
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)


class ClaimRequest(_Wire):
    families: list[str] | None = Field(
        None, max_length=10, description="Task families to take work from (default: all): choice, boxes, …"
    )
    wait_seconds: int = Field(0, ge=0, le=MAX_WAIT_SECONDS, description="Long poll: wait this long for work")


class AssignmentView(_Wire):
    assignment_id: str
    family: str
    task_type: str
    instruction: str
    question: str | None
    options: list[str]
    labels: list[str]
    skeleton: Skeleton | None = Field(None, description="keypoint_skeleton tasks: the skeleton to place")
    overlapping_spans: bool = Field(False, description="text_spans tasks: whether spans may overlap")
    sample_every: int | None = Field(None, description="video_detection tasks: boxes on frames 0, n, 2n, ... only")
    resource_type: str
    data_url: str = Field(description="Short-lived link to this task's data only (valid while the lease lasts)")
    data_location: str | None = Field(
        None,
        description="Where dataUrl redirects to right now (a presigned link valid about 5 minutes, or the item's own "
        "link): load it directly and save a call; null, or once it has expired, use dataUrl",
    )
    lease_expires_at: int = Field(description="Epoch ms; heartbeat before it to keep the task")
    rework_comment: str | None = Field(None, description="What the client asked to redo, on a rework")


class ClaimResponse(_Wire):
    assignment: AssignmentView | None = Field(description="null: no work right now")


class SubmitRequest(_Wire):
    answer: dict[str, Any]
    next: ClaimRequest | None = Field(
        None,
        description="Also claim the next task, as /assignments/claim would (one call per task instead of two); "
        "the answer is stored first, whatever the claim finds",
    )


class SubmitResponse(_Wire):
    assignment_id: str
    status: str
    duplicate: bool = Field(description="true: this assignment was submitted before; nothing changed")
    next: ClaimResponse | None = Field(
        None, description="When `next` was asked for: the claim's answer (assignment null: no work right now)"
    )


class HeartbeatResponse(_Wire):
    assignment_id: str
    lease_expires_at: int


class ReleaseRequest(_Wire):
    skip: bool = Field(True, description="true: never offer me this task again; false: I may get it again")


class ReleaseResponse(_Wire):
    assignment_id: str
    status: str


class WorkerProfile(_Wire):
    worker_id: str
    name: str
    status: str
    gold_answered: int = Field(description="Gold answers of settled blocks (≥ 5, shown from the next UTC midnight)")
    gold_correct: int = Field(description="Right answers among goldAnswered")
    estimated_accuracy: float = Field(description="Accuracy estimate from the settled gold answers (Beta(4, 1) prior)")
    submitted: int = Field(description="Every task submitted, gold included")


class WorkerErrorBody(_Wire):
    code: str
    message: str


class WorkerErrorResponse(_Wire):
    error: WorkerErrorBody
