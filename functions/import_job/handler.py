"""Consumes the imports queue: one message is one run of a bucket import (bytebridge.logic.imports.run_step): it
pages through the client's bucket, admitting each page, until the listing ends or the run's time runs low, then
queues the next page itself. A record fails only if it cannot be handled at all (AWS down): SQS redelivers it and a
redelivered page is neither admitted nor counted twice; after a few receives the DLQ keeps it."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from bytebridge.logic.imports import ImportMessage, run_step
from bytebridge.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def _record_handler(context):
    def record_handler(record: SQSRecord) -> str:
        message = ImportMessage.model_validate_json(record.body)
        logger.set_correlation_id(message.import_id)
        outcome = run_step(message, context.get_remaining_time_in_millis)
        logger.info("import", extra={"importId": message.import_id, "page": message.page, "outcome": outcome})
        return outcome

    return record_handler


@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")  # then the import's id
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record_handler(context), processor=processor, context=context
    )
