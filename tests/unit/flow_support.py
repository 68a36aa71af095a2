"""Builders shared by the task-flow tests: nodes, edges, flows (branchy ones built programmatically),
answers, and a walk that routes an item through a flow as the engine does."""

from collections.abc import Callable, Iterable

from bytebridge.annotations import TaskType
from bytebridge.flows.model import Condition, ConditionType, Edge, EndNode, Flow, TaskNode
from bytebridge.flows.routing import next_edge
from bytebridge.flows.rules import flow_problems

C = ConditionType
SIZE = {"imageWidth": 100, "imageHeight": 80}
CLIP = {**SIZE, "frameRate": 25, "frameCount": 50}  # video answers: the frame size, rate and length
FLAGS = {"occluded": False, "outside": False}  # a keyframe's flags, as stored
SKELETON = {"name": "cat", "keypoints": ["head", "tail"], "edges": [[1, 2]], "sigmas": [0.05, 0.1]}  # stored form
ONE_CAT = {  # per drawing task type: a valid answer with one shape, labelled cat
    TaskType.TEXT_SPANS: {"textLength": 12, "spans": [{"start": 4, "end": 7, "label": "cat"}]},
    TaskType.OCR_REGIONS: {**SIZE, "regions": [{"label": "cat", "text": "CAT", "x": 1, "y": 1, "w": 2, "h": 2}]},
    TaskType.RECTANGLE: {**SIZE, "boxes": [{"label": "cat", "x": 1, "y": 1, "w": 2, "h": 2}]},
    TaskType.ROTATED_BOX: {**SIZE, "boxes": [{"label": "cat", "cx": 5, "cy": 5, "w": 2, "h": 2, "angle": 30}]},
    TaskType.FREE_POINT: {**SIZE, "points": [{"label": "cat", "x": 1, "y": 1}]},
    TaskType.POLYGON: {**SIZE, "polygons": [{"label": "cat", "points": [[0, 0], [4, 0], [4, 4]]}]},
    TaskType.STROKE: {**SIZE, "lines": [{"label": "cat", "points": [[0, 0], [4, 4]]}]},
    TaskType.CUBE: {**SIZE, "cuboids": [{"label": "cat", "front": [[0, 0]] * 4, "back": [[1, 1]] * 4}]},
    TaskType.SEGMENTATION: {**SIZE, "masks": [{"label": "cat", "counts": [0, 8000]}]},
    TaskType.AUDIO_SEGMENTS: {"duration": 5, "segments": [{"label": "cat", "start": 1, "end": 2.5, "text": "meow"}]},
    TaskType.VIDEO_EVENTS: {"duration": 5, "segments": [{"label": "cat", "start": 1, "end": 2.5}]},
    TaskType.VIDEO_DETECTION: {
        **CLIP,
        "frames": [{"frame": 0, "boxes": [{"label": "cat", "x": 1, "y": 1, "w": 2, "h": 2}]}],
    },
    TaskType.VIDEO_TRACKING: {
        **CLIP,
        "tracks": [{"id": 1, "label": "cat", "keyframes": [{"frame": 0, "x": 1, "y": 1, "w": 2, "h": 2, **FLAGS}]}],
    },
    TaskType.SKELETON: {
        **SIZE,
        "skeleton": SKELETON,
        "instances": [{"label": "cat", "keypoints": [[1.0, 1.0, 2], [5.0, 3.0, 1]], "bbox": None}],
    },
}


def choice(node_id: str, *options: str, multiple: bool = False, **fields) -> TaskNode:
    """A single (or multiple) choice node; options default to yes/no."""
    return TaskNode(
        id=node_id,
        task_type=TaskType.MULTIPLE_CHOICE if multiple else TaskType.SINGLE_CHOICE,
        question=fields.pop("question", f"{node_id}?"),
        options=list(options or ("yes", "no")),
        **fields,
    )


def drawing(node_id: str, *labels: str, task_type: TaskType = TaskType.RECTANGLE, **fields) -> TaskNode:
    """A drawing node (boxes unless told); labels default to cat; a skeleton node places ONE_CAT's skeleton."""
    if task_type == TaskType.SKELETON:
        fields.setdefault("skeleton", SKELETON)
    return TaskNode(id=node_id, task_type=task_type, labels=list(labels or ("cat",)), **fields)


def end(node_id: str = "end") -> EndNode:
    return EndNode(id=node_id)


def edge(
    source: str,
    target: str,
    kind: ConditionType = C.ALWAYS,
    value: str | None = None,
    *,
    op: str | None = None,
    count: int | None = None,
    max_traversals: int | None = None,
) -> Edge:
    return Edge(
        source=source,
        target=target,
        condition=Condition(type=kind, value=value, op=op, count=count),
        max_traversals=max_traversals,
    )


def flow(*nodes: TaskNode | EndNode, edges: Iterable[Edge], start: str | None = None) -> Flow:
    """A flow starting at its first node unless told."""
    return Flow(start=start or nodes[0].id, nodes=list(nodes), edges=list(edges))


def linear() -> Flow:
    """The smallest valid flow: one box task, then the end."""
    return flow(drawing("box"), end(), edges=[edge("box", "end")])


def problems(subject: Flow) -> set[tuple[str, str]]:
    """(where, rule) of every problem reported."""
    return {(problem.where, problem.rule) for problem in flow_problems(subject)}


def fan_out(branches: int) -> Flow:
    """One single choice with `branches` options, each leading to its own end node."""
    options = [f"o{i}" for i in range(branches)]
    return flow(
        choice("pick", *options),
        *(end(f"end{i}") for i in range(branches)),
        edges=[edge("pick", f"end{i}", C.OPTION_CHOSEN, option) for i, option in enumerate(options)],
    )


def stages(*widths: int) -> Flow:
    """Single choices in a row, every option of one leading to the next, the last to one end node: the
    branches multiply (product of `widths`) while the nodes only add up."""
    nodes: list[TaskNode | EndNode] = []
    edges = []
    for position, width in enumerate(widths):
        node_id = f"s{position}"
        target = f"s{position + 1}" if position + 1 < len(widths) else "end"
        options = [f"o{i}" for i in range(width)]
        nodes.append(choice(node_id, *options))
        edges += [edge(node_id, target, C.OPTION_CHOSEN, option) for option in options]
    return flow(*nodes, end(), edges=edges)


def chose(option: str) -> dict:
    return {"choice": option}


def boxes(*labels: str) -> dict:
    """A box answer with one small box per label."""
    return {**SIZE, "boxes": [{"label": label, "x": 1, "y": 1, "w": 5, "h": 5} for label in labels]}


def walk(subject: Flow, answer: Callable[[str, int], dict], limit: int = 50) -> list[str]:
    """The node ids an item visits, start to end node, as the engine routes it: `answer(node_id, visit)` is
    the node's consolidated answer on its visit-th visit (0-based); every edge taken counts a traversal."""
    path, traversals, visits = [subject.start], {}, {}
    while isinstance(node := subject.node(path[-1]), TaskNode):
        assert len(path) < limit, f"no end after {limit} nodes: {path}"
        visit = visits[node.id] = visits.get(node.id, -1) + 1
        index, taken = next_edge(subject, node, answer(node.id, visit), traversals)
        traversals[str(index)] = traversals.get(str(index), 0) + 1
        path.append(taken.target)
    return path
