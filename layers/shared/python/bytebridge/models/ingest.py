"""listRefusedItems: the files admission refused, with the reason (bytebridge.ingest), in the documented style."""

from pydantic import Field, StrictInt, StrictStr

from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

MAX_REFUSED_PAGE = 100


class ListRefusedItemsParams(_Wire):
    project_id: ProjectId
    limit: StrictInt = Field(50, description=f"Items per page, 1–{MAX_REFUSED_PAGE}")
    cursor: StrictStr | None = Field(None, description="nextCursor of the previous page; omit for the first")


class ListRefusedItemsRequest(SignedBody):
    params: ListRefusedItemsParams


class RefusedItem(_Wire):
    item_id: str
    url: str = Field(description="The link (or uploaded object) as it was submitted")
    reason: str = Field(description="Why it was refused, e.g. 'the file is text/html, not a picture'")
    mime: str | None = Field(description="What the file really is, when it could be read")
    created: int = Field(description="When it was submitted, epoch ms")


class ListRefusedItemsData(_Wire):
    project_id: str
    checking_count: int = Field(description="Files still being checked (they become items or are refused)")
    refused_count: int = Field(description="Files refused so far: never labeled, counted or billed")
    items: list[RefusedItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class ListRefusedItemsResponse(SuccessEnvelope):
    data: ListRefusedItemsData
