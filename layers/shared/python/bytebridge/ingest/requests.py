"""Asking for checks: the ingest-checks queue carries batches of item ids; its consumer (functions/ingest_check)
runs bytebridge.ingest.check on each batch."""

from functools import cache

from pydantic import BaseModel, Field

from bytebridge.aws import client
from bytebridge.dal.items import ItemModel
from bytebridge.dal.projects import ProjectModel
from bytebridge.ingest.check import check_loaded
from bytebridge.settings import get_settings, resource_name, stage

CHECK_QUEUE = "ingest-checks"
IDS_PER_MESSAGE = 25  # one message is one consumer run's work: 25 head fetches, a few in parallel
_MESSAGES_PER_SEND = 10  # SQS SendMessageBatch's limit


class CheckRequest(BaseModel):
    """The queue message: which new items of which project to check."""

    user_id: str
    project_id: str
    item_ids: list[str] = Field(min_length=1, max_length=IDS_PER_MESSAGE)


@cache
def _url(sqs) -> str:
    return sqs.get_queue_url(QueueName=resource_name(CHECK_QUEUE))["QueueUrl"]


def inline() -> bool:
    """Whether checks run in the admitting call (the local runtime and the tests only, never when deployed)."""
    return get_settings().ingest_check_inline and stage() == "local"


def request_checks(project: ProjectModel, items: list[ItemModel]) -> None:
    """Queue the check of these new items (or, locally with ingest_check_inline, run it now)."""
    if inline():  # the consumer's own code, run here instead of queued
        check_loaded(project, items)
        return
    ids = [item.item_id for item in items]
    requests = [
        CheckRequest(
            user_id=project.user_id, project_id=project.project_id, item_ids=ids[start : start + IDS_PER_MESSAGE]
        )
        for start in range(0, len(ids), IDS_PER_MESSAGE)
    ]
    sqs = client("sqs")
    for start in range(0, len(requests), _MESSAGES_PER_SEND):
        chunk = requests[start : start + _MESSAGES_PER_SEND]
        entries = [{"Id": str(i), "MessageBody": r.model_dump_json()} for i, r in enumerate(chunk)]
        answer = sqs.send_message_batch(QueueUrl=_url(sqs), Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"ingest checks not queued: {answer['Failed'][0].get('Message')}")
