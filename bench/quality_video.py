"""Video: the consolidated quality against simulated truth (local.sim_video) for 3 and 5 annotators, next to a
single annotator's: events by segment F1 at temporal IoU >= 0.5 and the mean temporal IoU of matched segments;
detection by box F1 at IoU >= 0.5 over the sampled frames; tracking by IDF1 (motmetrics), MOTA and identity
switches; classification of the clip by accuracy.

    python -m bench.quality_video
"""

import random

from bytebridge.consensus import Judgment, consolidate
from bytebridge.flows.model import Overlap
from local.sim_video import NODES, annotator_pool, make_dataset, quality, truth_answers

ITEMS = 120
ACCURACY = 0.8


def rows(seed: int = 7) -> list[dict]:
    dataset = make_dataset(ITEMS, seed=seed)
    pool = annotator_pool(20, ACCURACY, seed=seed)
    rng = random.Random(seed)
    out = []
    for count in (3, 5):
        overlap = Overlap(min_overlap=count, max_overlap=count)
        single: dict[str, list] = {node: [] for node in NODES}
        consolidated: dict[str, list] = {node: [] for node in NODES}
        for truth in dataset.values():
            crowd = rng.sample(pool, count)
            expected = truth_answers(truth)
            for node, task_type in NODES.items():
                answers = [annotator.answer({"taskType": task_type}, truth) for annotator in crowd]
                judgments = [Judgment(a.name, answer) for a, answer in zip(crowd, answers, strict=True)]
                single[node].append((answers[0], expected[node]))
                consolidated[node].append((consolidate(task_type, judgments, overlap).answer, expected[node]))
        for who, pairs in (("one annotator", single), ("consolidated", consolidated)):
            figures = quality(pairs)
            out.append(
                {
                    "type": "video",
                    "annotators": count,
                    "who": who,
                    "classifyAccuracy": figures["classifyAccuracy"],
                    "eventsF1": figures["events"]["segmentF1"],
                    "meanTemporalIoU": figures["events"]["meanTemporalIoU"],
                    "detectionBoxF1": figures["detection"]["boxF1"],
                    "trackIDF1": figures["tracking"]["idf1"],
                    "trackMOTA": figures["tracking"]["mota"],
                    "idSwitches": figures["tracking"]["idSwitches"],
                }
            )
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
