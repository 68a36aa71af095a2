"""COCO keypoints for keypoint_skeleton answers (bytebridge.annotations.skeleton), for the COCO writer.

Each instance is one annotation: `keypoints` [x1, y1, v1, ...] in the skeleton's order (v = 0 written as
0, 0, 0), `num_keypoints` the labeled ones (v > 0), `bbox` the instance's box or else the box of its labeled
keypoints, `area` that box's area (COCO's keypoint evaluation scales OKS by it), and the box polygon as
`segmentation` (like every other COCO annotation we write). The instance's label is its category, whose
`keypoints` (names) and `skeleton` (1-based bones) are the skeleton's; should one export hold two different
skeletons under one label, the second gets its own category, named `<label> #2`.
"""

from collections.abc import Callable
from typing import Any

from bytebridge.annotations.skeleton import Skeleton, SkeletonAnswer, SkeletonInstance

# CocoWriter._annotation: (image id, category name, **fields) → the annotation with its id and category id.
Annotate = Callable[..., dict]


def _box(instance: SkeletonInstance) -> tuple[float, float, float, float]:
    if instance.bbox is not None:
        return instance.bbox
    xs = [instance.keypoints[i][0] for i in instance.labeled()]
    ys = [instance.keypoints[i][1] for i in instance.labeled()]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _fields(instance: SkeletonInstance) -> dict[str, Any]:
    x, y, w, h = _box(instance)
    flat: list[float] = []
    for px, py, v in instance.keypoints:
        flat += (px, py, v) if v else (0, 0, 0)
    return {
        "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]],
        "keypoints": flat,
        "num_keypoints": len(instance.labeled()),
        "bbox": [x, y, w, h],
        "area": w * h,
    }


class KeypointCategories:
    """The skeletons of a COCO export's keypoint categories, by category name."""

    def __init__(self) -> None:
        self._skeletons: dict[str, Skeleton] = {}

    def _name(self, label: str, skeleton: Skeleton) -> str:
        name, n = label, 1
        while self._skeletons.setdefault(name, skeleton) != skeleton:
            n += 1
            name = f"{label} #{n}"
        return name

    def annotations(self, image_id: int, answer: SkeletonAnswer, annotate: Annotate) -> list[dict]:
        return [
            annotate(image_id, self._name(instance.label, answer.skeleton), **_fields(instance))
            for instance in answer.instances
        ]

    def category_fields(self, name: str) -> dict[str, Any]:
        """COCO's `keypoints` and `skeleton` of a keypoint category; nothing for other categories."""
        skeleton = self._skeletons.get(name)
        if skeleton is None:
            return {}
        return {"keypoints": list(skeleton.keypoints), "skeleton": [list(edge) for edge in skeleton.edges]}
