"""Wire models of the invoice calls of the client API (documented style: {"userId", "params"} in, the envelope
out): listInvoices, retrieveInvoice (metadata and short-lived links to the PDF and the JSON), retrieveStatement
(the running figures of a project, not an invoice). Amounts are integer US cents."""

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

InvoiceNumber = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class InvoiceInfo(_Wire):
    number: str = Field(description="Gapless per seller, e.g. BB-000042")
    project_id: str
    project_name: str = Field(description="The project's name when the invoice was issued")
    issued_at: int = Field(description="epoch ms: the invoice's date")
    currency: str = "USD"
    total_cents: int = Field(description="What the project's usage came to, net of dispute credits")
    credits_cents: int = Field(description="Dispute credits on the project's items, already deducted")
    pdf_url: str = Field(alias="pdfURL", description="A presigned GET URL of the PDF, valid a few minutes")
    json_url: str = Field(alias="jsonURL", description="A presigned GET URL of the same figures as JSON")


class ListInvoicesParams(_Wire):
    pass


class ListInvoicesRequest(SignedBody):
    params: ListInvoicesParams = Field(default_factory=ListInvoicesParams)


class ListInvoicesData(_Wire):
    invoices: list[InvoiceInfo] = Field(description="One per completed (or ended) project, newest number first")


class ListInvoicesResponse(SuccessEnvelope):
    data: ListInvoicesData


class RetrieveInvoiceParams(_Wire):
    project_id: ProjectId | None = Field(None, description="The invoiced project (or give number)")
    number: InvoiceNumber | None = None

    @model_validator(mode="after")
    def _one_key(self) -> "RetrieveInvoiceParams":
        if (self.project_id is None) == (self.number is None):
            raise ValueError("give projectId or number")
        return self


class RetrieveInvoiceRequest(SignedBody):
    params: RetrieveInvoiceParams


class RetrieveInvoiceResponse(SuccessEnvelope):
    data: InvoiceInfo


class StatementParams(_Wire):
    project_id: ProjectId


class StatementRequest(SignedBody):
    params: StatementParams


class StatementLine(_Wire):
    task_type: str
    tasks: int
    unit_price_cents: int
    amount_cents: int = Field(description="tasks × unitPriceCents")


class StatementAdjustment(_Wire):
    description: str
    amount_cents: int


class StatementData(_Wire):
    """The figures an invoice of the project would show now (not numbered: the invoice comes at completion)."""

    project_id: str
    project_status: str
    currency: str = "USD"
    lines: list[StatementLine] = Field(description="Per task type and unit price, over the items charged so far")
    subtotal_cents: int
    credits: list[StatementAdjustment]
    total_cents: int
    payments: list[StatementAdjustment] = Field(description="What paid the charge so far (card payments, bonus)")
    amount_due_cents: int


class StatementResponse(SuccessEnvelope):
    data: StatementData
