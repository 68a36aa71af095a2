"""Issues one project's invoice (invoked asynchronously by bytebridge.billing.invoices.request_invoice when the
project completes or is ended) and mails it to the client once. A failure is re-raised, so Lambda's async retries
run it again: the number stays the project's, the documents are written again, the mail goes out once.

`sweep` (scheduled) is the safety net: projects completed within two days whose invoice is not issued or not
mailed (every retry failed, or the invocation was lost) are issued and mailed then."""

from aws_lambda_powertools.logging import correlation_paths

from bytebridge.billing.invoice_pdf import money
from bytebridge.billing.invoices import InvoiceJob, download_link, issue_invoice, missing_invoices
from bytebridge.clock import now_ms
from bytebridge.dal.invoices import InvoiceModel, claim_email, unclaim_email
from bytebridge.dal.projects import get_project
from bytebridge.delivery import notices
from bytebridge.observability import logger, metrics, tracer


def _mail_once(invoice: InvoiceModel) -> None:
    project = get_project(invoice.user_id, invoice.project_id)
    if project is None or not claim_email(invoice, now_ms()):
        return
    try:
        notices.send(
            "invoice_issued",
            invoice.user_id,
            project_name=project.name,
            project_id=invoice.project_id,
            number=invoice.number,
            amount=money(invoice.total_cents),
            link=download_link(invoice),
        )
    except Exception:
        unclaim_email(invoice)  # the retry mails it
        raise


def issue_and_mail(user_id: str, project_id: str) -> str | None:
    """The project's invoice number once it is issued and mailed; None if the project is not completed."""
    invoice = issue_invoice(user_id, project_id)
    if invoice is None:
        logger.info("no invoice: the project is not completed", extra={"projectId": project_id})
        return None
    _mail_once(invoice)
    logger.info("invoice", extra={"projectId": project_id, "number": invoice.number})
    return invoice.number


@logger.inject_lambda_context(correlation_id_path="projectId")
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    job = InvoiceJob.model_validate(event)
    return {"projectId": job.project_id, "number": issue_and_mail(job.user_id, job.project_id)}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def sweep(event: dict, context) -> dict:
    issued, failed = [], 0
    for user_id, project_id in missing_invoices(now_ms()):
        try:
            if number := issue_and_mail(user_id, project_id):
                issued.append(number)
        except Exception:  # one project's failure must not stop the others; the next sweep retries it
            logger.exception("invoice sweep failed", extra={"projectId": project_id})
            failed += 1
    return {"issued": issued, "failed": failed}
