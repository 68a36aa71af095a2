"""Helpers shared by the consensus tests."""

from dataclasses import dataclass

from bytebridge.annotations import parse_answer
from bytebridge.consensus import ConsensusResult, Judgment, consolidate


@dataclass(frozen=True)
class Overlap:
    """Stands in for bytebridge.flows.model.Overlap: consolidate() only reads these attributes."""

    min_overlap: int = 3
    max_overlap: int = 5
    agreement: float = 0.7


def run(task_type: str, answers: dict[str, dict], skills: dict[str, float] | None = None, **overlap) -> ConsensusResult:
    """Consolidate {worker: answer}; the consolidated answer must itself be a valid answer."""
    result = consolidate(task_type, [Judgment(w, a) for w, a in answers.items()], Overlap(**overlap), skills)
    if result.answer is not None:
        parse_answer(task_type, result.answer)
    return result


def image(**fields) -> dict:
    return {"imageWidth": 1000, "imageHeight": 800, **fields}
