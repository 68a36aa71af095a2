"""An invoice (or a running statement) as a document: the figures (InvoiceDocument, also stored as the invoice's
JSON) and their PDF, drawn from one layout with fpdf2 (pure Python; it embeds a subset of a TrueType font, so a
project named in Chinese prints as written). Amounts are whole US cents everywhere; only the layout formats them.

The font: WenQuanYi Micro Hei (Latin and CJK in one TrueType collection, Apache 2.0), from Debian's
fonts-wqy-microhei (the Makefile installs it) or the copy the layer bundling puts beside this module; INVOICE_FONT
names another file. Without any, a document whose text fits Latin-1 still renders with a core font.
"""

import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

FONT_FILE = "wqy-microhei.ttc"
BUNDLED_FONT = Path(__file__).parent / "fonts" / FONT_FILE
SYSTEM_FONT = Path("/usr/share/fonts/truetype/wqy") / FONT_FILE
_FAMILY = "invoice"


class _Doc(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Party(_Doc):
    name: str = ""
    company: str = ""
    email: str = ""
    address: str = ""  # lines apart by "\n"
    tax_id: str = ""


class InvoiceLine(_Doc):
    task_type: str
    tasks: int = Field(ge=0)
    unit_price_cents: int = Field(ge=0)
    amount_cents: int = Field(ge=0)  # tasks × unit price


class Adjustment(_Doc):
    description: str
    amount_cents: int = Field(ge=0)


class InvoiceDocument(_Doc):
    """The figures of one invoice; `number` is None for a running statement (not an invoice)."""

    number: str | None
    issued_at: int = Field(description="epoch ms: the invoice's date")
    currency: str = "USD"
    seller: Party
    bill_to: Party
    project_id: str
    project_name: str
    project_status: str
    lines: list[InvoiceLine]
    subtotal_cents: int = Field(description="Σ lines: the project's charge")
    credits: list[Adjustment] = Field(description="dispute credits on the project's items")
    total_cents: int = Field(description="subtotal − credits")
    payments: list[Adjustment] = Field(description="how the charge was paid (prepaid balance)")
    amount_due_cents: int = Field(description="total − payments (0 once the project is paid from the balance)")


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


@cache
def font_path() -> Path | None:
    """The TrueType file the PDFs use, or None if this machine has none."""
    configured = os.environ.get("INVOICE_FONT")
    for path in (Path(configured) if configured else None, BUNDLED_FONT, SYSTEM_FONT):
        if path is not None and path.is_file():
            return path
    return None


class FontMissing(RuntimeError):
    """The document needs characters only an embedded font has, and no font file is installed."""


def _texts(doc: InvoiceDocument) -> list[str]:
    parties = [value for party in (doc.seller, doc.bill_to) for value in party.model_dump().values()]
    return [*parties, doc.project_name, *(adjustment.description for adjustment in (*doc.credits, *doc.payments))]


@cache
def _pdf_class() -> Any:
    """fpdf2 loads only to draw a PDF: with fontTools and numpy under it, it was most of the import time of every
    handler that imports the billing package (the client API's among them)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class Pdf(FPDF):
        def __init__(self, doc: InvoiceDocument) -> None:
            super().__init__(format="A4")
            self.set_auto_page_break(auto=True, margin=18)
            self.set_title(f"Invoice {doc.number}" if doc.number else f"Statement {doc.project_id}")
            self.set_author(doc.seller.name)
            self.set_creation_date(datetime.fromtimestamp(doc.issued_at / 1000, UTC))
            path = font_path()
            if path is not None:
                self.add_font(_FAMILY, fname=str(path))
                self.body_family = _FAMILY
            elif all(text.isascii() or _latin1(text) for text in _texts(doc)):
                self.body_family = "helvetica"
            else:
                raise FontMissing(f"install {FONT_FILE} (Debian fonts-wqy-microhei) or set INVOICE_FONT")
            self.footer_text = f"{doc.seller.name} · {doc.project_id}"

        def use(self, size: float) -> None:
            self.set_font(self.body_family, size=size)

        def footer(self) -> None:
            self.set_y(-12)
            self.use(8)
            self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")

        def line_of_text(self, text: str, size: float = 10, height: float = 5.5) -> None:
            self.use(size)
            self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    return Pdf


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _party(pdf: Any, title: str, party: Party) -> None:
    pdf.line_of_text(title, size=9)
    for value in (party.company, party.name, party.email, party.address, party.tax_id and f"Tax ID: {party.tax_id}"):
        if value:
            pdf.line_of_text(value)
    pdf.ln(3)


def render_pdf(doc: InvoiceDocument) -> bytes:
    """The document as a PDF (A4)."""
    from fpdf.enums import TableCellFillMode, XPos, YPos
    from fpdf.fonts import FontFace

    pdf = _pdf_class()(doc)
    pdf.add_page()
    pdf.use(20)
    title = f"Invoice {doc.number}" if doc.number else "Statement (not an invoice)"
    pdf.cell(0, 12, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.line_of_text(f"Date: {day(doc.issued_at)}    Currency: {doc.currency}")
    if doc.number is None:
        pdf.line_of_text("A running statement of a project in progress: its figures change until it completes.")
    pdf.ln(4)
    _party(pdf, "From", doc.seller)
    _party(pdf, "Bill to", doc.bill_to)
    pdf.line_of_text(f"Project: {doc.project_name} ({doc.project_id}), {doc.project_status}")
    pdf.ln(3)
    pdf.use(10)
    with pdf.table(
        col_widths=(70, 30, 40, 40),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        cell_fill_mode=TableCellFillMode.ROWS,
        cell_fill_color=245,
        line_height=7,
        headings_style=FontFace(emphasis="", fill_color=220),  # one weight of the font: no bold
    ) as table:
        table.row(("Task type", "Tasks", "Unit price", "Amount"))
        for line in doc.lines:
            table.row((line.task_type, f"{line.tasks:,}", money(line.unit_price_cents), money(line.amount_cents)))
    pdf.ln(4)
    totals = [("Subtotal", doc.subtotal_cents)]
    totals += [(f"Credit: {credit.description}", -credit.amount_cents) for credit in doc.credits]
    totals.append(("Total", doc.total_cents))
    totals += [(f"Paid: {payment.description}", -payment.amount_cents) for payment in doc.payments]
    totals.append(("Amount due", doc.amount_due_cents))
    for label, cents in totals:
        pdf.use(11 if label in ("Total", "Amount due") else 10)
        pdf.cell(140, 7, label, align="R")
        pdf.cell(40, 7, money(cents), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.line_of_text(
        "Charges follow the published price list: for each delivered output, the tasks it went through × the unit "
        "price of each task (rework and failed items are free). Amounts in US dollars.",
        size=8,
        height=4,
    )
    return bytes(pdf.output())
