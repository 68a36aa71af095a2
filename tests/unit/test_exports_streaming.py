"""The writers stream: they pull items one at a time from a generator, write each item's part before
asking for the next, and their memory does not grow with the item count."""

import tracemalloc
import zipfile
from itertools import pairwise

import pytest

from bytebridge.annotations import TaskType
from bytebridge.enums import ExportFormat
from bytebridge.exports import spool
from bytebridge.exports.capabilities import CAPABILITIES, Support
from bytebridge.exports.formats import write_export
from bytebridge.exports.zipstream import ZipStream
from tests.unit.exports_support import SAMPLES, SCHEMA, item, node_id


class CountingSink:
    """Keeps the size of what was written and nothing else (a stand-in for the S3 upload)."""

    def __init__(self):
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def generated(
    n: int, sink: CountingSink | None = None, seen_sizes: list[int] | None = None, task_type=TaskType.RECTANGLE
):
    for i in range(n):
        if seen_sizes is not None:
            seen_sizes.append(sink.size)
        yield item(i, {node_id(task_type): SAMPLES[task_type]})


def expressed(fmt: ExportFormat) -> TaskType:
    """Boxes, or for a format that cannot write them, the first task type it can."""
    return next(t for t in (TaskType.RECTANGLE, *TaskType) if CAPABILITIES[fmt][t].support is not Support.UNSUPPORTED)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_each_item_is_written_before_the_next_is_pulled(fmt):
    sink = CountingSink()
    sizes: list[int] = []

    summary = write_export(fmt, generated(50, sink, sizes, expressed(fmt)), SCHEMA, sink)

    assert summary.items == 50
    assert all(later > earlier for earlier, later in pairwise(sizes))


def peak_bytes(fmt: ExportFormat, n: int) -> int:
    sink = CountingSink()
    tracemalloc.start()
    try:
        write_export(fmt, generated(n), SCHEMA, sink)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", [ExportFormat.COCO, ExportFormat.VOC, ExportFormat.LABELME])
def test_memory_does_not_grow_with_the_item_count(fmt, monkeypatch):
    # Small spools, so what the formats must keep until the end goes to disk within this test's sizes.
    monkeypatch.setattr(spool, "SPOOL_BYTES", 16 * 1024)
    monkeypatch.setattr(spool, "COPY_BYTES", 16 * 1024)

    small, large = peak_bytes(fmt, 500), peak_bytes(fmt, 4000)

    # 3,500 more items write ~1 MB more output; a writer holding them would peak that much higher.
    assert large - small < 128 * 1024, (small, large)


def test_zip_stream_reads_back_with_zip64_records_past_65535_members(tmp_path):
    path = tmp_path / "many.zip"
    with path.open("wb") as sink:
        archive = ZipStream(sink)
        for i in range(65_540):
            archive.add(f"d/{i}.txt", b"%d" % i)
        archive.add("名前.json", "ü".encode())
        archive.close()

    with zipfile.ZipFile(path) as read_back:
        names = read_back.namelist()
        assert len(names) == 65_541
        assert read_back.read("d/65539.txt") == b"65539"
        assert read_back.read("名前.json").decode() == "ü"
        assert read_back.testzip() is None
