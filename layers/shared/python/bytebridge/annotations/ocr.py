"""OCR regions: text regions on an image, each a box or a quadrilateral, with the text read in it."""

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from bytebridge.annotations.base import Coord, ImageAnswer, Point, Strict


class OcrRegion(Strict):
    """Either a box (x, y, w, h) or a quadrilateral (`quad`: four corners, clockwise from the top left of the
    text as read), never both."""

    label: str
    text: str = Field(max_length=10_000)
    x: Coord | None = None
    y: Coord | None = None
    w: float | None = Field(None, gt=0)
    h: float | None = Field(None, gt=0)
    quad: list[Point] | None = Field(None, min_length=4, max_length=4)

    @model_validator(mode="after")
    def _one_shape(self) -> "OcrRegion":
        box = (self.x, self.y, self.w, self.h)
        if self.quad is None and None in box:
            raise ValueError("a region needs x, y, w and h, or a quad")
        if self.quad is not None and any(v is not None for v in box):
            raise ValueError("a region is a box or a quad, not both")
        return self

    @model_serializer(mode="wrap")
    def _only_its_shape(self, handler: SerializerFunctionWrapHandler) -> dict:
        # Stored and exported as given: a box without "quad": null, a quad without null x, y, w, h.
        return {key: value for key, value in handler(self).items() if value is not None}

    def corners(self) -> list[tuple[float, float]]:
        """The region's four corners (a box's clockwise from its top left)."""
        if self.quad is not None:
            return [(float(x), float(y)) for x, y in self.quad]
        x, y, w, h = self.x or 0.0, self.y or 0.0, self.w or 0.0, self.h or 0.0
        return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


class OcrAnswer(ImageAnswer):
    regions: list[OcrRegion] = Field(max_length=2000)

    @model_validator(mode="after")
    def _check(self) -> "OcrAnswer":
        for region in self.regions:
            self._inside(region.corners())
        return self
