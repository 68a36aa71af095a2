"""The callback queue and its dead-letter queue, by physical name (the URL is looked up once per client)."""

from functools import cache

from bytebridge.aws import client
from bytebridge.settings import resource_name

CALLBACK_QUEUE = "callbacks"
CALLBACK_DLQ = "callbacks-dlq"


@cache
def _url(sqs, name: str) -> str:
    # Keyed on the client too: tests reset clients between emulated accounts, which drops stale URLs.
    return sqs.get_queue_url(QueueName=resource_name(name))["QueueUrl"]


def queue_url(base: str) -> str:
    sqs = client("sqs")
    return _url(sqs, base)
