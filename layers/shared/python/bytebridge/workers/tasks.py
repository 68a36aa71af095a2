"""The SQS side of a claimed task: its slot message (the lease: it stays invisible while claimed, and comes back
for others when the lease runs out). The item's visit holds the task token (bytebridge.engine.advance)."""

import logging

from botocore.exceptions import ClientError

from bytebridge.aws import client

log = logging.getLogger(__name__)


def lease_margin(lease_seconds: int) -> int:
    """How long past the lease its message stays hidden, so it never reappears while a submit may still land."""
    return max(1, min(60, lease_seconds // 10))


def receive(queue_url: str, wait_seconds: int, lease_seconds: int) -> dict | None:
    """One message (one at a time: every receive counts towards the queue's redrive to the DLQ)."""
    messages = (
        client("sqs")
        .receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=1,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=lease_seconds + lease_margin(lease_seconds),
            AttributeNames=["ApproximateReceiveCount"],
        )
        .get("Messages", [])
    )
    return messages[0] if messages else None


def hide(queue_url: str, receipt_handle: str, seconds: int) -> None:
    client("sqs").change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds)


def delete(queue_url: str, receipt_handle: str) -> None:
    try:
        client("sqs").delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)
    except ClientError as exc:  # an expired receipt: the message was received again by then, nothing to undo
        log.info("message not deleted", extra={"error": exc.response["Error"]["Code"]})


def give_back(queue_url: str, body: str, receipt_handle: str | None) -> None:
    """Put a task back for other annotators as a new message (a fresh receive count: a skip is not a failure),
    then drop the held one. Sent first, so the slot is never lost."""
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
    if receipt_handle:
        delete(queue_url, receipt_handle)
