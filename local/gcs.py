"""A real GCS emulator (gcp-storage-emulator) for bucket imports from Google Cloud Storage: `make run` starts one on
its own port and the test harness one per test process. google-cloud-storage reaches it through
STORAGE_EMULATOR_HOST (with anonymous credentials: the emulator takes no tokens); links signed with a key file
(bytebridge.ingest.origins.presigned_get) name it too, and it serves them.

Two gaps of the emulator are closed here, so the import job meets GCS's real behaviour:
- its object listing ignores maxResults and pageToken (every object in one answer): it pages here as GCS does
  (at most maxResults, default 1,000, per page; nextPageToken);
- its store rewrites its whole metadata file on every upload (O(n²) for n objects): `seed` loads many objects at
  once (tests and demos filling a bucket), writing the metadata once.
"""

import base64
import bisect
import logging
import os
import socket
from collections.abc import Iterable
from functools import cache
from typing import Any

from gcp_storage_emulator import server as emulator_server
from gcp_storage_emulator.handlers import objects as emulator_objects
from gcp_storage_emulator.server import create_server

log = logging.getLogger("bytebridge.local.gcs")

DEFAULT_PAGE = 1000
_MAX_PAGE = 1000


def _token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _after(token: str) -> str:
    return base64.urlsafe_b64decode(token.encode()).decode()


def _page(body: dict, query: dict) -> dict:
    """The emulator's whole listing (sorted by name) cut to maxResults objects after pageToken's name."""
    items = body["items"]
    try:
        size = max(1, min(int((query.get("maxResults") or [DEFAULT_PAGE])[0]), _MAX_PAGE))
    except ValueError:
        size = DEFAULT_PAGE
    token = (query.get("pageToken") or [""])[0]
    start = bisect.bisect_right([item["name"] for item in items], _after(token)) if token else 0
    page = items[start : start + size]
    out = {**body, "items": page}
    if start + len(page) < len(items):
        out["nextPageToken"] = _token(page[-1]["name"])
    return out


def _paged_ls(request, response, storage, *args, **kwargs) -> None:
    """objects.list as GCS pages it."""
    whole = response.json

    def paged(body: Any) -> None:
        whole(_page(body, request.query) if isinstance(body, dict) and "items" in body else body)

    response.json = paged
    emulator_objects.ls(request, response, storage, *args, **kwargs)


def _install_paging() -> None:
    # Its handler writes the headers and the body in two sends: without TCP_NODELAY each answer waits ~40 ms for
    # the client's delayed ACK (FIELD-NOTES), which a listing or an admission check per object multiplies.
    emulator_server.RequestHandler.disable_nagle_algorithm = True
    for _pattern, methods in emulator_server.HANDLERS:
        for method, handler in list(methods.items()):
            if handler is emulator_objects.ls:
                methods[method] = _paged_ls


@cache
def sample_key_file() -> dict:
    """A client's service-account key file (a real RSA key: it signs the annotators' links; the emulator takes any)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "client-project",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "importer@client-project.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


_RUNNING: list["GcsEmulator"] = []


def running() -> "GcsEmulator | None":
    """The emulator this process started last (the local runtime's, or the test harness's), if it still runs."""
    return _RUNNING[-1] if _RUNNING else None


class GcsEmulator:
    """One in-memory emulator on host:port (port 0: any free one), named by STORAGE_EMULATOR_HOST once started."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port or _free_port(host)
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "GcsEmulator":
        _install_paging()
        logging.getLogger("gcp_storage_emulator").setLevel(logging.WARNING)  # one INFO line per request otherwise
        self._server = create_server(self.host, self.port, in_memory=True)
        self._server._api.daemon = True  # never keeps the process alive after a forgotten stop
        self._server.start()
        os.environ["STORAGE_EMULATOR_HOST"] = self.url
        _RUNNING.append(self)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            _RUNNING.remove(self)
        if os.environ.get("STORAGE_EMULATOR_HOST") == self.url:
            os.environ.pop("STORAGE_EMULATOR_HOST")

    def wipe(self) -> None:
        """Every bucket and object goes (the test harness, before each test)."""
        if self._server is not None:
            self._server.wipe()

    @property
    def _storage(self) -> Any:
        assert self._server is not None, "the GCS emulator is not started"
        return self._server._storage

    def create_bucket(self, bucket: str) -> None:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        storage.Client(project="local", credentials=AnonymousCredentials()).create_bucket(bucket)

    def seed(self, bucket: str, objects: Iterable[tuple[str, bytes, str]]) -> int:
        """Put (name, bytes, content type) objects into `bucket` (created if missing) at once; returns how many."""
        if bucket not in self._storage.buckets:
            self.create_bucket(bucket)
        store = self._storage
        count = 0
        bucket_objects = store.objects.setdefault(bucket, {})
        for name, content, content_type in objects:
            resource = emulator_objects._make_object_resource(self.url, bucket, name, content_type, len(content))
            store._store.write_bytes(store._object_path(bucket, name), content)
            bucket_objects[name] = resource
            count += 1
        store._write_config_to_file()
        return count
