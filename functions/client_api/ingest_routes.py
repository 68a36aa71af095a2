"""Admission checks seen by the client: which submitted files were refused, and why."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.logic import resources
from bytebridge.models.ingest import ListRefusedItemsRequest, ListRefusedItemsResponse
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/listRefusedItems", ListRefusedItemsResponse, "Submitted files refused, with why")
def list_refused_items(request: ListRefusedItemsRequest) -> ListRefusedItemsResponse:
    account = signed_account(router)
    data = resources.list_refused_items(account, request.params)
    return ListRefusedItemsResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
