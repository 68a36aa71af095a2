"""Flows to start from (the dashboard's 项目模版), and the one-task flow of a documented API project."""

from collections.abc import Callable

from bytebridge.annotations import TaskType
from bytebridge.flows.model import CHOICE_TYPES, Condition, ConditionType, CountOp, Edge, EndNode, Flow, TaskNode

DOCUMENTED_NODE = "task"  # the node id of a documented single-task project's flow
END = "end"


def single_task(node: TaskNode) -> Flow:
    return Flow(start=node.id, nodes=[node, EndNode(id=END)], edges=[Edge(source=node.id, target=END)])


def documented_flow(
    task_type: str, instruction: str, question: str | None, options: list[str], target: str | None
) -> Flow:
    """The flow of a project made through the documented API: its one task, then the end."""
    task_type = TaskType(task_type)
    choice = task_type in CHOICE_TYPES
    return single_task(
        TaskNode(
            id=DOCUMENTED_NODE,
            task_type=task_type,
            instruction=instruction,
            question=question,
            options=list(options) if choice else [],
            labels=[] if choice else [target or "object"],
        )
    )


def classify_then_box(positive: str = "cat", negative: str = "dog", question: str | None = None) -> Flow:
    """Classify each image; the positives get boxes around every `positive`, the rest end."""
    return Flow(
        start="classify",
        nodes=[
            TaskNode(
                id="classify",
                task_type=TaskType.SINGLE_CHOICE,
                question=question or f"Is this a {positive} or a {negative}?",
                options=[positive, negative],
            ),
            TaskNode(
                id="box",
                task_type=TaskType.RECTANGLE,
                instruction=f"Draw a tight box around every {positive}.",
                labels=[positive],
            ),
            EndNode(id="boxed", name=f"{positive} with boxes"),
            EndNode(id="other", name=negative),
        ],
        edges=[
            Edge(
                source="classify", target="box", condition=Condition(type=ConditionType.OPTION_CHOSEN, value=positive)
            ),
            Edge(source="classify", target="other"),
            Edge(source="box", target="boxed"),
        ],
    )


def box_then_review(label: str = "object", max_redraws: int = 2) -> Flow:
    """Box every `label`, then a reviewer checks the boxes; rejected boxes are drawn again (at most
    `max_redraws` times), after which the item ends as it is."""
    return Flow(
        start="box",
        nodes=[
            TaskNode(
                id="box",
                task_type=TaskType.RECTANGLE,
                instruction=f"Draw a tight box around every {label}.",
                labels=[label],
            ),
            TaskNode(
                id="review",
                task_type=TaskType.SINGLE_CHOICE,
                question=f"Is every {label} boxed, tightly, and nothing else?",
                options=["yes", "no"],
            ),
            EndNode(id="end"),
        ],
        edges=[
            Edge(source="box", target="review"),
            Edge(
                source="review",
                target="box",
                condition=Condition(type=ConditionType.OPTION_CHOSEN, value="no"),
                max_traversals=max_redraws,
            ),
            Edge(source="review", target="end"),
        ],
    )


def segment_audio(labels: tuple[str, ...] = ("speech", "music", "noise")) -> Flow:
    """Mark the speech, music and noise in each recording and transcribe the speech; items end apart by whether
    anyone speaks in them."""
    return Flow(
        start="segments",
        nodes=[
            TaskNode(
                id="segments",
                task_type=TaskType.AUDIO_SEGMENTS,
                instruction=f"Mark every stretch of {', '.join(labels)}; type what is said in the speech.",
                labels=list(labels),
            ),
            EndNode(id="spoken", name="with speech"),
            EndNode(id="unspoken", name="no speech"),
        ],
        edges=[
            Edge(
                source="segments",
                target="spoken",
                condition=Condition(type=ConditionType.LABEL_PRESENT, value=labels[0]),
            ),
            Edge(source="segments", target="unspoken"),
        ],
    )


def track_video(labels: tuple[str, ...] = ("car", "person")) -> Flow:
    """Mark when each object is on screen, then track the objects through the clips that show any."""
    return Flow(
        start="events",
        nodes=[
            TaskNode(
                id="events",
                task_type=TaskType.VIDEO_EVENTS,
                instruction=f"Mark when each {' or '.join(labels)} is on screen.",
                labels=list(labels),
            ),
            TaskNode(
                id="tracks",
                task_type=TaskType.VIDEO_TRACKING,
                instruction="Track each object through the clip: a box on each keyframe, occluded or outside flags.",
                labels=list(labels),
            ),
            EndNode(id="tracked", name="tracked"),
            EndNode(id="empty", name="nothing on screen"),
        ],
        edges=[
            Edge(
                source="events",
                target="empty",
                condition=Condition(type=ConditionType.SHAPE_COUNT, op=CountOp.EQ, count=0),
            ),
            Edge(source="events", target="tracks"),
            Edge(source="tracks", target="tracked"),
        ],
    )


TEMPLATES: dict[str, tuple[str, Callable[[], Flow]]] = {
    "classify-then-box": ("Classify images; box the positive class, the rest end", classify_then_box),
    "box-then-review": ("Draw boxes, have them reviewed, redraw rejected ones (twice at most)", box_then_review),
    "segment-audio": ("Mark speech, music and noise in recordings and transcribe the speech", segment_audio),
    "track-video": ("Mark when cars and people are on screen in clips, then track them through", track_video),
}
