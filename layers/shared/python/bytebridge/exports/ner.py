"""Text-entity (NER) exports, from the text kept with each item at ingestion (`item.text`: the exact text the
annotators saw, so offsets stay right whatever the link serves later; docs/task-types.md):

- `ner_jsonl`: spaCy/Prodigy-style JSON Lines, one line per item and text-spans node:
  {"text", "spans": [{"start", "end", "label", "text"}], "meta": {"itemId", "url", "node"}}; offsets are Unicode
  code points, end exclusive (Python's str indexes, spaCy's `Doc.char_span`).
- `conll`: CoNLL-2003 columns `token -X- _ TAG` with BIO tags, a `-DOCSTART- -X- -X- O` line and a blank line
  before each item's text (in the same order as ner_jsonl), a blank line at each line break of the text. Tokens are
  runs of letters/digits, single punctuation marks, and single CJK characters (as Chinese NER corpora tag them).
  BIO cannot nest: of overlapping spans the earlier (then longer) one is written, the others are left out.

An item whose text was not kept (it arrived before the flow had a text-spans node and was too long, or its answer's
textLength differs from the text) is counted invalid in the summary and written nowhere.
"""

import re
from collections.abc import Iterator

from bytebridge.annotations import TaskType
from bytebridge.annotations.spans import TextSpansAnswer
from bytebridge.enums import ExportFormat
from bytebridge.exports.model import ExportItem
from bytebridge.exports.writer import NodeAnswer, ParsedWriter, json_bytes, utf8

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")


def _kept(writer: ParsedWriter, item: ExportItem, answers: list[NodeAnswer]) -> Iterator[tuple[str, NodeAnswer]]:
    """The item's text-spans answers that fit the text kept with it; the others counted invalid."""
    text = getattr(item, "text", None)
    for node_answer in answers:
        answer = node_answer.answer
        if not isinstance(answer, TextSpansAnswer):
            continue
        if isinstance(text, str) and len(text) == answer.text_length:
            yield text, node_answer
            continue
        writer.summary.exported[TaskType.TEXT_SPANS.value] -= 1
        writer.summary.invalid[TaskType.TEXT_SPANS.value] += 1


class SpanJsonLinesWriter(ParsedWriter):
    format = ExportFormat.NER_JSONL
    extension = "jsonl"
    content_type = "application/x-ndjson"

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        for text, node_answer in _kept(self, item, answers):
            assert isinstance(node_answer.answer, TextSpansAnswer)
            spans = [
                {"start": s.start, "end": s.end, "label": s.label, "text": text[s.start : s.end]}
                for s in sorted(node_answer.answer.spans, key=lambda s: (s.start, s.end, s.label))
            ]
            meta = {"itemId": item.item_id, "url": item.url, "node": node_answer.node_id}
            self.sink.write(json_bytes({"text": text, "spans": spans, "meta": meta}) + b"\n")


def bio_tags(text: str, spans: list) -> tuple[list[tuple[int, int, str]], list[str]]:
    """(tokens as (start, end, token), their BIO tags). A token belongs to the span its first character is in;
    a span that shares a token with one tagged before (BIO cannot nest), or covers no token start, is left out."""
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
    tags = ["O"] * len(tokens)
    starts = [start for start, _, _ in tokens]
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.label)):
        inside = [i for i, start in enumerate(starts) if span.start <= start < span.end]
        if not inside or any(tags[i] != "O" for i in inside):
            continue
        tags[inside[0]] = f"B-{span.label}"
        for i in inside[1:]:
            tags[i] = f"I-{span.label}"
    return tokens, tags


class ConllWriter(ParsedWriter):
    format = ExportFormat.CONLL
    extension = "conll"
    content_type = "text/plain; charset=utf-8"

    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None:
        for text, node_answer in _kept(self, item, answers):
            assert isinstance(node_answer.answer, TextSpansAnswer)
            tokens, tags = bio_tags(text, node_answer.answer.spans)
            lines = ["-DOCSTART- -X- -X- O", ""]
            previous_end = 0
            for (start, end, token), tag in zip(tokens, tags, strict=True):
                if "\n" in text[previous_end:start] and lines[-1]:
                    lines.append("")
                lines.append(f"{token} -X- _ {_one_word(tag)}")
                previous_end = end
            if lines[-1]:
                lines.append("")
            self.sink.write(utf8("\n".join(lines) + "\n"))


def _one_word(tag: str) -> str:
    """Labels become one column: spaces in a label turn into underscores."""
    return "_".join(tag.split())
