"""Simulated annotators and the ground truth they label, shared by `make simulate` (over HTTP) and the bench
(in-process). A dataset item's truth is encoded in its URL, so an annotator that follows an assignment's data
link (its redirect names the item's URL) knows what it looks at, as a person would by looking.

An annotator of accuracy p answers a choice right with probability p (otherwise uniformly among the wrong
options); for boxes it finds each true object with probability p, draws it with a few pixels of jitter, and
with probability 1 − p adds a spurious box.
"""

import random
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from bytebridge.consensus import matches_gold

IMAGE_WIDTH, IMAGE_HEIGHT = 640, 480
DATASET_HOST = "https://data.simulated.bytebridge.local"


@dataclass(frozen=True)
class Truth:
    label: str  # the class of the image
    boxes: tuple[tuple[float, float, float, float], ...]  # (x, y, w, h) of each object of that class


def project_params(name: str) -> dict:
    """createProject params of a project for this dataset (its flow is then set to classify-then-box)."""
    return {
        "projectName": name,
        "type": "image_classification",
        "taskType": "single_choice",
        "instruction": "simulated",
        "question": "Is this a cat or a dog?",
        "options": [{"value": "cat"}, {"value": "dog"}],
    }


def make_dataset(count: int, labels: tuple[str, str] = ("cat", "dog"), seed: int = 7) -> dict[str, Truth]:
    """URL → truth for `count` images, half of each label (in shuffled order), 1–3 objects per image."""
    rng = random.Random(seed)
    classes = [labels[n % 2] for n in range(count)]
    rng.shuffle(classes)
    dataset = {}
    for n, label in enumerate(classes):
        boxes = []
        for _ in range(rng.randint(1, 3)):
            w, h = rng.uniform(60, 200), rng.uniform(60, 200)
            boxes.append((round(rng.uniform(0, IMAGE_WIDTH - w), 1), round(rng.uniform(0, IMAGE_HEIGHT - h), 1), w, h))
        truth = Truth(label, tuple(boxes))
        dataset[f"{DATASET_HOST}/{label}/{n:05d}.jpg?{encode_boxes(truth.boxes)}"] = truth
    return dataset


def encode_boxes(boxes) -> str:
    return "boxes=" + ";".join(",".join(f"{v:.1f}" for v in box) for box in boxes)


def truth_of(url: str, labels: tuple[str, ...] = ("cat", "dog")) -> Truth:
    """Read the truth back from an item URL made by make_dataset."""
    parts = urlsplit(url)
    label = next(part for part in parts.path.split("/") if part in labels)
    raw = parse_qs(parts.query).get("boxes", [""])[0]
    boxes = tuple(_box(box) for box in raw.split(";") if box)
    return Truth(label, boxes)


def truth_in_name(url: str, labels: tuple[str, ...] = ("cat", "dog")) -> Truth:
    """The truth of a file a client uploaded (make simulate --project): the first label its name contains, else a
    coin flip; no boxes are known."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    label = next((candidate for candidate in labels if candidate in name), None)
    return Truth(label or random.choice(labels), ())


def _box(text: str) -> tuple[float, float, float, float]:
    """One "x,y,w,h" of encode_boxes."""
    x, y, w, h = (float(v) for v in text.split(","))
    return x, y, w, h


@dataclass
class SimulatedAnnotator:
    name: str
    accuracy: float
    rng: random.Random

    def choose(self, truth: str, options: list[str]) -> dict:
        if self.rng.random() < self.accuracy or len(options) < 2:
            return {"choice": truth}
        return {"choice": self.rng.choice([o for o in options if o != truth])}

    def draw_boxes(self, truth: Truth, label: str) -> dict:
        boxes = []
        for x, y, w, h in truth.boxes:
            if self.rng.random() >= self.accuracy:
                continue  # missed it
            jx, jy = self.rng.gauss(0, 3), self.rng.gauss(0, 3)
            bx, by = min(max(0.0, x + jx), IMAGE_WIDTH - 1), min(max(0.0, y + jy), IMAGE_HEIGHT - 1)
            bw = min(max(1.0, w + self.rng.gauss(0, 3)), IMAGE_WIDTH - bx)
            bh = min(max(1.0, h + self.rng.gauss(0, 3)), IMAGE_HEIGHT - by)
            boxes.append({"label": label, "x": round(bx, 1), "y": round(by, 1), "w": round(bw, 1), "h": round(bh, 1)})
        if self.rng.random() >= self.accuracy:  # a spurious box
            w, h = self.rng.uniform(30, 120), self.rng.uniform(30, 120)
            x, y = self.rng.uniform(0, IMAGE_WIDTH - w), self.rng.uniform(0, IMAGE_HEIGHT - h)
            boxes.append({"label": label, "x": round(x, 1), "y": round(y, 1), "w": round(w, 1), "h": round(h, 1)})
        return {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "boxes": boxes}

    def answer(self, assignment: dict, truth: Truth) -> dict:
        """An answer to a worker-API assignment (taskType, options, labels) about an item with this truth."""
        if assignment["taskType"] == "single_choice":
            return self.choose(truth.label, assignment["options"])
        if assignment["taskType"] == "rectangle_frame_select":
            return self.draw_boxes(truth, assignment["labels"][0])
        raise ValueError(f"the simulator does not draw {assignment['taskType']}")


def annotator_pool(count: int, mean_accuracy: float, seed: int = 11, spread: float = 0.1) -> list[SimulatedAnnotator]:
    """`count` annotators whose accuracies average about `mean_accuracy` (uniform ± spread, clipped to 0.5–0.99)."""
    rng = random.Random(seed)
    return [
        SimulatedAnnotator(
            f"sim-{n:03d}",
            min(0.99, max(0.5, mean_accuracy + rng.uniform(-spread, spread))),
            random.Random(rng.random()),
        )
        for n in range(count)
    ]


def _truth_answer(truth: Truth, label: str) -> dict:
    boxes = [{"label": label, "x": x, "y": y, "w": w, "h": h} for x, y, w, h in truth.boxes]
    return {"imageWidth": IMAGE_WIDTH, "imageHeight": IMAGE_HEIGHT, "boxes": boxes}


def score(results: list[dict], dataset: dict[str, Truth], positive: str = "cat") -> dict:
    """Consolidated answers against the truth: the class, and for items boxed, the boxes (each true box paired
    with a consolidated one at IoU ≥ 0.5, nothing extra)."""
    right = boxed = boxes_right = 0
    for record in results:
        truth = dataset[record["resourceURL"]]
        answers = record["result"]["answers"]
        right += answers["classify"]["choice"] == truth.label
        if "box" in answers:
            boxed += 1
            boxes_right += matches_gold("rectangle_frame_select", answers["box"], _truth_answer(truth, positive))
    return {
        "items": len(results),
        "classAccuracy": round(right / max(1, len(results)), 4),
        "boxedItems": boxed,
        "boxAccuracy": round(boxes_right / max(1, boxed), 4),
    }
