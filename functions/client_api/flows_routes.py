"""Flow calls of the signed client API: design the task flow before the project is opened, read it back,
start from a template, add gold tasks."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.logic import flows
from bytebridge.models.flows_api import (
    FlowResponse,
    FlowTemplatesResponse,
    ListFlowTemplatesRequest,
    RetrieveFlowRequest,
    SetFlowRequest,
    SubmitGoldRequest,
    SubmitGoldResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/setFlow", FlowResponse, "Save the project's task flow (before it is opened)")
def set_flow(request: SetFlowRequest) -> FlowResponse:
    account = signed_account(router)
    data = flows.set_flow(account, request.params)
    return FlowResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/retrieveFlow", FlowResponse, "The project's task flow")
def retrieve_flow(request: RetrieveFlowRequest) -> FlowResponse:
    account = signed_account(router)
    data = flows.retrieve_flow(account, request.params)
    return FlowResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/flows/templates", FlowTemplatesResponse, "Flow templates to start from")
def list_flow_templates(request: ListFlowTemplatesRequest) -> FlowTemplatesResponse:
    account = signed_account(router)
    return FlowTemplatesResponse(timestamp=now_ms(), user_id=account.user_id, data=flows.flow_templates())


@signed_post(router, "/api/v1/projects/submitGold", SubmitGoldResponse, "Add gold (known-answer) tasks to a node")
def submit_gold(request: SubmitGoldRequest) -> SubmitGoldResponse:
    account = signed_account(router)
    data = flows.submit_gold(account, request.params)
    return SubmitGoldResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
