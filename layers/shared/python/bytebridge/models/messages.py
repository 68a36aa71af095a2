"""Wire models of the project-manager message calls (messages, listMessages), in the documented style: the signed
envelope, camelCase, times in epoch ms. A thread per project between the client and ByteBridge's operators."""

from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

MAX_MESSAGE_CHARS = 5000
MAX_PAGE = 100
DEFAULT_PAGE = 50

MessageText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS)]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class PostMessageParams(_Wire):
    project_id: ProjectId
    text: MessageText = Field(description=f"The message, 1–{MAX_MESSAGE_CHARS} characters")
    item_id: ItemId | None = Field(None, description="The item the message is about (optional)")


class ListMessagesParams(_Wire):
    project_id: ProjectId
    since: StrictInt | None = Field(
        None, description="Return messages after this seq (nextSince of the previous page); omit for the first"
    )
    limit: StrictInt = Field(DEFAULT_PAGE, description=f"Messages per page, 1–{MAX_PAGE}")


class PostMessageRequest(SignedBody):
    params: PostMessageParams


class ListMessagesRequest(SignedBody):
    params: ListMessagesParams


class MessageRecord(_Wire):
    seq: int = Field(description="The message's number in the thread: 1, 2, 3…")
    sender: str = Field(description="client or operator")
    text: str
    item_id: str | None
    created_at: int


class PostMessageData(_Wire):
    project_id: str
    message: MessageRecord


class ListMessagesData(_Wire):
    project_id: str
    messages: list[MessageRecord] = Field(description="Oldest first (newest last)")
    next_since: int | None = Field(description="Pass as since for the next page; null when this page is the last")
    unread: int = Field(description="Operator messages still unread after this page (listing marks a page read)")


class PostMessageResponse(SuccessEnvelope):
    data: PostMessageData


class ListMessagesResponse(SuccessEnvelope):
    data: ListMessagesData
