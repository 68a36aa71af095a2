"""The invoice PDF: rendered from the figures, parsed back with pypdf, says what the figures say (lines, totals to
the cent, the parties), and prints a project named in Chinese as written (the embedded CJK font)."""

import io

import pytest
from pypdf import PdfReader

from bytebridge.billing import invoice_pdf
from bytebridge.billing.invoice_pdf import Adjustment, InvoiceDocument, InvoiceLine, Party, money, render_pdf

ISSUED = 1_764_633_600_000  # 2025-12-02 00:00 UTC


def _doc(**changes) -> InvoiceDocument:
    lines = [
        InvoiceLine(task_type="rectangle", tasks=1203, unit_price_cents=6, amount_cents=7218),
        InvoiceLine(task_type="singleChoice", tasks=2406, unit_price_cents=2, amount_cents=4812),
    ]
    values = {
        "number": "BB-000042",
        "issued_at": ISSUED,
        "seller": Party(name="ByteBridge", address="1 Data Street\nSingapore"),
        "bill_to": Party(name="Ada Client", company="Cats Inc.", email="ada@example.com", tax_id="SG-123"),
        "project_id": "p7_AbCdEfGh",
        "project_name": "cats and dogs",
        "project_status": "completed",
        "lines": lines,
        "subtotal_cents": 12030,
        "credits": [Adjustment(description="dispute d1 (3 items)", amount_cents=30)],
        "total_cents": 12000,
        "payments": [Adjustment(description="card payment pi_1", amount_cents=11000)],
        "amount_due_cents": 1000,
    }
    return InvoiceDocument(**{**values, **changes})


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_money_is_dollars_to_the_cent():
    assert [money(c) for c in (0, 5, 100, 123456, -30)] == ["$0.00", "$0.05", "$1.00", "$1,234.56", "-$0.30"]


def test_the_pdf_says_what_the_figures_say():
    pdf = render_pdf(_doc())
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in (
        "Invoice BB-000042",
        "2025-12-02",
        "Cats Inc.",
        "ada@example.com",
        "Tax ID: SG-123",
        "1 Data Street",
        "cats and dogs (p7_AbCdEfGh)",
        "rectangle",
        "1,203",
        "$0.06",
        "$72.18",
        "singleChoice",
        "2,406",
        "$48.12",
        "Subtotal",
        "$120.30",
        "Credit: dispute d1 (3 items)",
        "-$0.30",
        "Total",
        "$120.00",
        "Paid: card payment pi_1",
        "-$110.00",
        "Amount due",
        "$10.00",
    ):
        assert expected in text, expected


def test_a_chinese_project_name_prints_as_written():
    assert invoice_pdf.font_path() is not None, "the CJK font is missing: make venv installs fonts-wqy-microhei"
    text = _text(render_pdf(_doc(project_name="猫狗分类项目", bill_to=Party(name="张三", email="z@example.com"))))
    assert "猫狗分类项目" in text
    assert "张三" in text


def test_a_statement_is_not_an_invoice():
    text = _text(render_pdf(_doc(number=None, project_status="inProgress")))
    assert "Statement (not an invoice)" in text
    assert "Invoice BB-" not in text


def test_many_lines_flow_onto_more_pages():
    lines = [InvoiceLine(task_type=f"type{n:03d}", tasks=n, unit_price_cents=1, amount_cents=n) for n in range(120)]
    total = sum(line.amount_cents for line in lines)
    pdf = render_pdf(_doc(lines=lines, subtotal_cents=total, credits=[], total_cents=total, amount_due_cents=0))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = _text(pdf)
    assert "type000" in text and "type119" in text and money(total) in text


def test_without_a_font_latin_still_renders_and_cjk_is_refused(monkeypatch, tmp_path):
    missing = tmp_path / "none.ttc"
    monkeypatch.setattr(invoice_pdf, "BUNDLED_FONT", missing)
    monkeypatch.setattr(invoice_pdf, "SYSTEM_FONT", missing)
    monkeypatch.delenv("INVOICE_FONT", raising=False)
    invoice_pdf.font_path.cache_clear()
    try:
        assert "Invoice BB-000042" in _text(render_pdf(_doc()))
        with pytest.raises(invoice_pdf.FontMissing):
            render_pdf(_doc(project_name="猫狗"))
    finally:
        invoice_pdf.font_path.cache_clear()
