"""Whether an annotator's answer fits the task: the task type's schema (bytebridge.annotations: boxes inside the
image, polygons with ≥ 3 points…), plus what the node declares (its options, its labels)."""

from pydantic import ValidationError

from bytebridge.annotations import dump_answer, parse_answer
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
        answer = dump_answer(parse_answer(node.task_type, payload))
    except ValidationError as exc:
        raise AnswerError(_first_error(exc)) from None
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
    return answer
