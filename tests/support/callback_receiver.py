"""A client's callback endpoint on 127.0.0.1: records each POST, checks its signature with the account's
secret (as a client would), and answers with the next status of a script (then 200)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bytebridge.signing import compute_sign


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    signature_ok: bool


@dataclass
class Receiver:
    user_id: str
    secret: str
    statuses: list[int] = field(default_factory=list)  # answers to the first POSTs; 200 after the script
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                expected = compute_sign(receiver.user_id, body, self.headers.get("Timestamp", ""), receiver.secret)
                signature_ok = self.headers.get("SignType") == "md5" and self.headers.get("RequestSign") == expected
                receiver.received.append(Received(dict(self.headers), body, signature_ok))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status if signature_ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bytebridge/events"
