"""Consensus: consolidating several workers' judgments of a task into one answer (numpy only, see decisions).

`consolidate()` runs per task in the consensus Lambda (adaptive overlap); `matches_gold()` and `skills`
score workers on gold tasks; `batch` holds project-wide aggregation (majority vote, Dawid–Skene).
"""

from bytebridge.consensus.batch import BatchResult, dawid_skene, majority_vote, one_coin_dawid_skene
from bytebridge.consensus.consolidation import consolidate, matches_gold
from bytebridge.consensus.model import ConsensusResult, Judgment, OverlapPolicy

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
