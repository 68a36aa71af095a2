"""Wire models of the data-in calls (designed in the documented API's style: {"userId", "params"} in, the envelope
out): web upload straight to the data bucket (createUpload, completeUpload) and bucket imports (importS3,
importGCS, retrieveImport, listImports). docs/data-in.md describes the flows; the limits below are the policy's."""

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StrictStr, StringConstraints

from bytebridge.enums import ImportKind, ImportStatus, ResourceType
from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire

MiB = 1024 * 1024
MAX_FILES_PER_UPLOAD = 100
MULTIPART_ABOVE = 64 * MiB  # larger files upload in parts (resumable: a failed part is sent again alone)
PART_SIZE = 16 * MiB
# The largest file of each resource type (presigned POST: content-length-range; multipart: checked on completion).
MAX_BYTES: dict[ResourceType, int] = {
    ResourceType.IMAGE: 100 * MiB,
    ResourceType.GRAPHIC: 100 * MiB,
    ResourceType.TEXT: 16 * MiB,
    ResourceType.AUDIO: 2048 * MiB,
    ResourceType.VIDEO: 4096 * MiB,
}
# The Content-Type an upload must declare (the POST policy pins it); what the bytes are is checked on admission.
CONTENT_TYPES: dict[ResourceType, frozenset[str]] = {
    ResourceType.IMAGE: frozenset({"image/jpeg", "image/png", "image/gif"}),
    ResourceType.GRAPHIC: frozenset({"image/jpeg", "image/png", "image/gif"}),
    ResourceType.AUDIO: frozenset(  # mp3, wav, flac, m4a, under the names browsers give them
        {"audio/mpeg", "audio/wav", "audio/x-wav", "audio/wave", "audio/flac", "audio/x-flac", "audio/mp4"}
        | {"audio/x-m4a"}
    ),
    ResourceType.VIDEO: frozenset({"video/mp4", "video/webm", "video/quicktime"}),
    ResourceType.TEXT: frozenset(
        {"text/plain", "text/csv", "text/tab-separated-values", "application/json", "application/x-ndjson"}
    ),
}


def _limits() -> str:
    return "; ".join(
        f"{kind}: ≤ {MAX_BYTES[kind] // MiB} MiB, {', '.join(sorted(CONTENT_TYPES[kind]))}" for kind in ResourceType
    )


_RESOURCE_TYPE = Field(
    description=f"Resource type of the files; one of: {', '.join(ResourceType)}",
    json_schema_extra={"enum": [str(kind) for kind in ResourceType]},
)
_IMPORT_RESOURCE_TYPE = Field(
    None,
    description="Resource type of the bucket's objects (default: text for text_classification projects, else image);"
    f" one of: {', '.join(ResourceType)}",
    json_schema_extra={"enum": [str(kind) for kind in ResourceType]},
)
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Bucket = Annotated[str, StringConstraints(min_length=3, max_length=222)]
Prefix = Annotated[str, StringConstraints(max_length=1024)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


# ---- web upload ---------------------------------------------------------------------------------------------


class UploadFile(_Wire):
    name: Name = Field(description="The file's name (made safe for the object key)")
    size: StrictInt = Field(ge=1, description="Bytes")
    content_type: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description=f"The file's media type, allowed per resource type ({_limits()})"
    )


class CreateUploadParams(_Wire):
    project_id: ProjectId
    resource_type: StrictStr = _RESOURCE_TYPE
    files: list[UploadFile] = Field(min_length=1, max_length=MAX_FILES_PER_UPLOAD)


class CreateUploadRequest(SignedBody):
    params: CreateUploadParams


class PresignedPost(_Wire):
    url: str = Field(description="POST a multipart/form-data form here")
    fields: dict[str, str] = Field(description="The form fields to send before the file (in this order), as given")


class UploadPart(_Wire):
    part_number: int
    url: str = Field(description="PUT the part's bytes here; keep the ETag header of the answer")


class MultipartUpload(_Wire):
    upload_id: str = Field(description="S3's id of this multipart upload")
    part_size: int = Field(description=f"Bytes per part ({PART_SIZE // MiB} MiB; the last part is the rest)")
    parts: list[UploadPart]


class UploadTarget(_Wire):
    name: str = Field(description="The file's name as given")
    key: str = Field(description="The object key chosen for it (pass it to completeUpload)")
    url: str = Field(description="The item link it becomes: s3://<data bucket>/<key>")
    method: Literal["post", "multipart"] = Field(description=f"post; multipart above {MULTIPART_ABOVE // MiB} MiB")
    post: PresignedPost | None = Field(None, description="method post: the presigned POST form")
    multipart: MultipartUpload | None = Field(None, description="method multipart: the part URLs")
    expires_at: int = Field(description="Epoch ms until which the links are valid")


class CreateUploadData(_Wire):
    project_id: str
    upload_id: str = Field(description="This call's id; every key starts with <userId>/<projectId>/uploads/<id>/")
    files: list[UploadTarget]


class CreateUploadResponse(SuccessEnvelope):
    data: CreateUploadData


class CompleteUploadParams(_Wire):
    project_id: ProjectId
    keys: list[Annotated[str, StringConstraints(min_length=1, max_length=1024)]] = Field(
        min_length=1, max_length=MAX_FILES_PER_UPLOAD, description="Keys createUpload chose, once uploaded"
    )


class CompleteUploadRequest(SignedBody):
    params: CompleteUploadParams


class RefusedObject(_Wire):
    key: str
    reason: str


class CompleteUploadData(_Wire):
    project_id: str
    added_urls: list[str] = Field(alias="addedURLs", description="Objects that became new items (being checked)")
    existing_urls: list[str] = Field(alias="existingURLs", description="Objects already items (an earlier call)")
    missing_keys: list[str] = Field(description="Keys with no uploaded object (yet): upload, then call again")
    refused: list[RefusedObject] = Field(description="Objects that cannot become items (deleted again)")


class CompleteUploadResponse(SuccessEnvelope):
    data: CompleteUploadData


# ---- bucket imports -----------------------------------------------------------------------------------------


class ImportS3Params(_Wire):
    """Either accessKeyId + secretAccessKey, or roleArn + externalId (the safer way: a role of yours that trusts
    ByteBridge's account with this external id, read-only on the bucket)."""

    project_id: ProjectId
    resource_type: StrictStr | None = _IMPORT_RESOURCE_TYPE
    bucket: Bucket
    region: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = Field(
        None, description="The bucket's region (default: ByteBridge's)"
    )
    prefix: Prefix = Field("", description="Import only the keys starting with this")
    access_key_id: Annotated[str, StringConstraints(min_length=16, max_length=128)] | None = None
    secret_access_key: Secret | None = None
    role_arn: Annotated[str, StringConstraints(min_length=20, max_length=2048)] | None = Field(
        None, alias="roleArn", description="arn:aws:iam::<your account>:role/<name>"
    )
    external_id: Annotated[str, StringConstraints(min_length=2, max_length=1224)] | None = None


class ImportS3Request(SignedBody):
    params: ImportS3Params


class ImportGCSParams(_Wire):
    project_id: ProjectId
    resource_type: StrictStr | None = _IMPORT_RESOURCE_TYPE
    bucket: Bucket
    prefix: Prefix = Field("", description="Import only the objects whose names start with this")
    key_file: dict[str, Any] | Secret = Field(
        description="The service-account key file (JSON object, or its text) of an account that may read the bucket"
    )


class ImportGCSRequest(SignedBody):
    params: ImportGCSParams


class ImportCounts(_Wire):
    listed: int = Field(description="Objects listed so far")
    added: int = Field(description="Objects that became new items")
    skipped_duplicate: int = Field(description="Objects already items of the project")
    refused: int = Field(description="Objects refused (see refusals)")


class ImportInfo(_Wire):
    import_id: str
    project_id: str
    kind: ImportKind = Field(description="s3, s3-role or gcs")
    bucket: str
    prefix: str
    region: str | None
    role_arn: str | None = Field(alias="roleArn")
    resource_type: str
    status: ImportStatus = Field(description="listing, checking (admitted items are being checked), done or failed")
    counts: ImportCounts
    refusals: list[RefusedObject] = Field(description="The first refused objects and why")
    error: str | None = Field(description="Why the import failed")
    created_at: int = Field(description="epoch ms")
    updated_at: int = Field(description="epoch ms")
    finished_at: int | None = Field(description="epoch ms, once done or failed")


class ImportResponse(SuccessEnvelope):
    data: ImportInfo


class RetrieveImportParams(_Wire):
    project_id: ProjectId
    import_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RetrieveImportRequest(SignedBody):
    params: RetrieveImportParams


class ListImportsParams(_Wire):
    project_id: ProjectId


class ListImportsRequest(SignedBody):
    params: ListImportsParams


class ListImportsData(_Wire):
    imports: list[ImportInfo] = Field(description="The project's imports, newest first (at most 100)")


class ListImportsResponse(SuccessEnvelope):
    data: ListImportsData
