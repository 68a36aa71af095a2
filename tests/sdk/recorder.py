"""A throwaway HTTP server that answers scripted replies and records what it got: the far side of the SDK's
transport in its unit tests (no platform needed to see retries, signatures and error mapping)."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESET = "reset"  # close the connection without answering


@dataclass
class Recorder:
    replies: list  # (status, body dict) or RESET, one per request; the last one repeats
    requests: list[dict] = field(default_factory=list)
    url: str = ""


@contextmanager
def recording(replies: list) -> Iterator[Recorder]:
    recorder = Recorder(list(replies))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            recorder.requests.append({"path": self.path, "headers": dict(self.headers), "body": body.decode()})
            reply = recorder.replies.pop(0) if len(recorder.replies) > 1 else recorder.replies[0]
            if reply == RESET:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            status, payload = reply
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def ok(data: dict) -> tuple[int, dict]:
    return 200, {"code": 0, "successMsg": "success", "timestamp": 1, "userId": "U_1", "data": data}


def error(code: int, message: str, detail: str | None = None) -> tuple[int, dict]:
    return 200, {"code": code, "errorMsg": message, "timestamp": 1, "userId": "U_1", "detail": detail}
