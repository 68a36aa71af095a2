"""Accuracy levels (标注精度): each maps to a confidence target, and a node's price follows its level."""

from bytebridge.annotations import TaskType
from bytebridge.billing.prices import node_prices, unit_price
from bytebridge.consensus.model import CONFIDENCE_TARGETS
from bytebridge.enums import AccuracyLevel
from bytebridge.flows.model import Flow
from bytebridge.pricing import LEVEL_FACTORS, UNIT_PRICE_CENTS, level_price


def flow(levels: dict[str, str]) -> Flow:
    nodes = [
        {"kind": "task", "id": node_id, "taskType": "rectangle_frame_select", "labels": ["car"]}
        | ({"overlap": {"level": level}} if level else {})
        for node_id, level in levels.items()
    ]
    edges = [{"source": node_id, "target": "end"} for node_id in levels]
    return Flow.model_validate(
        {"start": next(iter(levels)), "nodes": [*nodes, {"kind": "end", "id": "end"}], "edges": edges}
    )


def test_higher_levels_aim_higher_and_cost_more():
    levels = list(AccuracyLevel)
    assert [CONFIDENCE_TARGETS[level] for level in levels] == sorted(CONFIDENCE_TARGETS.values())
    assert [LEVEL_FACTORS[level] for level in levels] == sorted(LEVEL_FACTORS.values())
    assert LEVEL_FACTORS[AccuracyLevel.HIGH] == 1.0  # the published table is the default level's


def test_level_price_rounds_halves_up_and_never_to_zero():
    assert level_price(5, AccuracyLevel.STANDARD) == 5  # 4.5
    assert level_price(6, AccuracyLevel.STANDARD) == 5  # 5.4
    assert level_price(6, AccuracyLevel.PREMIUM) == 7  # 6.9
    assert level_price(1, AccuracyLevel.STANDARD) == 1  # 0.9: a paid task costs a cent at least
    assert level_price(0, AccuracyLevel.PREMIUM) == 0  # a free (negotiated) task stays free
    assert level_price(20, AccuracyLevel.HIGH) == 20


def test_each_node_is_priced_at_its_level_from_the_negotiated_or_published_price():
    rectangle = UNIT_PRICE_CENTS[TaskType.RECTANGLE]
    plain = flow({"a": "standard", "b": "", "c": "premium"})
    assert node_prices(plain, {}) == {
        "a": level_price(rectangle, AccuracyLevel.STANDARD),
        "b": rectangle,
        "c": level_price(rectangle, AccuracyLevel.PREMIUM),
    }
    assert node_prices(plain, {"rectangle_frame_select": 40}) == {"a": 36, "b": 40, "c": 46}
    # Without a snapshot (a project started before prices were frozen) the published price at the node's level.
    assert unit_price(None, 1, plain.task("c")) == level_price(rectangle, AccuracyLevel.PREMIUM)
