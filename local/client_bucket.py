"""A client's own bucket on this machine, to try bucket imports (importS3 / importGCS) against: a second bucket in
the emulated S3 (reached over the local S3 endpoint, port+1 of `make run`) or a bucket in the local GCS emulator,
filled with small real PNG images (the admission check reads their headers). With `make run`:

    curl -X POST http://127.0.0.1:20000/local/client-bucket -d '{"store": "s3", "bucket": "client-photos"}'
    curl -X POST http://127.0.0.1:20000/local/client-bucket -d '{"store": "gcs", "bucket": "client-photos"}'

then importS3 {"bucket": "client-photos", "accessKeyId": "AKIAEXAMPLEEXAMPLE00", "secretAccessKey": "any"} (the
emulated S3 takes any keys) or importGCS with any service-account key file (docs/data-in.md).

In-process (tests, benchmarks), `fill_s3_in_process` puts objects into moto's S3 backend directly: through the API
100,000 objects take minutes, directly a few seconds.
"""

import json
import struct
import zlib
from collections.abc import Iterable, Iterator
from functools import cache

DEFAULT_ACCOUNT = "123456789012"  # moto's default account, the one keys without a role map to


def png(width: int, height: int, shade: int = 0) -> bytes:
    """A valid grayscale PNG of width × height (tiny: one deflated run of one shade)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = (b"\x00" + bytes([shade % 256]) * width) * height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


@cache
def sample_png() -> bytes:
    return png(64, 48)


def sample_objects(count: int, prefix: str = "photos/") -> Iterator[tuple[str, bytes, str]]:
    """`count` (key, bytes, content type) images, keys in listing order."""
    for number in range(count):
        yield f"{prefix}{number:07d}.png", sample_png(), "image/png"


def fill_s3(s3, bucket: str, objects: Iterable[tuple[str, bytes, str]]) -> int:
    """Create `bucket` if missing and put the objects through the S3 API; returns how many."""
    existing = {entry["Name"] for entry in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
    count = 0
    for key, body, content_type in objects:
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
        count += 1
    return count


def fill_s3_in_process(bucket: str, objects: Iterable[tuple[str, bytes, str]], account: str = DEFAULT_ACCOUNT) -> int:
    """The same, straight into moto's S3 backend of `account` (the emulated AWS of this process)."""
    from moto.s3.models import s3_backends

    backend = s3_backends[account]["global"]
    if bucket not in backend.buckets:
        backend.create_bucket(bucket, "us-east-1")
    count = 0
    for key, body, _content_type in objects:
        backend.put_object(bucket, key, body)
        count += 1
    return count


MAX_ROUTE_OBJECTS = 200_000


def client_bucket_route(body: bytes) -> tuple[int, dict]:
    """POST /local/client-bucket {"store": "s3"|"gcs", "bucket", "prefix"?, "count"?}: a client's bucket filled with
    `count` sample images (default 100), in the emulated S3 (moto's default account) or the GCS emulator."""
    from local.gcs import running

    try:
        params = json.loads(body or b"{}")
        store = params.get("store", "s3")
        bucket = str(params.get("bucket") or "client-photos")
        prefix = str(params.get("prefix", "photos/"))
        count = int(params.get("count", 100))
        if store not in ("s3", "gcs") or not 0 <= count <= MAX_ROUTE_OBJECTS:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        return 400, {
            "error": f'body must be {{"store": "s3"|"gcs", "bucket", "prefix", "count" ≤ {MAX_ROUTE_OBJECTS}}}'
        }
    objects = sample_objects(count, prefix)
    if store == "s3":
        filled = fill_s3_in_process(bucket, objects)
    else:
        emulator = running()
        if emulator is None:
            return 409, {"error": "no GCS emulator is running"}
        filled = emulator.seed(bucket, objects)
    return 200, {"store": store, "bucket": bucket, "prefix": prefix, "objects": filled}
