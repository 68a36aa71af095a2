"""bytebridge.media: what a file really is from its first bytes, and an image's size from its header (the sizes
are checked against Pillow, which made the pictures)."""

import io
import struct
import zlib

import pytest
from PIL import Image

from bytebridge.media import MediaKind, identify
from local import web_standin
from local.web_standin import mp3_frames


def picture(form: str, size: tuple[int, int] = (640, 480)) -> bytes:
    return web_standin.picture(form, *size)


@pytest.mark.parametrize(
    ("form", "mime"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp"), ("BMP", "image/bmp")],
)
@pytest.mark.parametrize("size", [(640, 480), (1, 1), (4000, 3), (1023, 2047)])
def test_pictures_browsers_show_are_images_with_their_size(form, mime, size):
    data = picture(form, size)
    media = identify(data[:65536], None, complete=len(data) <= 65536)
    assert (media.kind, media.mime, media.width, media.height, media.note) == (MediaKind.IMAGE, mime, *size, None)


def test_the_declared_type_does_not_decide_a_picture():
    media = identify(picture("PNG"), "text/plain")
    assert (media.kind, media.mime) == (MediaKind.IMAGE, "image/png")


def test_html_named_like_a_picture_is_text_html_whatever_was_declared():
    page = b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body>Please sign in</body></html>"
    media = identify(page, "image/jpeg", complete=True)
    assert (media.kind, media.mime) == (MediaKind.TEXT, "text/html")


def _exif_with_padding(orientation: int, padding: int) -> bytes:
    """An EXIF block (APP1) with an orientation tag and `padding` bytes of maker notes: large metadata."""
    entries = struct.pack(">HHHIHH", 1, 0x0112, 3, 1, orientation, 0)
    ifd = b"MM\x00\x2a" + struct.pack(">I", 8) + entries + struct.pack(">I", 0)
    return b"Exif\x00\x00" + ifd + bytes(padding)


def _with_app1(jpeg: bytes, app1: bytes, copies: int = 1) -> bytes:
    """The JPEG with APP1 segments (each ≤ 64 KB, as the format requires) right after SOI."""
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return jpeg[:2] + segment * copies + jpeg[2:]


def test_a_jpeg_with_more_than_64_kb_of_metadata_needs_more_bytes_then_has_its_size():
    jpeg = _with_app1(picture("JPEG", (1024, 768)), _exif_with_padding(1, 60_000), copies=3)  # ~180 KB before SOF
    assert len(jpeg) > 3 * 60_000
    first = identify(jpeg[:65536])
    assert (first.kind, first.needs_more, first.width) == (MediaKind.IMAGE, True, None)
    whole = identify(jpeg, complete=True)
    assert (whole.width, whole.height, whole.needs_more) == (1024, 768, False)
    assert Image.open(io.BytesIO(jpeg)).size == (1024, 768)  # Pillow reads the same file the same way


@pytest.mark.parametrize(
    ("orientation", "shown"), [(1, (1024, 768)), (3, (1024, 768)), (6, (768, 1024)), (8, (768, 1024))]
)
def test_a_jpeg_is_measured_as_the_browser_shows_it_exif_orientation_applied(orientation, shown):
    jpeg = _with_app1(picture("JPEG", (1024, 768)), _exif_with_padding(orientation, 0))
    media = identify(jpeg, complete=True)
    assert (media.width, media.height) == shown
    assert Image.open(io.BytesIO(jpeg)).getexif().get(0x0112) == orientation  # the tag is where Pillow reads it


def test_a_truncated_png_is_still_measured_from_its_header():
    media = identify(picture("PNG", (300, 200))[:40])
    assert (media.width, media.height) == (300, 200)


def test_a_picture_whose_header_is_cut_for_good_has_no_size():
    media = identify(picture("JPEG")[:100], complete=True)  # before its frame header
    assert (media.kind, media.width, media.needs_more) == (MediaKind.IMAGE, None, False)
    assert media.note is not None


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_png_claiming_a_huge_size_reports_it_without_decoding_anything():
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
    media = identify(b"\x89PNG\r\n\x1a\n" + header, complete=True)
    assert (media.width, media.height) == (100_000, 100_000)  # the admission check refuses it (too large)


@pytest.mark.parametrize(
    ("head", "mime", "note"),
    [
        (b"II*\x00" + bytes(100), "image/tiff", "TIFF"),
        (b"MM\x00*" + bytes(100), "image/tiff", "TIFF"),
        (
            b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
            "image/svg+xml",
            "SVG",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/svg+xml", "SVG"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic", "HEIC"),
    ],
)
def test_pictures_browsers_do_not_show_are_recognised_and_never_images(head, mime, note):
    media = identify(head, None, complete=True)
    assert media.kind is MediaKind.OTHER and media.mime == mime and note in (media.note or "")


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (mp3_frames(3), "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + bytes(413), "audio/mpeg"),  # a bare frame, no ID3 tag
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02" + bytes(20), "audio/ogg"),
        (b"fLaC\x00\x00\x00\x22" + bytes(20), "audio/flac"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom", "audio/mp4"),
    ],
)
def test_recordings_are_audio(head, mime):
    media = identify(head, None, complete=True)
    assert (media.kind, media.mime) == (MediaKind.AUDIO, mime)


def test_a_jpeg_is_not_taken_for_an_mp3_frame():
    assert identify(b"\xff\xd8\xff\xe0" + bytes(20)).kind is MediaKind.IMAGE
    assert identify(b"\xff\xff\xff\xff" + bytes(20), complete=True).kind is MediaKind.OTHER  # bad MPEG header


def test_video_is_not_audio():
    media = identify(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", complete=True)
    assert (media.kind, media.mime) == (MediaKind.VIDEO, "video/mp4")


@pytest.mark.parametrize(
    ("data", "declared", "mime"),
    [
        ("今天天气很好。\nThe weather is fine.\n".encode(), None, "text/plain"),
        (b"a,b\n1,2\n", "text/csv; charset=utf-8", "text/csv"),
        (b'{"a": 1}\n{"a": 2}\n', "application/x-ndjson", "application/x-ndjson"),
        ("\ufeffwith a byte order mark".encode(), None, "text/plain"),
    ],
)
def test_utf8_text_is_text(data, declared, mime):
    media = identify(data, declared, complete=True)
    assert (media.kind, media.mime) == (MediaKind.TEXT, mime)


def test_a_multibyte_character_cut_by_a_partial_read_is_still_text_but_not_at_the_end_of_the_file():
    data = ("好" * 10).encode()[:-1]
    assert identify(data, complete=False).kind is MediaKind.TEXT
    assert identify(data, complete=True).kind is MediaKind.OTHER


@pytest.mark.parametrize(
    "data",
    [
        "gbk 编码".encode("gbk"),
        b"\x00\x01\x02binary",
        bytes(range(1, 31)) * 4,
        b"%PDF-1.7\n%\xe2\xe3",
        b"PK\x03\x04" + bytes(26),
        b"",
    ],
)
def test_anything_else_is_not_text(data):
    assert identify(data, "text/plain", complete=True).kind is MediaKind.OTHER
