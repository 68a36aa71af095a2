"""The five documented project calls and listProjects. Each authenticates (signed_post), then calls one logic
function."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.logic import lifecycle, project_list, project_state, projects, resources
from bytebridge.models.client_api import (
    AlterStateRequest,
    AlterStateResponse,
    CreateProjectRequest,
    CreateProjectResponse,
    RetrieveProjectRequest,
    RetrieveProjectResponse,
    SetProjectRequest,
    SetProjectResponse,
    SubmitResourceRequest,
    SubmitResourceResponse,
)
from bytebridge.models.project_list import ListProjectsRequest, ListProjectsResponse
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects", CreateProjectResponse, "Create a project")
def create_project(request: CreateProjectRequest) -> CreateProjectResponse:
    account = signed_account(router)
    data = projects.create_project(account, request.params)
    return CreateProjectResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/setProject", SetProjectResponse, "Change a project before it is started")
def set_project(request: SetProjectRequest) -> SetProjectResponse:
    account = signed_account(router)
    data = projects.update_project(account, request.params)
    return SetProjectResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/retrieveProject", RetrieveProjectResponse, "A project and its progress")
def retrieve_project(request: RetrieveProjectRequest) -> RetrieveProjectResponse:
    account = signed_account(router)
    data = lifecycle.retrieve_project(account, request.params)
    return RetrieveProjectResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/submitResource", SubmitResourceResponse, "Add data items by link")
def submit_resource(request: SubmitResourceRequest) -> SubmitResourceResponse:
    account = signed_account(router)
    data = resources.submit_resources(account, request.params)
    return SubmitResourceResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/alterState", AlterStateResponse, "Start, pause, end or delete a project")
def alter_state(request: AlterStateRequest) -> AlterStateResponse:
    account = signed_account(router)
    data = project_state.alter_state(account, request.params)
    return AlterStateResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/listProjects", ListProjectsResponse, "Your projects, newest first, by page")
def list_projects(request: ListProjectsRequest) -> ListProjectsResponse:
    account = signed_account(router)
    data = project_list.list_projects(account, request.params)
    return ListProjectsResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
