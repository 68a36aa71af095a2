"""Wire models of the dispute calls of the client API (seed 已消耗的金额退款): fileDispute (charged items of a
project the client contests) and listDisputes. Operators decide through the operator API."""

from typing import Annotated

from pydantic import Field, StringConstraints

from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class FileDisputeParams(_Wire):
    project_id: ProjectId
    item_ids: list[ItemId] = Field(min_length=1, max_length=1000, description="Finished, charged items (≤ 1000)")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] = Field(
        description="What is wrong with their results"
    )


class FileDisputeRequest(SignedBody):
    params: FileDisputeParams


class DisputeInfo(_Wire):
    dispute_id: str
    project_id: str
    item_ids: list[str]
    reason: str
    status: str = Field(description="open (being reviewed), accepted (credited) or rejected; filing/accepting briefly")
    disputed_cents: int = Field(description="What the disputed items were charged")
    credited_cents: int | None = Field(description="Accepted: the amount credited back to the balance (refundable)")
    decision_note: str | None = Field(description="The operators' reason (rejected) or note (accepted)")
    created_at: int = Field(description="epoch ms")
    decided_at: int | None = Field(description="epoch ms")


class FileDisputeResponse(SuccessEnvelope):
    data: DisputeInfo


class ListDisputesParams(_Wire):
    project_id: ProjectId | None = Field(None, description="Only this project's disputes")


class ListDisputesRequest(SignedBody):
    params: ListDisputesParams = Field(default_factory=ListDisputesParams)


class ListDisputesData(_Wire):
    disputes: list[DisputeInfo] = Field(description="Newest first")


class ListDisputesResponse(SuccessEnvelope):
    data: ListDisputesData
