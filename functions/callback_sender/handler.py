"""Consumes the callback queue: one delivery attempt per message (retries are new delayed messages, see
bytebridge.delivery.callbacks). A record fails only if it cannot be handled at all (malformed, SQS or
DynamoDB down): it is reported as a partial batch failure, SQS redelivers it, and the queue's redrive
policy parks it in the DLQ after a few receives."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from bytebridge.delivery.callbacks import CallbackMessage, deliver
from bytebridge.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> str:
    message = CallbackMessage.model_validate_json(record.body)
    logger.set_correlation_id(message.event_id)  # one event's attempts share it, across retries
    outcome = deliver(message)
    logger.info("callback", extra={"eventId": message.event_id, "attempt": message.attempt, "outcome": outcome})
    return outcome


@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")  # then each record's event id
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
