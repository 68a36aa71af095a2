"""Talking to the public Internet only: a host counts as public when EVERY address it resolves to is a global
unicast address (any spelling: `127.1`, `2130706433`, `0x7f000001` resolve like names), and a connection goes to
the address that was checked, never to a second lookup (DNS rebinding). Used by callbacks (POST, no redirects)
and by admission checks (`fetch_head`: the first bytes of a client's file, redirects re-checked hop by hop).

Locally there is no Internet: when a name does not resolve and Settings.web_standin names the local web stand-in
(local.web_standin; set by the local runtime and the test harness only, honoured on the local stage only), the
request goes to the stand-in over plain http, https links included, with the original Host. Names that resolve
to private addresses are refused there too.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bytebridge.settings import get_settings, stage

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "ByteBridge-Ingest/1"


# Locally (with the web stand-in), names that did not resolve: there is no Internet, so they never will, and the
# machine's resolver sometimes takes seconds to say so again.
_unresolved: set[str] = set()


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (numeric spellings included), as the system resolver answers.
    The one place names are looked up: tests replace it to make a name resolve where they need."""
    if host in _unresolved:
        raise socket.gaierror(socket.EAI_NONAME, "not resolved before")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        if _standin() is not None:
            _unresolved.add(host)
        raise
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


def is_public(address: IPAddress) -> bool:
    """A global unicast address (not loopback, private, link-local, shared, reserved, multicast, unspecified),
    and for IPv6 forms that carry an IPv4 address (mapped, 6to4, Teredo) that address public as well."""
    if not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
        return all(is_public(inner) for inner in embedded if inner is not None)
    return True


@dataclass(frozen=True)
class CheckedUrl:
    """A URL whose host resolved to `address`, the address to connect to. `plain`: speak http even for an https
    URL (the local web stand-in only)."""

    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str
    plain: bool = False
    connect_port: int | None = None  # where the stand-in listens (else `port`)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, not to whatever the host name resolves to now."""

    def __init__(self, checked: CheckedUrl, timeout: float) -> None:
        super().__init__(checked.host, checked.port, timeout=timeout)
        self._address = checked.address
        self._port = checked.connect_port or checked.port

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self._port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the URL's host as SNI and the name the certificate must carry."""

    def __init__(self, checked: CheckedUrl, timeout: float) -> None:
        super().__init__(checked.host, checked.port, timeout=timeout)
        self._address = checked.address
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def pinned_connection(checked: CheckedUrl, timeout: float) -> http.client.HTTPConnection:
    """A connection to the checked address: TLS for https (unless `plain`), plain http otherwise."""
    secure = checked.scheme == "https" and not checked.plain
    return PinnedHTTPSConnection(checked, timeout) if secure else PinnedHTTPConnection(checked, timeout)


def _standin() -> tuple[str, int] | None:
    """The local web stand-in's address, on the local stage when the local runtime configured one."""
    where = get_settings().web_standin
    if not where or stage() != "local":
        return None
    host, _, port = where.rpartition(":")
    return host, int(port)


def check_public_url(url: str, schemes: tuple[str, ...] = ("https", "http")) -> CheckedUrl | str:
    """The URL with a public address to connect to, or why not: a scheme of `schemes`, no credentials, and every
    address its host resolves to public. A name that does not resolve goes to the local web stand-in if any."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "not a URL"
    if parts.scheme not in schemes:
        return f"not an {'/'.join(schemes)} link"
    if not host:
        return "no host"
    if parts.username is not None or parts.password is not None:
        return "credentials in the link"
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        resolved = [ipaddress.ip_address(found) for found in resolve_host(host, port)]
    except (OSError, UnicodeError, ValueError):
        resolved = []
    if not resolved:
        standin = _standin()
        if standin is None:
            return "the host cannot be resolved"
        return CheckedUrl(parts.scheme, host, port, path, standin[0], plain=True, connect_port=standin[1])
    if not all(is_public(address) for address in resolved):
        return "the host is not a public address"
    return CheckedUrl(parts.scheme, host, port, path, str(resolved[0]))


@dataclass(frozen=True)
class Head:
    """The answer to a ranged GET: status, declared type, the first bytes (at most the limit asked), the file's
    whole size when the answer told it (Content-Range, or Content-Length of a whole-file answer), and the URL
    that answered (after redirects)."""

    status: int
    content_type: str | None
    data: bytes
    total_size: int | None
    url: str

    @property
    def complete(self) -> bool:
        """`data` is the whole file."""
        return self.total_size is not None and len(self.data) >= self.total_size


def _total_size(response: http.client.HTTPResponse) -> int | None:
    if response.status == 206:
        total = (response.getheader("Content-Range") or "").rpartition("/")[2].strip()
        return int(total) if total.isdigit() else None
    length = (response.getheader("Content-Length") or "").strip()
    return int(length) if response.status == 200 and length.isdigit() else None


def _read_capped(response: http.client.HTTPResponse, sock: socket.socket | None, limit: int, deadline: float) -> bytes:
    """At most `limit` bytes of the body, within the deadline (a server trickling bytes does not hold us)."""
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the host answers too slowly")
        if sock is not None:
            sock.settimeout(remaining)
        chunk = response.read1(min(65536, limit - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def fetch_head(url: str, limit_bytes: int, timeout_s: float) -> Head | str:
    """GET the first `limit_bytes` of a public http(s) URL (Range: bytes=0-<limit-1>; a server ignoring the range
    is cut off at the limit), every hop's host checked public and connected to at its checked address, at most
    MAX_REDIRECTS redirects, everything after the first name lookup (bounded by the resolver's own timeout) within
    `timeout_s`. The answer (any status), or why it was refused."""
    deadline: float | None = None
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        checked = check_public_url(current)
        if isinstance(checked, str):
            return f"refused: {checked}" if current == url else f"redirect refused: {checked}"
        deadline = deadline or time.monotonic() + timeout_s
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timed out"
        connection = pinned_connection(checked, remaining)
        headers = {"Range": f"bytes=0-{limit_bytes - 1}", "User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
        try:
            connection.request("GET", checked.path, headers=headers)
            sock = connection.sock  # getresponse() drops it from the connection when the answer closes it
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                current = urljoin(current, location)
                continue
            data = _read_capped(response, sock, limit_bytes, deadline)
            return Head(response.status, response.getheader("Content-Type"), data, _total_size(response), current)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return "timed out" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
    return f"more than {MAX_REDIRECTS} redirects"
