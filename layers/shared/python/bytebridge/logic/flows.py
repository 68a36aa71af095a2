"""Task flows of the signed client API: set (draft only), retrieve, templates, gold tasks; and freezing the flow
when a project is opened (a documented one-task project gets its one-node flow then)."""

from bytebridge import ids
from bytebridge.clock import now_ms
from bytebridge.dal.accounts import AccountModel
from bytebridge.dal.flows import find_version, save_version
from bytebridge.dal.gold import add_gold
from bytebridge.dal.projects import ProjectModel, get_live_project
from bytebridge.errors import ApiError, ErrorCode
from bytebridge.flows.answers import AnswerError, check_answer
from bytebridge.flows.model import Flow, TaskNode
from bytebridge.flows.rules import FlowError, branch_count, check_flow
from bytebridge.flows.store import load_flow
from bytebridge.flows.templates import TEMPLATES, documented_flow
from bytebridge.logic.resources import check_links
from bytebridge.models.flows_api import (
    FlowData,
    FlowTemplate,
    FlowTemplatesData,
    RetrieveFlowParams,
    SetFlowParams,
    SubmitGoldData,
    SubmitGoldParams,
)

DOCUMENTED = "documented"


def project_documented_flow(project: ProjectModel) -> Flow:
    return documented_flow(
        project.task_type,
        project.instruction or "",
        project.question,
        [option.value for option in project.options or ()],
        project.target,
    )


def current_flow(project: ProjectModel) -> tuple[Flow, str]:
    """The flow items of this project would walk now, and where it came from."""
    if project.flow_version is None or project.flow_origin == DOCUMENTED:
        return project_documented_flow(project), DOCUMENTED
    return load_flow(project.project_id, project.flow_version), project.flow_origin or "custom"


def _save(project: ProjectModel, flow: Flow, origin: str, *, draft_only: bool) -> int:
    """A new immutable version, and the project pointing at it, in one transaction."""
    version = (project.flow_version or 0) + 1
    if not save_version(project, version, flow.dump(), origin, now_ms(), draft_only=draft_only):
        if get_live_project(project.user_id, project.project_id).status_enum.opened:
            raise ApiError(ErrorCode.MODIFY_AFTER_OPEN)
        raise ApiError(ErrorCode.PROJECT_UPDATE_FAILED, "the flow was changed meanwhile: retrieve it and retry")
    return version


def freeze_flow(project: ProjectModel) -> int:
    """The version the project's items will walk, saved now if it is the documented one (as configured at this
    moment). Code 19 if the flow is not valid."""
    flow, origin = current_flow(project)
    try:
        check_flow(flow)
    except FlowError as exc:
        raise ApiError(ErrorCode.START_FAILED, str(exc)) from None
    version = project.flow_version
    if origin == DOCUMENTED and (version is None or load_flow(project.project_id, version) != flow):
        return _save(project, flow, DOCUMENTED, draft_only=False)
    assert version is not None  # only the documented flow is ever unsaved (current_flow)
    return version


def _data(project: ProjectModel, flow: Flow, version: int | None, origin: str) -> FlowData:
    return FlowData(
        project_id=project.project_id,
        flow_version=version,
        origin=origin,
        frozen=project.status_enum.opened,
        branches=branch_count(flow),
        flow=flow.dump(),
    )


def set_flow(account: AccountModel, params: SetFlowParams) -> FlowData:
    project = get_live_project(account.user_id, params.project_id)
    if project.status_enum.opened:
        raise ApiError(ErrorCode.MODIFY_AFTER_OPEN)
    if params.flow is not None and params.template is None:
        flow, origin = params.flow, "custom"
    elif params.template is not None and params.flow is None:
        if params.template not in TEMPLATES:
            raise ApiError(ErrorCode.PROJECT_UPDATE_FAILED, f"template must be one of {', '.join(TEMPLATES)}")
        flow, origin = TEMPLATES[params.template][1](), f"template:{params.template}"
    else:
        raise ApiError(ErrorCode.PARAMETER_INVALID, "give either flow or template")
    try:
        check_flow(flow)
    except FlowError as exc:
        raise ApiError(ErrorCode.PROJECT_UPDATE_FAILED, str(exc)) from None
    version = _save(project, flow, origin, draft_only=True)
    return _data(project, flow, version, origin)


def retrieve_flow(account: AccountModel, params: RetrieveFlowParams) -> FlowData:
    project = get_live_project(account.user_id, params.project_id)
    if params.flow_version is None:
        flow, origin = current_flow(project)
        version = project.flow_version if origin != DOCUMENTED or project.status_enum.opened else None
        return _data(project, flow, version, origin)
    row = find_version(project.project_id, params.flow_version)
    if row is None:
        raise ApiError(ErrorCode.QUERY_FAILED, f"no flow version {params.flow_version}")
    return _data(project, Flow.model_validate(row.definition), row.version, row.origin)


def flow_templates() -> FlowTemplatesData:
    return FlowTemplatesData(
        templates=[
            FlowTemplate(name=name, description=description, flow=make().dump())
            for name, (description, make) in TEMPLATES.items()
        ]
    )


def submit_gold(account: AccountModel, params: SubmitGoldParams) -> SubmitGoldData:
    """Known answers for one task node, mixed into annotators' work at the node's gold rate. Every entry is
    checked before any is stored."""
    project = get_live_project(account.user_id, params.project_id)
    flow, _ = current_flow(project)
    try:
        node = flow.node(params.node_id)
    except KeyError:
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"nodeId: no node {params.node_id} in the flow") from None
    if not isinstance(node, TaskNode):
        raise ApiError(ErrorCode.PARAMETER_INVALID, f"nodeId: {params.node_id} is an end node")
    kind = check_links(params.resource_type, [entry.resource_url for entry in params.items], account.user_id)
    answers = []
    for position, entry in enumerate(params.items):
        try:
            answers.append(check_answer(node, entry.answer))
        except AnswerError as exc:
            raise ApiError(ErrorCode.PARAMETER_INVALID, f"items[{position}].answer: {exc}") from None
    now = now_ms()
    entries = [
        ("g" + ids.new_item_id(now, position)[1:], entry.resource_url, answer)
        for position, (entry, answer) in enumerate(zip(params.items, answers, strict=True))
    ]
    rows = add_gold(project.project_id, node.id, kind.value, entries, now)
    return SubmitGoldData(project_id=project.project_id, node_id=node.id, gold_ids=[row.gold_id for row in rows])
