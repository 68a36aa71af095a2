"""The one door from outside the process to the local platform's emulated AWS: S3, and only what the platform hands
out links for.

moto's HTTP server would answer any AWS call from anyone on the machine (read the tables, decrypt through the
emulated KMS, `POST /moto-api/reset`). The platform's own code never needs it (it calls moto in-process, through
mock_aws); browsers and clients need exactly three things, all made and signed by the platform with its own
per-run credentials:
- GET/HEAD of an object by a SigV4 presigned URL (downloads of exports, the annotators' files);
- a browser upload by presigned POST (multipart/form-data to the bucket URL): the policy's signature and expiry are
  checked and its conditions enforced as S3 does (moto enforces none of them);
- the parts of a resumable upload by presigned URLs: UploadPart, CompleteMultipartUpload, and ListParts /
  AbortMultipartUpload to resume or cancel one.
Everything else is refused with S3's XML error (403 AccessDenied); `/moto-api/*` is not found. CORS preflight is
answered for the local dashboard's origins only. One exception to "signed by the platform": buckets outside the
platform's names stand for clients' own buckets (bucket imports, local.client_bucket), whose links are signed with
the client's keys; of those, object reads are served after checking everything but the signature.

Signatures are recomputed with botocore's own signer for the same method, URL, headers and X-Amz-Date and compared
with hmac.compare_digest.
"""

import base64
import binascii
import calendar
import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import parse_form_data
from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger("bytebridge.local.s3_door")

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # S3's own limit on X-Amz-Expires
CLOCK_SKEW_SECONDS = 15 * 60  # how far in the future a signature's date may be, as S3 allows
MAX_POST_BYTES = 5 * 1024**3  # S3's limit for one POST upload; the policy's own range is usually far smaller
# Form fields S3 does not require the policy to name.
_UNCOVERED_FIELDS = frozenset({"policy", "x-amz-signature", "file"})
# Query parameters of a presigned GET/HEAD besides the signature's own: overrides of the answer's headers.
_READ_PARAMS = frozenset(
    {
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "versionid",
    }
)
DASHBOARD_ORIGINS = ("http://127.0.0.1:5173", "http://localhost:5173")  # the dashboard's dev server (vite)


@dataclass(frozen=True)
class Signer:
    """The credentials and region the platform signs its links with: the only ones the door accepts."""

    access_key: str
    secret_key: str
    region: str

    def key(self, date: str) -> bytes:
        """SigV4 signing key for a yyyymmdd date (service s3)."""
        k = f"AWS4{self.secret_key}".encode()
        for part in (date, self.region, "s3", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        return k


class Refused(Exception):
    """An S3 error answer: HTTP status, S3 error code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _denied(message: str) -> Refused:
    return Refused(403, "AccessDenied", message)


def _bad_signature() -> Refused:
    return Refused(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
    )


def _parse_amz_date(value: str) -> int:
    try:
        return calendar.timegm(time.strptime(value, "%Y%m%dT%H%M%SZ"))
    except (ValueError, OverflowError):
        raise _denied("X-Amz-Date must be in the ISO8601 basic format (yyyymmddThhmmssZ)") from None


def _check_credential(signer: Signer, credential: str, amz_date: str) -> None:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or parts[3] != "s3":
        raise _denied("malformed credential")
    if not hmac.compare_digest(parts[0].encode(), signer.access_key.encode()):
        raise Refused(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    if parts[1] != amz_date[:8] or parts[2] != signer.region:
        raise _denied("the credential's scope does not match the request's date or region")


# --- presigned query requests (GET/HEAD objects, multipart parts) -----------------------------------------------


def _operation(method: str, key: str, params: Mapping[str, str]) -> str | None:
    """The S3 operation a query-signed request asks for, if it is one the door serves."""
    names = {name.lower() for name in params if not name.lower().startswith("x-amz-")}
    if not key:
        return None
    if method in ("GET", "HEAD") and names <= _READ_PARAMS:
        return "GetObject"
    if "uploadid" in names:
        rest = names - {"uploadid"}
        if method == "PUT" and rest == {"partnumber"}:
            return "UploadPart"
        if method == "POST" and not rest:
            return "CompleteMultipartUpload"
        if method == "GET" and rest <= {"max-parts", "part-number-marker"}:
            return "ListParts"
        if method == "DELETE" and not rest:
            return "AbortMultipartUpload"
    return None


def verify_presigned_query(
    signer: Signer,
    method: str,
    host: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    now: float,
    own_bucket: Callable[[str], bool] = lambda _: True,
) -> str:
    """The operation of a valid SigV4 presigned request (signed by `signer`, not expired, one the door serves);
    Refused otherwise. `raw_path` as sent (percent-encoded), `headers` with lower-case names.

    A bucket that is not one of the platform's (`own_bucket`) stands for a client's own bucket, in another AWS account
    (bucket imports): links to it are signed with the client's keys, which the door does not know. Of those only
    object reads are served, with the link's shape and expiry checked but not its signature."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs):
        raise _denied("a query parameter is repeated")
    if params.get("X-Amz-Algorithm") != SIGV4_ALGORITHM:
        raise _denied("only SigV4 presigned requests are served here")
    missing = [
        p
        for p in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")
        if not params.get(p)
    ]
    if missing:
        raise _denied(f"missing {', '.join(missing)}")
    bucket, _, key = unquote(raw_path).lstrip("/").partition("/")
    operation = _operation(method, key, params) if bucket else None
    if operation is None:
        raise _denied("this endpoint serves presigned object downloads and uploads only")
    foreign = not own_bucket(bucket)
    if foreign and operation != "GetObject":
        raise _denied("only object reads of a client's bucket are served here")
    amz_date = params["X-Amz-Date"]
    if not foreign:
        _check_credential(signer, params["X-Amz-Credential"], amz_date)
    signed_at = _parse_amz_date(amz_date)
    try:
        expires = int(params["X-Amz-Expires"])
    except ValueError:
        raise _denied("X-Amz-Expires must be a number of seconds") from None
    if not 1 <= expires <= MAX_PRESIGN_SECONDS:
        raise _denied("X-Amz-Expires must be between 1 and 604800 seconds")
    if now > signed_at + expires:
        raise _denied("Request has expired")
    if signed_at > now + CLOCK_SKEW_SECONDS:
        raise _denied("Request is not yet valid")
    signed_names = params["X-Amz-SignedHeaders"].split(";")
    if "host" not in signed_names:
        raise _denied("the Host header must be signed")
    if any(name not in headers and name != "host" for name in signed_names):
        raise _denied("a signed header is missing")
    if foreign:
        return operation
    request = AWSRequest(
        method=method,
        url=f"http://{host}{raw_path}",
        headers={name: (host if name == "host" else headers[name]) for name in signed_names},
        params=[(k, v) for k, v in pairs if k != "X-Amz-Signature"],
    )
    request.context["timestamp"] = amz_date
    auth = S3SigV4QueryAuth(Credentials(signer.access_key, signer.secret_key), "s3", signer.region, expires)
    string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
    expected = auth.signature(string_to_sign, request)
    if not hmac.compare_digest(expected.encode(), params["X-Amz-Signature"].encode()):
        raise _bad_signature()
    return operation


# --- presigned POST (browser uploads) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PostUpload:
    """A browser upload's form: its fields (names lower-cased; the file excluded) and the file's size."""

    fields: dict[str, str]
    file_size: int


def _policy_failed(condition: Any) -> Refused:
    return _denied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")


def _field_name(reference: Any, condition: Any) -> str:
    if not isinstance(reference, str) or not reference.startswith("$"):
        raise _denied(f"Invalid Policy: Invalid Condition: {json.dumps(condition)}")
    return reference[1:].lower()


def _check_condition(condition: Any, values: Mapping[str, str], file_size: int) -> set[str]:
    """Enforce one policy condition; the form fields it covers."""
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise _denied(f"Invalid Policy: Invalid Condition: {json.dumps(condition)}")
        ((name, expected),) = condition.items()
        name = name.lower()
        if values.get(name) != expected:
            raise _policy_failed(["eq", f"${name}", expected])
        return {name}
    if isinstance(condition, list) and len(condition) == 3:
        operator = str(condition[0]).lower()
        if operator == "content-length-range":
            low, high = condition[1], condition[2]
            if not (isinstance(low, int) and isinstance(high, int)):
                raise _denied(f"Invalid Policy: Invalid content-length-range: {json.dumps(condition)}")
            if file_size > high:
                raise Refused(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if file_size < low:
                raise Refused(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            return set()
        name = _field_name(condition[1], condition)
        expected = condition[2]
        value = values.get(name)
        if operator == "eq":
            ok = value == expected
        elif operator == "starts-with":
            # S3 reads a starts-with on Content-Type as a condition on each of a comma-separated list
            candidates = (value or "").split(",") if name == "content-type" else [value or ""]
            ok = isinstance(expected, str) and all(c.strip().startswith(expected) for c in candidates)
        else:
            raise _denied(f"Invalid Policy: Invalid Condition: {json.dumps(condition)}")
        if not ok:
            raise _policy_failed(condition)
        return {name}
    raise _denied(f"Invalid Policy: Invalid Condition: {json.dumps(condition)}")


def verify_presigned_post(signer: Signer, bucket: str, upload: PostUpload, now: float) -> None:
    """Refused unless the form carries a policy signed by `signer`, not expired, whose every condition the form
    meets and which covers every form field (S3's rules for browser-based uploads with SigV4)."""
    fields = upload.fields
    for required in ("policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "key"):
        if not fields.get(required):
            raise Refused(400, "InvalidArgument", f"Bucket POST must contain a field named '{required}'.")
    if fields["x-amz-algorithm"] != SIGV4_ALGORITHM:
        raise _denied("only SigV4 POST policies are accepted")
    _check_credential(signer, fields["x-amz-credential"], fields["x-amz-date"])
    expected = hmac.new(signer.key(fields["x-amz-date"][:8]), fields["policy"].encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), fields["x-amz-signature"].encode()):
        raise _bad_signature()
    try:
        policy = json.loads(base64.b64decode(fields["policy"], validate=True))
        expiration = calendar.timegm(time.strptime(policy["expiration"].split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))
        conditions = policy["conditions"]
    except (ValueError, binascii.Error, KeyError, TypeError, AttributeError):
        raise _denied("Invalid Policy: the policy is not a JSON document with expiration and conditions") from None
    if now >= expiration:
        raise _denied("Invalid according to Policy: Policy expired.")
    if not isinstance(conditions, list):
        raise _denied("Invalid Policy: conditions must be a list")
    values = {**fields, "bucket": bucket}
    covered: set[str] = set()
    for condition in conditions:
        covered |= _check_condition(condition, values, upload.file_size)
    if "bucket" not in covered:
        raise _denied("Invalid according to Policy: the policy does not name the bucket")
    extra = sorted(
        name for name in fields if name not in covered | _UNCOVERED_FIELDS and not name.startswith("x-ignore-")
    )
    if extra:
        raise _denied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


def read_post_form(environ: Environ, body: bytes) -> PostUpload:
    """The fields of a multipart/form-data upload (names lower-cased) and its file's size. A field given twice (in
    any case) is refused: the policy would check one value and the store might take the other."""
    form_environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    _, form, files = parse_form_data(form_environ, silent=False, max_form_memory_size=1024 * 1024)
    if len(files.getlist("file")) != 1 or len(files) != 1:
        raise Refused(400, "InvalidArgument", "POST requires exactly one file upload per request.")
    uploaded = files["file"]
    uploaded.stream.seek(0, io.SEEK_END)
    fields: dict[str, str] = {}
    for name, values in form.lists():
        if len(values) != 1 or name.lower() in fields:
            raise Refused(400, "InvalidArgument", f"The form field {name} is given more than once.")
        fields[name.lower()] = values[0]
    return PostUpload(fields, uploaded.stream.tell())


# --- the WSGI middleware -----------------------------------------------------------------------------------------


def _xml_error(refused: Refused, resource: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(refused.code)}</Code><Message>{escape(refused.message)}</Message>"
        f"<Resource>{escape(resource)}</Resource><RequestId>local</RequestId></Error>"
    ).encode()


_CORS_HEADERS = {
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "vary",
}


class S3Door:
    """WSGI middleware in front of moto's S3 app: serves only the presigned requests the module docstring lists."""

    def __init__(
        self,
        app: Callable[[Environ, StartResponse], Iterable[bytes]],
        signer: Signer,
        origins: Iterable[str] = DASHBOARD_ORIGINS,
        now: Callable[[], float] = time.time,
        own_bucket: Callable[[str], bool] = lambda _: True,
    ) -> None:
        self._app = app
        self._signer = signer
        self._own_bucket = own_bucket
        self._origins = frozenset(origins)
        self._now = now

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        raw_path, _, raw_query = raw_uri.partition("?")
        origin = environ.get("HTTP_ORIGIN", "")
        cors = self._cors_headers(origin)
        try:
            if raw_path.startswith("/moto-api"):
                raise Refused(404, "NotFound", "Not Found")
            if method == "OPTIONS":
                return self._preflight(environ, cors, start_response)
            headers = {
                key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
            }
            if "content-type" not in headers and environ.get("CONTENT_TYPE"):
                headers["content-type"] = environ["CONTENT_TYPE"]
            host = environ.get("HTTP_HOST", "")
            if "x-amz-signature=" in raw_query.lower():
                verify_presigned_query(
                    self._signer, method, host, raw_path, raw_query, headers, self._now(), self._own_bucket
                )
            elif method == "POST" and environ.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
                environ = self._checked_post(environ, raw_path, raw_query)
            elif "authorization" in headers:
                raise _denied("this endpoint serves presigned requests only, not the AWS APIs")
            else:
                raise _denied("Anonymous access is not allowed: use a presigned link")
        except Refused as refused:
            log.info("s3 door refused %s %s: %s", method, raw_path, refused.code)
            body = b"" if method == "HEAD" else _xml_error(refused, raw_path)
            start_response(
                f"{refused.status} {refused.code}",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(body))), *cors],
            )
            return [body]

        def answer(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in response_headers if k.lower() not in _CORS_HEADERS]  # moto allows any origin
            return start_response(status, kept + cors, exc_info)

        return self._app(environ, answer)

    def _cors_headers(self, origin: str) -> list[tuple[str, str]]:
        if origin not in self._origins:
            return []
        return [("Access-Control-Allow-Origin", origin), ("Access-Control-Expose-Headers", "ETag"), ("Vary", "Origin")]

    def _preflight(self, environ: Environ, cors: list[tuple[str, str]], start_response: StartResponse) -> list[bytes]:
        requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")
        if not cors or requested not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
            raise _denied("CORSResponse: This CORS request is not allowed.")
        start_response(
            "200 OK",
            [
                *cors,
                ("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE"),
                ("Access-Control-Allow-Headers", environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")[:1000]),
                ("Access-Control-Max-Age", "600"),
                ("Content-Length", "0"),
            ],
        )
        return [b""]

    def _checked_post(self, environ: Environ, raw_path: str, raw_query: str) -> Environ:
        """Verify a browser upload; the environ to pass on, with the body read (a WSGI body can be read once)."""
        bucket = unquote(raw_path).strip("/")
        if not bucket or "/" in bucket or raw_query:
            raise _denied("uploads are POSTed to the bucket's URL")
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            raise Refused(411, "MissingContentLength", "You must provide the Content-Length HTTP header.") from None
        if length > MAX_POST_BYTES:
            raise Refused(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        body = environ["wsgi.input"].read(length)
        try:
            upload = read_post_form(environ, body)
        except (ValueError, HTTPException):
            raise Refused(
                400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."
            ) from None
        verify_presigned_post(self._signer, bucket, upload, self._now())
        return {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}


class _DoorRequestHandler(MotoRequestHandler):
    # werkzeug writes the headers and the body in separate sends: without TCP_NODELAY the body waits for the
    # client's (delayed) ACK of the headers, ~40 ms per request.
    disable_nagle_algorithm = True


class DoorServer:
    """moto's S3 behind the door, served on (host, port) from a daemon thread (port 0: any free one)."""

    def __init__(
        self,
        host: str,
        port: int,
        signer: Signer,
        origins: Iterable[str] = DASHBOARD_ORIGINS,
        own_bucket: Callable[[str], bool] = lambda _: True,
    ) -> None:
        app = S3Door(create_backend_app("s3"), signer, origins, own_bucket=own_bucket)
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True, request_handler=_DoorRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="s3-door", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> "DoorServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
