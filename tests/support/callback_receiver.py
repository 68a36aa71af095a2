"""A client's callback endpoint on 127.0.0.1: records each POST, checks its signature with the account's
webhook secret (as a client would: HMAC-SHA256 over "<t>.<event id>.<body>"), and answers with the next status
of a script (then 200), with a Location header if one is given (a redirect the sender must not follow)."""

import datetime
import hashlib
import hmac
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


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
    location: str | None = None  # sent with every answer when set
    tls: ssl.SSLContext | None = None  # serve https with this server context
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                signature_ok = verify(receiver.secret, self.headers.get("ByteBridge-Event-Id", ""), body, self.headers)
                receiver.received.append(Received(dict(self.headers), body, signature_ok))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status if signature_ok else 401)
                self.send_header("Content-Length", "0")
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}/bytebridge/events"

    @property
    def port(self) -> int:
        return self._server.server_address[1]


def verify(secret: str, event_id: str, body: str, headers) -> bool:
    """The documented verification of a callback (docs/exports.md): recompute v1 over "<t>.<event id>.<body>" and
    accept it if any of the header's v1 entries matches (two while a rotated secret overlaps)."""
    pairs = [part.split("=", 1) for part in headers.get("ByteBridge-Signature", "").split(",") if "=" in part]
    t = next((value for key, value in pairs if key == "t"), "")
    signed = f"{t}.{event_id}.{body}".encode()
    expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, value in pairs if key == "v1")


def webhook_secret_of(user_id: str) -> str:
    """The account's webhook secret, as setCallback answers it (made on first use)."""
    from bytebridge.dal.accounts import get_account
    from bytebridge.delivery.callbacks import account_webhook_secret

    account = get_account(user_id)
    assert account is not None
    return account_webhook_secret(account)


def self_signed(name: str, directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate for DNS name `name` (its file, for a client to trust) and a server context."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{name}.crt", directory / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context
