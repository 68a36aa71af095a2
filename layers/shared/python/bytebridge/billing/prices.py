"""Unit prices: the published table (bytebridge.pricing), prices negotiated with operators per project and task
type, and the snapshot frozen with the flow version when the project starts (alterState start), which is what
the engine charges: 扣款的金额 = ∑ (输出数据需要完成的任务 × 任务单价). Published and negotiated prices are for the
default accuracy level; a node at another level (标注精度, its overlap's `level`) pays them × the level's factor."""

from bytebridge.annotations import TaskType
from bytebridge.dal.projects import ProjectModel, set_project_fields
from bytebridge.enums import ProjectStatus
from bytebridge.flows.model import Flow, TaskNode
from bytebridge.flows.store import load_flow
from bytebridge.pricing import UNIT_PRICE_CENTS, level_price


def published() -> dict[TaskType, int]:
    """The published table: US cents per task, by task type."""
    return dict(UNIT_PRICE_CENTS)


def negotiated(project: ProjectModel) -> dict[str, int]:
    return dict(project.negotiated_prices or {})


def node_prices(flow: Flow, negotiated_cents: dict[str, int]) -> dict[str, int]:
    """Cents per task of each task node: the negotiated price of its task type, else the published one, at the
    node's accuracy level."""
    return {
        node.id: level_price(
            negotiated_cents.get(node.task_type.value, UNIT_PRICE_CENTS[node.task_type]), node.overlap.level
        )
        for node in flow.task_nodes()
    }


def freeze(project: ProjectModel, flow_version: int) -> dict:
    """Record the unit price of every task node of `flow_version` on the project (the engine charges from it)."""
    snapshot = {
        "flowVersion": flow_version,
        "cents": node_prices(load_flow(project.project_id, flow_version), negotiated(project)),
    }
    set_project_fields(project, {"price_snapshot": snapshot}, ProjectModel.project_id.exists())
    project.price_snapshot = snapshot
    return snapshot


def unit_price(snapshot: dict | None, flow_version: int, node: TaskNode) -> int:
    """What one task of `node` costs, from the snapshot frozen with `flow_version` (a project started before prices
    were frozen, or a node missing from it: the published price)."""
    if snapshot and snapshot.get("flowVersion") == flow_version and node.id in snapshot.get("cents", {}):
        return int(snapshot["cents"][node.id])
    return level_price(UNIT_PRICE_CENTS[node.task_type], node.overlap.level)


# Before the trial only: the trial's cost, priced from the snapshot, is what the client's estimate is made of.
NEGOTIABLE = (ProjectStatus.DRAFT, ProjectStatus.CHECKING)


def negotiate(project: ProjectModel, cents_by_type: dict[str, int]) -> bool:
    """Set the project's negotiated prices (replacing earlier ones) and, under review (its flow frozen), freeze
    its snapshot again with them. False if the project is no longer a draft or under review."""
    P = ProjectModel
    allowed = P.status.is_in(*(s.value for s in NEGOTIABLE))
    if not set_project_fields(project, {"negotiated_prices": dict(cents_by_type)}, allowed):
        return False
    project.negotiated_prices = dict(cents_by_type)
    if project.status_enum is ProjectStatus.CHECKING and project.flow_version is not None:
        freeze(project, project.flow_version)
    return True
