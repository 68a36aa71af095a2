"""The estimate a client confirms before the project starts (seed 付费并启动项目: 以当前项目的试标数据的单图均价为基础,
对整个项目进行费用预估, 此费用不是精准报价): the accepted trial's average cost per item × the items still to label.
Trial items are not counted (they were labeled free and are delivered already)."""

from dataclasses import dataclass

from bytebridge.billing.prices import unit_price
from bytebridge.dal.projects import ProjectModel
from bytebridge.flows.store import load_flow

NOTE = (
    "An estimate, not a quote (此费用不是精准报价): the trial's average cost per item times the items still to "
    "label. You are charged what each item actually goes through (tasks × unit price); what the pre-charge does "
    "not use goes back to your balance when the project completes or ends."
)


@dataclass(frozen=True)
class Estimate:
    estimate_cents: int
    average_item_cents: float  # the trial's cost per finished item
    items_to_label: int
    trial_items: int  # finished items of the accepted trial round
    trial_cost_cents: int


def _first_task_price(project: ProjectModel) -> int:
    """Without a finished trial item: every item goes through the flow's start task at least."""
    assert project.flow_version is not None  # frozen at start, before any trial
    flow = load_flow(project.project_id, project.flow_version)
    return unit_price(project.price_snapshot, project.flow_version, flow.task(flow.start))


def estimate(project: ProjectModel) -> Estimate:
    """The estimate of a project whose trial was accepted (whole cents, rounded up)."""
    finished, cost = project.trial_finished or 0, project.trial_cost_cents or 0
    remaining = project.not_started_count or 0
    if finished:
        total = -(-cost * remaining // finished)
        average = cost / finished
    else:
        average = float(_first_task_price(project))
        total = int(average) * remaining
    return Estimate(
        estimate_cents=total,
        average_item_cents=round(average, 2),
        items_to_label=remaining,
        trial_items=finished,
        trial_cost_cents=cost,
    )
