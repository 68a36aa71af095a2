"""Answers about a recording: labelled time segments (sound events, speaker turns, an emotion per stretch), each
with an optional transcript of what is said in it.

Times are seconds from the start of the recording. An answer carries the recording's duration as the annotator's
player reported it (as image answers carry the image size), so segments can be checked against it and exported
without the platform downloading client audio again. Segments may overlap (two speakers at once, an event during
speech); a segment's label is one of the node's labels (bytebridge.flows.answers checks it); its `text` is the
transcript, null for a segment not transcribed (a sound, or a node that does not ask for transcripts).
"""

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from bytebridge.annotations.base import Strict

MAX_SECONDS = 24 * 3600.0
# Players report durations with some rounding (an mp3's estimated length): a segment may end this much past it.
END_TOLERANCE = 0.05

SegmentLabel = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class AudioSegment(Strict):
    label: SegmentLabel
    start: float = Field(ge=0, le=MAX_SECONDS)
    end: float = Field(gt=0, le=MAX_SECONDS)
    # Required, null when not transcribed: the key tells an audio segment from a video event (same times, same
    # labels) when an answer is read without its node (bytebridge.exports.model.ExportSchema).
    text: str | None = Field(max_length=10_000, description="What is said in the segment; null: not transcribed")

    @model_validator(mode="after")
    def _ordered(self) -> "AudioSegment":
        if self.end <= self.start:
            raise ValueError(f"a segment must end after it starts ({self.start} → {self.end})")
        return self


class AudioSegmentsAnswer(Strict):
    duration: float = Field(gt=0, le=MAX_SECONDS, description="Seconds: the recording's length as played")
    segments: list[AudioSegment] = Field(max_length=5000)

    @model_validator(mode="after")
    def _inside(self) -> "AudioSegmentsAnswer":
        for segment in self.segments:
            if segment.end > self.duration + END_TOLERANCE:
                raise ValueError(f"a segment ends at {segment.end} s, after the {self.duration} s recording")
        return self
