"""Geometry the writers need beyond what an answer states: enclosing boxes, mask runs, a mask PNG."""

import struct
import zlib
from collections.abc import Iterable, Sequence

import numpy as np

Bounds = tuple[float, float, float, float]  # x1, y1, x2, y2


def bounds(points: Iterable[Sequence[float]]) -> Bounds:
    xs, ys = zip(*((p[0], p[1]) for p in points), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _foreground_runs(counts: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and lengths of the non-empty runs of 1s (runs alternate 0s, 1s, ... from 0s)."""
    runs = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(runs)[0::2][: len(runs) // 2]  # a 1-run starts where the 0-run before it ends
    lengths = runs[1::2]
    keep = lengths > 0
    return starts[keep], lengths[keep]


def rle_area(counts: Sequence[int]) -> int:
    return int(sum(counts[1::2]))


def rle_bounds(counts: Sequence[int], height: int) -> tuple[int, int, int, int] | None:
    """Pixel box (x1, y1, x2, y2), inclusive, of a column-major RLE mask; None for an empty mask."""
    starts, lengths = _foreground_runs(counts)
    if not len(starts):
        return None
    ends = starts + lengths - 1
    first_col, last_col = starts // height, ends // height
    # A run that wraps into the next column covers the bottom row of one column and the top row of the next.
    wraps = first_col != last_col
    top = np.where(wraps, 0, starts % height)
    bottom = np.where(wraps, height - 1, ends % height)
    return int(first_col.min()), int(top.min()), int(last_col.max()), int(bottom.max())


def rle_decode(counts: Sequence[int], height: int, width: int) -> np.ndarray:
    """The (height, width) boolean mask of a column-major RLE."""
    flat = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    return flat.reshape(width, height).T


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bitmap(mask: np.ndarray) -> bytes:
    """A 1-bit greyscale PNG of a boolean (height, width) mask (white = set), with no imaging library."""
    height, width = mask.shape
    rows = np.packbits(mask, axis=1)
    scanlines = np.hstack([np.zeros((height, 1), dtype=np.uint8), rows])  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 6))
        + _chunk(b"IEND", b"")
    )
