"""A request body as the edge reads it, before any route or validator sees it: its bytes (API Gateway hands
binary bodies over base64-encoded), a size cap, strict UTF-8, JSON, and a nesting cap. A body that fails here is
answered by the API's own error (the client API's envelope, the worker API's error object), never by a 5xx:
json.loads recurses once per level, so a body nested deeper than the stack would otherwise crash the handler."""

import base64
import binascii
import json
from typing import Any

MAX_JSON_DEPTH = 64  # no call's body nests deeper than a dozen levels


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"body is larger than {limit} bytes")


class UnreadableBody(Exception):
    """Not UTF-8, not JSON, or nested too deep; the message says which."""


def body_bytes(event: dict) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UnreadableBody("body is not valid base64") from exc
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnreadableBody("body is not UTF-8 text") from exc


def json_depth(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (0 for a scalar); iterative, never recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def screen(event: dict, max_bytes: int) -> Any:
    """The JSON value of the event's body (None for no body or a body that is not JSON, left to the API's own
    answer); BodyTooLarge or UnreadableBody for a body no route may see."""
    raw = body_bytes(event)
    if len(raw) > max_bytes:
        raise BodyTooLarge(max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableBody("body is not UTF-8 text") from exc
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise UnreadableBody(f"body nests deeper than {MAX_JSON_DEPTH} levels") from exc
    except ValueError:
        return None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise UnreadableBody(f"body nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def as_json_request(event: dict, methods: tuple[str, ...] = ("POST",)) -> dict:
    """The event with its body read as JSON whatever Content-Type the caller sent (curl -d), and an empty body as
    `{}` (every field takes its default); other methods unchanged. For the JSON-only APIs."""
    if event.get("httpMethod") not in methods:
        return event
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    headers["Content-Type"] = "application/json"
    event = {**event, "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()}}
    if not event.get("body"):
        event.update(body="{}", isBase64Encoded=False)
    return event


def first_problem(errors: list, *, skip: int = 1) -> str:
    """'field.path: message' of the first validation error (`skip` drops the leading location parts, e.g. "body")."""
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ())[skip:])
    return f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid body")
