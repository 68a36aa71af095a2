"""What an audio or video file really is: container, codec, duration, frame rate and size, read by ffmpeg (PyAV ships
it in its wheels) from the bytes themselves, never from the link's extension or the declared type.

A file passes only when ffmpeg demuxes it as one of the containers we accept AND decodes a first frame of its main
stream: a renamed text file, a truncated header or a stream whose codec the wheels lack is `NotMedia`, with the
reason an annotator-facing refusal can name.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

import av
import av.error

Kind = Literal["video", "audio"]

# ffmpeg demuxer names (a demuxer answers for a family: "mov,mp4,m4a,3gp,3g2,mj2") → the family's members we accept.
_DEMUXERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "wav", "flac", "mp3", "ogg"})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
_MAX_PACKETS_FOR_DURATION = 100_000  # a stream without a declared duration is measured by its packets, bounded


class NotMedia(ValueError):
    """Not a decodable audio/video stream; `reason` says why in a sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AvFacts:
    kind: Kind
    container: str  # mp4 | mov | webm | mkv | m4a | wav | flac | mp3 | ogg
    codec: str  # the main stream's ffmpeg codec name (h264, vp9, aac, pcm_s16le, ...)
    duration_seconds: float
    frame_rate: float | None = None  # video only: average frames per second
    width: int | None = None  # video only, pixels as displayed (storage size; rotation metadata is not applied)
    height: int | None = None
    sample_rate: int | None = None  # the first audio stream's, video or audio
    channels: int | None = None

    @property
    def frame_count(self) -> int | None:
        """Frames in the clip at its average rate (video)."""
        return round(self.duration_seconds * self.frame_rate) if self.frame_rate else None


def _container(demuxer: str, data: bytes, kind: Kind) -> str:
    if demuxer.startswith("mov,"):
        brand = data[8:12] if data[4:8] == b"ftyp" else b""
        if brand in _QUICKTIME_BRANDS:
            return "mov"
        return "m4a" if kind == "audio" else "mp4"  # audio-only MP4 is m4a whatever its brand
    if demuxer == "matroska,webm":
        return "webm" if b"webm" in data[:64] else "mkv"  # the EBML header's DocType
    return demuxer


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    return float(value * time_base) if value is not None and time_base is not None and value > 0 else None


def _duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float:
    declared = _seconds(stream.duration, stream.time_base)
    if declared is None and container.duration is not None and container.duration > 0:
        declared = container.duration / av.time_base
    if declared is not None:
        return declared
    end = 0  # no header duration (a live-recorded webm): the last packet's end
    for count, packet in enumerate(container.demux(stream)):
        if packet.pts is not None:
            end = max(end, packet.pts + (packet.duration or 0))
        if count >= _MAX_PACKETS_FOR_DURATION:
            break
    return _seconds(end, stream.time_base) or 0.0


def _decodes(container: av.container.InputContainer, stream: av.stream.Stream) -> bool:
    for packet in container.demux(stream):
        for _frame in packet.decode():
            return True
    return False


def probe(data: bytes) -> AvFacts:
    """The facts of an audio or video file, or NotMedia."""
    if len(data) < 12:
        raise NotMedia("the file is too short to be audio or video")
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, ValueError, UnicodeDecodeError) as exc:
        raise NotMedia("the file is not an audio or video stream ffmpeg can read") from exc
    with container:
        demuxer = container.format.name
        if demuxer not in _DEMUXERS:
            raise NotMedia(
                f"{container.format.long_name or demuxer} files are not accepted: send mp4, webm or mov "
                "video, or wav, flac, m4a or mp3 audio"
            )
        videos = [s for s in container.streams.video if s.codec_context is not None and s.codec_context.width]
        audios = list(container.streams.audio)
        main: av.VideoStream | av.AudioStream
        kind: Kind
        if videos:
            main, kind = videos[0], "video"
        elif audios:
            main, kind = audios[0], "audio"
        else:
            raise NotMedia("the file holds no audio or video stream")
        try:
            if not _decodes(container, main):
                raise NotMedia(f"the {kind} stream holds no decodable frame")
            duration = _duration(container, main)  # after decoding: a measured duration reads on from there
        except av.error.FFmpegError as exc:
            raise NotMedia(f"the {kind} stream cannot be decoded ({exc.strerror or 'damaged'})") from exc
        audio = audios[0].codec_context if audios else None
        facts = AvFacts(
            kind=kind,
            container=_container(demuxer, data, kind),
            codec=main.codec_context.codec.canonical_name,
            duration_seconds=round(duration, 6),
            sample_rate=audio.sample_rate if audio is not None else None,
            channels=audio.channels if audio is not None else None,
        )
        if isinstance(main, av.VideoStream):
            rate = main.average_rate or main.guessed_rate or main.base_rate
            size = main.codec_context
            facts = replace(
                facts, frame_rate=round(float(rate), 6) if rate else None, width=size.width, height=size.height
            )
        return facts


def sample_frames(data: bytes, every: int, *, quality: int = 4) -> Iterator[tuple[int, bytes]]:
    """(frame index, JPEG) of frames 0, every, 2 every, ... of a clip's video stream, decoded once in order.

    Frame indexes count decoded frames (what an annotator's player steps through at the clip's average rate);
    JPEGs are encoded by ffmpeg's mjpeg encoder (`quality`: its qscale, 2 best to 31 worst), so no imaging library
    is needed in the layer."""
    try:
        yield from _sample(data, every, quality)
    except (av.error.FFmpegError, IndexError) as exc:
        raise NotMedia(f"the clip stops decoding ({exc})") from exc


def _sample(data: bytes, every: int, quality: int) -> Iterator[tuple[int, bytes]]:
    with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        encoder: av.VideoCodecContext | None = None
        for index, frame in enumerate(container.decode(stream)):
            if index % every:
                continue
            if encoder is None:
                created = av.CodecContext.create("mjpeg", "w")
                assert isinstance(created, av.VideoCodecContext)
                encoder = created
                encoder.width, encoder.height, encoder.pix_fmt = frame.width, frame.height, "yuvj420p"
                encoder.time_base = stream.time_base or Fraction(1, 25)
                encoder.options = {"qscale": str(quality)}
                encoder.flags |= av.codec.context.Flags.qscale
            picture = frame.reformat(format="yuvj420p")
            yield index, b"".join(bytes(packet) for packet in encoder.encode(picture))
