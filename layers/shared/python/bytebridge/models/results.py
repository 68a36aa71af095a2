"""Wire models of the results calls (listResults, retrieveResult, acceptResults, setCallback) and of the
callback events we POST to clients. Same envelope and naming style as the documented calls; every time
here is epoch milliseconds (the unit of retrieveProject's filters), named "...At" or "...Time"."""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StrictInt, StrictStr, StringConstraints

from bytebridge.enums import Acceptance, ItemStatus
from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

MAX_PAGE = 100
DEFAULT_PAGE = 50
MAX_ACCEPT_BATCH = 1000
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]

FINISHED_STATUSES = (ItemStatus.COMPLETED, ItemStatus.FAILED)


class TimeField(StrEnum):
    DELIVERED = "deliveredAt"  # pages in delivery order: only delivered items
    CREATED = "created"  # pages in upload order: every finished item


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class CallbackEvent(StrEnum):
    ITEM_FINISHED = "itemFinished"
    PROJECT_STATUS = "projectStatus"
    PING = "ping"  # pingCallback: a test event, no item


# ---- requests ---------------------------------------------------------------------------------------------


class ListResultsParams(_Wire):
    project_id: ProjectId
    limit: StrictInt = Field(DEFAULT_PAGE, description=f"Items per page, 1–{MAX_PAGE}")
    cursor: StrictStr | None = Field(None, description="nextCursor of the previous page; omit for the first")
    status: StrictStr | None = Field(None, description="completed or failed (default: both)")
    acceptance: StrictStr | None = Field(None, description=", ".join(Acceptance))
    time_field: StrictStr = Field(
        TimeField.DELIVERED.value,
        description="deliveredAt: delivered items in delivery order (default); created: finished items in upload "
        "order. startTime/endTime apply to this field",
    )
    start_time: StrictInt | StrictStr | None = Field(None, description="Window start, epoch ms (inclusive)")
    end_time: StrictInt | StrictStr | None = Field(None, description="Window end, epoch ms (inclusive)")


class RetrieveResultParams(_Wire):
    project_id: ProjectId
    item_id: ItemId


class AcceptResultsParams(_Wire):
    project_id: ProjectId
    item_ids: list[ItemId] = Field(min_length=1, max_length=MAX_ACCEPT_BATCH)
    decision: StrictStr = Field(description="accept or reject")
    comment: Comment = Field("", description="Why; required to reject (the annotators redo the item with it)")


class SetCallbackParams(_Wire):
    project_id: ProjectId
    callback_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2048)] = Field(
        description="https URL we POST signed events to; empty string removes it"
    )


class ListResultsRequest(SignedBody):
    params: ListResultsParams


class RetrieveResultRequest(SignedBody):
    params: RetrieveResultParams


class AcceptResultsRequest(SignedBody):
    params: AcceptResultsParams


class SetCallbackRequest(SignedBody):
    params: SetCallbackParams


class CallbackProjectParams(_Wire):
    project_id: ProjectId


class PingCallbackRequest(SignedBody):
    params: CallbackProjectParams


class ListCallbackDeliveriesRequest(SignedBody):
    params: CallbackProjectParams


class RedeliverCallbackParams(_Wire):
    project_id: ProjectId
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The eventId of an attempt listCallbackDeliveries shows"
    )


class RedeliverCallbackRequest(SignedBody):
    params: RedeliverCallbackParams


# ---- responses --------------------------------------------------------------------------------------------


class ResultRecord(_Wire):
    item_id: str
    resource_type: str
    resource_url: str = Field(alias="resourceURL")
    status: str = Field(description="completed or failed (processing/notStarted while reworked)")
    created_at: int
    delivered_at: int | None = Field(description="When the result was (last) delivered; starts the 21-day window")
    acceptance: str | None = Field(description="pending, accepted, autoAccepted, rejected (being reworked)")
    acceptance_comment: str | None
    accepted_at: int | None
    accept_deadline: int | None = Field(description="After this the item is accepted automatically")
    rework_count: int
    flow_version: int | None
    result: dict[str, Any] | None = Field(
        description='{"endNode": id, "path": [node ids], "answers": {nodeId: consolidated answer}}'
    )


class JudgmentRecord(_Wire):
    node_id: str | None
    worker: str = Field(description="The annotator's pseudonym: stable within this project, unrelated elsewhere")
    answer: dict[str, Any] | None
    submitted_at: int | None


class ListResultsData(_Wire):
    project_id: str
    items: list[ResultRecord]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class RetrieveResultData(ResultRecord):
    project_id: str
    judgments: list[JudgmentRecord]


class AcceptResultsData(_Wire):
    project_id: str
    decision: str
    changed: list[str] = Field(description="Items this call accepted or sent to rework")
    unchanged: list[str] = Field(description="Items already in the requested state (a repeated call)")
    conflicts: list[str] = Field(
        description="Items changed by someone else (auto-acceptance, another call) between our check and write"
    )


class SetCallbackData(_Wire):
    project_id: str
    callback_url: str | None
    updated_at: int


class ListResultsResponse(SuccessEnvelope):
    data: ListResultsData


class RetrieveResultResponse(SuccessEnvelope):
    data: RetrieveResultData


class AcceptResultsResponse(SuccessEnvelope):
    data: AcceptResultsData


class SetCallbackResponse(SuccessEnvelope):
    data: SetCallbackData


class PingCallbackData(_Wire):
    project_id: str
    event_id: str = Field(description="The ping event's id: its attempts show in listCallbackDeliveries")


class PingCallbackResponse(SuccessEnvelope):
    data: PingCallbackData


class CallbackDelivery(_Wire):
    event_id: str
    event: str
    attempt: int
    status_code: int | None = Field(description="The endpoint's HTTP status; null if none came back")
    error: str | None = Field(description="Why the attempt failed; null when delivered")
    at: int


class RedeliverCallbackData(_Wire):
    project_id: str
    event_id: str = Field(description="The same event id: a receiver that has it already can ignore it")
    queued: bool = Field(
        description="true: queued again (newly signed, attempts counted from 1); false: this event was queued again "
        "less than a minute ago, nothing new was queued"
    )


class RedeliverCallbackResponse(SuccessEnvelope):
    data: RedeliverCallbackData


class ListCallbackDeliveriesData(_Wire):
    project_id: str
    deliveries: list[CallbackDelivery] = Field(description="The last 100 attempts, newest first")


class ListCallbackDeliveriesResponse(SuccessEnvelope):
    data: ListCallbackDeliveriesData


# ---- callback events (what we POST to the client's callbackUrl, in the success envelope) --------------------


class CallbackData(_Wire):
    event: CallbackEvent
    event_id: str = Field(description="Same on every retry of one event: deduplicate on it")
    project_id: str
    occurred_at: int
    attempt: int
    item: ResultRecord | None = None  # itemFinished
    old_status: str | None = None  # projectStatus
    new_status: str | None = None
