"""What `make simulate --flow <name>` labels: one entry per kind of project, each a small declaration of the
project, its flow, a dataset with its ground truth, the simulated annotators and how the result is scored.
Each task type keeps its dataset, annotators and scorer in its own module (local.sim_<type>); this registry only
names them.

A dataset maps each resource URL to its truth; the annotators find the truth again from the URL their data link
redirects to (`truth_of`), as a person would by looking at the item. An annotator has a `name`, an `rng`
(random.Random: the simulator's faults draw from it too) and `answer(assignment, truth) -> dict` (the worker
API's assignment: taskType, nodeId, options, labels, ...).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local import annotators, sim_audio, sim_skeleton, sim_text, sim_video


@dataclass(frozen=True)
class SimFlow:
    description: str
    project: Callable[[str], dict]  # project name → createProject params
    set_flow: dict  # setFlow params besides projectId: {"template": name} or {"flow": {...}}
    resource_type: str  # submitResource's resourceType
    dataset: Callable[[int, int], dict[str, Any]]  # (items, seed) → resource URL → truth
    truth_of: Callable[[str], Any]  # the URL an assignment's data link redirects to → that item's truth
    annotators: Callable[[int, float, int], list]  # (count, mean accuracy, seed) → simulated annotators
    score: Callable[[list[dict], dict[str, Any]], dict]  # (listResults records, dataset) → figures


FLOWS: dict[str, SimFlow] = {
    "classify-then-box": SimFlow(
        "cats and dogs: classify each image, box the cats",
        annotators.project_params,
        {"template": "classify-then-box"},
        "image",
        lambda items, seed: annotators.make_dataset(items, seed=seed),
        annotators.truth_of,
        lambda count, accuracy, seed: annotators.annotator_pool(count, accuracy, seed=seed),
        annotators.score,
    ),
    "audio-segments": SimFlow(
        "recordings (wav, flac, m4a): mark speech, music and noise, transcribe the speech",
        sim_audio.project_params,
        {"flow": sim_audio.flow()},
        "audio",
        lambda items, seed: sim_audio.make_dataset(items, seed=seed),
        sim_audio.truth_of,
        lambda count, accuracy, seed: sim_audio.annotator_pool(count, accuracy, seed=seed),
        sim_audio.score,
    ),
    "text-entities": SimFlow(
        "texts in English and Chinese: mark people, places and organisations (NER spans)",
        sim_text.ner_project,
        {"flow": sim_text.ner_flow()},
        "text",
        lambda items, seed: sim_text.ner_dataset(items, seed=seed),
        sim_text.ner_truth_of,
        lambda count, accuracy, seed: sim_text.text_annotators(count, accuracy, seed=seed),
        sim_text.score_ner,
    ),
    "ocr-regions": SimFlow(
        "pictures of signs: box each text region (slanted ones as quadrilaterals) and type its text",
        sim_text.ocr_project,
        {"flow": sim_text.ocr_flow()},
        "image",
        lambda items, seed: sim_text.ocr_dataset(items, seed=seed),
        sim_text.ocr_truth_of,
        lambda count, accuracy, seed: sim_text.ocr_annotators(count, accuracy, seed=seed),
        sim_text.score_ocr,
    ),
    "person-keypoints": SimFlow(
        "people in pictures: place COCO's 17-keypoint person skeleton on each, occluded keypoints marked",
        sim_skeleton.project_params,
        {"flow": sim_skeleton.flow()},
        "image",
        lambda items, seed: sim_skeleton.make_dataset(items, seed=seed),
        sim_skeleton.truth_of,
        lambda count, accuracy, seed: sim_skeleton.annotator_pool(count, accuracy, seed=seed),
        sim_skeleton.score,
    ),
    "video": SimFlow(
        "clips (mp4, webm, mov) of cars and people: classify, mark when each is on screen, box every 5th frame, track",
        sim_video.project_params,
        {"flow": sim_video.flow()},
        "video",
        lambda items, seed: sim_video.make_dataset(items, seed=seed),
        sim_video.truth_of,
        lambda count, accuracy, seed: sim_video.annotator_pool(count, accuracy, seed=seed),
        sim_video.score,
    ),
}
