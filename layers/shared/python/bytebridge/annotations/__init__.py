"""Annotation answers per task family: the one schema used to validate worker submissions, as
consensus input and output, in the results API, and by the exporters. Each family's models live in their
own module; ANSWER_MODELS maps every task type to its answer model."""

from pydantic import BaseModel

from bytebridge.annotations.audio import AudioSegmentsAnswer
from bytebridge.annotations.base import TaskType
from bytebridge.annotations.choices import MultipleChoiceAnswer, SingleChoiceAnswer
from bytebridge.annotations.image import (
    BoxAnswer,
    CuboidAnswer,
    KeypointAnswer,
    PolygonAnswer,
    PolylineAnswer,
    RotatedBoxAnswer,
    SegmentationAnswer,
)
from bytebridge.annotations.ocr import OcrAnswer
from bytebridge.annotations.skeleton import SkeletonAnswer
from bytebridge.annotations.spans import TextSpansAnswer
from bytebridge.annotations.text import TranscriptionAnswer
from bytebridge.annotations.video import VideoDetectionAnswer, VideoEventsAnswer, VideoTrackingAnswer

ANSWER_MODELS: dict[TaskType, type[BaseModel]] = {
    TaskType.SINGLE_CHOICE: SingleChoiceAnswer,
    TaskType.MULTIPLE_CHOICE: MultipleChoiceAnswer,
    TaskType.RECTANGLE: BoxAnswer,
    TaskType.FREE_POINT: KeypointAnswer,
    TaskType.STROKE: PolylineAnswer,
    TaskType.CUBE: CuboidAnswer,
    TaskType.ROTATED_BOX: RotatedBoxAnswer,
    TaskType.POLYGON: PolygonAnswer,
    TaskType.SEGMENTATION: SegmentationAnswer,
    TaskType.TRANSCRIPTION: TranscriptionAnswer,
    TaskType.TEXT_SPANS: TextSpansAnswer,
    TaskType.OCR_REGIONS: OcrAnswer,
    TaskType.SKELETON: SkeletonAnswer,
    TaskType.AUDIO_SEGMENTS: AudioSegmentsAnswer,
    TaskType.VIDEO_EVENTS: VideoEventsAnswer,
    TaskType.VIDEO_DETECTION: VideoDetectionAnswer,
    TaskType.VIDEO_TRACKING: VideoTrackingAnswer,
}


def parse_answer(task_type: TaskType | str, payload: dict) -> BaseModel:
    """Validate a submission for `task_type`; raises pydantic.ValidationError with field errors."""
    return ANSWER_MODELS[TaskType(task_type)].model_validate(payload)


def dump_answer(answer: BaseModel) -> dict:
    """The wire/storage form (camelCase aliases)."""
    return answer.model_dump(by_alias=True, mode="json")
