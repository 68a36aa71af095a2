"""Answers drawn on an image: boxes, rotated boxes, keypoints, polygons, polylines, cuboids, masks."""

from pydantic import Field, model_validator

from bytebridge.annotations.base import Coord, ImageAnswer, Point, Strict


class Box(Strict):
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


class RotatedBox(Strict):
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


class Keypoint(Strict):
    label: str
    x: Coord
    y: Coord


class KeypointAnswer(ImageAnswer):
    points: list[Keypoint] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "KeypointAnswer":
        self._inside([(p.x, p.y) for p in self.points])
        return self


class Shape(Strict):
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


class Cuboid(Strict):
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


class Mask(Strict):
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
