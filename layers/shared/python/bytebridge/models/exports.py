"""Wire models of exportResult, retrieveExport and listExports (designed in the documented API's style:
{"userId", "params"} in, the envelope out). The newest finished export's download stays retrieveProject's
extraInfo.downloadResultURL; retrieveExport and listExports give each export its own link."""

from typing import Any

from pydantic import Field

from bytebridge.enums import ExportFormat, ExportStatus
from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire


class ExportResultParams(_Wire):
    project_id: ProjectId
    format: ExportFormat = Field(
        description="coco (COCO JSON), voc (ZIP of Pascal VOC XML), labelme (ZIP of labelme JSON) or json "
        "(JSON Lines, every answer as stored); ner_jsonl (spaCy-style JSON Lines) and conll (CoNLL-2003 BIO) for "
        "text entities, coco_text (COCO-Text) for OCR regions; see docs/exports.md for what each format keeps"
    )


class ExportResultRequest(SignedBody):
    params: ExportResultParams


class ExportResultData(_Wire):
    export_id: str = Field(description="the export's id: retrieveExport gives its status and download link")
    status: ExportStatus = Field(description="queued, running, done or failed")


class ExportResultResponse(SuccessEnvelope):
    data: ExportResultData


class RetrieveExportParams(_Wire):
    project_id: ProjectId
    export_id: str = Field(min_length=1, max_length=64, description="as exportResult returned it")


class RetrieveExportRequest(SignedBody):
    params: RetrieveExportParams


class ExportInfo(_Wire):
    export_id: str
    format: ExportFormat
    status: ExportStatus = Field(description="queued, running, done or failed")
    item_count: int = Field(description="items written: so far while running, all of them when done")
    size_bytes: int | None = Field(description="size of the file once done")
    summary: dict[str, Any] | None = Field(
        description="once done: {format, items, exported, unsupported, invalid (answers per task type), unknownNodes}"
    )
    error: str | None = Field(description="why the export failed (it may run again on retry)")
    created_at: int = Field(description="epoch ms")
    finished_at: int | None = Field(description="epoch ms, once done or failed")
    download_url: str = Field(
        alias="downloadURL",
        description='once done: a short-lived presigned GET URL of this export\'s file (PRESIGN_SECONDS); else ""',
    )


class RetrieveExportResponse(SuccessEnvelope):
    data: ExportInfo


class ListExportsParams(_Wire):
    project_id: ProjectId


class ListExportsRequest(SignedBody):
    params: ListExportsParams


class ListExportsData(_Wire):
    exports: list[ExportInfo] = Field(description="the project's exports, newest first (at most 100)")


class ListExportsResponse(SuccessEnvelope):
    data: ListExportsData
