"""Gold tasks: serving a known-answer task of the node an annotator is working on, and grading the answer.
Each annotator's gold record moves their vote weight in consensus (bytebridge.consensus.skills); an annotator
whose gold accuracy is confidently below the bar (the upper bound of its interval) stops receiving work.

A node with a gold rate serves gold first: an annotator's first `gold.qualifying` tasks are gold (by their gold
record, in any project), so consensus knows their skill before their first real judgment; after that, gold is
mixed in at the node's rate."""

import logging
import random
import time
from dataclasses import dataclass

from bytebridge.consensus.skills import SkillStats, is_blocked
from bytebridge.dal.errors import NotFound
from bytebridge.dal.gold import get_gold, gold_for_node
from bytebridge.dal.judgments import JudgmentModel, submit_gold_answer
from bytebridge.dal.workers import DAY_MS, WorkerModel, block, get_worker
from bytebridge.flows.model import TaskNode
from bytebridge.workers.leases import lease, withdraw_held

log = logging.getLogger(__name__)
_TRIES = 5  # gold tasks tried per serve (the annotator may have answered some already)
GOLD_BAR = 0.7  # published rule: blocked once confidently below 70% right on gold tasks (MIN_GOLD answered)
MIN_GOLD = 5
# An annotator sees their gold record only in settled blocks: at least this many gold answers, shown from the UTC
# midnight after the newest of them (docs/worker-api.md).
SETTLE_MIN_GOLD = 5
# A node found without gold tasks is not asked again for this long (per warm function): annotators still in
# qualification otherwise query for gold on every claim of a project that has none. Gold added meanwhile is
# served from the next look.
NO_GOLD_SECONDS = 30.0
_no_gold_until: dict[tuple[str, str], float] = {}


@dataclass(frozen=True)
class SettledRecord:
    """The part of an annotator's gold record they may see: no figure moves with a submit, so none tells which
    task was gold. The live record (consensus weights, the block rule) is never shown."""

    answered: int
    correct: int
    submitted: int  # every task the annotator submitted, gold included (they know this number anyway)


def settled_record(worker: WorkerModel, at_ms: int) -> SettledRecord:
    """The gold answers of settled blocks at `at_ms`: all but the open block while that block is from the current
    UTC day or holds fewer than SETTLE_MIN_GOLD answers (dal.workers.gold_answer_update)."""
    total, correct = worker.gold_total or 0, worker.gold_correct or 0
    open_day = worker.gold_open_day
    open_total = worker.gold_open_total or 0
    if open_day is not None and (open_day >= at_ms // DAY_MS or open_total < SETTLE_MIN_GOLD):
        total, correct = total - open_total, correct - (worker.gold_open_correct or 0)
    return SettledRecord(answered=total, correct=correct, submitted=(worker.submitted or 0) + (worker.gold_total or 0))


def wants_gold(worker: WorkerModel, node: TaskNode) -> bool:
    """Whether this claim should be served a gold task (if the node has one the annotator has not seen)."""
    if not node.gold.rate:
        return False
    return (worker.gold_total or 0) < node.gold.qualifying or random.random() < node.gold.rate


def serve(worker: WorkerModel, project_id: str, node: TaskNode, flow_version: int) -> dict | None:
    """Lease a gold task of this project and node the annotator has not seen; None if there is none."""
    key = (project_id, node.id)
    if _no_gold_until.get(key, 0.0) > time.monotonic():
        return None
    candidates = gold_for_node(project_id, node.id)
    if not candidates:
        if len(_no_gold_until) > 10_000:  # a warm function serving very many projects: start over
            _no_gold_until.clear()
        _no_gold_until[key] = time.monotonic() + NO_GOLD_SECONDS
        return None
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
                "source": (gold.url, None),
            }
    return None


def grade(row: JudgmentModel, node: TaskNode, answer: dict) -> bool:
    """Record a gold answer and the annotator's score in one transaction (once: conditional on the claim).
    Returns False if the claim was no longer open."""
    gold = get_gold(row.project_id, row.item_id)
    if gold is None:
        raise NotFound(f"gold task {row.item_id} of project {row.project_id}")
    # Consensus code (numpy under it) loads with the first gold answer graded, not with the worker API.
    from bytebridge.consensus.consolidation import matches_gold

    correct = matches_gold(node.task_type, answer, gold.answer)
    if not submit_gold_answer(row, answer, correct, SETTLE_MIN_GOLD):
        return False
    worker = get_worker(row.worker_id)
    assert worker is not None  # submit_gold_answer has just written its gold record
    if is_blocked(SkillStats(worker.gold_correct, worker.gold_total), GOLD_BAR, MIN_GOLD) and block(worker):
        withdrawn = withdraw_held(worker)  # a blocked annotator's answers no longer count: their tasks go to others
        log.warning(
            "annotator blocked",
            extra={"workerId": worker.worker_id, "gold": worker.gold_total, "withdrawn": withdrawn},
        )
    return True
