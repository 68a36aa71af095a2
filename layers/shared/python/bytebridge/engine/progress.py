"""An item's way through its flow, and the project counters that follow it. Every change of an item's
status is one transaction with the counter deltas it implies, conditional on the status it leaves, so a
retried call or a redelivered message can never count an item twice.

    launch   notStarted → processing     notStarted −1, processing +1
    rework   completed  → processing     completed −1, success −1, processing +1
    finish   processing → completed      processing −1, completed +1, success +1, output +1 (first delivery),
                                         amountSpent + cost (first round; rework is free)
    fail     processing → failed         processing −1, completed +1, failed +1
"""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pynamodb.exceptions import TransactWriteError

from bytebridge.dal.base import now_ms, transact_write
from bytebridge.dal.items import Acceptance, ItemModel, ItemStatus
from bytebridge.dal.projects import ProjectModel, ProjectStatus
from bytebridge.delivery import events
from bytebridge.delivery.conditional import update_if
from bytebridge.logic.projects import conditional_failure

P = ProjectModel
I = ItemModel  # noqa: E741


class ItemProgress(BaseModel):
    """Stored on the item while it is processed (ItemModel.progress)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    step: int = 0  # tasks finished this round
    path: list[str] = Field(default_factory=list)  # nodes passed, in order
    answers: dict[str, dict] = Field(default_factory=dict)  # node id → latest consolidated answer
    traversals: dict[str, int] = Field(default_factory=dict)  # edge index → times taken
    cost_cents: int = 0
    next: str | None = None  # the node the last finished task routed to

    @classmethod
    def of(cls, item: ItemModel) -> "ItemProgress":
        return cls.model_validate(item.progress or {})

    def stored(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")


def _apply(item_update: tuple[ItemModel, list, object], project_actions: list, project_key: tuple[str, str]) -> bool:
    """One item change plus the project's counter deltas; False if the item's condition no longer holds."""
    item, actions, condition = item_update
    try:
        with transact_write() as tx:
            tx.update(item, actions=actions, condition=condition)
            tx.update(P(*project_key), actions=project_actions, add_version_condition=False)
    except TransactWriteError as exc:
        if conditional_failure(exc):
            return False
        raise
    return True


def begin(item: ItemModel, user_id: str, flow_version: int, execution_arn: str, *, rework: bool) -> bool:
    """notStarted → processing (or a rejected completed item → processing, one round later)."""
    now = now_ms()
    actions = [
        I.status.set(ItemStatus.PROCESSING.value),
        I.flow_version.set(flow_version),
        I.execution_arn.set(execution_arn),
        I.progress.set(ItemProgress().stored()),
        I.step.set(0),
        I.updated_at.set(now),
    ]
    if rework:
        condition = (
            (I.status == ItemStatus.COMPLETED.value)
            & (I.acceptance == Acceptance.REJECTED.value)
            & (I.round == item.round)
        )
        actions.append(I.round.set(item.round + 1))
        deltas = [P.completed_count.add(-1), P.success_count.add(-1), P.processing_count.add(1)]
    else:
        condition = I.status == ItemStatus.NOT_STARTED.value
        deltas = [P.not_started_count.add(-1), P.processing_count.add(1)]
    return _apply((item, actions, condition), [*deltas, P.updated_at.set(now)], (user_id, item.project_id))


def undo_begin(item: ItemModel, user_id: str, *, rework: bool) -> bool:
    """Take back a begin whose execution could not be started."""
    now = now_ms()
    actions = [I.execution_arn.remove(), I.progress.remove(), I.updated_at.set(now)]
    if rework:
        actions += [I.status.set(ItemStatus.COMPLETED.value), I.round.set(item.round)]
        deltas = [P.completed_count.add(1), P.success_count.add(1), P.processing_count.add(-1)]
    else:
        actions.append(I.status.set(ItemStatus.NOT_STARTED.value))
        deltas = [P.not_started_count.add(1), P.processing_count.add(-1)]
    condition = I.status == ItemStatus.PROCESSING.value
    return _apply((item, actions, condition), deltas, (user_id, item.project_id))


def _processing(item: ItemModel, round_: int):
    return (I.status == ItemStatus.PROCESSING.value) & (I.round == round_)


def record_step(item: ItemModel, round_: int, before: ItemProgress, after: ItemProgress) -> bool:
    """Store the progress of a finished task, if the item is still at `before.step` of `round_`."""
    condition = _processing(item, round_) & (I.step == before.step)
    actions = [I.progress.set(after.stored()), I.step.set(after.step), I.updated_at.set(now_ms())]
    return update_if(item, actions, condition)


def finish(item: ItemModel, user_id: str, round_: int, progress: ItemProgress, end_node: str) -> bool:
    """processing → completed: write the result, deliver it (21-day acceptance window), count it."""
    now = now_ms()
    first_delivery = item.delivered_at is None
    result = {"endNode": end_node, "path": [*progress.path, end_node], "answers": progress.answers}
    actions = [
        I.status.set(ItemStatus.COMPLETED.value),
        I.result.set(result),
        I.delivered_at.set(now),
        I.acceptance.set(Acceptance.PENDING.value),
        I.accepted_at.remove(),
        I.progress.remove(),
        I.updated_at.set(now),
    ]
    deltas = [P.processing_count.add(-1), P.completed_count.add(1), P.success_count.add(1), P.updated_at.set(now)]
    if first_delivery:
        deltas.append(P.output_count.add(1))
    if round_ == 0:
        actions.append(I.cost_cents.set(progress.cost_cents))
        deltas.append(P.amount_spent_cents.add(progress.cost_cents))
    done = _apply((item, actions, _processing(item, round_)), deltas, (user_id, item.project_id))
    if done:
        _after_finish(user_id, item.project_id, item.item_id)
    return done


def fail(item: ItemModel, user_id: str, round_: int, why: str) -> bool:
    """processing → failed: the item could not be labeled; nothing is charged for it."""
    now = now_ms()
    actions = [
        I.status.set(ItemStatus.FAILED.value),
        I.failure.set(why[:500]),
        I.progress.remove(),
        I.updated_at.set(now),
    ]
    deltas = [P.processing_count.add(-1), P.completed_count.add(1), P.failed_count.add(1), P.updated_at.set(now)]
    done = _apply((item, actions, _processing(item, round_)), deltas, (user_id, item.project_id))
    if done:
        _after_finish(user_id, item.project_id, item.item_id)
    return done


def _after_finish(user_id: str, project_id: str, item_id: str) -> None:
    events.on_item_finished(project_id, item_id)
    complete_if_done(user_id, project_id)


def complete_if_done(user_id: str, project_id: str) -> bool:
    """inProgress → completed once no item is waiting or in flight."""
    now = now_ms()
    idle = (P.status == ProjectStatus.IN_PROGRESS.value) & (P.processing_count == 0) & (P.not_started_count == 0)
    actions = [P.status.set(ProjectStatus.COMPLETED.value), P.completed_at.set(now), P.updated_at.set(now)]
    if not update_if(P(user_id, project_id), actions, idle, add_version_condition=False):
        return False
    events.on_project_status(project_id, ProjectStatus.IN_PROGRESS.value, ProjectStatus.COMPLETED.value)
    return True


def reopen_completed(user_id: str, project_id: str) -> bool:
    """completed → inProgress when a rejected item goes back for rework."""
    actions = [P.status.set(ProjectStatus.IN_PROGRESS.value), P.completed_at.remove(), P.updated_at.set(now_ms())]
    if not update_if(
        P(user_id, project_id), actions, P.status == ProjectStatus.COMPLETED.value, add_version_condition=False
    ):
        return False
    events.on_project_status(project_id, ProjectStatus.COMPLETED.value, ProjectStatus.IN_PROGRESS.value)
    return True
