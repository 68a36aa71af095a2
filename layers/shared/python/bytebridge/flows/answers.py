"""Whether an annotator's answer fits the task: the task type's schema (bytebridge.annotations: boxes inside the
image, polygons with ≥ 3 points…), plus what the node declares (its options, its labels)."""

from pydantic import ValidationError

from bytebridge.annotations import TaskType, dump_answer, parse_answer
from bytebridge.annotations.skeleton import bind_skeleton
from bytebridge.annotations.spans import spans_overlap
from bytebridge.flows.model import CHOICE_TYPES, DRAWING_TYPES, TaskNode
from bytebridge.flows.routing import shapes


class AnswerError(ValueError):
    """An answer that does not fit its task; the message says what is wrong."""


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first['msg']}" if where else first["msg"]


def check_answer(node: TaskNode, payload: object) -> dict:
    """The answer in stored form; AnswerError saying what is wrong otherwise."""
    if not isinstance(payload, dict):
        raise AnswerError("answer must be a JSON object")
    try:
        if node.skeleton is not None:
            payload = bind_skeleton(payload, node.skeleton)
        answer = dump_answer(parse_answer(node.task_type, payload))
    except ValidationError as exc:
        raise AnswerError(_first_error(exc)) from None
    except ValueError as exc:  # bind_skeleton: another skeleton than the node's
        raise AnswerError(str(exc)) from None
    if node.task_type in CHOICE_TYPES:
        chosen = answer["choices"] if "choices" in answer else [answer["choice"]]
        if unknown := [c for c in chosen if c not in node.options]:
            raise AnswerError(f"not an option of this task: {unknown[0]!r}")
        if len(set(chosen)) != len(chosen):
            raise AnswerError("an option is chosen twice")
    elif node.task_type in DRAWING_TYPES and (
        unknown := [s["label"] for s in shapes(answer) if s["label"] not in node.labels]
    ):
        raise AnswerError(f"not a label of this task: {unknown[0]!r}")
    if node.transcribe and any(segment.get("text") is None for segment in answer["segments"]):
        raise AnswerError("this task asks for the transcript of every segment (text)")
    if node.sample_every and (off := [f["frame"] for f in answer["frames"] if f["frame"] % node.sample_every]):
        raise AnswerError(f"frame {off[0]} is not sampled: this task labels every {node.sample_every}th frame")
    if node.task_type == TaskType.TEXT_SPANS and not node.overlapping_spans and spans_overlap(answer["spans"]):
        raise AnswerError("spans overlap, and this task does not allow overlapping spans")
    return answer
