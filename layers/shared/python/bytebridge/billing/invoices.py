"""Invoices: one per project, issued when the project completes (or is ended early), and a running statement on
demand while it runs (the same document, not numbered).

    request_invoice(user_id, project_id)    start the invoice-job function on the project (asynchronously)
    issue_invoice(user_id, project_id)      number it (gapless, once per project), render PDF + JSON, store them
    statement(user_id, project_id)          the running figures of a project, as a document (not stored)
    list_invoices / retrieve_invoice        the signer's invoices, with short-lived links to their files
    download_link(invoice)                  the link the invoice mail carries: <public_url>/auth/v1/invoice?token=…,
                                            a KMS HMAC (the notices key) of the invoice, answered with a fresh
                                            short-lived link to the PDF (a presigned link would expire in the inbox)

Figures: lines per task type and unit price from the items that were charged (the nodes of each item's billed
round × the unit price each node's visit was charged), dispute credits from the accepted disputes of the
project, and what paid for it from the ledger's usage accounts of the project (card payments, bonus credit, or
still owed). Total = subtotal − credits = bytebridge.billing.ledger.project_charge, to the cent.
"""

import base64
import hmac
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from bytebridge.aws import client, s3_presigner
from bytebridge.billing import ledger, prices
from bytebridge.billing.invoice_pdf import Adjustment, InvoiceDocument, InvoiceLine, Party, render_pdf
from bytebridge.clock import now_ms
from bytebridge.dal import disputes as dispute_rows
from bytebridge.dal import invoices as rows
from bytebridge.dal.accounts import get_account
from bytebridge.dal.errors import NotFound
from bytebridge.dal.invoices import InvoiceModel
from bytebridge.dal.projects import ProjectModel, get_live_project, get_project
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.flows.model import TaskNode
from bytebridge.flows.store import load_flow
from bytebridge.observability import logger
from bytebridge.settings import get_settings, resource_name

INVOICE_FUNCTION = "invoice-job"  # infra.catalog FunctionSpec.name
SELLER = "bytebridge"  # the counter of invoice numbers (one seller)
INVOICED = (ProjectStatus.COMPLETED,)  # a project gets its invoice once it is completed (or ended early)


class InvoiceJob(BaseModel):
    """What request_invoice sends the invoice-job function."""

    model_config = ConfigDict(populate_by_name=True)
    user_id: str = Field(alias="userId")
    project_id: str = Field(alias="projectId")


def request_invoice(user_id: str, project_id: str) -> None:
    """Have the invoice-job function issue the project's invoice, apart from the caller (InvocationType=Event:
    Lambda retries a failed run twice; the local runtime runs it inline). Repeated requests issue nothing twice.
    Never fails the caller (the completion it follows has happened): a request that cannot be made is left to the
    hourly sweep."""
    payload = InvoiceJob(user_id=user_id, project_id=project_id).model_dump_json(by_alias=True).encode()
    try:
        client("lambda").invoke(FunctionName=resource_name(INVOICE_FUNCTION), InvocationType="Event", Payload=payload)
    except (BotoCoreError, ClientError):
        logger.exception("invoice not requested: the sweep issues it", extra={"projectId": project_id})


# ---- figures -----------------------------------------------------------------------------------------------------


def invoice_lines(project: ProjectModel) -> list[InvoiceLine]:
    """Tasks × unit price, per task type and price, over the project's charged items: each task node of an item's
    billed round at the price frozen for it (bytebridge.billing.prices.unit_price, as the engine charged it)."""
    tasks: Counter[tuple[str, int]] = Counter()
    nodes_by_version: dict[int, dict[str, TaskNode]] = {}
    for item in rows.charged_items(project.project_id):
        version = item.flow_version or 0
        if version not in nodes_by_version:
            flow = load_flow(project.project_id, version)
            nodes_by_version[version] = {node.id: node for node in flow.task_nodes()}
        nodes = nodes_by_version[version]
        path = item.charged_path or (item.result or {}).get("path") or []
        for node_id in path:
            if (node := nodes.get(node_id)) is not None:
                price = prices.unit_price(project.price_snapshot, version, node)
                tasks[(node.task_type.value, price)] += 1
    return [
        InvoiceLine(task_type=task_type, tasks=count, unit_price_cents=price, amount_cents=count * price)
        for (task_type, price), count in sorted(tasks.items())
    ]


def _credits(user_id: str, project_id: str) -> list[Adjustment]:
    accepted = [d for d in dispute_rows.disputes_of(user_id, project_id) if d.status == dispute_rows.ACCEPTED]
    return [
        Adjustment(description=f"dispute {d.dispute_id} ({len(d.item_ids)} items)", amount_cents=d.credited_cents or 0)
        for d in accepted
    ]


def _payments(user_id: str, project_id: str) -> list[Adjustment]:
    """What paid the project's (net) charge, by source (what is still owed is not among them)."""
    prefix = ledger.usage(project_id, "")
    paid = []
    for account, cents in sorted(ledger.accounts(user_id).items()):
        source = account.removeprefix(prefix)
        if not account.startswith(prefix) or cents <= 0 or source == ledger.RECEIVABLE:
            continue
        if source == ledger.BONUS:
            paid.append(Adjustment(description="bonus credit", amount_cents=cents))
        else:
            paid.append(Adjustment(description=f"card payment {source.partition(':')[2]}", amount_cents=cents))
    return paid


def _bill_to(user_id: str) -> Party:
    account = get_account(user_id)
    if account is None:
        raise NotFound(f"account {user_id}")
    details = dict(account.billing_details or {})
    return Party(
        name=details.get("name", ""),
        company=details.get("company", ""),
        email=account.email,
        address=details.get("address", ""),
        tax_id=details.get("taxId", ""),
    )


def document(project: ProjectModel, *, number: str | None, issued_at: int) -> InvoiceDocument:
    settings = get_settings()
    lines = invoice_lines(project)
    subtotal = sum(line.amount_cents for line in lines)
    credits = _credits(project.user_id, project.project_id)
    total = subtotal - sum(credit.amount_cents for credit in credits)
    payments = _payments(project.user_id, project.project_id)
    return InvoiceDocument(
        number=number,
        issued_at=issued_at,
        seller=Party(name=settings.invoice_seller, address=settings.invoice_seller_address),
        bill_to=_bill_to(project.user_id),
        project_id=project.project_id,
        project_name=project.name,
        project_status=project.status,
        lines=lines,
        subtotal_cents=subtotal,
        credits=credits,
        total_cents=total,
        payments=payments,
        amount_due_cents=total - sum(payment.amount_cents for payment in payments),
    )


# ---- issuing -----------------------------------------------------------------------------------------------------


def object_key(invoice: InvoiceModel, extension: str) -> str:
    """<userId>/<number>.<ext> in the invoices bucket: apart from project files, so purges never touch them."""
    return f"{invoice.user_id}/{invoice.number}.{extension}"


def _put(key: str, body: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=get_settings().invoices_bucket, Key=key, Body=body, ContentType=content_type)


def issue_invoice(user_id: str, project_id: str) -> InvoiceModel | None:
    """Issue the project's invoice: None if the project is not (or no longer) completed. Idempotent: a project
    has one number for ever; a retry after a failure renders the documents again under that number, and an
    issued invoice is returned as it is."""
    project = get_project(user_id, project_id)
    if project is None or project.status_enum not in INVOICED:
        return None
    settings = get_settings()
    prefix = settings.invoice_number_prefix
    invoice = rows.take_number(
        user_id, project_id, seller=SELLER, prefix=prefix, now=now_ms(), project_name=project.name
    )
    if invoice.status == rows.ISSUED:
        return invoice
    doc = document(project, number=invoice.number, issued_at=invoice.issued_at)
    pdf_key, json_key = object_key(invoice, "pdf"), object_key(invoice, "json")
    _put(pdf_key, render_pdf(doc), "application/pdf")
    _put(json_key, doc.model_dump_json(by_alias=True, indent=2).encode(), "application/json")
    credits = sum(credit.amount_cents for credit in doc.credits)
    rows.mark_issued(invoice, total_cents=doc.total_cents, credits_cents=credits, pdf_key=pdf_key, json_key=json_key)
    return invoice


SWEEP_WINDOW_MS = 2 * 86_400_000  # the sweep looks at projects completed within two days


def missing_invoices(now: int) -> list[tuple[str, str]]:
    """(userId, projectId) of projects completed lately whose invoice is not issued: its job failed every retry,
    or never ran. The scheduled sweep issues them (the invoice-job's safety net)."""
    missing = []
    for project in rows.completed_since(now - SWEEP_WINDOW_MS):
        invoice = rows.get_invoice(project.user_id, project.project_id)
        if invoice is None or invoice.status != rows.ISSUED or invoice.emailed_at is None:
            missing.append((project.user_id, project.project_id))
    return missing


def statement(user_id: str, project_id: str) -> InvoiceDocument:
    """The running figures of the signer's project (code 8 if it is not theirs): not numbered, not stored."""
    project = get_live_project(user_id, project_id)
    return document(project, number=None, issued_at=now_ms())


# ---- reading -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceView:
    invoice: InvoiceModel
    pdf_url: str
    json_url: str


def _link(key: str | None, filename: str) -> str:
    if not key:
        return ""
    return s3_presigner().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": get_settings().invoices_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=get_settings().invoice_link_seconds,
    )


def view(invoice: InvoiceModel) -> InvoiceView:
    issued = invoice.status == rows.ISSUED
    return InvoiceView(
        invoice,
        _link(invoice.pdf_key, f"{invoice.number}.pdf") if issued else "",
        _link(invoice.json_key, f"{invoice.number}.json") if issued else "",
    )


def list_invoices(user_id: str) -> list[InvoiceModel]:
    """The signer's issued invoices, newest number first."""
    issued = [invoice for invoice in rows.invoices_of(user_id) if invoice.status == rows.ISSUED]
    return sorted(issued, key=lambda invoice: invoice.seq, reverse=True)


def retrieve_invoice(user_id: str, *, project_id: str | None, number: str | None) -> InvoiceView:
    """One of the signer's invoices, by project or by number (code 2 if the signer has no such invoice)."""
    if project_id:
        invoice = rows.get_invoice(user_id, project_id)
    else:
        invoice = next((i for i in rows.invoices_of(user_id) if i.number == number), None)
    if invoice is None or invoice.status != rows.ISSUED or (number and invoice.number != number):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "no such invoice of this account")
    return view(invoice)


# ---- the mailed link ---------------------------------------------------------------------------------------------

DOWNLOAD_PATH = "/auth/v1/invoice"
_MAC_ALGORITHM = "HMAC_SHA_256"


class InvalidLink(Exception):
    """A download token that is malformed, forged, or names no issued invoice."""


def _mac(user_id: str, number: str) -> str:
    out = client("kms").generate_mac(
        KeyId=get_settings().notices_key_id, Message=f"invoice:{user_id}:{number}".encode(), MacAlgorithm=_MAC_ALGORITHM
    )
    return base64.urlsafe_b64encode(out["Mac"]).decode().rstrip("=")


def download_link(invoice: InvoiceModel) -> str:
    token = f"{invoice.user_id}.{invoice.number}.{_mac(invoice.user_id, invoice.number)}"
    return f"{get_settings().public_url.rstrip('/')}{DOWNLOAD_PATH}?token={quote(token, safe='')}"


def pdf_url_for_token(token: str) -> str:
    """A fresh short-lived link to the PDF of the invoice a genuine token names; InvalidLink otherwise."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not all(parts) or len(token) > 512:
        raise InvalidLink("malformed token")
    user_id, number, mac = parts
    try:
        expected = _mac(user_id, number)
    except ClientError as exc:
        raise InvalidLink("invalid token") from exc
    if not hmac.compare_digest(expected, mac):
        raise InvalidLink("invalid token")
    try:
        return retrieve_invoice(user_id, project_id=None, number=number).pdf_url
    except ApiError as exc:
        raise InvalidLink("no such invoice") from exc
