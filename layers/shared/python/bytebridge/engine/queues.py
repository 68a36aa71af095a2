"""Annotator queues: one SQS queue per task family (annotators are trained per family), one shared DLQ."""

from functools import cache

from bytebridge.annotations import TaskType
from bytebridge.aws import client
from bytebridge.settings import resource_name

FAMILIES: dict[TaskType, str] = {
    TaskType.SINGLE_CHOICE: "choice",
    TaskType.MULTIPLE_CHOICE: "choice",
    TaskType.RECTANGLE: "boxes",
    TaskType.ROTATED_BOX: "boxes",
    TaskType.FREE_POINT: "points",
    TaskType.POLYGON: "shapes",
    TaskType.STROKE: "shapes",
    TaskType.CUBE: "shapes",
    TaskType.SEGMENTATION: "masks",
    TaskType.TRANSCRIPTION: "text",
    TaskType.TEXT_SPANS: "text",  # reading work, as transcription is: the same trained annotators
    TaskType.OCR_REGIONS: "text",
    TaskType.SKELETON: "points",
    TaskType.AUDIO_SEGMENTS: "audio",
    TaskType.VIDEO_EVENTS: "video",  # watching a clip: its events, boxes on its frames, tracks through it
    TaskType.VIDEO_DETECTION: "video",
    TaskType.VIDEO_TRACKING: "video",
}
FAMILY_NAMES = tuple(dict.fromkeys(FAMILIES.values()))
TASKS_DLQ = "tasks-dlq"


def queue_name(family: str) -> str:
    """The catalog name of a family's queue (infra.catalog.QUEUES)."""
    return f"tasks-{family}"


@cache
def _url(sqs, name: str) -> str:
    return sqs.get_queue_url(QueueName=resource_name(name))["QueueUrl"]


def family_queue_url(family: str) -> str:
    return _url(client("sqs"), queue_name(family))
