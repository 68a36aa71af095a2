"""Wire models of the lifecycle's signed client calls (designed in the documented style: same envelope, same
signature): acceptTrial, trialIssues, submitTrialIssues, reconfigure, cloneProject."""

from typing import Annotated

from pydantic import Field, StringConstraints

from bytebridge.models.client_api import (
    ProjectConfigData,
    ProjectId,
    ProjectName,
    SignedBody,
    SuccessEnvelope,
    _Wire,
)

MAX_TRIAL_ISSUES = 1000
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ProjectIdParams(_Wire):
    project_id: ProjectId


class TrialIssue(_Wire):
    item_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    comment: Comment = Field(description="What is wrong with this trial result; empty removes the comment")


class TrialIssuesParams(_Wire):
    project_id: ProjectId
    issues: list[TrialIssue] = Field(min_length=1, max_length=MAX_TRIAL_ISSUES)


class CloneProjectParams(_Wire):
    project_id: ProjectId = Field(description="The project to copy: settings, latest flow and gold tasks")
    name: ProjectName = Field(description="The new project's name (unique among your projects)")


class AcceptTrialRequest(SignedBody):
    params: ProjectIdParams


class TrialIssuesRequest(SignedBody):
    params: TrialIssuesParams


class SubmitTrialIssuesRequest(SignedBody):
    params: ProjectIdParams


class ReconfigureRequest(SignedBody):
    params: ProjectIdParams


class CloneProjectRequest(SignedBody):
    params: CloneProjectParams


class LifecycleData(_Wire):
    project_id: str
    project_status: str = Field(description="The status after the call")
    created: int = Field(description="Epoch seconds")


class TrialIssuesData(LifecycleData):
    issues: int = Field(description="Trial items with a comment now")


class LifecycleResponse(SuccessEnvelope):
    data: LifecycleData


class TrialIssuesResponse(SuccessEnvelope):
    data: TrialIssuesData


class CloneProjectResponse(SuccessEnvelope):
    data: ProjectConfigData
