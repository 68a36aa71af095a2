"""Bucket imports (importS3, importGCS, retrieveImport, listImports) and the import job that carries them out.

An import is a job with its own row (bytebridge.dal.imports): the call checks the bucket and the credentials with one
listing, seals the credentials (KMS, bound to the account and the import) and queues the job. The job
(functions/import_job) pages through the bucket, origins.PAGE_KEYS (1,000) keys a page; each page's objects are admitted
(bytebridge.logic.resources.admit: idempotent per link) and counted in one conditional write that also moves the
continuation token on, so a redelivered message re-admits nothing twice and counts nothing twice. Before its time runs
low the job queues its next page and returns: no invocation runs past its limits. Objects stay in the client's
bucket; their items read them through bytebridge.ingest.origins with the import's credentials, which are dropped when
the project no longer needs them (bytebridge.dal.imports.drop_credentials: on completion or end through
delivery.events, on delete through logic.project_state; the rows go with the project's purge)."""

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import BaseModel

from bytebridge import ids
from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.imports import (
    REFUSAL_SAMPLE,
    ImportModel,
    create_import,
    get_import,
    move_status,
    project_imports,
    record_page,
)
from bytebridge.dal.projects import ProjectModel, get_live_project
from bytebridge.delivery import notices
from bytebridge.enums import ImportKind, ImportStatus, ResourceType
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.ingest import origins
from bytebridge.logic.resources import PROJECT_RESOURCES, admit
from bytebridge.logic.uploads import uploading_project
from bytebridge.models.client_api import MAX_URL_LENGTH, RESOURCE_EXTENSIONS, ProjectType
from bytebridge.models.data_in_api import (
    MAX_BYTES,
    ImportCounts,
    ImportGCSParams,
    ImportInfo,
    ImportS3Params,
    ListImportsData,
    RefusedObject,
)
from bytebridge.secret_store import seal
from bytebridge.settings import get_settings, resource_name

IMPORT_QUEUE = "imports"
RESERVE_MS = 120_000  # a run queues its next page once less than this is left of its time (a page takes seconds)
CHECK_POLL_SECONDS = 60  # while admitted items are still being checked, the job looks again this much later
CHECK_WAIT_MS = 6 * 3600 * 1000  # after this long, an import stops waiting for checks and reports what it has
_LISTED_IMPORTS = 100


class ImportMessage(BaseModel):
    """The import queue's message: go on with import `import_id` from page `page` (or, `poll`, see whether its
    admitted items were all checked)."""

    import_id: str
    page: int = 0
    poll: bool = False


# ---- the calls ---------------------------------------------------------------------------------------------


def _kind(project: ProjectModel, resource_type: str | None) -> ResourceType:
    if resource_type is None:
        return ResourceType.TEXT if project.type == ProjectType.TEXT_CLASSIFICATION else ResourceType.IMAGE
    if resource_type not in set(ResourceType):
        raise ApiError(ErrorCode.RESOURCE_INVALID, f"resourceType must be one of {', '.join(ResourceType)}")
    allowed = PROJECT_RESOURCES.get(project.type)
    if allowed is not None and resource_type not in allowed:
        raise ApiError(
            ErrorCode.RESOURCE_INVALID, f"a {project.type} project takes {', '.join(sorted(allowed))} resources"
        )
    return ResourceType(resource_type)


@cache
def _own_account_id() -> str:
    return str(client("sts").get_caller_identity()["Account"])


def _check_bucket_is_theirs(bucket: str) -> None:
    settings = get_settings()
    if bucket in {settings.data_bucket, settings.exports_bucket} or bucket.startswith(resource_name("")):
        raise ApiError(ErrorCode.RESOURCE_LINK_INVALID, "bucket: not a bucket of yours")


def _check_role(role_arn: str) -> None:
    """A role of the client's own account: never one of ours (the platform would lend its identity: the confused
    deputy the external id alone does not prevent)."""
    parts = role_arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "roleArn must look like arn:aws:iam::<account>:role/<name>")
    if parts[4] == _own_account_id():
        raise ApiError(ErrorCode.RESOURCE_LINK_INVALID, "roleArn: a role of your own AWS account is needed")


def _probe(probe: Callable[[], origins.Page], what: str) -> None:
    """List one page now, so unusable buckets or credentials answer code 10 at once (saying which)."""
    try:
        probe()
    except origins.OriginUnreadable as exc:
        raise ApiError(ErrorCode.RESOURCE_LINK_INVALID, f"{what}: {exc}") from None


def import_s3(account: AccountModel, params: ImportS3Params) -> ImportInfo:
    project = uploading_project(account, params.project_id)
    kind = _kind(project, params.resource_type)
    _check_bucket_is_theirs(params.bucket)
    by_keys = params.access_key_id is not None or params.secret_access_key is not None
    by_role = params.role_arn is not None or params.external_id is not None
    if by_keys == by_role or (by_keys and not (params.access_key_id and params.secret_access_key)):
        raise ApiError(
            ErrorCode.PARAMETER_INVALID, "give either accessKeyId and secretAccessKey, or roleArn and externalId"
        )
    if by_role and not (params.role_arn and params.external_id):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "roleArn needs externalId")
    if by_role:
        assert params.role_arn is not None and params.external_id is not None
        _check_role(params.role_arn)
        role_arn, external_id = params.role_arn, params.external_id
        _probe(lambda: _list_with_role(role_arn, external_id, params), "the role")
        secret = None
    else:
        assert params.access_key_id is not None and params.secret_access_key is not None
        keys = origins.S3Keys(params.access_key_id, params.secret_access_key)
        _probe(lambda: origins.list_s3_page(keys, params.region, params.bucket, params.prefix, None), "bucket")
        secret = {"accessKeyId": params.access_key_id, "secretAccessKey": params.secret_access_key}
    return _start(
        account,
        project,
        ImportKind.S3_ROLE if by_role else ImportKind.S3,
        kind,
        params.bucket,
        params.prefix,
        secret,
        region=params.region,
        role_arn=params.role_arn,
        external_id=params.external_id,
    )


def _list_with_role(role_arn: str, external_id: str, params: ImportS3Params) -> origins.Page:
    keys = origins.assume_role(role_arn, external_id)
    return origins.list_s3_page(keys, params.region, params.bucket, params.prefix, None)


def _key_file(raw: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ApiError(ErrorCode.PARAMETER_INVALID, "keyFile must be the key file's JSON (an object or its text)")
    return parsed


def import_gcs(account: AccountModel, params: ImportGCSParams) -> ImportInfo:
    project = uploading_project(account, params.project_id)
    kind = _kind(project, params.resource_type)
    key_file = _key_file(params.key_file)
    try:
        gcs = origins.gcs_client(key_file)
    except origins.OriginUnreadable as exc:
        raise ApiError(ErrorCode.RESOURCE_LINK_INVALID, f"keyFile: {exc}") from None
    _probe(lambda: origins.list_gcs_page(gcs, params.bucket, params.prefix, None), "bucket")
    return _start(account, project, ImportKind.GCS, kind, params.bucket, params.prefix, {"keyFile": key_file})


def _start(
    account: AccountModel,
    project: ProjectModel,
    kind: ImportKind,
    resource_type: ResourceType,
    bucket: str,
    prefix: str,
    secret: dict[str, Any] | None,
    **extra: Any,
) -> ImportInfo:
    now = now_ms()
    import_id = ids.new_import_id(now)
    sealed = None
    if secret is not None:
        sealed = seal(account.user_id, json.dumps(secret), origins.sealing_purpose(import_id))
    row = ImportModel(
        import_id,
        project_id=project.project_id,
        user_id=account.user_id,
        kind=kind.value,
        resource_type=resource_type.value,
        bucket=bucket,
        prefix=prefix,
        sealed_credentials=sealed,
        created_at=now,
        updated_at=now,
        **extra,
    )
    create_import(row)
    queue_step(ImportMessage(import_id=import_id))
    return import_info(get_import(import_id) or row)


def import_info(row: ImportModel) -> ImportInfo:
    """The import as the API shows it: never its credentials (nor the external id)."""
    return ImportInfo(
        import_id=row.import_id,
        project_id=row.project_id,
        kind=ImportKind(row.kind),
        bucket=row.bucket,
        prefix=row.prefix or "",
        region=row.region,
        role_arn=row.role_arn,
        resource_type=row.resource_type,
        status=ImportStatus(row.status),
        counts=ImportCounts(
            listed=row.listed, added=row.added, skipped_duplicate=row.skipped_duplicate, refused=row.refused
        ),
        refusals=[RefusedObject(**entry) for entry in row.refusals or []],
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def retrieve_import(account: AccountModel, project_id: str, import_id: str) -> ImportInfo:
    project = get_live_project(account.user_id, project_id)
    row = get_import(import_id)
    if row is None or row.project_id != project.project_id or row.user_id != account.user_id:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "no such import in this project")
    return import_info(row)


def list_imports(account: AccountModel, project_id: str) -> ListImportsData:
    project = get_live_project(account.user_id, project_id)
    rows = project_imports(project.project_id, limit=_LISTED_IMPORTS)
    return ListImportsData(imports=[import_info(row) for row in rows][:_LISTED_IMPORTS])


# ---- the job -----------------------------------------------------------------------------------------------


@cache
def _queue_url() -> str:
    return client("sqs").get_queue_url(QueueName=resource_name(IMPORT_QUEUE))["QueueUrl"]


def queue_step(message: ImportMessage, delay_seconds: int = 0) -> None:
    client("sqs").send_message(
        QueueUrl=_queue_url(), MessageBody=message.model_dump_json(), DelaySeconds=min(delay_seconds, 900)
    )


def _refusal(key: str, size: int, url: str, kind: ResourceType) -> str | None:
    """Why an object cannot become an item of `kind`, by what the listing says (its bytes are checked later)."""
    name = key.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(url) > MAX_URL_LENGTH:
        return f"the key is longer than a link may be ({MAX_URL_LENGTH} characters)"
    if size == 0:
        return "the object is empty"
    if size > MAX_BYTES[kind]:
        return f"larger than {MAX_BYTES[kind] // (1024 * 1024)} MiB, the most a {kind} item may be"
    if extension and extension not in RESOURCE_EXTENSIONS[kind]:
        return f"not a {kind} file (.{extension}; {', '.join(sorted(RESOURCE_EXTENSIONS[kind]))})"
    if not extension and kind not in (ResourceType.IMAGE, ResourceType.GRAPHIC):
        return f"no file extension: a {kind} file needs one ({', '.join(sorted(RESOURCE_EXTENSIONS[kind]))})"
    return None


def _fail(row: ImportModel, why: str) -> str:
    move_status(row, ImportStatus.LISTING, ImportStatus.FAILED, now_ms(), error=why[:500])
    return "failed"


def _do_page(row: ImportModel, project: ProjectModel) -> str | None:
    """Admit and count one page of the listing; the page's next token, "" after the last page, None if another
    run counted this page already."""
    page = origins.list_page(row.import_id, row.continuation)
    kind = ResourceType(row.resource_type)
    urls: list[str] = []
    refusals: list[dict] = []
    listed = 0
    for obj in page.objects:
        if obj.key.endswith("/") and obj.size == 0:
            continue  # a "folder" marker, not a file
        listed += 1
        url = origins.object_url(row.kind, row.bucket, obj.key)
        if why := _refusal(obj.key, obj.size, url, kind):
            refusals.append({"key": obj.key, "reason": why})
        else:
            urls.append(url)
    admitted = admit(project, kind.value, urls, origin=row.import_id) if urls else None
    counted = record_page(
        row,
        row.pages,
        listed=listed,
        added=len(admitted.added) if admitted else 0,
        duplicates=len(admitted.existing) if admitted else 0,
        refusals=refusals[: max(0, REFUSAL_SAMPLE - len(row.refusals or []))],
        refused=len(refusals),
        continuation=page.next_token,
        now=now_ms(),
    )
    if not counted:
        return None
    return page.next_token or ""


def run_step(message: ImportMessage, remaining_ms: Callable[[], int]) -> str:
    """One run of the import job: list, admit and count pages from message.page until the listing ends (then
    finish) or the run's time runs low (then queue the next page). Returns what happened (for the log)."""
    row = get_import(message.import_id)
    if row is None:
        return "gone"
    if message.poll:
        return _finish(row) if row.status == ImportStatus.CHECKING else "stale"
    if row.status != ImportStatus.LISTING or row.pages != message.page:
        return "stale"  # a redelivered message: another run did this page
    while True:
        try:
            project = get_live_project(row.user_id, row.project_id)
        except ApiError:
            return _fail(row, "the project was deleted")
        try:
            next_token = _do_page(row, project)
        except origins.OriginUnreadable as exc:
            return _fail(row, str(exc))
        except ApiError as exc:  # 25: the project no longer takes uploads; 24: it takes no items of this type
            return _fail(row, f"the project took no more items ({exc.detail or exc.code})")
        if next_token is None:
            return "stale"
        row = get_import(row.import_id) or row
        if next_token == "":
            move_status(row, ImportStatus.LISTING, ImportStatus.CHECKING, now_ms())
            return _finish(get_import(row.import_id) or row)
        if remaining_ms() < RESERVE_MS:
            queue_step(ImportMessage(import_id=row.import_id, page=row.pages))
            return f"continued at page {row.pages}"


def _finish(row: ImportModel) -> str:
    """Every key is admitted: once the check of every added item is recorded (the check counts itself on the
    import), take out the items it refused and mail the client (else look again later)."""
    if row.checked < row.added and now_ms() - row.updated_at < CHECK_WAIT_MS:
        queue_step(ImportMessage(import_id=row.import_id, poll=True), CHECK_POLL_SECONDS)
        return "waiting for checks"
    total = row.refused + row.check_refused
    added = row.added - row.check_refused  # items the check refused never became items (listRefusedItems: why)
    if not move_status(row, ImportStatus.CHECKING, ImportStatus.DONE, now_ms(), added=added, refused=total):
        return "stale"
    project_name = _project_name(row)
    notices.send(
        notices.Kind.IMPORT_FINISHED,
        row.user_id,
        project_name=project_name,
        project_id=row.project_id,
        import_id=row.import_id,
        source=f"{'gs' if row.kind == ImportKind.GCS else 's3'}://{row.bucket}/{row.prefix or ''}",
        listed=row.listed,
        added=added,
        duplicates=row.skipped_duplicate,
        refused=total,
    )
    return "done"


def _project_name(row: ImportModel) -> str:
    try:
        return get_live_project(row.user_id, row.project_id).name
    except ApiError:
        return row.project_id
