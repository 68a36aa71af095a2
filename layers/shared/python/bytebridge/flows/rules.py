"""The graph rules of a task flow, beyond its JSON schema. Each problem names the node (or edge) and the rule,
so the flow builder can point at it:

- node ids are unique; `start` is a task node; every edge joins known nodes and leaves a task node;
- task nodes carry what their type needs (choices for choice types, labels for drawing types), and each
  edge's condition suits its source (an option it declares, a label it declares);
- every node is reachable from `start`;
- every task node's edges cover every answer: an `always` edge, or for a single choice one `optionChosen`
  edge per option, none of them limited by `maxTraversals` (so an item is never stuck);
- loops are bounded: without the edges that carry `maxTraversals`, the graph has no cycle;
- 1–99 branches (paths from `start` to an end node, limited edges aside), so every branch ends at an end
  node (docs: 一个任务流可以包含1-99个分支,每个分支需要一个完节点).
"""

from collections import defaultdict
from dataclasses import dataclass

from bytebridge.annotations import TaskType
from bytebridge.flows.model import (
    CHOICE_TYPES,
    DRAWING_TYPES,
    MAX_BRANCHES,
    Condition,
    ConditionType,
    EndNode,
    Flow,
    TaskNode,
)

C = ConditionType


@dataclass(frozen=True)
class FlowProblem:
    where: str  # a node id, or "edges[i]"
    rule: str  # a short rule name: unique-ids, start, edge-ends, node-config, condition, reachable,
    # exhaustive, bounded-loops, branches
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} ({self.rule})"


class FlowError(ValueError):
    def __init__(self, problems: list[FlowProblem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def _node_config(node: TaskNode) -> str | None:
    if node.task_type in CHOICE_TYPES:
        if len(node.options) < 2:
            return f"a {node.task_type} task needs at least two options"
        if len(set(node.options)) != len(node.options):
            return "options must be unique"
        if not node.question:
            return f"a {node.task_type} task needs a question"
    elif node.options:
        return f"options are for choice tasks; a {node.task_type} task has labels"
    if node.task_type in DRAWING_TYPES:
        if not node.labels:
            return f"a {node.task_type} task needs at least one label (what to draw)"
        if len(set(node.labels)) != len(node.labels):
            return "labels must be unique"
    elif node.labels:
        return f"labels are for drawing tasks, not {node.task_type}"
    if (node.task_type == TaskType.SKELETON) != (node.skeleton is not None):
        return "a keypoint_skeleton task needs a skeleton, and only it takes one"
    if node.transcribe is not None and node.task_type != TaskType.AUDIO_SEGMENTS:
        return "transcribe is for audio_segments tasks"
    if node.overlapping_spans and node.task_type != TaskType.TEXT_SPANS:
        return "overlappingSpans is for text_spans tasks"
    if node.sample_every is not None and node.task_type != TaskType.VIDEO_DETECTION:
        return "sampleEvery is for video_detection tasks"
    return None


def _condition_problem(condition: Condition, source: TaskNode) -> str | None:
    kind = condition.type
    if kind is C.ALWAYS:
        extra = condition.value is not None or condition.op is not None or condition.count is not None
        return "an always condition takes no value, op or count" if extra else None
    if kind is C.OPTION_CHOSEN:
        if source.task_type not in CHOICE_TYPES:
            return f"optionChosen needs a choice task; {source.id} is {source.task_type}"
        if condition.value not in source.options:
            return f"optionChosen names {condition.value!r}, which is not an option of {source.id}"
        return None
    if source.task_type not in DRAWING_TYPES:
        return f"{kind} needs a drawing task; {source.id} is {source.task_type}"
    if kind is C.SHAPE_COUNT:
        if condition.op is None or condition.count is None:
            return "shapeCount needs op and count"
        if condition.value is not None and condition.value not in source.labels:
            return f"shapeCount counts {condition.value!r}, which is not a label of {source.id}"
        return None
    if condition.value not in source.labels:  # labelPresent / labelAbsent
        return f"{kind} names {condition.value!r}, which is not a label of {source.id}"
    return None


def _exhaustive(flow: Flow, node: TaskNode) -> bool:
    unlimited = [edge.condition for _, edge in flow.edges_from(node.id) if edge.max_traversals is None]
    if any(c.type is C.ALWAYS for c in unlimited):
        return True
    if node.task_type is TaskType.SINGLE_CHOICE:
        return set(node.options) <= {c.value for c in unlimited if c.type is C.OPTION_CHOSEN}
    labels = defaultdict(set)
    for c in unlimited:
        if c.type in (C.LABEL_PRESENT, C.LABEL_ABSENT):
            labels[c.value].add(c.type)
    return any(kinds == {C.LABEL_PRESENT, C.LABEL_ABSENT} for kinds in labels.values())


def _cycle(successors: dict[str, list[str]], nodes: list[str]) -> list[str] | None:
    """A cycle of the graph (node ids, first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(successors[child])))
                path.append(child)
    return None


def _branches(flow: Flow, successors: dict[str, list[str]], order: list[str]) -> int:
    """Paths from start to an end node in the acyclic graph of unlimited edges (order: topological)."""
    paths = dict.fromkeys(order, 0)
    paths[flow.start] = 1
    total = 0
    for node_id in order:
        if isinstance(flow.node(node_id), EndNode):
            total += paths[node_id]
        for child in successors[node_id]:
            paths[child] += paths[node_id]
    return total


def _topological(successors: dict[str, list[str]], nodes: list[str]) -> list[str]:
    incoming = dict.fromkeys(nodes, 0)
    for children in successors.values():
        for child in children:
            incoming[child] += 1
    ready = [n for n in nodes if incoming[n] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for child in successors[node]:
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return order


def flow_problems(flow: Flow) -> list[FlowProblem]:
    """Everything wrong with `flow` (empty if it is valid). Structural problems stop the checks that would
    not make sense on a broken graph."""
    problems: list[FlowProblem] = []
    ids = [node.id for node in flow.nodes]
    for node_id in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(FlowProblem(node_id, "unique-ids", "two nodes have this id"))
    known = {node.id: node for node in flow.nodes}
    if flow.start not in known:
        problems.append(FlowProblem(flow.start, "start", "start names no node"))
    elif not isinstance(known[flow.start], TaskNode):
        problems.append(FlowProblem(flow.start, "start", "the flow must start at a task node"))
    if not any(isinstance(node, EndNode) for node in flow.nodes):
        problems.append(FlowProblem("nodes", "branches", "a flow needs at least one end node"))
    for index, edge in enumerate(flow.edges):
        where = f"edges[{index}]"
        for end in (edge.source, edge.target):
            if end not in known:
                problems.append(FlowProblem(where, "edge-ends", f"{end!r} is not a node"))
        source = known.get(edge.source)
        if isinstance(source, EndNode):
            problems.append(FlowProblem(where, "edge-ends", f"{edge.source} is an end node: it has no outgoing edges"))
        elif isinstance(source, TaskNode) and (why := _condition_problem(edge.condition, source)):
            problems.append(FlowProblem(where, "condition", why))
    for node in flow.task_nodes():
        if why := _node_config(node):
            problems.append(FlowProblem(node.id, "node-config", why))
    if problems:
        return problems

    every: dict[str, list[str]] = {node_id: [] for node_id in known}
    unlimited: dict[str, list[str]] = {node_id: [] for node_id in known}
    for edge in flow.edges:
        every[edge.source].append(edge.target)
        if edge.max_traversals is None:
            unlimited[edge.source].append(edge.target)
    reached, frontier = {flow.start}, [flow.start]
    while frontier:
        for child in every[frontier.pop()]:
            if child not in reached:
                reached.add(child)
                frontier.append(child)
    for node_id in ids:
        if node_id not in reached:
            problems.append(FlowProblem(node_id, "reachable", f"no path from {flow.start} leads here"))
    for node in flow.task_nodes():
        if not flow.edges_from(node.id):
            problems.append(FlowProblem(node.id, "exhaustive", "a task node needs an outgoing edge"))
        elif not _exhaustive(flow, node):
            problems.append(
                FlowProblem(
                    node.id,
                    "exhaustive",
                    "some answers match no edge: add an 'always' edge (taken when none before it matches)",
                )
            )
    if cycle := _cycle(unlimited, ids):
        problems.append(
            FlowProblem(
                cycle[0],
                "bounded-loops",
                f"unbounded loop {' -> '.join(cycle)}: give one of its edges maxTraversals",
            )
        )
    if problems:
        return problems
    branches = branch_count(flow)
    if not 1 <= branches <= MAX_BRANCHES:
        problems.append(FlowProblem(flow.start, "branches", f"{branches} branches; a flow has 1-{MAX_BRANCHES}"))
    return problems


def branch_count(flow: Flow) -> int:
    """Paths from start to an end node of a valid flow (edges with maxTraversals aside)."""
    ids = [node.id for node in flow.nodes]
    unlimited: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for edge in flow.edges:
        if edge.max_traversals is None:
            unlimited[edge.source].append(edge.target)
    return _branches(flow, unlimited, _topological(unlimited, ids))


def check_flow(flow: Flow) -> Flow:
    """`flow` if it is valid; FlowError listing every problem otherwise."""
    if problems := flow_problems(flow):
        raise FlowError(problems)
    return flow
