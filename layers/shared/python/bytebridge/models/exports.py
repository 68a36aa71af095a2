"""Wire models of exportResult (designed in the documented API's style: {"userId", "params"} in, the
envelope out). The download itself is retrieveProject's extraInfo.downloadResultURL once the export is done."""

from pydantic import Field

from bytebridge.enums import ExportFormat, ExportStatus
from bytebridge.models.client_api import ProjectId, SignedBody, SuccessEnvelope, _Wire


class ExportResultParams(_Wire):
    project_id: ProjectId
    format: ExportFormat = Field(
        description="coco (COCO JSON), voc (ZIP of Pascal VOC XML), labelme (ZIP of labelme JSON) or json "
        "(JSON Lines, every answer as stored); see docs/exports.md for what each format keeps"
    )


class ExportResultRequest(SignedBody):
    params: ExportResultParams


class ExportResultData(_Wire):
    export_id: str
    status: ExportStatus = Field(description="queued, running, done or failed")


class ExportResultResponse(SuccessEnvelope):
    data: ExportResultData
