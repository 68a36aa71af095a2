"""What a file really is, from its first bytes (magic numbers, not the link's extension nor the declared type alone),
and an image's width×height from its header.

Sizes are the ones a browser shows: EXIF orientation applied (browsers rotate JPEGs by default, CSS
`image-orientation: from-image`), so the annotator's coordinates and the exported image size agree
(docs/decisions.md). A header that does not fit in the bytes read (a JPEG with large metadata before its frame
header, a TIFF whose directory comes last) leaves the size unknown with `needs_more`: read further and ask again.
"""

import io
from dataclasses import dataclass
from enum import StrEnum

import imagesize


class MediaKind(StrEnum):
    IMAGE = "image"  # a raster picture browsers show
    AUDIO = "audio"  # a recording browsers play
    TEXT = "text"  # UTF-8 text
    VIDEO = "video"  # a clip browsers play (mp4, webm, mov): bytebridge.avprobe reads its facts
    OTHER = "other"  # anything else: recognised (mime set) or not (application/octet-stream)


@dataclass(frozen=True)
class Media:
    kind: MediaKind
    mime: str
    width: int | None = None
    height: int | None = None
    needs_more: bool = False  # an image whose size is beyond the bytes given
    note: str | None = None  # why a recognised file is not usable as its kind (e.g. TIFF: browsers do not show it)


UNKNOWN = "application/octet-stream"

# Pictures every current browser shows, as (magic test, mime).
_IMAGES: tuple[tuple[str, bytes, int], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/gif", b"GIF87a", 0),
    ("image/gif", b"GIF89a", 0),
)
_AUDIO: tuple[tuple[str, bytes, int], ...] = (
    ("audio/mpeg", b"ID3", 0),
    ("audio/ogg", b"OggS", 0),
    ("audio/flac", b"fLaC", 0),
)
# Recognised, never accepted as a project's data: what they are is named in the refusal.
_OTHERS: tuple[tuple[str, bytes, int], ...] = (
    ("application/pdf", b"%PDF-", 0),
    ("application/zip", b"PK\x03\x04", 0),
    ("application/gzip", b"\x1f\x8b", 0),
    ("application/x-executable", b"\x7fELF", 0),
)
# BITMAPINFOHEADER sizes (BITMAPCOREHEADER … BITMAPV5HEADER): "BM" alone is too weak a mark.
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_MP4_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"F4A "})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"})
_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script")
_TEXT_MIMES = frozenset({"application/json", "application/x-ndjson", "application/jsonl", "application/xml"})


def _matches(head: bytes, table: tuple[tuple[str, bytes, int], ...]) -> str | None:
    return next((mime for mime, magic, at in table if head[at : at + len(magic)] == magic), None)


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio frame header at the start: 11 sync bits, a valid version, layer, bitrate and sample rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer != 0b00 and bitrate not in (0b0000, 0b1111) and rate != 0b11


def _container(head: bytes) -> tuple[str, MediaKind, str | None] | None:
    """RIFF (WebP, WAV) and ISO base media (MP4/M4A, AVIF, HEIF) files, by their form type or brand."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", MediaKind.IMAGE, None
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", MediaKind.AUDIO, None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AVIF_BRANDS:
            return "image/avif", MediaKind.IMAGE, None
        if brand in _HEIF_BRANDS:
            return "image/heic", MediaKind.OTHER, "HEIC pictures are not shown by most browsers"
        if brand in _MP4_AUDIO_BRANDS:
            return "audio/mp4", MediaKind.AUDIO, None
        return ("video/quicktime" if brand == b"qt  " else "video/mp4"), MediaKind.VIDEO, None
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska, whose browser-playable profile is WebM
        return ("video/webm" if b"webm" in head[:64] else "video/x-matroska"), MediaKind.VIDEO, None
    return None


def _text(head: bytes, complete: bool) -> bool:
    """UTF-8 text: decodes (a character cut by the end of a partial read is fine), no NUL, few control chars."""
    if b"\x00" in head:
        return False
    body = head.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(body) - 3 or exc.reason != "unexpected end of data":
            return False
        text = body[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= len(text) // 100


def _markup(head: bytes) -> str | None:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith(_MARKUP) or b"<html" in start:
        return "text/html"
    if start.startswith(b"<?xml") or start.startswith(b"<svg"):
        return "image/svg+xml" if b"<svg" in head[:4096].lower() else "application/xml"
    return None


def _image_size(head: bytes, mime: str, complete: bool) -> Media:
    try:
        width, height = imagesize.get(io.BytesIO(head))
    except (ValueError, OSError, IndexError, KeyError):  # a damaged header
        width, height = -1, -1
    if width > 0 and height > 0:
        return Media(MediaKind.IMAGE, mime, width, height)
    if complete:
        return Media(MediaKind.IMAGE, mime, note="its header holds no readable size")
    return Media(MediaKind.IMAGE, mime, needs_more=True)


def identify(head: bytes, declared: str | None = None, *, complete: bool = False) -> Media:
    """What the file starting with `head` is. `declared`: the Content-Type the source gave (only tells text kinds
    apart); `complete`: `head` is the whole file (so a size that is not in it never will be)."""
    declared_mime = (declared or "").split(";")[0].strip().lower()
    if mime := _matches(head, _IMAGES):
        return _image_size(head, mime, complete)
    if (found := _container(head)) is not None:
        mime, kind, note = found
        return _image_size(head, mime, complete) if kind is MediaKind.IMAGE else Media(kind, mime, note=note)
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return _image_size(head, "image/bmp", complete)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Media(MediaKind.OTHER, "image/tiff", note="TIFF pictures are not shown by most browsers")
    if mime := _matches(head, _AUDIO):
        return Media(MediaKind.AUDIO, mime)
    if _mp3_frame(head):
        return Media(MediaKind.AUDIO, "audio/mpeg")
    if mime := _matches(head, _OTHERS):
        return Media(MediaKind.OTHER, mime)
    if mime := _markup(head):
        if mime == "image/svg+xml":
            return Media(MediaKind.OTHER, mime, note="SVG is not accepted (it may run scripts): send PNG or JPEG")
        return Media(MediaKind.TEXT, mime)
    if head and _text(head, complete):
        text_mime = declared_mime if declared_mime.startswith("text/") or declared_mime in _TEXT_MIMES else None
        return Media(MediaKind.TEXT, text_mime or "text/plain")
    return Media(MediaKind.OTHER, UNKNOWN)
