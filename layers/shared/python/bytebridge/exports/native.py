"""The platform's native export: JSON Lines, one finished item per line, every answer as stored (the
bytebridge.annotations form) with its node's task type. Nothing is dropped, so nothing is parsed."""

from bytebridge.enums import ExportFormat
from bytebridge.exports.model import ExportItem
from bytebridge.exports.writer import Writer, json_bytes


def _recording(item: ExportItem) -> dict | None:
    """A recording's facts as ingestion probed them (audio and video items), when it kept any."""
    facts = {
        "durationMs": getattr(item, "duration_ms", None),
        "sampleRate": getattr(item, "sample_rate", None),
        "channels": getattr(item, "channels", None),
    }
    return {key: value for key, value in facts.items() if value is not None} or None


class JsonLinesWriter(Writer):
    format = ExportFormat.JSON
    extension = "jsonl"
    content_type = "application/x-ndjson"

    def add(self, item: ExportItem) -> None:
        self.summary.items += 1
        result = item.result or {}
        answers = result.get("answers") or {}
        task_types = {}
        for node_id, payload in answers.items():
            node = self.schema.node(node_id, payload)
            if node is None:
                self.summary.unknown_nodes += 1  # still written: the native form keeps everything
            else:
                task_types[node_id] = node.task_type.value
                self.summary.exported[node.task_type.value] += 1
        line = {
            "itemId": item.item_id,
            "url": item.url,
            "resourceType": item.resource_type,
            "endNode": result.get("endNode"),
            "path": result.get("path", []),
            "taskTypes": task_types,
            "answers": answers,
        }
        if (recording := _recording(item)) is not None:
            line["recording"] = recording
        self.sink.write(json_bytes(line) + b"\n")
