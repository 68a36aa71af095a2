"""Origins: the clients' own buckets that bucket imports read (S3 with access keys, S3 through a role of theirs, GCS
with a service-account key file). Everything that touches such a bucket goes through here, with the import's own
credentials: listing it page by page (the import job), reading an item's first bytes (the admission check) and
the short presigned links annotators' browsers get (never the client's raw link, never our credentials).

Credentials are unsealed only in this module, kept in memory for the process (role sessions until shortly before
they expire) and never logged: botocore's wire logging is held at INFO by bytebridge.secret_store, and errors are
re-raised as OriginUnreadable with the store's error code only."""

import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.imports import ImportModel, get_import
from bytebridge.enums import ImportKind
from bytebridge.secret_store import unseal
from bytebridge.settings import get_settings

PAGE_KEYS = 1000  # keys per listing page (S3's maximum; GCS pages are asked for the same)
ROLE_SESSION_SECONDS = 3600
_ROLE_RENEW_SECONDS = 300  # a role session is renewed once less than this is left of it
_S3_CONFIG = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"})
# URL-safe characters kept as they are in an object's link; everything else in a key is percent-encoded.
_SAFE = "/~!$&'()*+,;=:@-._"


class OriginUnreadable(Exception):
    """The origin's bucket, object or credentials cannot be used (the message names which, never a secret)."""


@dataclass(frozen=True)
class ListedObject:
    key: str
    size: int


@dataclass(frozen=True)
class Page:
    objects: list[ListedObject]
    next_token: str | None  # None: this was the last page


def sealing_purpose(import_id: str) -> str:
    """The KMS encryption context of an import's credentials: bound to the account (secret_store) and the import."""
    return f"import:{import_id}"


def object_url(kind: str, bucket: str, key: str) -> str:
    """The item link of an object: s3://bucket/key or gs://bucket/object (the key percent-encoded where needed)."""
    scheme = "gs" if kind == ImportKind.GCS else "s3"
    return f"{scheme}://{bucket}/{quote(key, safe=_SAFE)}"


def _object_key(row: ImportModel, url: str) -> str:
    """The key of `url` in the import's bucket; OriginUnreadable for a link into any other bucket."""
    parts = urlsplit(url)
    scheme = "gs" if row.kind == ImportKind.GCS else "s3"
    key = unquote(parts.path.removeprefix("/"))
    if parts.scheme != scheme or parts.netloc != row.bucket or not key:
        raise OriginUnreadable("the link is not an object of this import's bucket")
    return key


# ---- credentials -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Keys:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


# An import's row and unsealed credentials are reused this long: one read and one KMS decrypt per import and minute
# in a process, not per object (an import's check reads every object's head). Dropped credentials stop working
# within it.
ORIGIN_CACHE_MS = 60_000
_ORIGINS: dict[str, tuple[int, ImportModel, dict[str, Any] | None]] = {}


def _row(import_id: str) -> ImportModel:
    cached = _ORIGINS.get(import_id)
    if cached is not None and cached[0] > now_ms():
        return cached[1]
    row = get_import(import_id)
    if row is None:
        raise OriginUnreadable("no such import")
    _ORIGINS[import_id] = (now_ms() + ORIGIN_CACHE_MS, row, None)
    return row


def _secret(row: ImportModel) -> dict[str, Any]:
    if row.sealed_credentials is None:
        raise OriginUnreadable("the import's credentials were dropped (the project no longer reads the bucket)")
    cached = _ORIGINS.get(row.import_id)
    if cached is not None and cached[1] is row and cached[2] is not None:
        return cached[2]
    secret = json.loads(unseal(row.user_id, row.sealed_credentials, sealing_purpose(row.import_id)))
    if cached is not None and cached[1] is row:
        _ORIGINS[row.import_id] = (cached[0], row, secret)
    return secret


_ROLE_SESSIONS: dict[tuple[str, str, str], tuple[S3Keys, float]] = {}
_ROLE_LOCK = threading.Lock()


def assume_role(role_arn: str, external_id: str) -> S3Keys:
    """Temporary keys of the client's role (STS AssumeRole with their external id), reused until shortly before they
    expire; OriginUnreadable if the role cannot be assumed."""
    key = (role_arn, external_id, get_settings().region)
    with _ROLE_LOCK:
        cached = _ROLE_SESSIONS.get(key)
        if cached is not None and cached[1] > time.time() + _ROLE_RENEW_SECONDS:
            return cached[0]
    try:
        out = client("sts").assume_role(
            RoleArn=role_arn,
            RoleSessionName="bytebridge-import",
            ExternalId=external_id,
            DurationSeconds=ROLE_SESSION_SECONDS,
        )
    except (ClientError, BotoCoreError) as exc:
        raise OriginUnreadable(f"the role cannot be assumed ({_code(exc)})") from None
    credentials = out["Credentials"]
    keys = S3Keys(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    with _ROLE_LOCK:
        _ROLE_SESSIONS[key] = (keys, credentials["Expiration"].timestamp())
    return keys


def s3_keys(row: ImportModel) -> S3Keys:
    if row.kind == ImportKind.S3_ROLE:
        if row.role_arn is None or row.external_id is None:
            raise OriginUnreadable("the import's role was dropped (the project no longer reads the bucket)")
        return assume_role(row.role_arn, row.external_id)
    secret = _secret(row)
    return S3Keys(secret["accessKeyId"], secret["secretAccessKey"])


@lru_cache(maxsize=64)
def _s3(keys: S3Keys, region: str | None, public: bool = False) -> Any:
    """An S3 client acting as the client's keys (thread-safe, kept per key set); `public`: naming the endpoint
    browsers reach (presigned links)."""
    endpoint = get_settings().s3_public_endpoint if public else ""
    return boto3.session.Session().client(
        "s3",
        region_name=region or get_settings().region,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
        endpoint_url=endpoint or None,
        config=_S3_CONFIG,
    )


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__


# ---- GCS ---------------------------------------------------------------------------------------------------


def gcs_credentials(key_file: dict[str, Any]) -> Any:
    """The service account of a key file; OriginUnreadable if it is not one."""
    from google.oauth2 import service_account

    if key_file.get("type") != "service_account":
        raise OriginUnreadable('keyFile is not a service-account key file ("type": "service_account")')
    try:
        return service_account.Credentials.from_service_account_info(
            key_file, scopes=["https://www.googleapis.com/auth/devstorage.read_only"]
        )
    except (ValueError, KeyError, TypeError):
        raise OriginUnreadable("keyFile is not a usable service-account key (client_email, private_key)") from None


def _emulator() -> str:
    """The GCS emulator's URL when the local runtime or the tests run one (STORAGE_EMULATOR_HOST, read by the
    google-cloud-storage client itself); "" when deployed."""
    return os.environ.get("STORAGE_EMULATOR_HOST", "")


def gcs_client(key_file: dict[str, Any]) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    credentials = gcs_credentials(key_file)
    if _emulator():  # the emulator takes no tokens; the key file still signs links (gcs_signed_url)
        return storage.Client(project=key_file.get("project_id") or "local", credentials=AnonymousCredentials())
    return storage.Client(project=key_file.get("project_id"), credentials=credentials)


@lru_cache(maxsize=64)
def _gcs(import_id: str, key_json: str) -> tuple[Any, Any]:
    key_file = json.loads(key_json)
    return gcs_client(key_file), gcs_credentials(key_file)


def _gcs_for(row: ImportModel) -> tuple[Any, Any]:
    return _gcs(row.import_id, json.dumps(_secret(row)["keyFile"], sort_keys=True))


def _gcs_error(exc: Exception) -> str:
    return str(getattr(exc, "code", None) or type(exc).__name__)


# ---- listing, reading, links -------------------------------------------------------------------------------


def list_s3_page(keys: S3Keys, region: str | None, bucket: str, prefix: str, token: str | None) -> Page:
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": PAGE_KEYS}
    if token:
        params["ContinuationToken"] = token
    try:
        out = _s3(keys, region).list_objects_v2(**params)
    except (ClientError, BotoCoreError) as exc:
        raise OriginUnreadable(f"the bucket cannot be listed with these credentials ({_code(exc)})") from None
    objects = [ListedObject(entry["Key"], int(entry.get("Size", 0))) for entry in out.get("Contents", [])]
    return Page(objects, out.get("NextContinuationToken") if out.get("IsTruncated") else None)


def list_gcs_page(client_: Any, bucket: str, prefix: str, token: str | None) -> Page:
    from google.api_core import exceptions as gexc

    try:
        blobs = client_.list_blobs(bucket, prefix=prefix or None, page_size=PAGE_KEYS, page_token=token, timeout=30)
        page = next(blobs.pages, None)
        objects = [] if page is None else [ListedObject(blob.name, int(blob.size or 0)) for blob in page]
    except gexc.GoogleAPIError as exc:
        raise OriginUnreadable(f"the bucket cannot be listed with this key file ({_gcs_error(exc)})") from None
    return Page(objects, blobs.next_page_token or None)


def list_page(import_id: str, token: str | None) -> Page:
    """One page (≤ PAGE_KEYS keys) of the import's bucket under its prefix, from `token` (None: the start)."""
    row = _row(import_id)
    if row.kind == ImportKind.GCS:
        gcs, _ = _gcs_for(row)
        return list_gcs_page(gcs, row.bucket, row.prefix or "", token)
    return list_s3_page(s3_keys(row), row.region, row.bucket, row.prefix or "", token)


def read_head(origin_id: str, url: str, limit: int) -> bytes:
    """The first `limit` bytes (fewer if it is shorter) of the object `url` of import `origin_id`, read with the
    import's credentials. OriginUnreadable if the link is not in that bucket, or the object or credentials fail."""
    row = _row(origin_id)
    key = _object_key(row, url)
    if limit <= 0:
        return b""
    if row.kind == ImportKind.GCS:
        from google.api_core import exceptions as gexc

        gcs, _ = _gcs_for(row)
        try:
            return gcs.bucket(row.bucket).blob(key).download_as_bytes(start=0, end=limit - 1, timeout=30)
        except gexc.RequestRangeNotSatisfiable:
            return b""  # an empty object
        except gexc.GoogleAPIError as exc:
            raise OriginUnreadable(f"the object cannot be read ({_gcs_error(exc)})") from None
    keys = s3_keys(row)
    try:
        out = _s3(keys, row.region).get_object(Bucket=row.bucket, Key=key, Range=f"bytes=0-{limit - 1}")
        return out["Body"].read(limit)
    except ClientError as exc:
        if _code(exc) == "InvalidRange":
            return b""  # an empty object
        raise OriginUnreadable(f"the object cannot be read ({_code(exc)})") from None
    except BotoCoreError as exc:
        raise OriginUnreadable(f"the object cannot be read ({_code(exc)})") from None


def presigned_get(origin_id: str, url: str, expires_s: int) -> str:
    """A short-lived GET link of the object `url` of import `origin_id`, signed with the import's credentials (a
    role's link lasts at most as long as its session), for an annotator's browser."""
    row = _row(origin_id)
    key = _object_key(row, url)
    if row.kind == ImportKind.GCS:
        gcs, signer = _gcs_for(row)
        return (
            gcs.bucket(row.bucket)
            .blob(key)
            .generate_signed_url(
                version="v4",
                expiration=timedelta(seconds=expires_s),
                method="GET",
                credentials=signer,
                api_access_endpoint=_emulator() or "https://storage.googleapis.com",
            )
        )
    keys = s3_keys(row)
    return _s3(keys, row.region, True).generate_presigned_url(
        "get_object", Params={"Bucket": row.bucket, "Key": key}, ExpiresIn=expires_s
    )
