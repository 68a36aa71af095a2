"""Audio segments: the consolidated quality against simulated truth (local.sim_audio) for 3 and 5 annotators,
next to a single annotator's: segment F1 at temporal IoU ≥ 0.5 (same label), the mean temporal IoU of matched
segments, and the word error rate of the transcripts (ROVER-combined for the consolidated answers).

    python -m bench.quality_audio
"""

import random

from bytebridge.consensus import Judgment, consolidate
from bytebridge.flows.model import Overlap
from local.sim_audio import annotator_pool, make_dataset, quality

ITEMS = 300
ACCURACY = 0.8


def rows(seed: int = 7) -> list[dict]:
    dataset = make_dataset(ITEMS, seed=seed)
    pool = annotator_pool(20, ACCURACY, seed=seed)
    rng = random.Random(seed)
    out = []
    for count in (3, 5):
        overlap = Overlap(min_overlap=count, max_overlap=count)
        single, consolidated = [], []
        for truth in dataset.values():
            crowd = rng.sample(pool, count)
            answers = [annotator.hear(truth) for annotator in crowd]
            judgments = [Judgment(annotator.name, answer) for annotator, answer in zip(crowd, answers, strict=True)]
            single.append((answers[0], truth))
            result = consolidate("audio_segments", judgments, overlap).answer
            assert result is not None  # there were judgments
            consolidated.append((result, truth))
        out.append({"type": "audio_segments", "annotators": count, "who": "one annotator", **quality(single)})
        out.append({"type": "audio_segments", "annotators": count, "who": "consolidated", **quality(consolidated)})
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
