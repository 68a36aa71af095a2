"""Audio segments exported as subtitles (WebVTT, SubRip) in a ZIP, read back with the formats' own readers
(webvtt-py, srt), and kept whole in the native JSON Lines."""

import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
import srt
import webvtt

from bytebridge.annotations import TaskType
from bytebridge.exports.model import ExportSchema, NodeInfo
from bytebridge.exports.subtitles import timestamp
from tests.unit.exports_support import Record, export

NODE = "listen"
SCHEMA = ExportSchema(
    {NODE: NodeInfo(TaskType.AUDIO_SEGMENTS, ("speech", "music")), "kind": NodeInfo(TaskType.SINGLE_CHOICE)}
)
HOSTILE = 'He said "<b>stop</b>" --> & left\n\nthen came back'


def seg(label: str, start: float, end: float, text: str | None = None) -> dict:
    return {"label": label, "start": start, "end": end, "text": text}


def recording(n: int, answers: dict, url: str | None = None) -> Record:
    return Record(
        f"i{n:04d}",
        url or f"https://cdn.example.com/calls/call {n}.wav",
        "audio",
        {"endNode": "end", "path": [*answers, "end"], "answers": answers},
    )


ITEMS = [
    recording(
        0,
        {
            NODE: {
                "duration": 4000.0,
                "segments": [
                    seg("speech", 3700.5, 3702.25, HOSTILE),
                    seg("music", 0, 1.5),
                    seg("speech", 0.5, 2.0, "good morning"),
                ],
            },
            "kind": {"choice": "call"},
        },
    ),
    recording(1, {"kind": {"choice": "silence"}}),  # no audio answer: no file
    recording(2, {NODE: {"duration": 3.0, "segments": []}}),  # nothing heard: an empty subtitle file
]


def members(fmt: str) -> tuple[dict[str, str], dict]:
    data, summary = export(fmt, ITEMS, SCHEMA)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}, summary.to_dict()


def test_webvtt_files_read_back_with_webvtt_py_cue_for_cue_in_time_order():
    files, summary = members("webvtt")

    assert sorted(files) == [f"{NODE}/i0000_call 0.vtt", f"{NODE}/i0002_call 2.vtt"]
    cues = list(webvtt.from_buffer(io.StringIO(files[f"{NODE}/i0000_call 0.vtt"])))
    got = [(c.start, c.end, c.voice, html.unescape(c.text)) for c in cues]
    assert got == [
        ("00:00:00.000", "00:00:01.500", None, "[music]"),
        ("00:00:00.500", "00:00:02.000", "speech", "good morning"),
        ("01:01:40.500", "01:01:42.250", "speech", " ".join(HOSTILE.split())),
    ]
    assert list(webvtt.from_buffer(io.StringIO(files[f"{NODE}/i0002_call 2.vtt"]))) == []
    assert summary["exported"] == {"audio_segments": 2}
    assert summary["unsupported"] == {"single_choice": 2}


def test_srt_files_read_back_with_srt_numbered_and_in_time_order():
    files, summary = members("srt")

    assert sorted(files) == [f"{NODE}/i0000_call 0.srt", f"{NODE}/i0002_call 2.srt"]
    subtitles = list(srt.parse(files[f"{NODE}/i0000_call 0.srt"]))
    assert [(s.index, s.start, s.end, s.content) for s in subtitles] == [
        (1, timedelta(0), timedelta(seconds=1.5), "[music]"),
        (2, timedelta(seconds=0.5), timedelta(seconds=2), "[speech] good morning"),
        (3, timedelta(seconds=3700.5), timedelta(seconds=3702.25), "[speech] " + " ".join(HOSTILE.split())),
    ]
    assert list(srt.parse(files[f"{NODE}/i0002_call 2.srt"])) == []
    assert summary["exported"] == {"audio_segments": 2}


@dataclass
class Probed(Record):
    """An item as the export job reads it: with the facts ingestion probed."""

    duration_ms: int | None = None
    sample_rate: int | None = None
    channels: int | None = None


def test_native_json_lines_keep_every_segment_and_transcript_as_stored_and_the_probed_facts():
    probed = [
        Probed(**vars(ITEMS[0]), duration_ms=4_000_000, sample_rate=8000, channels=2),
        ITEMS[1],
        Probed(**vars(ITEMS[2]), sample_rate=44100),  # a recording too long to measure: no duration
    ]
    data, _ = export("json", probed, SCHEMA)

    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert [line["answers"].get(NODE) for line in lines] == [item.result["answers"].get(NODE) for item in ITEMS]
    assert lines[0]["taskTypes"] == {NODE: "audio_segments", "kind": "single_choice"}
    assert [line.get("recording") for line in lines] == [
        {"durationMs": 4_000_000, "sampleRate": 8000, "channels": 2},
        None,
        {"sampleRate": 44100},
    ]


@pytest.mark.parametrize(
    ("seconds", "vtt", "srt_time"),
    [
        (0, "00:00:00.000", "00:00:00,000"),
        (59.9996, "00:01:00.000", "00:01:00,000"),
        (3723.004, "01:02:03.004", "01:02:03,004"),
        (86400, "24:00:00.000", "24:00:00,000"),
    ],
)
def test_timestamps_round_to_the_millisecond(seconds, vtt, srt_time):
    assert timestamp(seconds, ".") == vtt
    assert timestamp(seconds, ",") == srt_time
