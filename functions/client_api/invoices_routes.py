"""Invoice calls of the signed client API: the signer's invoices (one per completed or ended project) with
short-lived links to their PDF and JSON, and the running statement of a project (not an invoice)."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.billing import invoices
from bytebridge.billing.invoices import InvoiceView
from bytebridge.clock import now_ms
from bytebridge.models.invoices_api import (
    InvoiceInfo,
    ListInvoicesData,
    ListInvoicesRequest,
    ListInvoicesResponse,
    RetrieveInvoiceRequest,
    RetrieveInvoiceResponse,
    StatementData,
    StatementRequest,
    StatementResponse,
)
from client_api.signed import signed_account, signed_post

router = Router()


def _info(view: InvoiceView) -> InvoiceInfo:
    invoice = view.invoice
    return InvoiceInfo(
        number=invoice.number,
        project_id=invoice.project_id,
        project_name=invoice.project_name,
        issued_at=invoice.issued_at,
        currency=invoice.currency,
        total_cents=invoice.total_cents,
        credits_cents=invoice.credits_cents,
        pdf_url=view.pdf_url,
        json_url=view.json_url,
    )


@signed_post(router, "/api/v1/billing/listInvoices", ListInvoicesResponse, "The account's invoices, newest first")
def list_invoices(request: ListInvoicesRequest) -> ListInvoicesResponse:
    account = signed_account(router)
    found = [_info(invoices.view(invoice)) for invoice in invoices.list_invoices(account.user_id)]
    return ListInvoicesResponse(timestamp=now_ms(), user_id=account.user_id, data=ListInvoicesData(invoices=found))


@signed_post(router, "/api/v1/billing/retrieveInvoice", RetrieveInvoiceResponse, "One invoice and its download links")
def retrieve_invoice(request: RetrieveInvoiceRequest) -> RetrieveInvoiceResponse:
    account = signed_account(router)
    params = request.params
    view = invoices.retrieve_invoice(account.user_id, project_id=params.project_id, number=params.number)
    return RetrieveInvoiceResponse(timestamp=now_ms(), user_id=account.user_id, data=_info(view))


@signed_post(router, "/api/v1/billing/retrieveStatement", StatementResponse, "A project's running statement")
def retrieve_statement(request: StatementRequest) -> StatementResponse:
    account = signed_account(router)
    doc = invoices.statement(account.user_id, request.params.project_id)
    data = StatementData.model_validate(
        doc.model_dump(exclude={"number", "issued_at", "seller", "bill_to", "project_name"})
    )
    return StatementResponse(timestamp=now_ms(), user_id=account.user_id, data=data)
