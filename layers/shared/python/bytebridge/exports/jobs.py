"""Export jobs: request (record + asynchronous invocation of the export function) and run (items streamed
page by page from DynamoDB through a writer into an S3 multipart upload). The newest finished export's
download URL is bytebridge.exports.downloads.latest_download.

On AWS the export function runs apart from the API call that requested it (InvocationType=Event). In
the local runtime moto routes that invocation to our handler through LambdaSimpleBackend.invoke, inline:
the request returns once the export is done.
"""

from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from bytebridge import ids
from bytebridge.annotations import TaskType
from bytebridge.aws import client
from bytebridge.clock import now_ms
from bytebridge.dal import exports as export_rows
from bytebridge.dal.errors import NotFound
from bytebridge.dal.exports import ExportModel
from bytebridge.dal.items import ItemModel, completed_with_result
from bytebridge.dal.projects import ProjectModel, get_live_project, get_project
from bytebridge.enums import ExportFormat
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.exports.model import ExportItem, ExportSchema, NodeInfo
from bytebridge.exports.s3sink import S3Sink
from bytebridge.flows.store import load_flow
from bytebridge.observability import BusinessMetric, count
from bytebridge.settings import get_settings, resource_name

EXPORT_FUNCTION = "export-job"  # infra.catalog FunctionSpec.name
PROGRESS_EVERY = 1000  # items between progress writes to the export record
QUERY_PAGE = 200  # items per DynamoDB query page: bounds what one page holds in memory
_ERROR_CHARS = 500


class ExportJobEvent(BaseModel):
    """What request_export sends the export function."""

    model_config = ConfigDict(populate_by_name=True)
    project_id: str = Field(alias="projectId")
    export_id: str = Field(alias="exportId")


def object_key(user_id: str, project_id: str, export_id: str, fmt: ExportFormat) -> str:
    # The writers (numpy under several) are imported where an export is named or written, not by every importer
    # of this module: the client API only starts and lists exports.
    from bytebridge.exports.formats import WRITERS

    return f"{user_id}/{project_id}/{export_id}.{WRITERS[fmt].extension}"


def request_export(user_id: str, project_id: str, fmt: ExportFormat | str) -> str:
    """Record an export of the signer's project and start it asynchronously. Code 2 for an unknown format,
    8 for a project that is not the signer's (or is deleted); nothing is recorded then."""
    try:
        fmt = ExportFormat(fmt)
    except ValueError:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"format must be one of {', '.join(ExportFormat)}") from None
    get_live_project(user_id, project_id)
    now = now_ms()
    export_id = ids.new_export_id(now)
    export_rows.create_export(
        project_id,
        export_id,
        user_id=user_id,
        fmt=fmt.value,
        s3_key=object_key(user_id, project_id, export_id, fmt),
        now=now,
    )
    event = ExportJobEvent(project_id=project_id, export_id=export_id)
    client("lambda").invoke(
        FunctionName=resource_name(EXPORT_FUNCTION),
        InvocationType="Event",
        Payload=event.model_dump_json(by_alias=True).encode(),
    )
    return export_id


def get_export(user_id: str, project_id: str, export_id: str) -> ExportModel | None:
    export = export_rows.get_export(project_id, export_id)
    return export if export is not None and export.user_id == user_id else None


def export_schema(project: ProjectModel) -> ExportSchema:
    """The task nodes of the project's flow (the frozen version its items walked), with their declared options
    and labels, numbered in the order the flow declares them. A project that never froze a flow falls back to
    recognising nodes from their answers, with the documented one-task configuration's options as labels."""
    if project.flow_version is not None:
        flow = load_flow(project.project_id, project.flow_version)
        return ExportSchema(
            {node.id: NodeInfo(node.task_type, (*node.options, *node.labels)) for node in flow.task_nodes()}
        )
    try:
        task_type = TaskType(project.task_type)
    except ValueError:
        return ExportSchema()
    return ExportSchema(fallback=NodeInfo(task_type, tuple(option.value for option in project.options or ())))


def finished_items(project_id: str) -> Iterator[ItemModel]:
    """The project's items that reached an end node with a result, in upload order, one page at a time."""
    # sizes, a text's content and a recording's probed facts: ingestion's
    attributes = ["item_id", "url", "resource_type", "result", "image_width", "image_height", "text"]
    attributes += ["duration_ms", "sample_rate", "channels"]
    return completed_with_result(project_id, attributes, QUERY_PAGE)


def _with_progress(export: ExportModel, items: Iterable[ExportItem]) -> Iterator[ExportItem]:
    for written, item in enumerate(items, 1):
        yield item
        if written % PROGRESS_EVERY == 0:
            export_rows.record_progress(export, written)


def run_export(project_id: str, export_id: str) -> ExportModel:
    """Write the export's file. Runs once: a repeated delivery of the invocation finds the record no longer
    queued and returns it as it is; a failed export is retried by Lambda's own async retries."""
    export = export_rows.get_export(project_id, export_id)
    if export is None:
        raise NotFound(f"export {export_id} of project {project_id}")
    if not export_rows.start_running(export, now_ms()):
        return export
    from bytebridge.exports.formats import WRITERS, write_export

    fmt = ExportFormat(export.format)
    sink = S3Sink(get_settings().exports_bucket, export.s3_key, WRITERS[fmt].content_type)
    try:
        project = get_project(export.user_id, project_id)
        if project is None:
            raise NotFound(f"project {project_id}")
        summary = write_export(fmt, _with_progress(export, finished_items(project_id)), export_schema(project), sink)
        size = sink.complete()
    except Exception as exc:
        sink.abort()
        export_rows.mark_failed(export, f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS], now_ms())
        raise
    export_rows.mark_done(export, items=summary.items, size_bytes=size, summary=summary.to_dict(), now=now_ms())
    count(BusinessMetric.EXPORTED_ITEMS, summary.items)
    return export
