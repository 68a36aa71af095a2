"""A write-only ZIP stream whose memory does not grow with the member count.

zipfile.ZipFile keeps a ZipInfo per member until close (~0.6 KB each: 60 MB for 100k images), because
the central directory is written last. Here each member's central-directory record is serialized at
once into a spooled temporary file (bytebridge.exports.spool) and copied to the sink at
close. Members are whole byte strings (one small file per image), so sizes and CRC are known before the
local header is written: no seekable sink and no data descriptors needed. ZIP64 records are added when
the member count or an offset passes the classic limits. Archives read back with zipfile (tests).
"""

import struct
import time
import zlib

from bytebridge.clock import now_s
from bytebridge.exports.spool import Sink, drain, spool

_DEFLATED = 8
_UTF8_NAMES = 0x800
_VERSION = 45  # 4.5: ZIP64-capable
_MAX16, _MAX32 = 0xFFFF, 0xFFFFFFFF


def _dos_time(now: float) -> tuple[int, int]:
    t = time.localtime(now)
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), ((t.tm_year - 1980) << 9) | (
        t.tm_mon << 5
    ) | t.tm_mday


class ZipStream:
    def __init__(self, sink: Sink, level: int = 6):
        self._sink = sink
        self._level = level
        self._offset = 0
        self._count = 0
        self._time, self._date = _dos_time(now_s())
        self._central = spool()

    def _write(self, data: bytes) -> None:
        self._sink.write(data)
        self._offset += len(data)

    def add(self, name: str, data: bytes) -> None:
        encoded = name.encode("utf-8")
        compressor = zlib.compressobj(self._level, zlib.DEFLATED, -15)  # raw deflate, as ZIP stores it
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        fields = (_UTF8_NAMES, _DEFLATED, self._time, self._date, crc, len(packed), len(data), len(encoded))
        offset = self._offset
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, _VERSION, *fields, 0) + encoded)
        self._write(packed)
        extra = struct.pack("<HHQ", 1, 8, offset) if offset >= _MAX32 else b""
        self._central.write(
            struct.pack("<IHH", 0x02014B50, (3 << 8) | _VERSION, _VERSION)
            + struct.pack("<HHHHIIIHHHHHI", *fields, len(extra), 0, 0, 0, 0o100644 << 16)
            + struct.pack("<I", min(offset, _MAX32))
            + encoded
            + extra
        )
        self._count += 1

    def close(self) -> None:
        """Write the central directory and end records; the sink stays open."""
        start = self._offset
        size = drain(self._central, self._sink)
        self._offset += size
        if self._count >= _MAX16 or start >= _MAX32 or size >= _MAX32:
            end64 = self._offset
            self._write(
                struct.pack(
                    "<IQHHIIQQQQ", 0x06064B50, 44, _VERSION, _VERSION, 0, 0, self._count, self._count, size, start
                )
            )
            self._write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        count = min(self._count, _MAX16)
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, min(size, _MAX32), min(start, _MAX32), 0))
