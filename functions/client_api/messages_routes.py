"""Project-manager message calls of the signed client API (designed in the documented style): write to the
project's managers, and page through the thread (which marks the page read)."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.clock import now_ms
from bytebridge.delivery import messages
from bytebridge.models.messages import (
    ListMessagesRequest,
    ListMessagesResponse,
    PostMessageRequest,
    PostMessageResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


@signed_post(router, "/api/v1/projects/messages", PostMessageResponse, "Write to the project's managers")
def post_message(request: PostMessageRequest) -> PostMessageResponse:
    account = signed_account(router)
    data = messages.client_post(account, request.params)
    return PostMessageResponse(timestamp=now_ms(), user_id=account.user_id, data=data)


@signed_post(router, "/api/v1/projects/listMessages", ListMessagesResponse, "Page through the project's messages")
def list_messages(request: ListMessagesRequest) -> ListMessagesResponse:
    account = signed_account(router)
    data = messages.client_list(account, request.params)
    return ListMessagesResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
