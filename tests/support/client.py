"""The client API as a client calls it: events signed as the documented sample signs them, handled in-process."""

import json

from bytebridge.clock import now_ms
from bytebridge.signing import signed_headers
from local.gateway import proxy_event


def signed_event(path: str, body: str, user_id: str, secret: str, **overrides) -> dict:
    """An API Gateway proxy event for `body` signed as the documented sample does (at the platform's clock)."""
    headers = signed_headers(user_id, body, secret, overrides.pop("timestamp_ms", now_ms()))
    headers.update(overrides.pop("headers", {}))
    return proxy_event(overrides.pop("method", "POST"), path, headers, body.encode("utf-8"), "127.0.0.1")


class ClientApi:
    """Calls the client API handler in-process with signed events, as API Gateway would."""

    def __init__(self, user_id: str, secret: str):
        self.user_id, self.secret = user_id, secret

    def call(self, path: str, params: dict | None = None, *, body: str | None = None, **overrides) -> dict:
        from client_api.handler import lambda_handler

        from local.emulator import LocalContext

        if body is None:
            body = json.dumps({"userId": self.user_id, "params": params or {}})
        event = signed_event(path, body, self.user_id, self.secret, **overrides)
        response = lambda_handler(event, LocalContext("client-api"))
        assert response["statusCode"] == 200, response
        return json.loads(response["body"])
