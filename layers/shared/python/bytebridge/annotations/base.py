"""What every answer schema shares: the task type names, strict models, and image geometry checks.

Coordinates are pixels in the item's image, origin top-left. Image families carry the image size
the annotator saw (imageWidth/imageHeight) so geometry can be checked and exported without the
platform downloading client data.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Coord = Annotated[float, Field(ge=0)]
Point = tuple[Coord, Coord]


class TaskType(StrEnum):
    """Task types. The first six are the documented API's; the rest are flow-builder task types."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RECTANGLE = "rectangle_frame_select"  # axis-aligned boxes
    FREE_POINT = "free_point"  # keypoints
    STROKE = "stroke"  # polylines
    CUBE = "cube_circle"  # cuboids (3D boxes drawn on the image)
    ROTATED_BOX = "rotated_box"
    POLYGON = "polygon"
    SEGMENTATION = "segmentation"
    TRANSCRIPTION = "transcription"  # OCR, speech-to-text, translation: free text
    TEXT_SPANS = "text_spans"  # text entities (NER): labelled character spans of a text
    OCR_REGIONS = "ocr_regions"  # text regions (boxes or quadrilaterals) of an image, each with its text
    SKELETON = "keypoint_skeleton"  # instances of a node-defined skeleton (COCO keypoints)
    AUDIO_SEGMENTS = "audio_segments"  # labelled time segments of a recording, each optionally transcribed
    VIDEO_EVENTS = "video_events"  # labelled time segments of a clip
    VIDEO_DETECTION = "video_detection"  # boxes on the clip's sampled frames
    VIDEO_TRACKING = "video_tracking"  # objects with stable ids across frames (keyframes + interpolation)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ImageAnswer(Strict):
    image_width: int = Field(alias="imageWidth", gt=0, le=100_000)
    image_height: int = Field(alias="imageHeight", gt=0, le=100_000)

    def _inside(self, points: list[tuple[float, float]]) -> None:
        for x, y in points:
            if x > self.image_width or y > self.image_height:
                raise ValueError(f"point ({x}, {y}) is outside the {self.image_width}x{self.image_height} image")
