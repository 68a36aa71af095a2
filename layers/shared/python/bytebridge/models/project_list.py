"""Wire models of listProjects: the account's projects, newest first, a page at a time, with the progress counts
and money retrieveProject reports for each (same names, same units)."""

from pydantic import Field, StrictInt, StrictStr

from bytebridge.enums import ProjectStatus
from bytebridge.models.client_api import SignedBody, SuccessEnvelope, _one_of, _Wire

MAX_PAGE = 100
DEFAULT_PAGE = 20
LISTED_STATUSES = tuple(status for status in ProjectStatus if status is not ProjectStatus.DELETED)


class ListProjectsParams(_Wire):
    page_size: StrictInt = Field(DEFAULT_PAGE, description=f"Projects per page, 1–{MAX_PAGE}")
    cursor: StrictStr | None = Field(None, description="nextCursor of the previous page; omit for the first")
    status: StrictStr | None = Field(None, **_one_of(LISTED_STATUSES, "Only projects in this status"))


class ListProjectsRequest(SignedBody):
    params: ListProjectsParams = Field(default_factory=ListProjectsParams)


class ProjectSummary(_Wire):
    project_id: str
    name: str
    type: str
    task_type: str
    status: str = Field(description="draft, checking, trial, trialDone, waitingPayment, inProgress, …")
    created_at: int = Field(description="Epoch ms")
    item_count: int = Field(description="retrieveProject's projectItemQuantity")
    no_start_quantity: int
    processing_quantity: int
    completed_quantity: int = Field(description="Finished either way: succeeded or failed")
    success_quantity: int
    failed_quantity: int
    output_quantity: int
    amount_spent: float = Field(description="Spent so far, USD (retrieveProject's amountSpent)")
    spent_cents: int = Field(description="amountSpent in cents")
    estimate_cents: int | None = Field(description="The pre-charge confirmed for the project, cents; null before")
    currency: str = "USD"


class ListProjectsData(_Wire):
    projects: list[ProjectSummary]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class ListProjectsResponse(SuccessEnvelope):
    data: ListProjectsData
