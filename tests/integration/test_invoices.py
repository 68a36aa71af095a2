"""Invoices (issue 11): a project that completes gets one invoice, numbered without gaps per seller even when
projects complete at the same moment, issued once however often it is requested; its figures (lines per task type,
total) equal the ledger's charge of the project to the cent; PDF and JSON are stored in the invoices bucket and
fetched through short-lived presigned links; the client is mailed a link that keeps working; another tenant
sees none of it."""

import io
import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from pypdf import PdfReader

from bytebridge.annotations import TaskType
from bytebridge.aws import client
from bytebridge.billing import invoices, ledger
from bytebridge.billing.invoice_pdf import money
from bytebridge.dal import invoices as invoice_rows
from bytebridge.enums import ProjectStatus
from bytebridge.errors import ErrorCode
from bytebridge.pricing import UNIT_PRICE_CENTS
from bytebridge.settings import get_settings, resource_name
from local.emulator import invoke_handler
from local.gateway import dispatch
from local.s3_door import DoorServer, Signer
from tests.support.client_api import assert_error, create_project, second_account, set_status
from tests.support.delivery import sent_mail
from tests.support.engine import completed, items_of, project_row, running_project, work_until, workers
from tests.support.identity import gateway
from tests.support.timing import settings

LIST = "/api/v1/billing/listInvoices"
RETRIEVE = "/api/v1/billing/retrieveInvoice"
STATEMENT = "/api/v1/billing/retrieveStatement"
ME = "/account/v1/me"
LABELS = ["cat", "dog", "cat", "dog", "dog"]


def _object(key: str) -> bytes:
    return client("s3").get_object(Bucket=get_settings().invoices_bucket, Key=key)["Body"].read()


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def labeled(api) -> str:
    """A classify-then-box project labeled to completion by the real engine (its usage charged to the ledger)."""
    project_id = running_project(api, LABELS)
    work_until(completed(api, project_id), workers(4))
    return project_id


def test_a_completed_project_is_invoiced_once_with_the_ledgers_figures(api, labeled):
    invoice = invoice_rows.get_invoice(api.user_id, labeled)
    assert invoice is not None and invoice.status == invoice_rows.ISSUED
    assert invoice.number == "BB-000001"
    charge = ledger.project_charge(api.user_id, labeled)
    cats, items = LABELS.count("cat"), len(LABELS)
    expected = items * UNIT_PRICE_CENTS[TaskType.SINGLE_CHOICE] + cats * UNIT_PRICE_CENTS[TaskType.RECTANGLE]
    assert invoice.total_cents == charge == expected == project_row(api, labeled).amount_spent_cents
    assert sum(item.cost_cents for item in items_of(labeled)) == charge

    figures = json.loads(_object(invoice.json_key or ""))
    lines = {
        line["taskType"]: (line["tasks"], line["unitPriceCents"], line["amountCents"]) for line in figures["lines"]
    }
    assert lines == {
        "single_choice": (
            items,
            UNIT_PRICE_CENTS[TaskType.SINGLE_CHOICE],
            items * UNIT_PRICE_CENTS[TaskType.SINGLE_CHOICE],
        ),
        "rectangle_frame_select": (
            cats,
            UNIT_PRICE_CENTS[TaskType.RECTANGLE],
            cats * UNIT_PRICE_CENTS[TaskType.RECTANGLE],
        ),
    }
    assert figures["subtotalCents"] == figures["totalCents"] == charge
    assert figures["billTo"]["email"] == "client@example.com"
    # Paid from the balance (the test account's bonus credit): nothing is due.
    assert sum(p["amountCents"] for p in figures["payments"]) == charge and figures["amountDueCents"] == 0

    text = _pdf_text(_object(invoice.pdf_key or ""))
    assert "Invoice BB-000001" in text and money(charge) in text and labeled in text

    # Issued once: a repeated request (Lambda retry, a second completion) changes nothing and mails nothing more.
    again = invoices.issue_invoice(api.user_id, labeled)
    assert again is not None and (again.number, again.issued_at) == (invoice.number, invoice.issued_at)
    invoices.request_invoice(api.user_id, labeled)
    mails = [mail for mail in sent_mail() if mail.kind == "invoice_issued"]
    assert len(mails) == 1 and "BB-000001" in mails[0].subject and money(charge) in mails[0].body
    assert invoice_rows.last_number(invoices.SELLER) == 1


@pytest.fixture
def door(aws) -> Iterator[str]:
    """The local S3 door (as `make run` serves presigned links: signature and expiry checked), named by the links."""
    credentials = boto3.session.Session().get_credentials().get_frozen_credentials()
    server = DoorServer("127.0.0.1", 0, Signer(credentials.access_key, credentials.secret_key, "us-east-1")).start()
    try:
        with settings(S3_PUBLIC_ENDPOINT=f"http://127.0.0.1:{server.port}"):
            yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_the_invoice_is_listed_and_fetched_through_short_lived_links(api, labeled, door):
    listed = api.call(LIST, {})
    assert listed["code"] == 0, listed
    [info] = listed["data"]["invoices"]
    assert (info["number"], info["projectId"], info["currency"]) == ("BB-000001", labeled, "USD")
    assert info["projectName"] == project_row(api, labeled).name

    by_number = api.call(RETRIEVE, {"number": "BB-000001"})
    by_project = api.call(RETRIEVE, {"projectId": labeled})
    assert by_number["code"] == by_project["code"] == 0
    pdf_url, json_url = by_project["data"]["pdfURL"], by_project["data"]["jsonURL"]
    assert pdf_url.startswith(door) and parse_qs(urlsplit(pdf_url).query)["X-Amz-Expires"] == ["300"]  # 5 minutes
    pdf = requests.get(pdf_url, timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert requests.get(json_url, timeout=10).json()["number"] == "BB-000001"
    assert requests.get(pdf_url.replace("BB-000001.pdf", "BB-000002.pdf"), timeout=10).status_code == 403

    # The mailed link is not a presigned one (it would expire in the inbox): it answers a fresh one.
    [mail] = [mail for mail in sent_mail() if mail.kind == "invoice_issued"]
    link = next(word for word in mail.body.split() if "/auth/v1/invoice?token=" in word)
    status, headers, _ = _get(link)
    assert status == 302 and "X-Amz-Signature" in headers["Location"]
    assert requests.get(headers["Location"], timeout=10).content.startswith(b"%PDF-")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert _get(forged)[0] == 400


def _get(url: str) -> tuple[int, dict, bytes]:
    """A GET through the local gateway (the mailed link names the API's public URL)."""
    parts = urlsplit(url)
    status, headers, body = dispatch("GET", f"{parts.path}?{parts.query}", {}, b"")
    return status, dict(headers), body


def test_another_tenant_cannot_list_or_fetch_an_invoice(api, labeled):
    other = second_account()
    assert other.call(LIST, {})["data"]["invoices"] == []
    assert_error(other.call(RETRIEVE, {"projectId": labeled}), ErrorCode.PARAMETER_INVALID, other)
    assert_error(other.call(RETRIEVE, {"number": "BB-000001"}), ErrorCode.PARAMETER_INVALID, other)
    assert_error(other.call(STATEMENT, {"projectId": labeled}), ErrorCode.PROJECT_NOT_FOUND, other)


def test_retrieve_invoice_needs_exactly_one_key(api):
    assert_error(api.call(RETRIEVE, {}), ErrorCode.PARAMETER_INVALID, api)
    assert_error(api.call(RETRIEVE, {"projectId": "p1_x", "number": "BB-000001"}), ErrorCode.PARAMETER_INVALID, api)


def test_numbers_have_no_gaps_when_projects_complete_at_once(api):
    projects = [create_project(api, projectName=f"done {n}") for n in range(8)]
    for project_id in projects:
        set_status(api, project_id, ProjectStatus.COMPLETED)
    errors: list[BaseException] = []

    def issue(project_id: str) -> None:
        try:
            invoices.issue_invoice(api.user_id, project_id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    # Every project issued twice, from 16 threads at once: numbers race on the one counter row.
    threads = [threading.Thread(target=issue, args=(p,)) for p in projects * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(invoice_rows.get_invoice(api.user_id, p).number for p in projects)  # type: ignore[union-attr]
    assert numbers == [f"BB-{n:06d}" for n in range(1, 9)]
    assert invoice_rows.last_number(invoices.SELLER) == 8
    assert len(api.call(LIST, {})["data"]["invoices"]) == 8


def test_a_project_that_is_not_completed_gets_no_invoice_but_a_statement(api, labeled):
    running = create_project(api, projectName="still running")
    set_status(api, running, ProjectStatus.IN_PROGRESS)
    assert invoices.issue_invoice(api.user_id, running) is None
    assert invoice_rows.get_invoice(api.user_id, running) is None

    out = api.call(STATEMENT, {"projectId": labeled})
    assert out["code"] == 0, out
    assert out["data"]["totalCents"] == ledger.project_charge(api.user_id, labeled)
    assert "number" not in out["data"]
    assert invoice_rows.last_number(invoices.SELLER) == 1  # a statement takes no number


def test_billing_details_from_the_account_are_printed(api):
    from tests.support.identity import sign_up_client

    client_user = sign_up_client("billed@example.com")
    details = {"name": "Ada", "company": "猫狗公司", "address": "1 Road\nCity", "taxId": "T-9"}
    status, me = gateway("PATCH", ME, {"billing": details}, token=client_user.id_token)
    assert status == 200 and me["billing"] == details, me
    user_id = me["userId"]
    from bytebridge.logic.accounts import account_of
    from tests.support.client import ClientApi

    billed = ClientApi(user_id, _secret_of(client_user.id_token))
    project_id = create_project(billed, projectName="猫狗分类")
    set_status(billed, project_id, ProjectStatus.COMPLETED)
    invoice = invoices.issue_invoice(user_id, project_id)
    assert invoice is not None and account_of(user_id).billing_details == details
    text = _pdf_text(_object(invoice.pdf_key or ""))
    assert "猫狗公司" in text and "猫狗分类" in text and "Tax ID: T-9" in text and "billed@example.com" in text


def _secret_of(id_token: str) -> str:
    status, keys = gateway("GET", "/account/v1/apiKeys", token=id_token)
    assert status == 200, keys
    return keys["keys"][0]["secretKey"]


def test_the_sweep_issues_and_mails_what_the_job_missed(api):
    """The invoice job failed every retry (or never ran): the scheduled sweep issues and mails the invoice, and an
    invoice left half-done (numbered, not rendered) is finished under its number."""
    never_ran, half_done = (create_project(api, projectName=name) for name in ("never ran", "half done"))
    for project_id in (never_ran, half_done):
        set_status(api, project_id, ProjectStatus.COMPLETED)
    taken = invoice_rows.take_number(api.user_id, half_done, seller=invoices.SELLER, prefix="BB", now=1)
    assert (taken.number, taken.status) == ("BB-000001", invoice_rows.RENDERING)

    out, failed = invoke_handler(resource_name("invoice-sweep"), {})
    assert not failed, out
    assert sorted(out["issued"]) == ["BB-000001", "BB-000002"] and out["failed"] == 0
    assert invoice_rows.get_invoice(api.user_id, half_done).status == invoice_rows.ISSUED  # type: ignore[union-attr]
    assert len([mail for mail in sent_mail() if mail.kind == "invoice_issued"]) == 2

    again, _ = invoke_handler(resource_name("invoice-sweep"), {})
    assert again == {"issued": [], "failed": 0}
    assert len([mail for mail in sent_mail() if mail.kind == "invoice_issued"]) == 2
