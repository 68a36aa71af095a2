"""Text entities and OCR regions: the consolidated quality against simulated truth (local.sim_text) for 3 and 5
annotators, next to a single annotator's. NER: exact span F1 (with precision and recall); OCR: region F1 at IoU ≥ 0.5
(same label) and the character error rate of the matched regions' texts.

    python -m bench.quality_text
"""

import random
from collections.abc import Callable

from bytebridge.consensus import Judgment, consolidate
from bytebridge.flows.model import Overlap
from local import sim_text

ITEMS = 300
ACCURACY = 0.8


def _rows(task_type: str, dataset: dict, pool: list, label: Callable, quality: Callable, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for count in (3, 5):
        overlap = Overlap(min_overlap=count, max_overlap=count)
        single, consolidated = [], []
        for truth in dataset.values():
            crowd = rng.sample(pool, count)
            answers = [label(annotator, truth) for annotator in crowd]
            judgments = [Judgment(annotator.name, answer) for annotator, answer in zip(crowd, answers, strict=True)]
            single.append((answers[0], truth))
            consolidated.append((consolidate(task_type, judgments, overlap).answer, truth))
        out.append({"type": task_type, "annotators": count, "who": "one annotator", **quality(single)})
        out.append({"type": task_type, "annotators": count, "who": "consolidated", **quality(consolidated)})
    return out


def rows(seed: int = 7) -> list[dict]:
    ner = _rows(
        "text_spans",
        sim_text.ner_dataset(ITEMS, seed=seed),
        sim_text.text_annotators(20, ACCURACY, seed=seed),
        lambda annotator, truth: annotator.mark(truth),
        sim_text.span_quality,
        seed,
    )
    ocr = _rows(
        "ocr_regions",
        sim_text.ocr_dataset(ITEMS, seed=seed),
        sim_text.ocr_annotators(20, ACCURACY, seed=seed),
        lambda annotator, truth: annotator.read(truth),
        sim_text.ocr_quality,
        seed,
    )
    return ner + ocr


if __name__ == "__main__":
    for row in rows():
        print(row)
