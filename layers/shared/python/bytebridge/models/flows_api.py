"""Wire models of the flow calls of the signed client API (setFlow, retrieveFlow, listFlowTemplates,
submitGold): same envelope and naming as the documented calls. The flow itself is bytebridge.flows.model.Flow,
whose JSON schema the dashboard's flow builder validates against (GET /api/v1/flow-schema.json)."""

from typing import Any

from pydantic import Field, StrictInt, StrictStr

from bytebridge.flows.model import Flow, NodeId
from bytebridge.models.client_api import MAX_URLS_PER_CALL, ProjectId, SignedBody, SuccessEnvelope, _Wire


class SetFlowParams(_Wire):
    project_id: ProjectId
    flow: Flow | None = Field(None, description="The whole flow (replaces the previous version)")
    template: StrictStr | None = Field(None, description="Or: the name of a template (listFlowTemplates)")


class RetrieveFlowParams(_Wire):
    project_id: ProjectId
    flow_version: StrictInt | None = Field(None, description="A saved version (default: the latest)")


class ListFlowTemplatesParams(_Wire):
    pass


class GoldEntry(_Wire):
    resource_url: StrictStr = Field(alias="resourceURL")
    answer: dict[str, Any] = Field(description="The known answer, in the node's answer format")


class SubmitGoldParams(_Wire):
    project_id: ProjectId
    node_id: NodeId
    resource_type: StrictStr
    items: list[GoldEntry] = Field(min_length=1, max_length=MAX_URLS_PER_CALL)


class SetFlowRequest(SignedBody):
    params: SetFlowParams


class RetrieveFlowRequest(SignedBody):
    params: RetrieveFlowParams


class ListFlowTemplatesRequest(SignedBody):
    params: ListFlowTemplatesParams = Field(default_factory=ListFlowTemplatesParams)


class SubmitGoldRequest(SignedBody):
    params: SubmitGoldParams


class FlowData(_Wire):
    project_id: str
    flow_version: int | None = Field(description="null: not saved yet (the documented one-task flow, until start)")
    origin: str = Field(description="documented, custom or template:<name>")
    frozen: bool = Field(description="true once the project was opened: items walk this version")
    branches: int = Field(description="Paths from start to an end node (1–99)")
    flow: dict[str, Any]


class FlowTemplate(_Wire):
    name: str
    description: str
    flow: dict[str, Any]


class FlowTemplatesData(_Wire):
    templates: list[FlowTemplate]


class SubmitGoldData(_Wire):
    project_id: str
    node_id: str
    gold_ids: list[str]


class FlowResponse(SuccessEnvelope):
    data: FlowData


class FlowTemplatesResponse(SuccessEnvelope):
    data: FlowTemplatesData


class SubmitGoldResponse(SuccessEnvelope):
    data: SubmitGoldData
