"""A local stand-in for API Gateway's proxy integration: HTTP in, a REST API proxy event to the
function that serves the path (infra.catalog), its response out.

On a function's `authorizer_prefixes` it also stands in for the Cognito user pool authorizer: the bearer ID token
must be signed (RS256) by a key of the pool's JWKS, unexpired (on bytebridge.clock, so tests can move past it),
issued by the pool (iss), for our app client (aud) and an ID token (token_use); its claims go into
requestContext.authorizer.claims as API Gateway puts them (string values), else 401 with
{"error": {"code": "unauthenticated", ...}} (the deployed API answers the same body, infra.api_construct)."""

import base64
import json
import logging
import uuid
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import requests

from bytebridge import clock
from bytebridge.identity import UNAUTHENTICATED_MESSAGE
from bytebridge.settings import get_settings, resource_name
from infra.catalog import FunctionSpec, http_function
from local.emulator import invoke_handler
from local.static_site import site_reply

log = logging.getLogger("bytebridge.local.gateway")

# Extra routes of the local runtime only (never deployed): path -> callable(body bytes) -> (status, dict)
LocalRoute = Callable[[bytes], tuple[int, dict]]
# Local GET routes: path -> callable(query) -> (status, JSON value)
LocalGetRoute = Callable[[dict[str, str]], tuple[int, Any]]


class Unauthorized(Exception):
    pass


def issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


@cache
def _jwks(url: str) -> jwt.PyJWKSet:
    """The pool's signing keys, as API Gateway fetches them (moto answers the same URL in-process)."""
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return jwt.PyJWKSet.from_dict(response.json())


def _claim_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def verify_id_token(authorization: str | None) -> dict[str, str]:
    """The claims of a valid ID token of our pool and app client, as strings; Unauthorized otherwise."""
    token = (authorization or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise Unauthorized("no token")
    settings = get_settings()
    expected_issuer = issuer(settings.region, settings.user_pool_id)
    try:
        header = jwt.get_unverified_header(token)
        keys = _jwks(f"{expected_issuer}/.well-known/jwks.json")
        key = next((k for k in keys.keys if k.key_id == header.get("kid")), None)
        if key is None or header.get("alg") != "RS256":
            raise Unauthorized("unknown signing key")
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=settings.user_pool_client_id,
            issuer=expected_issuer,
            options={"verify_exp": False, "require": ["exp", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(type(exc).__name__) from exc
    if claims.get("token_use") != "id":
        raise Unauthorized("not an ID token")
    if float(claims["exp"]) <= clock.now_s():  # business time: tests move past a token's expiry
        raise Unauthorized("expired")
    return {name: _claim_value(value) for name, value in claims.items()}


def needs_authorizer(spec: FunctionSpec, path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in spec.authorizer_prefixes)


def proxy_event(method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str) -> dict:
    parts = urlsplit(raw_path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    try:
        text, is_b64 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, is_b64 = base64.b64encode(body).decode("ascii"), True
    request_id = str(uuid.uuid4())
    return {
        "resource": "/{proxy+}",
        "path": parts.path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": {"proxy": parts.path.lstrip("/")},
        "stageVariables": None,
        "body": text if body else None,
        "isBase64Encoded": is_b64,
        "requestContext": {
            "requestId": request_id,
            "stage": "local",
            "path": parts.path,
            "httpMethod": method,
            "resourcePath": "/{proxy+}",
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
            "requestTimeEpoch": 0,
        },
    }


Reply = tuple[int, dict[str, str], bytes]
_JSON = {"Content-Type": "application/json"}
# API Gateway (REST) refuses payloads over 10 MB before any function runs, with this answer.
GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024
TOO_LONG: Reply = (413, _JSON, b'{"message": "Request Too Long"}')
RESPONSE_BUFFER_BYTES = 256 * 1024


def dispatch(
    method: str,
    raw_path: str,
    headers: dict[str, str],
    body: bytes,
    source_ip: str = "127.0.0.1",
    local_routes: dict[str, LocalRoute] | None = None,
    local_get_routes: dict[str, LocalGetRoute] | None = None,
) -> Reply:
    """One request through the gateway: a local route, or the authorizer (where the catalog asks for it) and the
    function serving the path. Returns (status, headers, body)."""
    path = urlsplit(raw_path).path
    if len(body) > GATEWAY_MAX_BODY_BYTES:
        return TOO_LONG
    if local_routes and path in local_routes and method == "POST":
        status, payload = local_routes[path](body)
        return status, _JSON, json.dumps(payload).encode()
    if local_get_routes and path in local_get_routes and method == "GET":
        status, value = local_get_routes[path](dict(parse_qsl(urlsplit(raw_path).query, keep_blank_values=True)))
        return status, _JSON, json.dumps(value).encode()
    spec = http_function(path)
    if spec is None:
        if method in ("GET", "HEAD") and not path.startswith("/local/"):
            return site_reply(path)  # the dashboard, from the API's origin as CloudFront serves it
        return 404, _JSON, b'{"message":"Not Found"}'
    event = proxy_event(method, raw_path, headers, body, source_ip)
    if needs_authorizer(spec, path):
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        try:
            claims = verify_id_token(authorization)
        except Unauthorized as exc:
            log.info("401 on %s: %s", path, exc)
            error = {"error": {"code": "unauthenticated", "message": UNAUTHENTICATED_MESSAGE}}
            return 401, _JSON, json.dumps(error).encode()
        event["requestContext"]["authorizer"] = {"claims": claims}
    result, failed = invoke_handler(resource_name(spec.name), event)
    if failed:
        log.error("function %s failed: %s", spec.name, result.get("errorMessage"))
        return 502, _JSON, b'{"message":"Internal server error"}'
    out = result.get("body") or ""
    raw = base64.b64decode(out) if result.get("isBase64Encoded") else out.encode("utf-8")
    reply_headers = {**(result.get("headers") or {})}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        reply_headers[key] = ", ".join(values)
    return int(result.get("statusCode", 200)), reply_headers, raw


def make_handler(
    local_routes: dict[str, LocalRoute], local_get_routes: dict[str, LocalGetRoute] | None = None
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One send per response: the status line, headers and body are buffered (http.server flushes wfile once the
        # request is handled), and TCP_NODELAY for a body larger than the buffer. Written unbuffered, the headers
        # go first and the body waits for their ACK (Nagle), which the client delays: ~40 ms per call.
        wbufsize = RESPONSE_BUFFER_BYTES
        disable_nagle_algorithm = True

        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), fmt % args)

        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > GATEWAY_MAX_BODY_BYTES:  # refused unread, as API Gateway does
                self.close_connection = True
                status, headers, payload = TOO_LONG if length > 0 else (400, _JSON, b'{"message": "Bad Request"}')
                self._reply(status, headers, payload)
                return
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            self._reply(
                *dispatch(
                    self.command, self.path, headers, body, self.client_address[0], local_routes, local_get_routes
                )
            )

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    return Handler


def serve(
    host: str,
    port: int,
    local_routes: dict[str, LocalRoute],
    local_get_routes: dict[str, LocalGetRoute] | None = None,
) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(local_routes, local_get_routes))
    server.daemon_threads = True
    return server
