"""Consumes the ingest-checks queue: each message names new items of one project; each still waiting is checked
(bytebridge.ingest.check) and made ready or refused. A record fails only if it cannot be handled at all (malformed,
AWS down): it is reported as a partial batch failure, SQS redelivers it (items already recorded are skipped), and
the queue's redrive policy parks it in the DLQ after a few receives."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from bytebridge.ingest.check import check_items
from bytebridge.ingest.requests import CheckRequest
from bytebridge.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> int:
    request = CheckRequest.model_validate_json(record.body)
    recorded = check_items(request.user_id, request.project_id, request.item_ids)
    logger.info(
        "ingest check", extra={"projectId": request.project_id, "items": len(request.item_ids), "recorded": recorded}
    )
    return recorded


@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
