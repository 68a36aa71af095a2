"""An item's way through its flow, and the project counters that follow it. Every change of an item's
status is one transaction with the counter deltas it implies, conditional on the status it leaves, so a
retried call or a redelivered message can never count an item twice (the writes: bytebridge.dal.items;
this module decides when, and fires the delivery events after a transition that happened).

    launch   notStarted → processing     notStarted −1, processing +1
    rework   completed  → processing     completed −1, success −1, processing +1
    finish   processing → completed      processing −1, completed +1, success +1, output +1 (first delivery),
                                         amountSpent + cost (first round; rework is free)
    fail     processing → failed         processing −1, completed +1, failed +1
    (a trial item: its cost goes to trialCost, never amountSpent; trialFinished +1 on its first finish, and the
    last one moves the project trial → trialDone)
"""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from bytebridge.billing import invoices, ledger
from bytebridge.clock import now_ms
from bytebridge.dal.history import SYSTEM, transition
from bytebridge.dal.items import (
    ItemModel,
    begin_processing,
    mark_failed,
    mark_finished,
    record_progress,
    undo_begin_processing,
)
from bytebridge.dal.projects import ProjectModel, complete_if_idle, get_project
from bytebridge.dal.projects import reopen_completed as reopen_project
from bytebridge.delivery import events
from bytebridge.engine.state import Visit
from bytebridge.enums import ProjectStatus
from bytebridge.observability import BusinessMetric, count


class ItemProgress(BaseModel):
    """Stored on the item while it is processed (ItemModel.progress)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    step: int = 0  # tasks finished this round
    path: list[str] = Field(default_factory=list)  # nodes passed, in order
    answers: dict[str, dict] = Field(default_factory=dict)  # node id → latest consolidated answer
    traversals: dict[str, int] = Field(default_factory=dict)  # edge index → times taken
    cost_cents: int = 0
    next: str | None = None  # the node the last finished task routed to
    visit: Visit | None = None  # the task being annotated, if any

    @classmethod
    def of(cls, item: ItemModel) -> "ItemProgress":
        return cls.model_validate(item.progress or {})

    def stored(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")


def begin(item: ItemModel, user_id: str, flow_version: int, execution_arn: str, *, rework: bool) -> bool:
    """notStarted → processing (or a rejected completed item → processing, one round later)."""
    return begin_processing(item, user_id, flow_version, execution_arn, ItemProgress().stored(), rework=rework)


def undo_begin(item: ItemModel, user_id: str, *, rework: bool) -> bool:
    """Take back a begin whose execution could not be started."""
    return undo_begin_processing(item, user_id, rework=rework)


def record_step(item: ItemModel, round_: int, before: ItemProgress, after: ItemProgress) -> bool:
    """Store new progress (a finished task, or its visit opened or changed), if the item's stored progress is still
    what `item` was read with (`before`): concurrent submissions and a re-entered visit never overwrite each other."""
    return record_progress(item, round_, before.step, after.stored(), after.step, expected=item.progress)


def finish(item: ItemModel, user_id: str, round_: int, progress: ItemProgress, end_node: str) -> bool:
    """processing → completed: write the result, deliver it (21-day acceptance window), count it."""
    result = {"endNode": end_node, "path": [*progress.path, end_node], "answers": progress.answers}
    charge = None
    if progress.cost_cents > 0:  # drawn from the balance in the finish's own transaction (trial and rework: free)
        charge = ledger.usage_charge(user_id, item.project_id, item.item_id, round_, progress.cost_cents)
    done = mark_finished(item, user_id, round_, result, progress.cost_cents, charge)
    if done:
        count(BusinessMetric.ITEMS_FINISHED)
        _after_finish(user_id, item.project_id, item.item_id, trial=item.trial_round is not None)
    return done


def fail(item: ItemModel, user_id: str, round_: int, why: str) -> bool:
    """processing → failed: the item could not be labeled; nothing is charged for it."""
    done = mark_failed(item, user_id, round_, why)
    if done:
        count(BusinessMetric.ITEMS_FAILED)
        _after_finish(user_id, item.project_id, item.item_id, trial=item.trial_round is not None)
    return done


def _after_finish(user_id: str, project_id: str, item_id: str, *, trial: bool = False) -> None:
    events.on_item_finished(project_id, item_id)
    complete_if_done(user_id, project_id)
    if trial:
        trial_done_if_finished(user_id, project_id)


def trial_done_if_finished(user_id: str, project_id: str) -> bool:
    """trial → trialDone once every item sampled into the trial round finished (conditional on the status, the
    round and the counters read, with its history row); the client is told (status mail, callback)."""
    project = get_project(user_id, project_id)
    if project is None or project.status_enum is not ProjectStatus.TRIAL:
        return False
    if project.trial_finished < project.trial_count:
        return False
    P = ProjectModel
    unchanged = (P.trial_round == project.trial_round) & (P.trial_finished == project.trial_finished)
    if not transition(project, ProjectStatus.TRIAL_DONE, by=SYSTEM, now=now_ms(), condition=unchanged):
        return False
    events.on_project_status(project_id, ProjectStatus.TRIAL.value, ProjectStatus.TRIAL_DONE.value)
    return True


def complete_if_done(user_id: str, project_id: str) -> bool:
    """inProgress → completed once no item is waiting or in flight; the unused pre-charge goes back to the balance
    and the project's invoice is issued (asynchronously)."""
    if not complete_if_idle(user_id, project_id):
        return False
    ledger.release_unused(user_id, project_id)
    events.on_project_status(project_id, ProjectStatus.IN_PROGRESS.value, ProjectStatus.COMPLETED.value)
    invoices.request_invoice(user_id, project_id)  # issued once, whatever number of times it completes
    return True


def reopen_completed(user_id: str, project_id: str) -> bool:
    """completed → inProgress when a rejected item goes back for rework."""
    if not reopen_project(user_id, project_id):
        return False
    events.on_project_status(project_id, ProjectStatus.COMPLETED.value, ProjectStatus.IN_PROGRESS.value)
    return True
