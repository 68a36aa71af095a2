"""The price list: what the client pays per task an item goes through (docs: 扣款的金额 = ∑ 任务 × 任务单价).
A task is one node visit of one item, whatever number of annotators consensus needed for it."""

import math

from bytebridge.annotations import TaskType
from bytebridge.enums import AccuracyLevel

# 标注精度: the published prices are for the default level, HIGH. A task node at another level (its overlap's
# `level`) pays that price × the level's factor: the judgments per task that level takes relative to HIGH, gold
# labor included, as measured by bench/consensus_accuracy.py (4 options; Beta(8, 2), narrow and wide workforces:
# standard 3.8–4.0 judgments for 97.9–98.7% right, high 4.2–4.4 for 99.4–99.7%, premium 4.7–5.0 for 99.8–100%).
LEVEL_FACTORS: dict[AccuracyLevel, float] = {
    AccuracyLevel.STANDARD: 0.9,
    AccuracyLevel.HIGH: 1.0,
    AccuracyLevel.PREMIUM: 1.15,
}


def level_price(cents: int, level: AccuracyLevel) -> int:
    """A task's price at `level` from its price at HIGH, to the nearest cent, halves up (a paid task costs at least
    one cent)."""
    return max(1, math.floor(cents * LEVEL_FACTORS[level] + 0.5)) if cents else 0


# US cents per task, by task type: the published table (GET /api/v1/prices). Clients cannot set prices; operators
# may negotiate a project's (bytebridge.billing.prices), frozen with the flow version at start.
UNIT_PRICE_CENTS: dict[TaskType, int] = {
    TaskType.SINGLE_CHOICE: 2,
    TaskType.MULTIPLE_CHOICE: 3,
    TaskType.RECTANGLE: 6,
    TaskType.FREE_POINT: 6,
    TaskType.STROKE: 8,
    TaskType.CUBE: 12,
    TaskType.ROTATED_BOX: 8,
    TaskType.POLYGON: 10,
    TaskType.SEGMENTATION: 20,
    TaskType.TRANSCRIPTION: 5,
    TaskType.TEXT_SPANS: 8,  # a read through the text, marking every entity
    TaskType.OCR_REGIONS: 10,  # a box per text region and the text typed in
    TaskType.SKELETON: 15,  # a whole skeleton (COCO's person: 17 keypoints with visibility) per instance
    TaskType.AUDIO_SEGMENTS: 12,  # segments and their transcripts: a listen through, usually more
    TaskType.VIDEO_EVENTS: 10,  # a watch through the clip, marking each event's start and end
    TaskType.VIDEO_DETECTION: 15,  # boxes on every sampled frame of the clip
    TaskType.VIDEO_TRACKING: 25,  # each object followed through the clip: keyframes, occlusion, exits
}
