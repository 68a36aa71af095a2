"""Consensus: consolidating several workers' judgments of a task into one answer (numpy only, see decisions).

`consolidate()` runs per task in the consensus Lambda (adaptive overlap); `matches_gold()` and `skills`
score workers on gold tasks; `batch` holds project-wide aggregation (majority vote, Dawid–Skene).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bytebridge.consensus.batch import BatchResult, dawid_skene, majority_vote, one_coin_dawid_skene
    from bytebridge.consensus.consolidation import consolidate, matches_gold
    from bytebridge.consensus.model import ConsensusResult, Judgment, OverlapPolicy

# Loaded on first use (PEP 562), so importing a numpy-free submodule (skills, model) does not load numpy through
# this package: a handler that only updates skills (the worker API) stays light.
_HOMES = {
    "BatchResult": "batch",
    "dawid_skene": "batch",
    "majority_vote": "batch",
    "one_coin_dawid_skene": "batch",
    "consolidate": "consolidation",
    "matches_gold": "consolidation",
    "ConsensusResult": "model",
    "Judgment": "model",
    "OverlapPolicy": "model",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "BatchResult",
    "ConsensusResult",
    "Judgment",
    "OverlapPolicy",
    "consolidate",
    "dawid_skene",
    "majority_vote",
    "matches_gold",
    "one_coin_dawid_skene",
]
