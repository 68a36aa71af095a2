"""Which edge an item takes out of a task node, given the node's consolidated answer."""

import operator

from bytebridge.flows.model import Condition, ConditionType, CountOp, Edge, Flow, TaskNode

C = ConditionType
_COMPARE = {
    CountOp.EQ: operator.eq,
    CountOp.NE: operator.ne,
    CountOp.LT: operator.lt,
    CountOp.LE: operator.le,
    CountOp.GT: operator.gt,
    CountOp.GE: operator.ge,
}
# The answer field holding a drawing family's shapes (bytebridge.annotations).
_SHAPE_FIELDS = (
    "boxes",
    "points",
    "polygons",
    "lines",
    "cuboids",
    "masks",
    "instances",
    "segments",
    "spans",
    "regions",
    "tracks",
)


def shapes(answer: dict) -> list[dict]:
    """The shapes of a drawing answer (boxes, points, polygons, lines, cuboids or masks)."""
    if "frames" in answer:  # video detection: the boxes of every sampled frame
        return [box for frame in answer["frames"] for box in frame["boxes"]]
    for name in _SHAPE_FIELDS:
        if name in answer:
            return answer[name]
    return []


def holds(condition: Condition, answer: dict) -> bool:
    """Whether `condition` is true of a consolidated answer (bytebridge.annotations form)."""
    kind = condition.type
    if kind is C.ALWAYS:
        return True
    if kind is C.OPTION_CHOSEN:
        chosen = answer.get("choices") or ([answer["choice"]] if "choice" in answer else [])
        return condition.value in chosen
    labels = [shape.get("label") for shape in shapes(answer)]
    if kind is C.LABEL_PRESENT:
        return condition.value in labels
    if kind is C.LABEL_ABSENT:
        return condition.value not in labels
    # shapeCount, the one type left: bytebridge.flows.rules only passes one with both op and count.
    assert condition.op is not None and condition.count is not None, "shapeCount needs op and count"
    count = len(labels) if condition.value is None else labels.count(condition.value)
    return _COMPARE[condition.op](count, condition.count)


def next_edge(flow: Flow, node: TaskNode, answer: dict, traversals: dict[str, int]) -> tuple[int, Edge]:
    """The first of the node's edges whose condition holds and whose traversal limit is not used up.
    `traversals` counts, per edge index (as a string: it is stored as JSON), the times this item took it.
    A valid flow (bytebridge.flows.rules) always has one."""
    for index, edge in flow.edges_from(node.id):
        if edge.max_traversals is not None and traversals.get(str(index), 0) >= edge.max_traversals:
            continue
        if holds(edge.condition, answer):
            return index, edge
    raise LookupError(f"no edge out of {node.id} fits the answer")
