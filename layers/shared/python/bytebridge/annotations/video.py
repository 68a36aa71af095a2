"""Answers about a video clip: events (labelled time segments), detection (boxes on sampled frames) and tracking
(objects with stable ids across frames). Classifying a whole clip is a single/multiple choice on a video item.

Times are seconds from the clip's start; frames are 0-based indices at the clip's frame rate. Like image answers
carry the image size, video answers carry what the annotator's player reported (duration; frame size and frame
count for boxes), so they can be checked and exported without the platform reading client video again.

Tracking follows CVAT's track model: a track holds keyframes; between two keyframes the box moves linearly; a
keyframe marked `outside` ends the object's presence until the next keyframe that is not; after the last keyframe
the object stays where it is until the clip ends (mark `outside` to make it leave). `occluded` carries over from a
keyframe to the frames after it.
"""

from bisect import bisect_right
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from bytebridge.annotations.base import Coord, ImageAnswer, Strict
from bytebridge.annotations.image import Box

MAX_SECONDS = 24 * 3600.0
MAX_FRAMES = 10_000_000
END_TOLERANCE = 0.05  # players round a clip's duration: a segment may end this much past it

Label = Annotated[str, StringConstraints(min_length=1, max_length=256)]
FrameIndex = Annotated[int, Field(ge=0, lt=MAX_FRAMES)]


class VideoSegment(Strict):
    label: Label
    start: float = Field(ge=0, le=MAX_SECONDS)
    end: float = Field(gt=0, le=MAX_SECONDS)

    @model_validator(mode="after")
    def _ordered(self) -> "VideoSegment":
        if self.end <= self.start:
            raise ValueError(f"a segment must end after it starts ({self.start} → {self.end})")
        return self


class VideoEventsAnswer(Strict):
    duration: float = Field(gt=0, le=MAX_SECONDS, description="Seconds: the clip's length as played")
    segments: list[VideoSegment] = Field(max_length=5000)

    @model_validator(mode="after")
    def _inside(self) -> "VideoEventsAnswer":
        for segment in self.segments:
            if segment.end > self.duration + END_TOLERANCE:
                raise ValueError(f"a segment ends at {segment.end} s, after the {self.duration} s clip")
        return self


class FrameBoxes(Strict):
    frame: FrameIndex
    boxes: list[Box] = Field(max_length=1000)


class VideoClip(ImageAnswer):
    """What every boxes-on-video answer carries: frame size, frame rate and frame count of the clip."""

    frame_rate: float = Field(alias="frameRate", gt=0, le=1000)
    frame_count: int = Field(alias="frameCount", gt=0, le=MAX_FRAMES)

    def _in_clip(self, frame: int) -> None:
        if frame >= self.frame_count:
            raise ValueError(f"frame {frame} is past the clip's {self.frame_count} frames")


class VideoDetectionAnswer(VideoClip):
    """Boxes on the sampled frames the node asked for (bytebridge.flows.answers checks the sampling)."""

    frames: list[FrameBoxes] = Field(max_length=100_000)

    @model_validator(mode="after")
    def _check(self) -> "VideoDetectionAnswer":
        seen: set[int] = set()
        for entry in self.frames:
            self._in_clip(entry.frame)
            if entry.frame in seen:
                raise ValueError(f"frame {entry.frame} is listed twice")
            seen.add(entry.frame)
            self._inside([(b.x + b.w, b.y + b.h) for b in entry.boxes])
        return self


class Keyframe(Strict):
    frame: FrameIndex
    x: Coord
    y: Coord
    w: float = Field(gt=0)
    h: float = Field(gt=0)
    occluded: bool = False
    outside: bool = False  # the object is not in the picture from this frame on (until the next keyframe)


class Track(Strict):
    id: int = Field(ge=1, le=1_000_000, description="Stable within the answer: the same object on every frame")
    label: Label
    keyframes: list[Keyframe] = Field(min_length=1, max_length=100_000)

    @model_validator(mode="after")
    def _ordered(self) -> "Track":
        frames = [k.frame for k in self.keyframes]
        if frames != sorted(set(frames)):
            raise ValueError(f"track {self.id}: keyframes must be in increasing frame order, each frame once")
        return self

    def box_at(self, frame: int) -> tuple[float, float, float, float, bool] | None:
        """(x, y, w, h, occluded) on `frame` by linear interpolation between keyframes, or None when absent."""
        frames = [k.frame for k in self.keyframes]
        i = bisect_right(frames, frame) - 1
        if i < 0 or self.keyframes[i].outside:
            return None
        key = self.keyframes[i]
        if key.frame == frame or i + 1 == len(self.keyframes) or self.keyframes[i + 1].outside:
            return key.x, key.y, key.w, key.h, key.occluded
        after = self.keyframes[i + 1]
        t = (frame - key.frame) / (after.frame - key.frame)
        return (
            key.x + t * (after.x - key.x),
            key.y + t * (after.y - key.y),
            key.w + t * (after.w - key.w),
            key.h + t * (after.h - key.h),
            key.occluded,
        )


class VideoTrackingAnswer(VideoClip):
    tracks: list[Track] = Field(max_length=10_000)

    @model_validator(mode="after")
    def _check(self) -> "VideoTrackingAnswer":
        ids = [t.id for t in self.tracks]
        if len(ids) != len(set(ids)):
            raise ValueError("track ids must be unique within an answer")
        for track in self.tracks:
            for key in track.keyframes:
                self._in_clip(key.frame)
            self._inside([(k.x + k.w, k.y + k.h) for k in track.keyframes])
        return self
