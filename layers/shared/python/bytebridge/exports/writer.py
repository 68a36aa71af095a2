"""The streaming writer contract: `add(item)` writes that item's part of the document to the sink at
once, `close()` writes the tail and returns the summary. What a format can only write at its end is
spooled (bytebridge.exports.spool); in memory, only COCO's category table grows (with distinct labels)."""

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar
from xml.sax.saxutils import escape

import orjson
from pydantic import BaseModel, ValidationError

from bytebridge.annotations import TaskType, parse_answer
from bytebridge.annotations.base import ImageAnswer
from bytebridge.enums import ExportFormat
from bytebridge.exports.capabilities import Support, capability
from bytebridge.exports.model import ExportItem, ExportSchema, ExportSummary
from bytebridge.exports.spool import Sink


@dataclass(frozen=True)
class NodeAnswer:
    node_id: str
    task_type: TaskType
    labels: tuple[str, ...]  # the node's declared labels
    answer: BaseModel


def file_name(url: str) -> str:
    """The last path segment of a resource URL (what annotation tools call the image file). String
    operations, not urllib: a third of a COCO export's time went to parsing URLs."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    return path.rsplit("/", 1)[-1] or url


# Characters no file name may hold on some OS (Windows' reserved set, path separators) and controls.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_NAME_CHARS = 100  # of the link's base name, well under every file system's 255


def safe_file_name(item_id: str, url: str) -> str:
    """A stable file name unique per item, safe on every OS: `<item id>_<base name of the link>`.

    The base name is the link's last segment after `/` or `\\` (so no drive letter or path survives), with
    characters Windows, macOS or Linux refuse (and controls) turned into `_`, trailing dots and spaces dropped
    (Windows strips them), cut to 100 characters keeping the extension. Two links with the same base name
    (`…/1092213/staff_1024.jpg`, `…/1902695/staff_1024.jpg`) differ by their item ids; the item id prefix also
    keeps a name from being a Windows device name (CON, NUL, …) or starting with a dot."""
    base = file_name(url).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).rstrip(". ")
    if len(base) > _NAME_CHARS:
        _stem, dot, extension = base.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        base = base[: _NAME_CHARS - len(keep) - 1].rstrip(". ") + ("." + keep if keep else "")
    prefix = _UNSAFE.sub("_", item_id)
    return f"{prefix}_{base}" if base else prefix


# What XML 1.0 cannot hold, even as a character reference: C0 controls but tab, CR and LF; surrogates; U+FFFE/F.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text for an XML element: characters XML 1.0 cannot hold dropped, then &, < and > escaped (so `]]>`
    too). Any label, control characters and non-Latin scripts included, gives a well-formed document."""
    return escape(_XML_ILLEGAL.sub("", text))


def utf8(text: str) -> bytes:
    """UTF-8 of a document's text; a lone surrogate (JSON allows "\\ud800") becomes "?" instead of failing."""
    return text.encode("utf-8", "replace")


_STDLIB_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_bytes(value: object) -> bytes:
    """Compact UTF-8 JSON: orjson on the hot path of the JSON exports (under a tenth of the stdlib encoder's time); the
    stdlib for the rare values orjson refuses (a lone surrogate, written as "?"; an integer beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return utf8(_STDLIB_JSON(value))


_SIZE_KEYS = tuple(field.alias for field in ImageAnswer.model_fields.values())  # imageWidth, imageHeight


def image_size(item: ExportItem, answers: list[NodeAnswer]) -> tuple[int, int]:
    """(width, height) the annotators saw: from the item's first exported image answer, else from any of its
    answers that states a valid size (one this format cannot express still knows the image); else the size
    recorded on the item (`image_width`/`image_height`, when ingestion records one); else (0, 0): unknown."""
    for node_answer in answers:
        if isinstance(node_answer.answer, ImageAnswer):
            return node_answer.answer.image_width, node_answer.answer.image_height
    for payload in ((item.result or {}).get("answers") or {}).values():
        if isinstance(payload, dict) and all(key in payload for key in _SIZE_KEYS):
            try:
                size = ImageAnswer.model_validate({key: payload[key] for key in _SIZE_KEYS})
            except ValidationError:
                continue
            return size.image_width, size.image_height
    width, height = getattr(item, "image_width", None), getattr(item, "image_height", None)
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return width, height
    return 0, 0


class Writer(ABC):
    format: ClassVar[ExportFormat]
    extension: ClassVar[str]
    content_type: ClassVar[str]

    def __init__(self, sink: Sink, schema: ExportSchema):
        self.sink = sink
        self.schema = schema
        self.summary = ExportSummary(self.format.value)

    @abstractmethod
    def add(self, item: ExportItem) -> None:
        """Write the item's part of the document to the sink."""

    def finish(self) -> None:  # noqa: B027 - formats without a tail need nothing here
        """Write what follows the last item."""

    def close(self) -> ExportSummary:
        self.finish()
        return self.summary


class ParsedWriter(Writer):
    """A writer of a foreign format: it sees only the answers the format can express, parsed."""

    def add(self, item: ExportItem) -> None:
        self.summary.items += 1
        self.write_item(item, self._answers(item))

    @abstractmethod
    def write_item(self, item: ExportItem, answers: list[NodeAnswer]) -> None: ...

    def _answers(self, item: ExportItem) -> list[NodeAnswer]:
        """The item's answers this format can express, parsed; the rest counted in the summary."""
        out = []
        for node_id, payload in ((item.result or {}).get("answers") or {}).items():
            node = self.schema.node(node_id, payload)
            if node is None:
                self.summary.unknown_nodes += 1
                continue
            if capability(self.format, node.task_type).support is Support.UNSUPPORTED:
                self.summary.unsupported[node.task_type.value] += 1
                continue
            try:
                answer = parse_answer(node.task_type, payload)
            except ValidationError:
                self.summary.invalid[node.task_type.value] += 1
                continue
            self.summary.exported[node.task_type.value] += 1
            out.append(NodeAnswer(node_id, node.task_type, node.labels, answer))
        return out
