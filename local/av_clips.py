"""Tiny real audio and video files made with PyAV (the encoders ship in its wheels), for the local web stand-in, the
simulations and the tests: the platform probes bytes, so every clip it ingests must be a decodable file.

A video shows coloured rectangles moving over a grey background (`Sprite`: where each is at each frame), so the
truth a simulated annotator labels is also what the frames show.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

Box = tuple[float, float, float, float]  # x, y, width, height in pixels


@dataclass(frozen=True)
class Sprite:
    """A rectangle of one colour; `at(frame)` is its box, or None while it is off screen."""

    color: tuple[int, int, int]
    at: Callable[[int], Box | None]


# container → (PyAV format name, video codec, pixel format)
VIDEO_FORMATS = {
    "mp4": ("mp4", "libx264", "yuv420p"),
    "mov": ("mov", "libx264", "yuv420p"),
    "webm": ("webm", "libvpx-vp9", "yuv420p"),
}
# container → (PyAV format name, audio codec, sample format)
AUDIO_FORMATS = {
    "wav": ("wav", "pcm_s16le", "s16"),
    "flac": ("flac", "flac", "s16"),
    "m4a": ("ipod", "aac", "fltp"),
    "mp3": ("mp3", "libmp3lame", "fltp"),
}


def _frame_pixels(width: int, height: int, index: int, sprites: Sequence[Sprite]) -> np.ndarray:
    pixels = np.full((height, width, 3), 96, dtype=np.uint8)
    for sprite in sprites:
        box = sprite.at(index)
        if box is None:
            continue
        x, y, w, h = (round(v) for v in box)
        pixels[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)] = sprite.color
    return pixels


def video(
    container: str = "mp4",
    *,
    width: int = 64,
    height: int = 48,
    fps: int = 10,
    frames: int = 20,
    sprites: Sequence[Sprite] = (),
) -> bytes:
    """An encoded clip of `frames` frames at `fps` (sizes even: yuv420p needs it)."""
    fmt, codec, pix_fmt = VIDEO_FORMATS[container]
    out = io.BytesIO()
    with av.open(out, mode="w", format=fmt) as output:
        stream = output.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(_frame_pixels(width, height, index, sprites), format="rgb24")
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return out.getvalue()


def audio(container: str = "wav", *, seconds: float = 1.0, sample_rate: int = 16_000, tone_hz: float = 440.0) -> bytes:
    """A mono sine tone."""
    fmt, codec, sample_fmt = AUDIO_FORMATS[container]
    out = io.BytesIO()
    with av.open(out, mode="w", format=fmt) as output:
        stream = output.add_stream(codec, rate=sample_rate)
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        chunk = 1024
        total = int(seconds * sample_rate)
        for start in range(0, total, chunk):
            t = np.arange(start, min(total, start + chunk)) / sample_rate
            wave = 0.3 * np.sin(2 * np.pi * tone_hz * t)
            samples = (wave * 32767).astype(np.int16) if sample_fmt == "s16" else wave.astype(np.float32)
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format=sample_fmt, layout="mono")
            frame.sample_rate = sample_rate
            frame.pts, frame.time_base = start, Fraction(1, sample_rate)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return out.getvalue()
