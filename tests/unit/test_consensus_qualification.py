"""Qualifying gold: a node with a gold rate serves an annotator gold until they answered the node's qualifying
number of gold tasks, then at the node's rate; a node without a gold rate never does."""

import random

from bytebridge.dal.workers import WorkerModel
from bytebridge.flows.model import GoldPolicy, TaskNode
from bytebridge.workers.gold import wants_gold

NODE = TaskNode(id="classify", task_type="single_choice", options=["cat", "dog"])
QUALIFYING_GOLD = NODE.gold.qualifying


def worker(gold_total: int) -> WorkerModel:
    return WorkerModel(worker_id="w", gold_total=gold_total, gold_correct=gold_total)


def test_a_new_annotator_answers_qualifying_gold_first():
    assert NODE.gold.rate > 0  # on by default: consensus needs the skills gold measures
    assert all(wants_gold(worker(n), NODE) for n in range(QUALIFYING_GOLD) for _ in range(20))


def test_after_qualifying_gold_comes_at_the_node_rate():
    random.seed(3)
    node = NODE.model_copy(update={"gold": GoldPolicy(rate=0.2)})
    assert QUALIFYING_GOLD == 8
    served = sum(wants_gold(worker(QUALIFYING_GOLD), node) for _ in range(20_000))
    assert 0.18 < served / 20_000 < 0.22


def test_qualifying_zero_serves_gold_at_the_rate_from_the_start():
    random.seed(4)
    node = NODE.model_copy(update={"gold": GoldPolicy(rate=0.2, qualifying=0)})
    served = sum(wants_gold(worker(0), node) for _ in range(20_000))
    assert 0.18 < served / 20_000 < 0.22


def test_a_node_without_gold_rate_never_serves_gold():
    node = NODE.model_copy(update={"gold": GoldPolicy(rate=0)})
    assert not any(wants_gold(worker(n), node) for n in range(QUALIFYING_GOLD + 2))
