"""A local stand-in for API Gateway's proxy integration: HTTP in, a REST API proxy event to the
function that serves the path (infra.catalog), its response out."""

import base64
import json
import logging
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bytebridge.settings import resource_name
from infra.catalog import http_function
from local.emulator import invoke_handler

log = logging.getLogger("bytebridge.local.gateway")

# Extra routes of the local runtime only (never deployed): path -> callable(body bytes) -> (status, dict)
LocalRoute = Callable[[bytes], tuple[int, dict]]


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


def make_handler(local_routes: dict[str, LocalRoute]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

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
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlsplit(self.path).path
            if path in local_routes and self.command == "POST":
                status, payload = local_routes[path](body)
                self._reply(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())
                return
            spec = http_function(path)
            if spec is None:
                self._reply(404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}')
                return
            event = proxy_event(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
            result, failed = invoke_handler(resource_name(spec.name), event)
            if failed:
                log.error("function %s failed: %s", spec.name, result.get("errorMessage"))
                self._reply(502, {"Content-Type": "application/json"}, b'{"message":"Internal server error"}')
                return
            out = result.get("body") or ""
            raw = base64.b64decode(out) if result.get("isBase64Encoded") else out.encode("utf-8")
            headers = {**(result.get("headers") or {})}
            for key, values in (result.get("multiValueHeaders") or {}).items():
                headers[key] = ", ".join(values)
            self._reply(int(result.get("statusCode", 200)), headers, raw)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    return Handler


def serve(host: str, port: int, local_routes: dict[str, LocalRoute]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(local_routes))
    server.daemon_threads = True
    return server
