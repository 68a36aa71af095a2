"""The local gateway on the wire: each response leaves in one send (status line, headers and body together), so a
client never waits for a delayed ACK between the headers and the body (~40 ms a call with the two written apart:
Nagle holds the body until the headers are acknowledged). bench/local_bench.py measures the latency."""

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from local.gateway import serve

PAYLOAD = {"items": [{"n": n, "label": "cat" if n % 2 else "dog"} for n in range(200)]}  # ~6 KB, one segment


@pytest.fixture
def gateway() -> Iterator[int]:
    server = serve("127.0.0.1", 0, {}, {"/local/payload": lambda query: (200, PAYLOAD)})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _first_read(connection: socket.socket) -> bytes:
    """What the first recv returns once the answer has begun to arrive."""
    connection.settimeout(10)
    return connection.recv(1 << 20)


def test_a_response_arrives_whole_in_its_first_segment_on_a_kept_alive_connection(gateway):
    with socket.create_connection(("127.0.0.1", gateway)) as connection:
        for _ in range(3):  # the first exchange and the ones after it, on one keep-alive connection
            connection.sendall(b"GET /local/payload HTTP/1.1\r\nHost: local\r\n\r\n")
            received = _first_read(connection)
            head, _, body = received.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))[15:])
            assert len(body) == length  # the body came with the headers, not after them
            assert json.loads(body) == PAYLOAD


def test_the_gateway_sets_tcp_nodelay_on_its_connections(gateway, monkeypatch):
    """Larger bodies than the response buffer go out in more than one send: none of them waits for an ACK."""
    accepted: list[socket.socket] = []
    original = socket.socket.accept

    def accept(self):
        connection, address = original(self)
        accepted.append(connection)
        return connection, address

    monkeypatch.setattr(socket.socket, "accept", accept)  # to see the server's end of the connection
    with socket.create_connection(("127.0.0.1", gateway)) as connection:
        connection.sendall(b"GET /local/payload HTTP/1.1\r\nHost: local\r\n\r\n")
        _first_read(connection)  # answered: the server has set its end up; kept alive while we hold ours
        ours = [c for c in accepted if _peer(c) == connection.getsockname()]  # not other servers' connections
        assert ours and all(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for c in ours)


def _peer(connection: socket.socket) -> tuple | None:
    try:
        return connection.getpeername()
    except OSError:  # closed meanwhile (another server's connection)
        return None
