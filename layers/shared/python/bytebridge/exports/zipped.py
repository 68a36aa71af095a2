"""Formats that are one file per image, streamed as a ZIP: each member is written (deflated) as soon as
its item arrives (bytebridge.exports.zipstream: bounded memory, no seekable sink needed)."""

from bytebridge.exports.model import ExportSchema
from bytebridge.exports.spool import Sink
from bytebridge.exports.writer import ParsedWriter
from bytebridge.exports.zipstream import ZipStream


class ZipWriter(ParsedWriter):
    extension = "zip"
    content_type = "application/zip"

    def __init__(self, sink: Sink, schema: ExportSchema):
        super().__init__(sink, schema)
        self._zip = ZipStream(sink)

    def write_member(self, name: str, data: bytes) -> None:
        self._zip.add(name, data)

    def finish(self) -> None:
        self._zip.close()
