"""Invoices: one row per project (its number, date, totals and where its PDF and JSON live) and the seller's
counter. A number is taken in the same transaction that writes the invoice row, conditional on the counter's
value read and on the project having no invoice yet: numbers have no gaps, and a retried generation finds
the row and keeps its number."""

from collections.abc import Iterator

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, table, transact, update, update_if
from bytebridge.dal.errors import ConditionFailed
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.enums import ProjectStatus

RACE_RETRIES = 50  # lost races for a number in a row before giving up (Lambda's retry comes back later)
RENDERING = "rendering"  # numbered; its documents are being written
ISSUED = "issued"  # its PDF and JSON are stored


class InvoiceModel(Model):
    class Meta(BaseMeta):
        table_name = table("invoices")

    user_id = UnicodeAttribute(hash_key=True)
    project_id = UnicodeAttribute(range_key=True)  # one invoice per project
    project_name = UnicodeAttribute(default="")  # as it was when the invoice was numbered
    number = UnicodeAttribute()  # "<seller prefix>-<6 digits>", gapless per seller
    seq = IntAttribute()  # the counter value the number was made from
    status = UnicodeAttribute(default=RENDERING)
    issued_at = TimestampMs()  # the invoice's date (when its number was taken)
    currency = UnicodeAttribute(default="USD")
    total_cents = IntAttribute(default=0)  # what the project's usage came to (before credits)
    credits_cents = IntAttribute(default=0)  # dispute credits on the project's items
    pdf_key = UnicodeAttribute(null=True)
    json_key = UnicodeAttribute(null=True)
    emailed_at = TimestampMs(null=True)


class InvoiceCounterModel(Model):
    """The last invoice number a seller gave (one row per seller)."""

    class Meta(BaseMeta):
        table_name = table("invoice-counters")

    seller = UnicodeAttribute(hash_key=True)
    last = IntAttribute(default=0)


def get_invoice(user_id: str, project_id: str) -> InvoiceModel | None:
    return get_or_none(InvoiceModel, user_id, project_id)


def invoices_of(user_id: str) -> list[InvoiceModel]:
    """The account's invoices (one per invoiced project), consistent read."""
    return list(InvoiceModel.query(user_id, consistent_read=True))


def last_number(seller: str) -> int:
    counter = get_or_none(InvoiceCounterModel, seller)
    return 0 if counter is None else counter.last


def take_number(
    user_id: str, project_id: str, *, seller: str, prefix: str, now: int, project_name: str = ""
) -> InvoiceModel:
    """The project's invoice row, numbered: the existing one if the project has one (a retry), else a new row
    with the seller's next number, written with the counter in one transaction. Lost races re-read and retry."""
    C, I = InvoiceCounterModel, InvoiceModel  # noqa: E741
    for _ in range(RACE_RETRIES):
        if (existing := get_invoice(user_id, project_id)) is not None:
            return existing
        last = last_number(seller)
        seq = last + 1
        number = f"{prefix}-{seq:06d}"
        invoice = I(user_id, project_id, project_name=project_name, number=number, seq=seq, issued_at=now)
        unchanged = C.seller.does_not_exist() if last == 0 else C.last == last
        try:
            with transact() as tx:
                tx.save(invoice, condition=I.project_id.does_not_exist())
                tx.update(C(seller), actions=[C.last.set(seq)], condition=unchanged)
        except ConditionFailed:
            continue  # another invoice took this number, or this project's invoice was written meanwhile
        except TransactWriteError as exc:  # two transactions on the counter at the same moment
            if not any(r is not None and r.code == "TransactionConflict" for r in exc.cancellation_reasons):
                raise
            continue
        return invoice
    raise ConditionFailed(f"invoice numbers kept changing while numbering {project_id}: the job's retry comes back")


def mark_issued(invoice: InvoiceModel, *, total_cents: int, credits_cents: int, pdf_key: str, json_key: str) -> None:
    I = InvoiceModel  # noqa: E741
    update(
        invoice,
        [
            I.status.set(ISSUED),
            I.total_cents.set(total_cents),
            I.credits_cents.set(credits_cents),
            I.pdf_key.set(pdf_key),
            I.json_key.set(json_key),
        ],
    )


def claim_email(invoice: InvoiceModel, now: int) -> bool:
    """Mark the invoice mailed; False if it was already (a retry sends nothing twice)."""
    return update_if(invoice, [InvoiceModel.emailed_at.set(now)], InvoiceModel.emailed_at.does_not_exist())


def unclaim_email(invoice: InvoiceModel) -> None:
    """The mail could not be sent: let a retry send it."""
    update(invoice, [InvoiceModel.emailed_at.remove()])


def charged_items(project_id: str) -> Iterator[ItemModel]:
    """The project's items that were charged (cost > 0: billed, non-trial), with what their invoice lines need."""
    return ItemModel.query(
        project_id,
        filter_condition=ItemModel.cost_cents > 0,
        attributes_to_get=["item_id", "cost_cents", "flow_version", "charged_path", "result"],
        page_size=500,
    )


def completed_since(since: int) -> Iterator[ProjectModel]:
    """Projects completed (or last changed while completed) at or after `since` (the status index: eventually
    consistent), keys only."""
    return ProjectModel.status_index.query(
        ProjectStatus.COMPLETED.value,
        ProjectModel.updated_at >= since,
        attributes_to_get=["user_id", "project_id"],
    )
