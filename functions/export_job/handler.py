"""Runs one export (invoked asynchronously by bytebridge.exports.jobs.request_export). A failure is
recorded on the export and re-raised, so Lambda's async retries can run it again."""

from bytebridge.exports.jobs import ExportJobEvent, run_export
from bytebridge.observability import logger, metrics, tracer


@logger.inject_lambda_context(correlation_id_path="exportId")
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    job = ExportJobEvent.model_validate(event)
    export = run_export(job.project_id, job.export_id)
    logger.info("export", extra={"exportId": export.export_id, "status": export.status, "items": export.item_count})
    return {"exportId": export.export_id, "status": export.status}
