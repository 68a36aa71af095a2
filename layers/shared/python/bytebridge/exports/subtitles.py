"""Subtitle files of audio segment answers: WebVTT (what browsers' <track> plays) and SubRip (.srt), one file per
item and audio node in a ZIP: `<node id>/<item file name>.vtt` (or `.srt`), so each sits next to its recording
under a name that pairs it.

A segment is a cue from its start to its end, cues in time order (WebVTT requires it). A transcribed segment's cue
says who or what speaks and what is said: WebVTT `<v label>text`, the voice span players show as the speaker; SRT
`[label] text`. An untranscribed one (a sound event, an emotion) is `[label]`, as captions mark sounds. Text is
kept to one line (a blank line would end the cue) and WebVTT escapes &, < and > (so `-->` cannot appear).
"""

from collections.abc import Iterator

from bytebridge.annotations.audio import AudioSegment, AudioSegmentsAnswer
from bytebridge.enums import ExportFormat
from bytebridge.exports.model import ExportItem
from bytebridge.exports.writer import NodeAnswer, safe_file_name, utf8
from bytebridge.exports.zipped import ZipWriter


def timestamp(seconds: float, decimal: str) -> str:
    """hh:mm:ss<decimal>mmm, milliseconds rounded."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}{decimal}{millis % 1000:03d}"


def _line(text: str) -> str:
    return " ".join(text.split())


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cues(answer: AudioSegmentsAnswer) -> Iterator[AudioSegment]:
    yield from sorted(answer.segments, key=lambda s: (s.start, s.end))


def webvtt(answer: AudioSegmentsAnswer) -> str:
    blocks = ["WEBVTT"]
    for n, segment in enumerate(_cues(answer), start=1):
        label = _vtt_escape(_line(segment.label))
        text = f"<v {label}>{_vtt_escape(_line(segment.text))}" if segment.text else f"[{label}]"
        blocks.append(f"{n}\n{timestamp(segment.start, '.')} --> {timestamp(segment.end, '.')}\n{text}")
    return "\n\n".join(blocks) + "\n"


def subrip(answer: AudioSegmentsAnswer) -> str:
    blocks = []
    for n, segment in enumerate(_cues(answer), start=1):
        text = f"[{_line(segment.label)}]" + (f" {_line(segment.text)}" if segment.text else "")
        blocks.append(f"{n}\n{timestamp(segment.start, ',')} --> {timestamp(segment.end, ',')}\n{text}\n")
    return "\n".join(blocks)


class _SubtitleWriter(ZipWriter):
    suffix: str

    def render(self, answer: AudioSegmentsAnswer) -> str:
        raise NotImplementedError

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        stem = safe_file_name(item.item_id, item.url).rsplit(".", 1)[0]
        for node_answer in answers:
            if isinstance(node_answer.answer, AudioSegmentsAnswer):
                name = f"{node_answer.node_id}/{stem}.{self.suffix}"
                self.write_member(name, utf8(self.render(node_answer.answer)))


class WebVttWriter(_SubtitleWriter):
    format = ExportFormat.WEBVTT
    suffix = "vtt"

    def render(self, answer: AudioSegmentsAnswer) -> str:
        return webvtt(answer)


class SrtWriter(_SubtitleWriter):
    format = ExportFormat.SRT
    suffix = "srt"

    def render(self, answer: AudioSegmentsAnswer) -> str:
        return subrip(answer)
