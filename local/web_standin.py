"""The local stand-in for "the public web": there is no Internet locally, so links to hosts that do not resolve
(x.example, files.example.com, d301.paixin.com in tests and documented samples) are fetched from this small HTTP
server instead (bytebridge.public_net, only with Settings.web_standin set, only on the local stage).

By default it serves real bytes for the link's file name: a real picture for .jpg/.jpeg/.png/.gif/.webp/.bmp and
for names without an extension (CDN links), sized by a `_<width>x<height>` in the name (`cat_1024x768.jpg`) or
640×480; UTF-8 text for .txt/.csv/.tsv/.json/.jsonl; real MPEG audio frames for .mp3; a real recording for
.wav/.flac/.m4a, as long as a `_d<seconds>` in the name says (local.sim_audio) or 2 s; a real clip for
.mp4/.webm/.mov (local.sim_video: the simulated clip its name describes, or a plain 2 s one); 404 otherwise. Tests
register exact answers for a URL (`register`): hostile cases such as a .jpg that is HTML, a huge header, a 404, a
redirect, a slow host. Ranges (`bytes=0-N`) are honoured as a CDN would.

One server per process (started on first use, never stopped: a daemon thread), so its address stays the same
across the test harness's suspends; registrations are cleared on every platform reset.
"""

import contextlib
import io
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from PIL import Image

from local import sim_audio, sim_text, sim_video
from local.annotators import IMAGE_HEIGHT, IMAGE_WIDTH

DEFAULT_SIZE = (IMAGE_WIDTH, IMAGE_HEIGHT)  # what the simulated annotators report seeing (local.annotators)
_SIZE_IN_NAME = re.compile(r"_(\d{1,5})x(\d{1,5})(?:\.[A-Za-z0-9]+)?$")
_PICTURES = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "bmp": "BMP", "": "JPEG"}
_PICTURE_TYPES = {form: f"image/{form.lower()}" for form in ("JPEG", "PNG", "GIF", "WEBP", "BMP")}
_TEXTS = {"txt": "text/plain", "csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json"}
_TEXTS["jsonl"] = "application/x-ndjson"
_RECORDINGS = {"wav": "audio/wav", "flac": "audio/flac", "m4a": "audio/mp4"}
_CLIPS = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime"}
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass(frozen=True)
class Reply:
    """An exact answer registered for one URL. `delay_seconds`: wait before answering (a slow host); `ranges`:
    False for a server that ignores Range and sends the whole body; `trickle_seconds`: a host that drips its body."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    ranges: bool = True
    trickle_seconds: float = 0.0  # send the body a byte at a time, this long apart (a slow-drip host)


_replies: dict[str, Reply] = {}
_hits: dict[str, int] = {}
_lock = threading.Lock()


def _key(host: str, path: str) -> str:
    """Scheme-less: the stand-in is reached over plain http for http and https links alike."""
    return f"{host.lower()}{path or '/'}"


def register(url: str, reply: Reply) -> None:
    """Answer `url` (its host and path with query) with `reply` until the next clear()."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with _lock:
        _replies[_key(parts.hostname or "", path)] = reply


def hits(url: str) -> int:
    """How many requests reached the stand-in for `url`."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with _lock:
        return _hits.get(_key(parts.hostname or "", path), 0)


def clear() -> None:
    with _lock:
        _replies.clear()
        _hits.clear()


def size_in_name(name: str) -> tuple[int, int]:
    """The picture size a file name asks for (`…_640x480.jpg`), else DEFAULT_SIZE."""
    match = _SIZE_IN_NAME.search(name)
    if match is None:
        return DEFAULT_SIZE
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if 0 < width <= 20000 and 0 < height <= 20000 else DEFAULT_SIZE


@cache
def picture(form: str, width: int, height: int) -> bytes:
    """A real picture of that size (one colour: small even when large)."""
    buffer = io.BytesIO()
    mode = "RGB" if form != "GIF" else "P"
    Image.new(mode, (width, height), color=(70, 130, 180) if mode == "RGB" else 1).save(buffer, form)
    return buffer.getvalue()


def mp3_frames(count: int = 40) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s at 44.1 kHz (417-byte frames of silence), behind an ID3v2 tag."""
    frame = b"\xff\xfb\x90\x64" + bytes(413)
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + frame * count


def default_reply(path: str) -> Reply:
    """What a link's file name suggests (see the module docstring)."""
    name = unquote(urlsplit(path).path).rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in _PICTURES and name:
        form = _PICTURES[extension]
        return Reply(picture(form, *size_in_name(name)), content_type=_PICTURE_TYPES[form])
    if (simulated := sim_text.served_text(path)) is not None:  # `make simulate --flow text-entities`
        return Reply(simulated, content_type="text/plain; charset=utf-8")
    if extension in _TEXTS:
        return Reply(f"Sample text of {name}: 今天天气很好。\n".encode(), content_type=_TEXTS[extension])
    if extension == "mp3":
        return Reply(mp3_frames(), content_type="audio/mpeg")
    if extension in _RECORDINGS:
        return Reply(sim_audio.recording_for(name, extension), content_type=_RECORDINGS[extension])
    if (clip := sim_video.served_clip(path)) is not None:  # .mp4/.webm/.mov: `make simulate --flow video`
        return Reply(clip, content_type=_CLIPS[extension])
    return Reply(b"not found", status=404, content_type="text/plain")


def _ranged(reply: Reply, header: str | None) -> tuple[int, dict[str, str], bytes]:
    match = _RANGE.match(header or "")
    size = len(reply.body)
    if reply.status != 200 or match is None or not size or not reply.ranges:
        return reply.status, {}, reply.body
    first = int(match.group(1))
    last = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
    if first >= size:
        return 416, {"Content-Range": f"bytes */{size}"}, b""
    return 206, {"Content-Range": f"bytes {first}-{last}/{size}"}, reply.body[first : last + 1]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        host = urlsplit(f"//{self.headers.get('Host') or ''}").hostname or ""
        key = _key(host, self.path)
        with _lock:
            _hits[key] = _hits.get(key, 0) + 1
            reply = _replies.get(key)
        reply = reply or default_reply(self.path)
        if reply.delay_seconds:
            time.sleep(reply.delay_seconds)
        status, range_headers, body = _ranged(reply, self.headers.get("Range"))
        self.close_connection = True  # one request per connection, as the fetcher makes them
        headers = {"Content-Length": str(len(body)), "Accept-Ranges": "bytes", "Connection": "close"}
        headers |= {**range_headers, **reply.headers}
        if reply.content_type:
            headers["Content-Type"] = reply.content_type
        head = f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        with contextlib.suppress(OSError):  # the client gave up (a size cap or a time limit)
            if not reply.trickle_seconds:
                self.wfile.write(head.encode("latin-1") + body)  # one send: no delayed-ACK stall
                return
            self.wfile.write(head.encode("latin-1"))
            for byte in body:
                time.sleep(reply.trickle_seconds)
                self.wfile.write(bytes([byte]))

    def log_message(self, format: str, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away (a cap, a time limit) is normal
            super().handle_error(request, client_address)


_server: _Server | None = None


def address() -> str:
    """The stand-in's host:port, started on first use (Settings.web_standin)."""
    global _server
    with _lock:
        if _server is None:
            _server = _Server(("127.0.0.1", 0), _Handler)
            _server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            threading.Thread(target=_server.serve_forever, name="web-standin", daemon=True).start()
        port = _server.server_address[1]
    return f"127.0.0.1:{port}"
