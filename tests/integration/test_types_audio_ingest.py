"""Audio items are probed at admission (bytebridge.ingest.check with bytebridge.avprobe): wav, flac, m4a and mp3
recordings become ready with their true duration, sample rate and channel count, found in their bytes whatever
the link's extension says; what does not play is refused with the reason; an audio segments flow needs
recordings and a drawing flow pictures."""

import io
import wave

import pytest

from bytebridge.dal.items import ItemModel
from bytebridge.enums import ItemStatus
from local import av_clips, web_standin
from local.web_standin import Reply
from tests.support.client_api import SUBMIT, create_project
from tests.support.engine import SET_FLOW

CHOICE = {"options": [{"value": "a"}, {"value": "b"}], "question": "which?"}
HOST = "https://sounds.example.com"


def audio_project(api, template: str = "segment-audio") -> str:
    project_id = create_project(api, projectName=f"sounds {template}", **CHOICE)
    assert api.call(SET_FLOW, {"projectId": project_id, "template": template})["code"] == 0
    return project_id


def submit(api, project_id: str, urls: list[str], resource_type: str = "audio") -> None:
    out = api.call(SUBMIT, {"projectId": project_id, "resourceType": resource_type, "resourceURLs": urls})
    assert out["code"] == 0, out


def items_by_url(project_id: str) -> dict[str, ItemModel]:
    return {item.url: item for item in ItemModel.query(project_id, consistent_read=True)}


def facts(item: ItemModel) -> tuple:
    return item.status, item.mime, item.duration_ms, item.sample_rate, item.channels, item.refusal


def pcm_wav(seconds: float, rate: int = 8000, channels: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(int(seconds * rate) * channels * 2))
    return buffer.getvalue()


def test_recordings_of_every_accepted_container_are_ready_with_their_probed_facts(api):
    project_id = audio_project(api)
    urls = [f"{HOST}/a/intro_d7.wav", f"{HOST}/a/talk_d5.flac", f"{HOST}/a/memo_d4.m4a", f"{HOST}/a/song.mp3"]

    submit(api, project_id, urls)

    got = {url: facts(item) for url, item in items_by_url(project_id).items()}
    assert got == {
        urls[0]: (ItemStatus.NOT_STARTED, "audio/wav", 7000, 8000, 1, None),
        urls[1]: (ItemStatus.NOT_STARTED, "audio/flac", 5000, 8000, 1, None),
        # AAC frames: the encoder's priming and padding make the stream a few ms longer than the samples given
        urls[2]: (ItemStatus.NOT_STARTED, "audio/mp4", pytest.approx(4000, abs=150), 8000, 1, None),
        urls[3]: (ItemStatus.NOT_STARTED, "audio/mpeg", 1042, 44100, 2, None),  # the stand-in's 40 MPEG frames
    }


def test_the_bytes_decide_not_the_extension(api):
    project_id = audio_project(api)
    flac_named_wav, wav_named_m4a = f"{HOST}/b/one.wav", f"{HOST}/b/two.m4a"
    web_standin.register(flac_named_wav, Reply(av_clips.audio("flac", seconds=3, sample_rate=16000)))
    web_standin.register(wav_named_m4a, Reply(pcm_wav(2.5)))

    submit(api, project_id, [flac_named_wav, wav_named_m4a])

    items = items_by_url(project_id)
    assert facts(items[flac_named_wav]) == (ItemStatus.NOT_STARTED, "audio/flac", 3000, 16000, 1, None)
    assert facts(items[wav_named_m4a]) == (ItemStatus.NOT_STARTED, "audio/wav", 2500, 8000, 2, None)


def test_files_that_do_not_play_are_refused_with_the_reason(api):
    project_id = audio_project(api)
    html, cut, empty_flac = f"{HOST}/c/login.wav", f"{HOST}/c/cut.flac", f"{HOST}/c/header.wav"
    web_standin.register(html, Reply(b"<!DOCTYPE html><html><body>Sign in</body></html>", content_type="audio/wav"))
    web_standin.register(cut, Reply(av_clips.audio("flac", seconds=1)[:60]))  # the stream header, cut short
    web_standin.register(empty_flac, Reply(pcm_wav(0)))  # a WAV header and no samples at all

    submit(api, project_id, [html, cut, empty_flac])

    items = items_by_url(project_id)
    assert facts(items[html])[:2] == (ItemStatus.REFUSED, "text/html")
    assert items[html].refusal == "the file is text/html, not audio"
    for url in (cut, empty_flac):
        assert items[url].status == ItemStatus.REFUSED, facts(items[url])
        assert items[url].refusal.startswith("the file is audio that cannot be played: "), items[url].refusal
        assert items[url].duration_ms is None


def test_a_recording_longer_than_the_probe_reads_is_kept_with_its_format_but_no_duration(api, monkeypatch):
    monkeypatch.setattr("bytebridge.ingest.check.AV_BYTES", 256 * 1024)
    project_id = audio_project(api)
    long_wav = f"{HOST}/d/long.wav"
    web_standin.register(long_wav, Reply(pcm_wav(30)))  # 960 kB: read 256 kB of it

    submit(api, project_id, [long_wav])

    assert facts(items_by_url(project_id)[long_wav]) == (ItemStatus.NOT_STARTED, "audio/wav", None, 8000, 2, None)


def test_an_audio_segments_flow_needs_recordings_and_a_drawing_flow_pictures(api):
    listening = audio_project(api)
    picture = f"{HOST}/e/cat_64x48.png"
    submit(api, listening, [picture], resource_type="image")
    assert facts(items_by_url(listening)[picture])[::5] == (
        ItemStatus.REFUSED,
        "audio_segments tasks need audio",
    )

    drawing = audio_project(api, template="classify-then-box")
    sound = f"{HOST}/e/meow_d2.wav"
    submit(api, drawing, [sound])
    assert facts(items_by_url(drawing)[sound])[::5] == (
        ItemStatus.REFUSED,
        "rectangle_frame_select tasks need a picture",
    )
