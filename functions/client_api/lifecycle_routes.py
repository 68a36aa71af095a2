"""Lifecycle calls of the signed client API (designed in the documented style): the client's verdict on the
trial (accept, comment on items and submit the comments, reconfigure), and cloning a project."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.logic import lifecycle
from bytebridge.models.lifecycle import (
    AcceptTrialRequest,
    CloneProjectRequest,
    CloneProjectResponse,
    LifecycleResponse,
    ReconfigureRequest,
    SubmitTrialIssuesRequest,
    TrialIssuesRequest,
    TrialIssuesResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/acceptTrial", LifecycleResponse, "Accept the trial results (→ waitingPayment)")
def accept_trial(request: AcceptTrialRequest) -> LifecycleResponse:
    account = signed_account(router)
    data = lifecycle.accept_trial(account, request.params.project_id)
    return LifecycleResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/trialIssues", TrialIssuesResponse, "Comment on trial items (store or replace)")
def trial_issues(request: TrialIssuesRequest) -> TrialIssuesResponse:
    account = signed_account(router)
    data = lifecycle.trial_issues(account, request.params)
    return TrialIssuesResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(
    router, "/api/v1/projects/submitTrialIssues", TrialIssuesResponse, "Send the trial comments to the operators"
)
def submit_trial_issues(request: SubmitTrialIssuesRequest) -> TrialIssuesResponse:
    account = signed_account(router)
    data = lifecycle.submit_trial_issues(account, request.params.project_id)
    return TrialIssuesResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/reconfigure", LifecycleResponse, "Make the project editable after its trial")
def reconfigure(request: ReconfigureRequest) -> LifecycleResponse:
    account = signed_account(router)
    data = lifecycle.reconfigure(account, request.params.project_id)
    return LifecycleResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/cloneProject", CloneProjectResponse, "A new draft with a project's settings")
def clone_project(request: CloneProjectRequest) -> CloneProjectResponse:
    account = signed_account(router)
    data = lifecycle.clone_project(account, request.params)
    return CloneProjectResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
