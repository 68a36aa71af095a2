"""bytebridge.avprobe on real files PyAV encodes here: facts from the bytes, refusals for anything not decodable."""

import io

import pytest
from PIL import Image

from bytebridge.avprobe import NotMedia, probe, sample_frames
from local import av_clips


@pytest.mark.parametrize(("container", "codec"), [("mp4", "h264"), ("mov", "h264"), ("webm", "vp9")])
def test_video_facts(container: str, codec: str) -> None:
    facts = probe(av_clips.video(container, width=64, height=48, fps=10, frames=25))
    assert (facts.kind, facts.container, facts.codec) == ("video", container, codec)
    assert (facts.width, facts.height, facts.frame_rate) == (64, 48, 10.0)
    assert facts.duration_seconds == pytest.approx(2.5, abs=0.11)
    assert facts.frame_count == 25
    assert facts.sample_rate is None


@pytest.mark.parametrize(
    ("container", "codec"), [("wav", "pcm_s16le"), ("flac", "flac"), ("m4a", "aac"), ("mp3", "mp3")]
)
def test_audio_facts(container: str, codec: str) -> None:
    facts = probe(av_clips.audio(container, seconds=1.5, sample_rate=22_050))
    assert (facts.kind, facts.container, facts.codec) == ("audio", container, codec)
    assert (facts.sample_rate, facts.channels) == (22_050, 1)
    assert facts.duration_seconds == pytest.approx(1.5, abs=0.1)
    assert (facts.width, facts.height, facts.frame_rate) == (None, None, None)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "too short"),
        (b"not a video at all, only some text that someone named clip.mp4", "can read"),
        (b"\x00" * 4096, "can read"),
        (_png(), "not accepted"),
    ],
    ids=["empty", "text", "zeros", "png"],
)
def test_not_media(data: bytes, says: str) -> None:
    with pytest.raises(NotMedia, match=says):
        probe(data)


def test_truncated_video_is_refused() -> None:
    whole = av_clips.video("mp4", frames=30)
    with pytest.raises(NotMedia):
        probe(whole[: len(whole) // 3])


def test_extension_and_header_trickery() -> None:
    """A WAV header followed by garbage: the demuxer knows the format, yet nothing decodes into a duration."""
    wav = av_clips.audio("wav", seconds=0.5)
    assert probe(wav).kind == "audio"
    with pytest.raises(NotMedia):
        probe(wav[:44])  # the header alone: no samples


def test_sampled_frames_are_jpegs_of_what_the_clip_shows() -> None:
    red = av_clips.Sprite((255, 0, 0), lambda frame: (3.0 * frame, 8.0, 10.0, 10.0))
    clip = av_clips.video("webm", width=64, height=48, fps=10, frames=13, sprites=[red])

    frames = list(sample_frames(clip, 4))

    assert [index for index, _ in frames] == [0, 4, 8, 12]
    picture = Image.open(io.BytesIO(frames[2][1]))
    assert (picture.format, picture.size) == ("JPEG", (64, 48))
    r, g, _ = picture.convert("RGB").getpixel((28, 12))  # the square is at x 24..34 on frame 8
    assert r > 200 > g


def test_sampling_what_is_not_a_clip_is_not_media() -> None:
    with pytest.raises(NotMedia):
        list(sample_frames(b"\x00" * 4096, 5))
