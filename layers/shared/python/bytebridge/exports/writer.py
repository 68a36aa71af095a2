"""The streaming writer contract: `add(item)` writes that item's part of the document to the sink at
once, `close()` writes the tail and returns the summary. What a format can only write at its end is
spooled (bytebridge.exports.spool); in memory, only COCO's category table grows (with distinct labels)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ValidationError

from bytebridge.annotations import ImageAnswer, TaskType, parse_answer
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


_SIZE_KEYS = tuple(field.alias for field in ImageAnswer.model_fields.values())  # imageWidth, imageHeight


def image_size(item: ExportItem, answers: list[NodeAnswer]) -> tuple[int, int]:
    """(width, height) the annotators saw: from the item's first exported image answer, else from any of its
    answers that states a valid size (one this format cannot express still knows the image); else (0, 0)."""
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
