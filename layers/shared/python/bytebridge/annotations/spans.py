"""Text entities (NER): labelled character spans over a UTF-8 text.

Offsets count Unicode code points (Python `str` indexes, JavaScript's `Array.from(text)`), not UTF-8 bytes nor
UTF-16 units, so a CJK character or an emoji is one position; `end` is exclusive. The answer carries the length
of the text the annotator saw (`textLength`), as image answers carry the image size: spans are checked against
it here, and against the text kept with the item when exported. Whether spans may overlap is the task node's
setting (`overlappingSpans`, bytebridge.flows), checked with the node.
"""

from itertools import pairwise

from pydantic import Field, model_validator

from bytebridge.annotations.base import Strict

MAX_TEXT_LENGTH = 1_000_000  # code points


class Span(Strict):
    start: int = Field(ge=0)
    end: int = Field(gt=0)  # exclusive
    label: str


class TextSpansAnswer(Strict):
    text_length: int = Field(alias="textLength", ge=0, le=MAX_TEXT_LENGTH)
    spans: list[Span] = Field(max_length=10_000)

    @model_validator(mode="after")
    def _check(self) -> "TextSpansAnswer":
        seen = set()
        for span in self.spans:
            if span.start >= span.end or span.end > self.text_length:
                raise ValueError(f"span [{span.start}, {span.end}) is not inside the {self.text_length}-character text")
            key = (span.start, span.end, span.label)
            if key in seen:
                raise ValueError(f"span [{span.start}, {span.end}) {span.label!r} is given twice")
            seen.add(key)
        return self

    def overlapping(self) -> bool:
        return spans_overlap([{"start": s.start, "end": s.end} for s in self.spans])


def spans_overlap(spans: list[dict]) -> bool:
    """Whether two spans (stored form) share a character, whatever their labels."""
    ordered = sorted((s["start"], s["end"]) for s in spans)
    return any(b[0] < a[1] for a, b in pairwise(ordered))
