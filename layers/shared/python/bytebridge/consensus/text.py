"""Transcription consolidation: the edit-distance medoid of the workers' texts."""

from collections.abc import Sequence
from typing import Any

import numpy as np

# Gold transcriptions match when at most 10% of the characters differ.
GOLD_DISTANCE = 0.1


def _normal(text: str) -> str:
    """Texts compare with whitespace runs collapsed: "a  b " and "a b" are the same transcription."""
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), one numpy row of the DP table at a time."""
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return len(b)
    codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    columns = np.arange(len(b) + 1)
    previous = columns.copy()
    for i, char in enumerate(np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32), start=1):
        candidate = np.empty_like(previous)
        candidate[0] = i
        candidate[1:] = np.minimum(previous[1:] + 1, previous[:-1] + (codes != char))
        # Insertions chain along the row: cur[j] = min_k<=j cand[k] + (j - k), a running minimum.
        previous = np.minimum.accumulate(candidate - columns) + columns
    return int(previous[-1])


def normalized_distance(a: str, b: str) -> float:
    """Edit distance over the longer length, in [0, 1]."""
    a, b = _normal(a), _normal(b)
    longest = max(len(a), len(b))
    return levenshtein(a, b) / longest if longest else 0.0


class Transcription:
    @staticmethod
    def consolidate(answers: Sequence[Any], weights: np.ndarray) -> dict:
        texts = [a.text for a in answers]
        distance = np.zeros((len(texts), len(texts)))
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                distance[i, j] = distance[j, i] = normalized_distance(texts[i], texts[j])
        # argmin keeps the first of equal totals: answers come highest weight first.
        return {"text": texts[int(np.argmin(distance @ weights))]}

    @staticmethod
    def similarity_to(answer: Any, reference: Any) -> float:
        return 1.0 - normalized_distance(answer.text, reference.text)

    @staticmethod
    def matches(answer: Any, gold: Any) -> bool:
        return normalized_distance(answer.text, gold.text) <= GOLD_DISTANCE
