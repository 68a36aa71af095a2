"""Simulated text-entity (NER) and OCR-region datasets, their annotators and scorers (`make simulate --flow
text-entities` / `--flow ocr-regions`, bench/quality_text.py).

An item's truth is a function of its URL path, so the local web stand-in serves the very text an annotator then
labels (`served_text`), and an annotator following its data link knows what it reads, as a person would:
- NER: `/ner/s<seed>/<n>.txt`, 2–4 sentences in English and Chinese with people, places and organisations
  (offsets in code points; CJK characters are one each).
- OCR: `/ocr/s<seed>/<n>_640x480.jpg` (the stand-in serves a real 640×480 picture), 1–4 text regions, a third
  of them slanted quadrilaterals, printed or handwritten, each with a few words.

An annotator of accuracy p marks each entity right with probability p, otherwise misses it, cuts or stretches it
by a token, or gives it another label; with probability 1 − p it also marks a spurious token. For OCR it finds
each region with probability p (a few pixels of jitter), reads each character wrong with probability
(1 − p) / 5, and with probability 1 − p draws a spurious region.
"""

import math
import random
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import numpy as np

from bytebridge.annotations import TaskType
from bytebridge.annotations.ocr import OcrAnswer
from bytebridge.consensus.objects import Frame, greedy_match
from bytebridge.consensus.ocr_regions import region_similarity
from bytebridge.consensus.text import levenshtein
from bytebridge.exports.ner import TOKEN
from bytebridge.flows.model import Overlap, TaskNode
from bytebridge.flows.templates import single_task
from local.annotators import DATASET_HOST, IMAGE_HEIGHT, IMAGE_WIDTH

# Two annotators, a third where they disagree: the simulation finishes with as few as three annotators.
SIM_OVERLAP = Overlap(min_overlap=2, max_overlap=3)
NER_LABELS = ("PER", "LOC", "ORG")
NER_NODE, OCR_NODE = "entities", "read"
OCR_LABELS = ("printed", "handwritten")

_ENTITIES = {
    "PER": ("Alice Martin", "Bob Chen", "Maria Garcia", "张伟", "李娜", "王芳"),
    "LOC": ("Paris", "New York", "Berlin", "北京", "上海", "深圳"),
    "ORG": ("Acme Corp", "United Nations", "Globex", "清华大学", "腾讯", "中国银行"),
}
_SENTENCES = (
    "{PER} flew from {LOC} to meet the board of {ORG}.",
    "Yesterday {PER} visited {LOC} with a friend.",
    "{ORG} opened an office in {LOC} last spring.",
    "{PER}在{LOC}参观了{ORG}。",
    "{ORG}的代表{PER}明天到{LOC}。",
    "The weather was fine and nothing else happened.",
    "今天天气很好,我们去公园散步。",
)
_SLOT = re.compile(r"\{(PER|LOC|ORG)\}")
_WORDS = ("EXIT", "OPEN 24H", "SALE", "Main St", "PARKING", "出口", "欢迎光临", "No. 42", "CAFE", "停车场", "STOP")
_NER_PATH = re.compile(r"/ner/s(\d+)/(\d+)\.txt$")
_OCR_PATH = re.compile(r"/ocr/s(\d+)/(\d+)_\d+x\d+\.jpg$")


# --- text entities ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NerTruth:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, label), code points, end exclusive


def ner_document(seed: int, number: int) -> NerTruth:
    rng = random.Random(f"ner-{seed}-{number}")
    text, spans = "", []
    for index in range(rng.randint(2, 4)):
        if index:
            text += rng.choice((" ", "\n"))
        template, position = rng.choice(_SENTENCES), 0
        for slot in _SLOT.finditer(template):
            text += template[position : slot.start()]
            entity = rng.choice(_ENTITIES[slot.group(1)])
            spans.append((len(text), len(text) + len(entity), slot.group(1)))
            text += entity
            position = slot.end()
        text += template[position:]
    return NerTruth(text, tuple(spans))


def ner_dataset(count: int, seed: int = 7) -> dict[str, NerTruth]:
    return {f"{DATASET_HOST}/ner/s{seed}/{n:05d}.txt": ner_document(seed, n) for n in range(count)}


def ner_truth_of(url: str) -> NerTruth:
    match = _NER_PATH.search(unquote(urlsplit(url).path))
    if match is None:
        raise ValueError(f"not a simulated NER item: {url}")
    return ner_document(int(match.group(1)), int(match.group(2)))


def served_text(path: str) -> bytes | None:
    """The bytes of a simulated NER item, for the local web stand-in (None: not one)."""
    match = _NER_PATH.search(unquote(urlsplit(path).path))
    return ner_document(int(match.group(1)), int(match.group(2))).text.encode() if match else None


def ner_project(name: str) -> dict:
    return {
        "projectName": name,
        "type": "text_classification",
        "taskType": "single_choice",
        "instruction": "simulated",
        "question": "Which entities does this text name?",
        "options": [{"value": "entities"}, {"value": "none"}],
    }


def _one_task(node_id: str, task_type: TaskType, instruction: str, labels: tuple[str, ...]) -> dict:
    """setFlow's `flow`: one task node, then the end."""
    node = TaskNode(id=node_id, task_type=task_type, instruction=instruction, labels=list(labels), overlap=SIM_OVERLAP)
    return single_task(node).dump()


def ner_flow() -> dict:
    instruction = "Mark every person (PER), place (LOC) and organisation (ORG)."
    return _one_task(NER_NODE, TaskType.TEXT_SPANS, instruction, NER_LABELS)


def _disjoint(span: tuple[int, int, str], others: list[tuple[int, int, str]]) -> bool:
    return all(span[1] <= o[0] or o[1] <= span[0] for o in others)


@dataclass
class TextAnnotator:
    name: str
    accuracy: float
    rng: random.Random

    def mark(self, truth: NerTruth, overlapping: bool = False) -> dict:
        tokens = [(m.start(), m.end()) for m in TOKEN.finditer(truth.text)]
        marked: list[tuple[int, int, str]] = []
        for start, end, label in truth.spans:
            if self.rng.random() < self.accuracy:
                marked.append((start, end, label))
                continue
            slip = self.rng.randrange(3)
            inside = [t for t in tokens if start <= t[0] < end]
            after = [t for t in tokens if t[0] >= end]
            if slip == 1 and len(inside) > 1:  # one token short
                marked.append((start, inside[-2][1], label))
            elif slip == 1 and after:  # one token too far
                marked.append((start, after[0][1], label))
            elif slip == 2:
                marked.append((start, end, self.rng.choice([o for o in NER_LABELS if o != label])))
        if tokens and self.rng.random() >= self.accuracy:
            start, end = self.rng.choice(tokens)
            marked.append((start, end, self.rng.choice(NER_LABELS)))
        if not overlapping:  # the task forbids overlaps: an annotator's tool would not let them draw one
            kept: list[tuple[int, int, str]] = []
            for span in marked:
                if _disjoint(span, kept):
                    kept.append(span)
            marked = kept
        unique = list(dict.fromkeys(marked))
        return {"textLength": len(truth.text), "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in unique]}

    def answer(self, assignment: dict, truth: NerTruth) -> dict:
        if assignment["taskType"] != TaskType.TEXT_SPANS:
            raise ValueError(f"the text annotator does not do {assignment['taskType']}")
        return self.mark(truth, assignment.get("overlappingSpans", False))


def _pool(cls: type, count: int, mean_accuracy: float, seed: int, spread: float = 0.1) -> list:
    rng = random.Random(seed)
    return [
        cls(
            f"sim-{n:03d}",
            min(0.99, max(0.5, mean_accuracy + rng.uniform(-spread, spread))),
            random.Random(rng.random()),
        )
        for n in range(count)
    ]


def text_annotators(count: int, mean_accuracy: float, seed: int = 11) -> list[TextAnnotator]:
    return _pool(TextAnnotator, count, mean_accuracy, seed)


def span_quality(pairs: list[tuple[dict | None, NerTruth]]) -> dict:
    """Exact span F1 (start, end and label all equal: CoNLL's strict measure), micro-averaged over items."""
    true_positive = found = expected = 0
    for answer, truth in pairs:
        marked = {(s["start"], s["end"], s["label"]) for s in (answer or {}).get("spans", [])}
        true_positive += len(marked & set(truth.spans))
        found += len(marked)
        expected += len(truth.spans)
    precision = true_positive / found if found else 0.0
    recall = true_positive / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": len(pairs),
        "spanPrecision": round(precision, 4),
        "spanRecall": round(recall, 4),
        "spanF1": round(f1, 4),
    }


def score_ner(results: list[dict], dataset: dict[str, NerTruth]) -> dict:
    return span_quality([(r["result"]["answers"].get(NER_NODE), dataset[r["resourceURL"]]) for r in results])


# --- OCR regions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    label: str
    text: str
    corners: tuple[tuple[float, float], ...]  # 4 corners, clockwise from the text's top left
    quad: bool  # drawn as a quadrilateral (else a box)


def _slanted(x: float, y: float, w: float, h: float, angle: float) -> tuple[tuple[float, float], ...]:
    cx, cy, t = x + w / 2, y + h / 2, math.radians(angle)
    c, s = math.cos(t), math.sin(t)
    local = ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2))
    return tuple((round(cx + dx * c - dy * s, 1), round(cy + dx * s + dy * c, 1)) for dx, dy in local)


def ocr_picture(seed: int, number: int) -> tuple[Region, ...]:
    """1–4 regions, one per horizontal band of the picture, so they never overlap."""
    rng = random.Random(f"ocr-{seed}-{number}")
    band = IMAGE_HEIGHT / 4
    regions = []
    for row in rng.sample(range(4), rng.randint(1, 4)):
        w, h = rng.uniform(120, 320), rng.uniform(30, 50)
        # A slant of 5° lifts a 320-pixel region's ends by 14 pixels: the 25-pixel margins keep it in its band.
        x, y = rng.uniform(20, IMAGE_WIDTH - w - 20), row * band + rng.uniform(25, band - h - 25)
        quad = rng.random() < 1 / 3
        corners = _slanted(x, y, w, h, rng.uniform(-5, 5) if quad else 0)
        text = " ".join(rng.sample(_WORDS, rng.randint(1, 2)))
        regions.append(Region(rng.choice(OCR_LABELS), text, corners, quad))
    return tuple(regions)


def ocr_dataset(count: int, seed: int = 7) -> dict[str, tuple[Region, ...]]:
    return {
        f"{DATASET_HOST}/ocr/s{seed}/{n:05d}_{IMAGE_WIDTH}x{IMAGE_HEIGHT}.jpg": ocr_picture(seed, n)
        for n in range(count)
    }


def ocr_truth_of(url: str) -> tuple[Region, ...]:
    match = _OCR_PATH.search(unquote(urlsplit(url).path))
    if match is None:
        raise ValueError(f"not a simulated OCR item: {url}")
    return ocr_picture(int(match.group(1)), int(match.group(2)))


def ocr_project(name: str) -> dict:
    return {
        "projectName": name,
        "type": "image_rectangle_frame_select",
        "taskType": "rectangle_frame_select",
        "instruction": "simulated",
        "target": "text",
    }


def ocr_flow() -> dict:
    instruction = "Box every piece of text (a quadrilateral where it is slanted) and type what it says."
    return _one_task(OCR_NODE, TaskType.OCR_REGIONS, instruction, OCR_LABELS)


def region_dict(region: Region) -> dict:
    """A truth region in the answer form."""
    if region.quad:
        return {"label": region.label, "text": region.text, "quad": [list(p) for p in region.corners]}
    (x1, y1), (x2, y2) = region.corners[0], region.corners[2]
    return {
        "label": region.label,
        "text": region.text,
        "x": x1,
        "y": y1,
        "w": round(x2 - x1, 1),
        "h": round(y2 - y1, 1),
    }


def _inside(x: float, y: float) -> list[float]:
    return [round(min(max(0.0, x), IMAGE_WIDTH), 1), round(min(max(0.0, y), IMAGE_HEIGHT), 1)]


@dataclass
class OcrAnnotator:
    name: str
    accuracy: float
    rng: random.Random

    def _misread(self, text: str) -> str:
        slip = (1 - self.accuracy) / 5
        return "".join(self.rng.choice("0O1lI5S8B") if self.rng.random() < slip else ch for ch in text)

    def read(self, regions: tuple[Region, ...]) -> dict:
        drawn: list[dict] = []
        for region in regions:
            if self.rng.random() >= self.accuracy:
                continue
            corners = [_inside(x + self.rng.gauss(0, 2), y + self.rng.gauss(0, 2)) for x, y in region.corners]
            text = self._misread(region.text)
            if region.quad:
                drawn.append({"label": region.label, "text": text, "quad": corners})
            else:
                (x1, y1), (x2, y2) = corners[0], corners[2]
                box = {"x": x1, "y": y1, "w": round(x2 - x1, 1), "h": round(y2 - y1, 1)}
                drawn.append({"label": region.label, "text": text, **box})
        if self.rng.random() >= self.accuracy:  # something that is not text
            w, h = self.rng.uniform(40, 120), self.rng.uniform(20, 50)
            x, y = self.rng.uniform(0, IMAGE_WIDTH - w), self.rng.uniform(0, IMAGE_HEIGHT - h)
            drawn.append(
                {
                    "label": OCR_LABELS[0],
                    "text": self.rng.choice(_WORDS),
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(w, 1),
                    "h": round(h, 1),
                }
            )
        return {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "regions": [r for r in drawn if _drawable(r)]}

    def answer(self, assignment: dict, truth: tuple[Region, ...]) -> dict:
        if assignment["taskType"] != TaskType.OCR_REGIONS:
            raise ValueError(f"the OCR annotator does not do {assignment['taskType']}")
        return self.read(truth)


def _drawable(region: dict) -> bool:
    """A jittered box clipped at the picture's edge keeps a size."""
    return "quad" in region or (region["w"] > 0 and region["h"] > 0)


def ocr_annotators(count: int, mean_accuracy: float, seed: int = 11) -> list[OcrAnnotator]:
    return _pool(OcrAnnotator, count, mean_accuracy, seed)


def ocr_quality(pairs: list[tuple[dict | None, tuple[Region, ...]]]) -> dict:
    """Region F1 (one-to-one pairs of the same label at IoU ≥ 0.5) and the character error rate of the matched
    regions' texts (edit distance over the true characters)."""
    frame = Frame(IMAGE_WIDTH, IMAGE_HEIGHT)
    matched = found = expected = errors = characters = 0
    for answer, truth in pairs:
        got = OcrAnswer.model_validate(answer).regions if answer else []
        want = OcrAnswer.model_validate(
            {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "regions": [region_dict(r) for r in truth]}
        ).regions
        scores = np.zeros((len(got), len(want)))
        if got and want:
            same_label = np.array([[a.label == b.label for b in want] for a in got])
            scores = region_similarity(got, want, frame) * same_label
        pairs_found = greedy_match(scores)
        matched += len(pairs_found)
        found += len(got)
        expected += len(want)
        for i, j in pairs_found:
            errors += levenshtein(got[i].text, want[j].text)
            characters += len(want[j].text)
    precision = matched / found if found else 0.0
    recall = matched / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    cer = errors / characters if characters else 0.0
    return {"items": len(pairs), "regionF1": round(f1, 4), "cer": round(cer, 4)}


def score_ocr(results: list[dict], dataset: dict[str, tuple[Region, ...]]) -> dict:
    return ocr_quality([(r["result"]["answers"].get(OCR_NODE), dataset[r["resourceURL"]]) for r in results])
