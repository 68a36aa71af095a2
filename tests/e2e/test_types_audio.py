"""Audio segments labeled end to end on the local platform (issue 17): `local.simulate --flow audio-segments`
uploads wav, flac and m4a recordings (real files from the web stand-in, probed at admission), three simulated
annotators mark speech, music and noise and transcribe the speech through the worker API, the platform
consolidates their answers (temporal IoU, label vote, ROVER), and the client exports WebVTT, SRT and the native
JSON Lines, read back with webvtt-py and srt."""

import html
import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
import requests
import srt
import webvtt

from local.sim_audio import NODE, SAMPLE_RATE, make_dataset
from local.simulate import Client, all_results, run_simulation

pytestmark = pytest.mark.xdist_group("platform")
ITEMS = 9
SEED = 7


@pytest.fixture(scope="module")
def labeled(platform):
    printed = io.StringIO()
    figures = run_simulation(
        platform.base_url, flow="audio-segments", items=ITEMS, annotators=3, accuracy=0.9, seed=SEED, out=printed
    )
    client = Client(platform.base_url, platform.user_id, platform.secret)
    return figures, client, all_results(client, figures["projectId"]), printed.getvalue()


def _export(client: Client, project_id: str, fmt: str) -> bytes:
    time.sleep(0.01)  # retrieveProject links the newest export: each one newer than the one before
    exported = client.call("/api/v1/projects/exportResult", {"projectId": project_id, "format": fmt})
    assert exported["status"] == "done", exported
    extra = client.call("/api/v1/projects/retrieveProject", {"projectId": project_id})["extraInfo"]
    download = requests.get(extra["downloadResultURL"], timeout=60)
    assert download.status_code == 200
    return download.content


def _by_stem(archive: zipfile.ZipFile, results: list[dict]) -> dict[str, tuple[dict, str]]:
    """Each result's consolidated answer and its subtitle file (named `<node>/<item id>_<file stem>.<ext>`)."""
    out = {}
    for record in results:
        stem = f"{NODE}/{record['itemId']}_" + record["resourceURL"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
        (name,) = [n for n in archive.namelist() if n.rsplit(".", 1)[0] == stem]
        out[record["itemId"]] = (record["result"]["answers"][NODE], archive.read(name).decode("utf-8"))
    return out


def test_every_recording_is_segmented_by_the_crowd_and_beats_chance(labeled):
    figures, _, results, printed = labeled

    assert figures["status"] == "completed", printed
    assert {r["resourceURL"] for r in results} == set(make_dataset(ITEMS, seed=SEED))
    truth = make_dataset(ITEMS, seed=SEED)
    for record in results:
        answer = record["result"]["answers"][NODE]
        assert answer["duration"] == truth[record["resourceURL"]].duration  # what the annotators' player reported
        assert record["result"]["path"] == [NODE, "end"]
    score = figures["score"]
    assert score["items"] == ITEMS
    # Three annotators at ~90%: most true segments are found with the right label and ends, most words right.
    assert score["segmentF1"] >= 0.7 and score["meanTemporalIoU"] >= 0.7 and score["wer"] <= 0.4, printed


def test_webvtt_export_reads_back_with_webvtt_py_one_cue_per_consolidated_segment(labeled):
    figures, client, results, _ = labeled
    archive = zipfile.ZipFile(io.BytesIO(_export(client, figures["projectId"], "webvtt")))

    for answer, document in _by_stem(archive, results).values():
        cues = list(webvtt.from_buffer(io.StringIO(document)))
        expected = sorted(answer["segments"], key=lambda s: (s["start"], s["end"]))
        assert [round(c.start_in_seconds + int(c.start[-3:]) / 1000, 3) for c in cues] == [
            round(s["start"], 3) for s in expected
        ]
        for cue, segment in zip(cues, expected, strict=True):
            if segment["text"]:
                assert (cue.voice, html.unescape(cue.text)) == (segment["label"], segment["text"])
            else:
                assert cue.text == f"[{segment['label']}]"


def test_srt_export_reads_back_with_srt(labeled):
    figures, client, results, _ = labeled
    archive = zipfile.ZipFile(io.BytesIO(_export(client, figures["projectId"], "srt")))

    for answer, document in _by_stem(archive, results).values():
        subtitles = list(srt.parse(document))
        expected = sorted(answer["segments"], key=lambda s: (s["start"], s["end"]))
        assert [(s.start, s.end) for s in subtitles] == [
            (timedelta(milliseconds=round(e["start"] * 1000)), timedelta(milliseconds=round(e["end"] * 1000)))
            for e in expected
        ]
        assert [s.content for s in subtitles] == [
            f"[{e['label']}]" + (f" {e['text']}" if e["text"] else "") for e in expected
        ]


def test_native_json_lines_carry_the_consolidated_segments_as_the_results_api_gives_them(labeled):
    figures, client, results, _ = labeled
    lines = [json.loads(line) for line in _export(client, figures["projectId"], "json").decode().splitlines()]

    assert {line["itemId"]: line["answers"] for line in lines} == {r["itemId"]: r["result"]["answers"] for r in results}
    assert all(line["taskTypes"] == {NODE: "audio_segments"} for line in lines)
    # What ingestion probed in the served files: their true length (AAC adds a few ms), rate and channels.
    truth = make_dataset(ITEMS, seed=SEED)
    for line in lines:
        recording = line["recording"]
        assert recording["durationMs"] == pytest.approx(truth[line["url"]].duration * 1000, abs=150)
        assert (recording["sampleRate"], recording["channels"]) == (SAMPLE_RATE, 1)
