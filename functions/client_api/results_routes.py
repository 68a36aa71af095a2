"""Results calls of the signed client API (docs "项目结果" is empty; designed in the documented style): page
through results, fetch one with its judgments, accept or reject, and set the project's callback URL."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.delivery import callbacks, results
from bytebridge.logic.results import accept_results as accept_or_reject
from bytebridge.models.results import (
    AcceptResultsRequest,
    AcceptResultsResponse,
    ListCallbackDeliveriesRequest,
    ListCallbackDeliveriesResponse,
    ListResultsRequest,
    ListResultsResponse,
    PingCallbackRequest,
    PingCallbackResponse,
    RedeliverCallbackRequest,
    RedeliverCallbackResponse,
    RetrieveResultRequest,
    RetrieveResultResponse,
    SetCallbackRequest,
    SetCallbackResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/listResults", ListResultsResponse, "Page through a project's results")
def list_results(request: ListResultsRequest) -> ListResultsResponse:
    account = signed_account(router)
    data = results.list_results(account, request.params)
    return ListResultsResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/retrieveResult", RetrieveResultResponse, "One result and its judgments")
def retrieve_result(request: RetrieveResultRequest) -> RetrieveResultResponse:
    account = signed_account(router)
    data = results.retrieve_result(account, request.params)
    return RetrieveResultResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/acceptResults", AcceptResultsResponse, "Accept or reject delivered items")
def accept_results(request: AcceptResultsRequest) -> AcceptResultsResponse:
    account = signed_account(router)
    data = accept_or_reject(account, request.params)
    return AcceptResultsResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/setCallback", SetCallbackResponse, "Set or remove the callback URL")
def set_callback(request: SetCallbackRequest) -> SetCallbackResponse:
    account = signed_account(router)
    data = callbacks.set_callback(account, request.params)
    return SetCallbackResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/pingCallback", PingCallbackResponse, "Send a test event to the callback URL")
def ping_callback(request: PingCallbackRequest) -> PingCallbackResponse:
    account = signed_account(router)
    data = callbacks.ping_callback(account, request.params)
    return PingCallbackResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(
    router, "/api/v1/projects/redeliverCallback", RedeliverCallbackResponse, "Send a logged callback event again"
)
def redeliver_callback(request: RedeliverCallbackRequest) -> RedeliverCallbackResponse:
    account = signed_account(router)
    data = callbacks.redeliver_callback(account, request.params)
    return RedeliverCallbackResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(
    router, "/api/v1/projects/listCallbackDeliveries", ListCallbackDeliveriesResponse, "The last callback attempts"
)
def list_callback_deliveries(request: ListCallbackDeliveriesRequest) -> ListCallbackDeliveriesResponse:
    account = signed_account(router)
    data = callbacks.list_callback_deliveries(account, request.params)
    return ListCallbackDeliveriesResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
