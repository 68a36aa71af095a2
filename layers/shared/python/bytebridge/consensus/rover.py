"""ROVER-style combination of several transcripts of the same speech (Fiscus 1997, "Recognizer Output Voting Error
Reduction"), and the word error rate it is judged by.

The transcripts are aligned word by word into one network of slots, a hypothesis at a time, highest weight first:
each slot holds the words the hypotheses aligned so far put there, with their summed weight, and the weight of
those that put nothing there ("no word"). Each slot then votes: the heaviest entry wins, and the transcript is the
winning words in order. Unlike a medoid (bytebridge.consensus.text), each annotator's slip is outvoted word by
word, so three transcripts that each miss a different word combine into one that misses none.

Words are whitespace-separated tokens; in Chinese and Japanese, where words are not spaced, each character is a
token (the character error rate is what those languages are scored by).
"""

import re
from collections.abc import Sequence

import numpy as np

from bytebridge.consensus.text import levenshtein

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_ONE_CJK = re.compile(f"[{_CJK}]")

MAX_ALIGNED_WORDS = 2000  # ~2 × 32 MB of alignment table against a network of as many slots
Slot = dict[str | None, float]  # word (None: no word) → summed weight of the hypotheses that put it here


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def join(words: Sequence[str]) -> str:
    """Words back into text: spaced, but not next to a CJK character."""
    out: list[str] = []
    for word in words:
        if out and not (_ONE_CJK.fullmatch(word) or _ONE_CJK.fullmatch(out[-1])):
            out.append(" ")
        out.append(word)
    return "".join(out)


# sclite's weights (substitution 4, insertion and deletion 3): two substitutions cost more than a deletion and an
# insertion, so "a b c" against "a c d" aligns c with c instead of shifting every word by one.
_SUBSTITUTION = 4 / 3


def _costs(slot: Slot, words: np.ndarray, index: dict[str, int]) -> tuple[np.ndarray, float]:
    """Aligning each word (`words`: their numbers in `index`) into `slot` (a substitution, weighed) and skipping
    the slot: the share of the slot's weight that voted otherwise."""
    total = sum(slot.values())
    costs = np.full(len(words), _SUBSTITUTION)
    for word, weight in slot.items():
        if word is not None and word in index:
            costs[words == index[word]] = _SUBSTITUTION * (1.0 - weight / total)
    return costs, 1.0 - slot.get(None, 0.0) / total


def _align(network: list[Slot], words: list[str]) -> list[tuple[int | None, int | None]]:
    """The cheapest alignment of `words` to the slots: (slot, word) pairs in order, None on the side that has
    nothing there (a slot the hypothesis skips, or a word that opens a new slot). One numpy row of the table per
    slot: a thousand-word transcript aligns in a fraction of a second."""
    n, m = len(network), len(words)
    index = {word: k for k, word in enumerate(dict.fromkeys(words))}
    numbers = np.array([index[word] for word in words], dtype=np.int64)
    columns = np.arange(m + 1, dtype=float)
    cost = np.zeros((n + 1, m + 1))
    cost[0] = columns
    match = np.zeros((n, m))
    skip = np.zeros(n)
    for i, slot in enumerate(network):
        match[i], skip[i] = _costs(slot, numbers, index)
        candidate = np.empty(m + 1)
        candidate[0] = cost[i, 0] + skip[i]
        candidate[1:] = np.minimum(cost[i, :-1] + match[i], cost[i, 1:] + skip[i])
        # A new slot per word chains along the row: cost[j] = min over k <= j of candidate[k] + (j - k).
        cost[i + 1] = np.minimum.accumulate(candidate - columns) + columns
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        if i and j and np.isclose(cost[i, j], cost[i - 1, j - 1] + match[i - 1, j - 1]):
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif i and np.isclose(cost[i, j], cost[i - 1, j] + skip[i - 1]):
            i -= 1
            pairs.append((i, None))
        else:
            j -= 1
            pairs.append((None, j))
    return pairs[::-1]


def network_of(texts: Sequence[str], weights: Sequence[float]) -> list[Slot]:
    """The slots of the transcripts aligned in the order given."""
    network: list[Slot] = []
    so_far = 0.0
    for text, weight in zip(texts, weights, strict=True):
        words = tokens(text)
        merged: list[Slot] = []
        for slot, word in _align(network, words):
            if slot is None:  # a word no earlier hypothesis had here: they all voted "no word"
                merged.append({None: so_far} if so_far else {})
                key: str | None = words[word]  # type: ignore[index]
                merged[-1][key] = merged[-1].get(key, 0.0) + weight
                continue
            current = network[slot]
            key = None if word is None else words[word]
            current[key] = current.get(key, 0.0) + weight
            merged.append(current)
        network = merged
        so_far += weight
    return network


def combine(texts: Sequence[str], weights: Sequence[float]) -> str:
    """The voted transcript; `texts` highest weight first (a tie goes to the earlier hypothesis's word).
    Transcripts longer than MAX_ALIGNED_WORDS are not aligned (the table grows with the square of the length):
    the one closest to the others, word for word, stands."""
    if max((len(tokens(text)) for text in texts), default=0) > MAX_ALIGNED_WORDS:
        return medoid(texts, weights)
    winners = [max(slot, key=slot.__getitem__) for slot in network_of(texts, weights)]
    return join([word for word in winners if word is not None])


def medoid(texts: Sequence[str], weights: Sequence[float]) -> str:
    """The transcript with the least weighted word distance to the others (ties: the earlier)."""
    split = [tokens(text) for text in texts]
    distance = np.array([[word_distance(a, b) for b in split] for a in split], dtype=float)
    return join(split[int(np.argmin(distance @ np.asarray(weights, dtype=float)))])


def word_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Edit distance between two word sequences: each distinct word becomes one code point, so the character
    Levenshtein of bytebridge.consensus.text counts word edits."""
    codes: dict[str, str] = {}
    for word in (*a, *b):
        codes.setdefault(word, chr(0x10000 + len(codes)))
    return levenshtein("".join(codes[w] for w in a), "".join(codes[w] for w in b))


def word_error_rate(hypothesis: str, reference: str) -> float:
    """(substitutions + deletions + insertions) / reference words; an empty reference: 0 if the hypothesis is
    empty too, else 1 per inserted word."""
    ref, hyp = tokens(reference), tokens(hypothesis)
    return word_distance(hyp, ref) / len(ref) if ref else float(len(hyp))


def word_similarity(a: str, b: str) -> float:
    """1 − word edits over the longer transcript's word count, in [0, 1] (1 when both are empty)."""
    ta, tb = tokens(a), tokens(b)
    longest = max(len(ta), len(tb))
    return 1.0 - word_distance(ta, tb) / longest if longest else 1.0
