"""The writer of each export format, and the loop that feeds one."""

from collections.abc import Iterable

from bytebridge.enums import ExportFormat
from bytebridge.exports.coco import CocoWriter
from bytebridge.exports.coco_text import CocoTextWriter
from bytebridge.exports.labelme import LabelmeWriter
from bytebridge.exports.model import ExportItem, ExportSchema, ExportSummary
from bytebridge.exports.mot import MotWriter
from bytebridge.exports.native import JsonLinesWriter
from bytebridge.exports.ner import ConllWriter, SpanJsonLinesWriter
from bytebridge.exports.spool import Sink
from bytebridge.exports.subtitles import SrtWriter, WebVttWriter
from bytebridge.exports.video_coco import CocoVideoWriter
from bytebridge.exports.voc import VocWriter
from bytebridge.exports.writer import Writer

WRITERS: dict[ExportFormat, type[Writer]] = {
    ExportFormat.COCO: CocoWriter,
    ExportFormat.VOC: VocWriter,
    ExportFormat.LABELME: LabelmeWriter,
    ExportFormat.JSON: JsonLinesWriter,
    ExportFormat.NER_JSONL: SpanJsonLinesWriter,
    ExportFormat.CONLL: ConllWriter,
    ExportFormat.COCO_TEXT: CocoTextWriter,
    ExportFormat.WEBVTT: WebVttWriter,
    ExportFormat.SRT: SrtWriter,
    ExportFormat.COCO_VIDEO: CocoVideoWriter,
    ExportFormat.MOT: MotWriter,
}


def write_export(
    fmt: ExportFormat | str, items: Iterable[ExportItem], schema: ExportSchema, sink: Sink
) -> ExportSummary:
    """Stream `items` into `sink` in format `fmt`; returns what was written and what was skipped."""
    writer = WRITERS[ExportFormat(fmt)](sink, schema)
    for item in items:
        writer.add(item)
    return writer.close()
