"""What the writers consume (finished items and the flow's task nodes) and what they report."""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from bytebridge.annotations import ANSWER_MODELS, TaskType


class ExportItem(Protocol):
    """A finished item: ItemModel satisfies it, so do plain records (bench, tests)."""

    item_id: str
    url: str
    resource_type: str
    # {"endNode": id, "path": [node ids], "answers": {node_id: answer in bytebridge.annotations form}}
    result: dict[str, Any] | None


@dataclass(frozen=True)
class NodeInfo:
    task_type: TaskType
    labels: tuple[str, ...] = ()  # declared labels/options, in the order categories should be numbered


class ExportSchema:
    """The task nodes answers come from: node id → task type and declared labels (from the flow).

    A node the schema does not list is recognised from its answers: its task type is the one answer model
    of bytebridge.annotations that accepts the answer (every model forbids unknown fields, so at most one
    does, but for an empty list of boxes, which both box models accept). Such a node takes the labels of
    `fallback` when its type is the fallback's (a documented one-task project: the project's options).
    """

    def __init__(self, nodes: Mapping[str, NodeInfo] | None = None, fallback: NodeInfo | None = None):
        self._nodes = dict(nodes or {})
        self._fallback = fallback

    def declared_labels(self, skip: Collection[TaskType] = ()) -> list[str]:
        """The declared labels of every node, in declaration order, but those of nodes of the `skip` types."""
        nodes = [*self._nodes.values(), *([self._fallback] if self._fallback else [])]
        return list(dict.fromkeys(label for node in nodes if node.task_type not in skip for label in node.labels))

    def node(self, node_id: str, payload: Any) -> NodeInfo | None:
        """The node's task type and labels; None if the node is unknown and its answer fits no model."""
        if (known := self._nodes.get(node_id)) is not None:
            return known
        fits = [task_type for task_type, model in ANSWER_MODELS.items() if _accepts(model, payload)]
        if len(fits) != 1 and set(fits) != {TaskType.RECTANGLE, TaskType.ROTATED_BOX}:
            return None
        task_type = fits[0]
        fallback = self._fallback
        node = NodeInfo(task_type, fallback.labels if fallback and fallback.task_type == task_type else ())
        if len(fits) == 1:  # an ambiguous (empty) answer says nothing about the node's later answers
            self._nodes[node_id] = node
        return node


def _accepts(model: type[BaseModel], payload: Any) -> bool:
    try:
        model.model_validate(payload)
    except ValidationError:
        return False
    return True


@dataclass
class ExportSummary:
    """Counts per task type: answers written, answers the format cannot express (skipped), and stored
    answers that no longer validate (skipped); plus answers from nodes the schema does not know."""

    format: str
    items: int = 0
    exported: Counter = field(default_factory=Counter)
    unsupported: Counter = field(default_factory=Counter)
    invalid: Counter = field(default_factory=Counter)
    unknown_nodes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "items": self.items,
            "exported": dict(self.exported),
            "unsupported": dict(self.unsupported),
            "invalid": dict(self.invalid),
            "unknownNodes": self.unknown_nodes,
        }
