"""Web upload (createUpload, completeUpload): files go from the browser (or any client) straight to our data bucket,
never through the API, under keys the server chooses: <userId>/<projectId>/uploads/<uploadId>/<safe name>.

A file up to MULTIPART_ABOVE gets a presigned POST whose policy pins the exact key, the declared Content-Type, the
resource type (object metadata) and the declared size (content-length-range), so S3 itself refuses anything
else. A larger file gets a multipart upload: one presigned PUT URL per PART_SIZE part, so a failed part is sent again
alone (resumable); S3 cannot bound a multipart upload's size in a policy, so completeUpload checks it. completeUpload
turns uploaded objects into items through admit (idempotent: an object already an item is reported as existing)."""

import math
import re
import unicodedata
from dataclasses import dataclass

from botocore.exceptions import ClientError

from bytebridge import ids
from bytebridge.aws import client, s3_presigner
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.projects import ProjectModel, get_live_project
from bytebridge.enums import ResourceType
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.logic.resources import UPLOAD_STATUSES, admit
from bytebridge.models.data_in_api import (
    CONTENT_TYPES,
    MAX_BYTES,
    MULTIPART_ABOVE,
    PART_SIZE,
    CompleteUploadData,
    CompleteUploadParams,
    CreateUploadData,
    CreateUploadParams,
    MultipartUpload,
    PresignedPost,
    RefusedObject,
    UploadPart,
    UploadTarget,
)
from bytebridge.settings import get_settings

UPLOAD_LINK_SECONDS = 3600  # how long the POST form and the part URLs stay valid
TYPE_METADATA = "resource-type"  # the object's x-amz-meta-resource-type: what completeUpload admits it as
SIZE_METADATA = "size"  # a multipart upload's declared size: a completion short of it is refused
_SAFE_CHARS = re.compile(r"[^\w.\-]+")
_MAX_NAME = 120


def safe_name(name: str) -> str:
    """A file name fit for an object key on every OS and in every export: the last path segment (/ or \\), no
    drive letter, control or separator characters, no leading dots, at most _MAX_NAME characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = base.split(":")[-1]  # "C:file.jpg"
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _SAFE_CHARS.sub("_", base).strip("._ ") or "file"
    if len(base) > _MAX_NAME:
        stem, dot, extension = base.rpartition(".")
        extension = extension[:16] if dot else ""
        base = (stem if dot else base)[: _MAX_NAME - len(extension) - 1] + (f".{extension}" if extension else "")
    return base


def _unique(names: list[str]) -> list[str]:
    """The names, with -2, -3... before the extension of repeats."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            stem, dot, extension = name.rpartition(".")
            candidate = f"{stem}-{n}.{extension}" if dot and stem else f"{name}-{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def uploads_prefix(user_id: str, project_id: str) -> str:
    return f"{user_id}/{project_id}/uploads/"


def _kind(resource_type: str) -> ResourceType:
    if resource_type not in set(ResourceType):
        raise ApiError(ErrorCode.RESOURCE_INVALID, f"resourceType must be one of {', '.join(ResourceType)}")
    return ResourceType(resource_type)


def uploading_project(account: AccountModel, project_id: str) -> ProjectModel:
    """The caller's project (8 if not theirs), if it takes uploads now (25 if not)."""
    project = get_live_project(account.user_id, project_id)
    if project.status_enum not in UPLOAD_STATUSES:
        raise ApiError(ErrorCode.UPLOAD_NOT_ALLOWED, f"a {project.status} project takes no uploads")
    return project


def create_upload(account: AccountModel, params: CreateUploadParams) -> CreateUploadData:
    project = uploading_project(account, params.project_id)
    kind = _kind(params.resource_type)
    for position, file in enumerate(params.files):
        where = f"files[{position}]"
        if file.content_type.lower() not in CONTENT_TYPES[kind]:
            raise ApiError(
                ErrorCode.RESOURCE_INVALID,
                f"{where}.contentType must be one of {', '.join(sorted(CONTENT_TYPES[kind]))} for {kind}",
            )
        if file.size > MAX_BYTES[kind]:
            raise ApiError(ErrorCode.RESOURCE_INVALID, f"{where} is larger than {MAX_BYTES[kind]} bytes ({kind})")
    now = now_ms()
    upload_id = ids.new_upload_id(now)
    folder = f"{uploads_prefix(account.user_id, project.project_id)}{upload_id}/"
    names = _unique([safe_name(file.name) for file in params.files])
    bucket = get_settings().data_bucket
    expires_at = now + UPLOAD_LINK_SECONDS * 1000
    targets = []
    for file, name in zip(params.files, names, strict=True):
        key = folder + name
        content_type = file.content_type.lower()
        target = UploadTarget(
            name=file.name,
            key=key,
            url=f"s3://{bucket}/{key}",
            method="post",
            expires_at=expires_at,
        )
        if file.size > MULTIPART_ABOVE:
            target.method = "multipart"
            target.multipart = _multipart(bucket, key, content_type, kind, file.size)
        else:
            target.post = _post(bucket, key, content_type, kind, file.size)
        targets.append(target)
    return CreateUploadData(project_id=project.project_id, upload_id=upload_id, files=targets)


def _post(bucket: str, key: str, content_type: str, kind: ResourceType, size: int) -> PresignedPost:
    meta = f"x-amz-meta-{TYPE_METADATA}"
    out = s3_presigner().generate_presigned_post(
        Bucket=bucket,
        Key=key,  # the policy pins the exact key
        Fields={"Content-Type": content_type, meta: kind.value},
        Conditions=[
            {"Content-Type": content_type},
            {meta: kind.value},
            ["content-length-range", size, size],  # exactly the declared size (≥ 1, ≤ the type's limit)
        ],
        ExpiresIn=UPLOAD_LINK_SECONDS,
    )
    return PresignedPost(url=out["url"], fields=out["fields"])


def _multipart(bucket: str, key: str, content_type: str, kind: ResourceType, size: int) -> MultipartUpload:
    started = client("s3").create_multipart_upload(
        Bucket=bucket, Key=key, ContentType=content_type, Metadata={TYPE_METADATA: kind.value, SIZE_METADATA: str(size)}
    )
    upload_id = started["UploadId"]
    parts = [
        UploadPart(
            part_number=number,
            url=s3_presigner().generate_presigned_url(
                "upload_part",
                Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": number},
                ExpiresIn=UPLOAD_LINK_SECONDS,
            ),
        )
        for number in range(1, math.ceil(size / PART_SIZE) + 1)
    ]
    return MultipartUpload(upload_id=upload_id, part_size=PART_SIZE, parts=parts)


# ---- completion ---------------------------------------------------------------------------------------------


@dataclass
class _Found:
    key: str
    kind: ResourceType


def _complete_multipart(bucket: str, key: str) -> None:
    """Finish a pending multipart upload of `key` with the parts uploaded (if there is one and it has parts)."""
    s3 = client("s3")
    pending = s3.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
    for upload in (u for u in pending if u["Key"] == key):
        parts = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload["UploadId"]).get("Parts", [])
        if parts:
            s3.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=upload["UploadId"],
                MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]},
            )


def _inspect(bucket: str, key: str) -> _Found | str | None:
    """The uploaded object's resource type; a refusal reason; None if nothing is uploaded under `key` (yet)."""
    try:
        head = client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    declared = (head.get("Metadata") or {}).get(TYPE_METADATA, "")
    if declared not in set(ResourceType):
        return "not uploaded through createUpload (no resource type)"
    kind = ResourceType(declared)
    if head.get("ContentLength", 0) > MAX_BYTES[kind]:
        return f"larger than {MAX_BYTES[kind]} bytes, the most a {kind} item may be"
    if head.get("ContentLength", 0) == 0:
        return "the file is empty"
    declared_size = (head.get("Metadata") or {}).get(SIZE_METADATA)
    if declared_size is not None and declared_size != str(head.get("ContentLength")):
        return f"incomplete: {head.get('ContentLength')} of {declared_size} bytes were uploaded before completeUpload"
    if str(head.get("ContentType", "")).lower() not in CONTENT_TYPES[kind]:
        return f"its Content-Type is not one of {', '.join(sorted(CONTENT_TYPES[kind]))}"
    return _Found(key, kind)


def complete_upload(account: AccountModel, params: CompleteUploadParams) -> CompleteUploadData:
    project = uploading_project(account, params.project_id)
    prefix = uploads_prefix(account.user_id, project.project_id)
    keys = list(dict.fromkeys(params.keys))
    for position, key in enumerate(keys):
        segments = key.removeprefix(prefix).split("/")
        if not key.startswith(prefix) or len(segments) != 2 or any(s in {"", ".", ".."} for s in segments):
            raise ApiError(ErrorCode.RESOURCE_LINK_INVALID, f"keys[{position}] is not a key createUpload chose")
    bucket = get_settings().data_bucket
    found: dict[ResourceType, list[str]] = {}
    missing: list[str] = []
    refused: list[RefusedObject] = []
    for key in keys:
        _complete_multipart(bucket, key)
        outcome = _inspect(bucket, key)
        if outcome is None:
            missing.append(key)
        elif isinstance(outcome, str):
            client("s3").delete_object(Bucket=bucket, Key=key)  # never kept, never an item
            refused.append(RefusedObject(key=key, reason=outcome))
        else:
            found.setdefault(outcome.kind, []).append(f"s3://{bucket}/{key}")
    added: list[str] = []
    existing: list[str] = []
    for kind, urls in found.items():
        admitted = admit(project, kind.value, urls)
        added += admitted.added
        existing += admitted.existing
    return CompleteUploadData(
        project_id=project.project_id, added_urls=added, existing_urls=existing, missing_keys=missing, refused=refused
    )
