"""Bucket imports: one row per importS3 / importGCS job (bytebridge.logic.imports), with the sealed credentials it
reads the client's bucket with for as long as the project needs them (bytebridge.ingest.origins)."""

from collections.abc import Iterator

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, save, table, update, update_if
from bytebridge.enums import ImportStatus

REFUSAL_SAMPLE = 20  # refused keys kept, with their reasons, per import


class ProjectImportsIndex(GlobalSecondaryIndex):
    """A project's imports in request order (import ids sort by time): listImports, and the credentials to drop
    when the project no longer needs its buckets."""

    class Meta:
        index_name = "project-imports"
        projection = AllProjection()

    project_id = UnicodeAttribute(hash_key=True)
    import_id = UnicodeAttribute(range_key=True)


class ImportModel(Model):
    class Meta(BaseMeta):
        table_name = table("imports")

    # The hash key alone: items name their origin by this id (ItemModel.origin), and reading one needs nothing else.
    import_id = UnicodeAttribute(hash_key=True)
    project_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # ImportKind
    resource_type = UnicodeAttribute()
    bucket = UnicodeAttribute()
    prefix = UnicodeAttribute(default="")
    region = UnicodeAttribute(null=True)  # s3 kinds
    role_arn = UnicodeAttribute(null=True)  # s3-role: assumed with external_id for each use, no keys stored
    external_id = UnicodeAttribute(null=True)
    # s3: {"accessKeyId", "secretAccessKey"}; gcs: the key file. KMS-sealed, bound to the account and this import
    # (bytebridge.secret_store); removed once the project no longer reads the bucket. Never logged or returned.
    sealed_credentials = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default=ImportStatus.LISTING.value)
    listed = IntAttribute(default=0)
    added = IntAttribute(default=0)
    skipped_duplicate = IntAttribute(default=0)
    refused = IntAttribute(default=0)
    refusals = JSONAttribute(default=list)  # [{"key", "reason"}], the first REFUSAL_SAMPLE refused at listing
    # Added items whose content check is recorded, and those it refused: counted by the check's own transaction
    # (bytebridge.dal.items.record_checks), so finishing an import never reads its items back.
    checked = IntAttribute(default=0)
    check_refused = IntAttribute(default=0)
    continuation = UnicodeAttribute(null=True)  # where the listing goes on (the store's page token)
    pages = IntAttribute(default=0)  # pages done: the job's messages name the page they continue from
    error = UnicodeAttribute(null=True)
    created_at = TimestampMs()
    updated_at = TimestampMs()
    finished_at = TimestampMs(null=True)

    project_index = ProjectImportsIndex()


def create_import(row: ImportModel) -> None:
    save(row, ImportModel.import_id.does_not_exist())


def get_import(import_id: str) -> ImportModel | None:
    return get_or_none(ImportModel, import_id)


def project_imports(project_id: str, limit: int | None = None) -> Iterator[ImportModel]:
    """The project's imports, newest first (the index is eventually consistent)."""
    return ImportModel.project_index.query(project_id, scan_index_forward=False, limit=limit)


def record_page(
    row: ImportModel,
    page: int,
    *,
    listed: int,
    added: int,
    duplicates: int,
    refused: int,
    refusals: list[dict],
    continuation: str | None,
    now: int,
) -> bool:
    """Count one page (`refusals`: a sample of the `refused` objects, with reasons) and move the listing on, if page
    `page` is still the next one; False if another run counted it already (a redelivered message)."""
    I = ImportModel  # noqa: E741
    sample = (row.refusals or []) + refusals
    actions = [
        I.listed.add(listed),
        I.added.add(added),
        I.skipped_duplicate.add(duplicates),
        I.refused.add(refused),
        I.pages.set(page + 1),
        I.updated_at.set(now),
        I.refusals.set(sample[:REFUSAL_SAMPLE]),
        I.continuation.set(continuation) if continuation else I.continuation.remove(),
    ]
    condition = (I.pages == page) & (I.status == ImportStatus.LISTING.value)
    return update_if(row, actions, condition)


def move_status(row: ImportModel, from_status: ImportStatus, to: ImportStatus, now: int, **extra: object) -> bool:
    """from_status → to (with `extra` attributes: error, refused, refusals); False if it is not in from_status."""
    I = ImportModel  # noqa: E741
    actions = [I.status.set(to.value), I.updated_at.set(now)]
    if to in (ImportStatus.DONE, ImportStatus.FAILED):
        actions.append(I.finished_at.set(now))
    for name, value in extra.items():
        actions.append(getattr(I, name).set(value))
    return update_if(row, actions, I.status == from_status.value)


def drop_credentials(project_id: str) -> int:
    """Forget the credentials of every import of the project (it no longer reads those buckets); returns how many
    imports held some. An import still listing fails on its next page."""
    dropped = 0
    for row in project_imports(project_id):
        if row.sealed_credentials is not None or row.role_arn is not None:
            I = ImportModel  # noqa: E741
            update(row, [I.sealed_credentials.remove(), I.role_arn.remove(), I.external_id.remove()])
            dropped += 1
    return dropped


def delete_project_imports(project_id: str) -> int:
    """Delete every import row of the project (its purge); returns how many."""
    rows = list(project_imports(project_id))
    with ImportModel.batch_write() as batch:
        for row in rows:
            batch.delete(row)
    return len(rows)
