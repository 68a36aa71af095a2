"""Task flows as data: task nodes, end nodes and conditional edges (the dashboard's flow builder draws the
same shape: `source`/`target` edges as @xyflow/react names them). `FLOW_JSON_SCHEMA` is what the builder
validates against; bytebridge.flows.rules holds the graph rules a schema cannot say."""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

from bytebridge.annotations import TaskType
from bytebridge.annotations.skeleton import Skeleton
from bytebridge.enums import AccuracyLevel

NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
MAX_NODES = 200
MAX_EDGES = 1000
MAX_BRANCHES = 99  # docs: 一个任务流可以包含1-99个分支

CHOICE_TYPES = frozenset({TaskType.SINGLE_CHOICE, TaskType.MULTIPLE_CHOICE})
TEXT_TYPES = frozenset({TaskType.TRANSCRIPTION})
DRAWING_TYPES = frozenset(TaskType) - CHOICE_TYPES - TEXT_TYPES


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


def _kind_required(schema: dict) -> None:
    # `kind` has a Python default for convenience, but on the wire it tells the node types apart: required.
    schema["required"] = ["kind", *schema.get("required", [])]


class Overlap(_Wire):
    """Adaptive overlap: ask `min_overlap` annotators, then one more at a time until the answer is settled, up to
    `max_overlap`. Choice tasks are settled when the consolidated answer's posterior confidence (from the
    annotators' gold skills) reaches the target of `level` (标注精度: standard 0.95, high 0.985, premium 0.997);
    other task types, and choice tasks none of whose annotators has a gold record, when the annotators'
    agreement with the consolidated answer reaches `agreement`."""

    min_overlap: int = Field(3, ge=1, le=10)
    max_overlap: int = Field(15, ge=1, le=15)
    agreement: float = Field(0.7, gt=0, le=1)
    level: AccuracyLevel = AccuracyLevel.HIGH

    @model_validator(mode="after")
    def _ordered(self) -> "Overlap":
        if self.max_overlap < self.min_overlap:
            raise ValueError("maxOverlap must be at least minOverlap")
        return self


class GoldPolicy(_Wire):
    """Known-answer tasks of this node (submitGold): an annotator answers `qualifying` of them before any real task,
    then they are mixed into their work at `rate` (bytebridge.workers.gold). Without gold tasks nothing is mixed in."""

    rate: float = Field(0.01, ge=0, le=0.5)
    qualifying: int = Field(8, ge=0, le=50)


class TaskNode(_Wire):
    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["task"] = "task"
    id: NodeId
    task_type: TaskType
    instruction: Annotated[str, StringConstraints(max_length=10_000)] = ""
    question: Annotated[str, StringConstraints(max_length=1_000)] | None = None
    options: list[Label] = Field(default_factory=list, max_length=100, description="Choice types: the choices")
    labels: list[Label] = Field(
        default_factory=list, max_length=100, description="Drawing types: the labels a shape may carry"
    )
    skeleton: Skeleton | None = Field(
        None, description='keypoint_skeleton: keypoints, edges, sigmas, or a preset ({"preset": "coco-person"})'
    )
    transcribe: bool | None = Field(
        None, description="audio_segments: true: every segment must carry its transcript (text); default false"
    )
    overlapping_spans: bool | None = Field(
        None, description="text_spans: spans may overlap (nested or crossing entities); unset: they may not"
    )
    sample_every: int | None = Field(
        None, ge=1, le=10_000, description="video_detection: boxes go on frames 0, n, 2n, ... (none: every frame)"
    )
    overlap: Overlap = Field(default_factory=Overlap)
    gold: GoldPolicy = Field(default_factory=GoldPolicy)

    @model_validator(mode="before")
    @classmethod
    def _no_client_price(cls, data: object) -> object:
        # Prices are the platform's (GET /api/v1/prices, or a price negotiated with operators), never the client's.
        if isinstance(data, dict) and ({"unitPriceCents", "unit_price_cents"} & data.keys()):
            raise ValueError("unitPriceCents cannot be set: prices are the published ones (GET /api/v1/prices)")
        return data


class EndNode(_Wire):
    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["end"] = "end"
    id: NodeId
    name: Annotated[str, StringConstraints(max_length=256)] = ""


Node = Annotated[TaskNode | EndNode, Field(discriminator="kind")]


class ConditionType(StrEnum):
    ALWAYS = "always"
    OPTION_CHOSEN = "optionChosen"  # choice nodes: `value` is among the consolidated choices
    LABEL_PRESENT = "labelPresent"  # drawing nodes: a shape labelled `value` was drawn
    LABEL_ABSENT = "labelAbsent"
    SHAPE_COUNT = "shapeCount"  # drawing nodes: number of shapes (labelled `value`, if given) `op` `count`


class CountOp(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


class Condition(_Wire):
    type: ConditionType = ConditionType.ALWAYS
    value: Label | None = None
    op: CountOp | None = None
    count: int | None = Field(None, ge=0, le=100_000)


class Edge(_Wire):
    """Taken when its condition holds on the source's consolidated answer. A node's edges are tried in the
    order listed; an edge with `max_traversals` is skipped once an item has taken it that many times."""

    source: NodeId
    target: NodeId
    condition: Condition = Field(default_factory=Condition)
    max_traversals: int | None = Field(None, ge=1, le=10)


class Flow(_Wire):
    start: NodeId
    nodes: list[Node] = Field(min_length=2, max_length=MAX_NODES)
    edges: list[Edge] = Field(min_length=1, max_length=MAX_EDGES)

    def node(self, node_id: str) -> TaskNode | EndNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def task(self, node_id: str) -> TaskNode:
        node = self.node(node_id)
        if not isinstance(node, TaskNode):
            raise KeyError(f"{node_id} is not a task node")
        return node

    def task_nodes(self) -> list[TaskNode]:
        return [node for node in self.nodes if isinstance(node, TaskNode)]

    def edges_from(self, node_id: str) -> list[tuple[int, Edge]]:
        """(index in `edges`, edge) of the node's outgoing edges, in evaluation order."""
        return [(index, edge) for index, edge in enumerate(self.edges) if edge.source == node_id]

    def dump(self) -> dict:
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)


FLOW_JSON_SCHEMA = Flow.model_json_schema(by_alias=True)
