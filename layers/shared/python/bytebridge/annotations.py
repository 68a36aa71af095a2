"""Annotation answers per task family: the one schema used to validate worker submissions, as
consensus input and output, in the results API, and by the exporters.

Coordinates are pixels in the item's image, origin top-left. Image families carry the image size
the annotator saw (imageWidth/imageHeight) so geometry can be checked and exported without the
platform downloading client data.
"""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ImageAnswer(_Strict):
    image_width: int = Field(alias="imageWidth", gt=0, le=100_000)
    image_height: int = Field(alias="imageHeight", gt=0, le=100_000)

    def _inside(self, points: list[tuple[float, float]]) -> None:
        for x, y in points:
            if x > self.image_width or y > self.image_height:
                raise ValueError(f"point ({x}, {y}) is outside the {self.image_width}x{self.image_height} image")


class SingleChoiceAnswer(_Strict):
    choice: str


class MultipleChoiceAnswer(_Strict):
    choices: list[str] = Field(max_length=100)


class Box(_Strict):
    label: str
    x: Coord
    y: Coord
    w: float = Field(gt=0)
    h: float = Field(gt=0)


class BoxAnswer(ImageAnswer):
    boxes: list[Box] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "BoxAnswer":
        self._inside([(b.x + b.w, b.y + b.h) for b in self.boxes])
        return self


class RotatedBox(_Strict):
    label: str
    cx: Coord
    cy: Coord
    w: float = Field(gt=0)
    h: float = Field(gt=0)
    angle: float = Field(ge=-180, le=180)  # degrees, counter-clockwise


class RotatedBoxAnswer(ImageAnswer):
    boxes: list[RotatedBox] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "RotatedBoxAnswer":
        self._inside([(b.cx, b.cy) for b in self.boxes])
        return self


class Keypoint(_Strict):
    label: str
    x: Coord
    y: Coord


class KeypointAnswer(ImageAnswer):
    points: list[Keypoint] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "KeypointAnswer":
        self._inside([(p.x, p.y) for p in self.points])
        return self


class Shape(_Strict):
    label: str
    points: list[Point]


class PolygonAnswer(ImageAnswer):
    polygons: list[Shape] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "PolygonAnswer":
        for polygon in self.polygons:
            if len(polygon.points) < 3:
                raise ValueError("a polygon needs at least 3 points")
            self._inside(polygon.points)
        return self


class PolylineAnswer(ImageAnswer):
    lines: list[Shape] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "PolylineAnswer":
        for line in self.lines:
            if len(line.points) < 2:
                raise ValueError("a polyline needs at least 2 points")
            self._inside(line.points)
        return self


class Cuboid(_Strict):
    label: str
    front: list[Point] = Field(min_length=4, max_length=4)  # the face nearer the viewer, clockwise
    back: list[Point] = Field(min_length=4, max_length=4)


class CuboidAnswer(ImageAnswer):
    cuboids: list[Cuboid] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "CuboidAnswer":
        for cuboid in self.cuboids:
            self._inside(cuboid.front + cuboid.back)
        return self


class Mask(_Strict):
    """Uncompressed COCO RLE over the image in column-major order: run lengths starting with 0s."""

    label: str
    counts: list[int]


class SegmentationAnswer(ImageAnswer):
    masks: list[Mask] = Field(max_length=256)

    @model_validator(mode="after")
    def _check(self) -> "SegmentationAnswer":
        area = self.image_width * self.image_height
        for mask in self.masks:
            if any(c < 0 for c in mask.counts) or sum(mask.counts) != area:
                raise ValueError(f"mask {mask.label!r}: run lengths must be >= 0 and sum to width*height")
        return self


class TranscriptionAnswer(_Strict):
    text: str = Field(max_length=100_000)


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
}


def parse_answer(task_type: TaskType | str, payload: dict) -> BaseModel:
    """Validate a submission for `task_type`; raises pydantic.ValidationError with field errors."""
    return ANSWER_MODELS[TaskType(task_type)].model_validate(payload)


def dump_answer(answer: BaseModel) -> dict:
    """The wire/storage form (camelCase aliases)."""
    return answer.model_dump(by_alias=True, mode="json")
