"""Gold tasks: serving a known-answer task of the node an annotator is working on, and grading the answer.
Each annotator's gold record moves their vote weight in consensus (bytebridge.consensus.skills); an annotator
whose gold accuracy falls below the bar stops receiving work."""

import logging
import random

from pynamodb.exceptions import TransactWriteError

from bytebridge.consensus import matches_gold
from bytebridge.consensus.skills import SkillStats, is_blocked
from bytebridge.dal.base import now_ms, transact_write
from bytebridge.dal.gold import GoldModel
from bytebridge.dal.judgments import JudgmentModel, JudgmentStatus
from bytebridge.dal.workers import WorkerModel, WorkerStatus
from bytebridge.delivery.conditional import update_if
from bytebridge.flows.model import TaskNode
from bytebridge.logic.projects import conditional_failure
from bytebridge.workers.leases import lease

log = logging.getLogger(__name__)
_TRIES = 5  # gold tasks tried per serve (the annotator may have answered some already)
GOLD_BAR = 0.7  # published rule: 70% right on gold tasks, once MIN_GOLD were answered
MIN_GOLD = 5


def serve(worker: WorkerModel, project_id: str, node: TaskNode, flow_version: int) -> dict | None:
    """Lease a gold task of this project and node the annotator has not seen; None if there is none."""
    candidates = list(GoldModel.query(project_id, filter_condition=GoldModel.node_id == node.id))
    for gold in random.sample(candidates, min(len(candidates), _TRIES)):
        leased = lease(
            worker, project_id=project_id, item_id=gold.gold_id, node=node, flow_version=flow_version, is_gold=True
        )
        if leased is not None:
            assignment_id, data_token, lease_until = leased
            return {
                "assignment_id": assignment_id,
                "resource_type": gold.resource_type,
                "data_token": data_token,
                "lease_until": lease_until,
            }
    return None


def grade(row: JudgmentModel, node: TaskNode, answer: dict) -> bool:
    """Record a gold answer and the annotator's score in one transaction (once: conditional on the claim).
    Returns False if the claim was no longer open."""
    gold = GoldModel.get(row.project_id, row.item_id, consistent_read=True)
    correct = matches_gold(node.task_type, answer, gold.answer)
    J, W = JudgmentModel, WorkerModel
    try:
        with transact_write() as tx:
            tx.update(
                row,
                actions=[
                    J.status.set(JudgmentStatus.SUBMITTED.value),
                    J.answer.set(answer),
                    J.submitted_at.set(now_ms()),
                    J.data_token.remove(),
                ],
                condition=(J.status == JudgmentStatus.CLAIMED.value) & (J.assignment_id == row.assignment_id),
            )
            tx.update(W(row.worker_id), actions=[W.gold_total.add(1), W.gold_correct.add(int(correct))])
    except TransactWriteError as exc:
        if conditional_failure(exc):
            return False
        raise
    worker = WorkerModel.get(row.worker_id, consistent_read=True)
    if is_blocked(SkillStats(worker.gold_correct, worker.gold_total), GOLD_BAR, MIN_GOLD):
        blocked = update_if(
            worker,
            [W.status.set(WorkerStatus.BLOCKED.value), W.blocked_at.set(now_ms())],
            W.status == WorkerStatus.ACTIVE.value,
        )
        if blocked:
            log.warning("annotator blocked", extra={"workerId": worker.worker_id, "gold": worker.gold_total})
    return True
