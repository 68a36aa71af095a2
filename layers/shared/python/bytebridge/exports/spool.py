"""Where a format keeps what it can only write at its end (COCO's image list, a ZIP's central directory):
a temporary file held in memory up to SPOOL_BYTES, then on disk (Lambda's /tmp), copied to the sink in
COPY_BYTES chunks. Memory stays bounded however many items the export has."""

import shutil
import tempfile
from typing import IO, Protocol

SPOOL_BYTES = 8 * 1024 * 1024
COPY_BYTES = 1024 * 1024


class Sink(Protocol):
    """What the export writers write to: any binary file opened for writing, or an S3Sink (write only)."""

    def write(self, data: bytes, /) -> object: ...


def spool() -> tempfile.SpooledTemporaryFile[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # closed by drain()


def drain(source: IO[bytes], sink: Sink) -> int:
    """Copy everything spooled to the sink, close the spool; returns the bytes copied."""
    size = source.tell()
    source.seek(0)
    shutil.copyfileobj(source, sink, COPY_BYTES)
    source.close()
    return size
