"""The outside world of admission checks: host names resolving as a test says (the machine has no DNS)."""

from bytebridge import public_net


def resolving(monkeypatch) -> dict[str, list[str]]:
    """A table of host name → addresses that bytebridge.public_net's resolver answers from; names not in it go to
    the system resolver as in production (numeric spellings; names that do not resolve reach the web stand-in)."""
    table: dict[str, list[str]] = {}
    real = public_net.resolve_host
    monkeypatch.setattr(public_net, "resolve_host", lambda host, port: table.get(host) or real(host, port))
    return table
