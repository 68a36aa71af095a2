"""Annotators: their token (stored hashed), their gold-task record, and whether they may receive work."""

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from bytebridge.clock import now_ms
from bytebridge.dal.base import BaseMeta, IntAttribute, TimestampMs, get_or_none, save, table, update_if
from bytebridge.enums import WorkerStatus


class WorkerModel(Model):
    class Meta(BaseMeta):
        table_name = table("workers")

    worker_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    token_hash = UnicodeAttribute()  # sha256 of the secret part of the token
    status = UnicodeAttribute(default=WorkerStatus.ACTIVE.value)
    gold_total = IntAttribute(default=0)
    gold_correct = IntAttribute(default=0)
    # The open block of the gold record: the gold answers not yet shown to the annotator (bytebridge.workers.gold
    # settled_record), and the UTC day of the newest of them.
    gold_open_day = IntAttribute(null=True)
    gold_open_total = IntAttribute(default=0)
    gold_open_correct = IntAttribute(default=0)
    submitted = IntAttribute(default=0)  # judgments of real tasks
    created_at = TimestampMs()
    blocked_at = TimestampMs(null=True)
    # Assignment ids of the tasks the annotator claimed and may still hold (a superset: leases that ran out or
    # were answered are pruned at the next claim), for the cap on held tasks and withdrawal on blocking.
    held = UnicodeSetAttribute(null=True)


def get_worker(worker_id: str) -> WorkerModel | None:
    """One annotator, read strongly; None if there is none with this id."""
    return get_or_none(WorkerModel, worker_id)


def create_worker(worker_id: str, name: str, token_hash: str) -> None:
    """A new annotator row; ConditionFailed if the id is taken."""
    row = WorkerModel(worker_id, name=name, token_hash=token_hash, created_at=now_ms())
    save(row, WorkerModel.worker_id.does_not_exist())


def gold_records(worker_ids: list[str]) -> Iterator[WorkerModel]:
    """The gold record (worker_id, gold_total, gold_correct) of each of these annotators that exists."""
    return WorkerModel.batch_get(set(worker_ids), attributes_to_get=["worker_id", "gold_total", "gold_correct"])


DAY_MS = 86_400_000


def gold_answer_update(worker: WorkerModel, correct: bool, at_ms: int, settle_min: int) -> tuple[list, Any]:
    """The update (actions, condition) counting one graded gold answer at `at_ms`: in the live record, and in the
    open block, which starts afresh if it already holds `settle_min` answers and is from an earlier UTC day (it is
    shown to the annotator from then on). The condition fails if the block changed since `worker` was read."""
    W = WorkerModel
    day = at_ms // DAY_MS
    live = [W.gold_total.add(1), W.gold_correct.add(int(correct)), W.gold_open_day.set(day)]
    seen = worker.gold_open_day
    unchanged = W.gold_open_day.does_not_exist() if seen is None else W.gold_open_day == seen
    if seen is not None and seen < day and (worker.gold_open_total or 0) >= settle_min:
        return [*live, W.gold_open_total.set(1), W.gold_open_correct.set(int(correct))], unchanged
    return [*live, W.gold_open_total.add(1), W.gold_open_correct.add(int(correct))], unchanged


def block(worker: WorkerModel) -> bool:
    """active → blocked (gold accuracy below the bar); False if the annotator was not active."""
    W = WorkerModel
    return update_if(
        worker,
        [W.status.set(WorkerStatus.BLOCKED.value), W.blocked_at.set(now_ms())],
        W.status == WorkerStatus.ACTIVE.value,
    )


def hold(worker_id: str, assignment_id: str) -> None:
    """Note a claimed assignment among the annotator's held ones."""
    WorkerModel(worker_id).update(actions=[WorkerModel.held.add({assignment_id})])


def forget_held(worker_id: str, assignment_ids: set[str]) -> None:
    """Drop assignments the annotator no longer holds from their held ones."""
    if assignment_ids:
        WorkerModel(worker_id).update(actions=[WorkerModel.held.delete(assignment_ids)])
