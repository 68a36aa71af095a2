"""Keypoint skeletons: a task node defines the skeleton (named keypoints, the bones joining them, and how far
each keypoint may stray: its OKS sigma); an answer is the instances drawn on the image, each with one
[x, y, v] per keypoint of the skeleton, in the skeleton's order, and optionally a bounding box.

Visibility follows COCO: v = 0 not labeled (then x = y = 0), 1 labeled but not visible (occluded, the
position is a guess), 2 labeled and visible. Stored answers carry the skeleton they were drawn against
(bytebridge.flows.answers puts the node's in), so consensus, results and exports need nothing but the answer.
"""

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from bytebridge.annotations.base import Coord, ImageAnswer, Strict

KeypointName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Visibility = Literal[0, 1, 2]
MAX_KEYPOINTS = 100
# A skeleton without sigmas uses COCO's mean keypoint sigma for every keypoint.
DEFAULT_SIGMA = 0.067


class Skeleton(Strict):
    """Named keypoints and the bones between them, as COCO's keypoint categories say them: `edges` are pairs of
    1-based indexes into `keypoints` (COCO's `skeleton`); `sigmas` the per-keypoint OKS falloff (COCO's
    `kpt_oks_sigmas`: larger for keypoints people place less consistently, such as hips).

    A node may name a preset instead of spelling one out: `{"preset": "coco-person"}`."""

    name: Annotated[str, StringConstraints(max_length=64)] = ""
    keypoints: list[KeypointName] = Field(min_length=1, max_length=MAX_KEYPOINTS)
    edges: list[tuple[int, int]] = Field(default_factory=list, max_length=4 * MAX_KEYPOINTS)
    sigmas: list[Annotated[float, Field(gt=0, le=1)]] = Field(default_factory=list, max_length=MAX_KEYPOINTS)

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        if isinstance(data, dict) and "preset" in data:
            if len(data) != 1:
                raise ValueError("a preset skeleton takes no other field")
            if data["preset"] not in PRESETS:
                raise ValueError(f"unknown skeleton preset {data['preset']!r}: {', '.join(PRESETS)}")
            return PRESETS[data["preset"]].model_dump()
        return data

    @model_validator(mode="after")
    def _check(self) -> "Skeleton":
        count = len(self.keypoints)
        if len(set(self.keypoints)) != count:
            raise ValueError("keypoint names must be unique")
        if not self.sigmas:
            self.sigmas = [DEFAULT_SIGMA] * count
        elif len(self.sigmas) != count:
            raise ValueError(f"sigmas: one per keypoint ({count}), got {len(self.sigmas)}")
        seen = set()
        for a, b in self.edges:
            if not (1 <= a <= count and 1 <= b <= count) or a == b:
                raise ValueError(f"edge [{a}, {b}] must join two different keypoints numbered 1-{count}")
            if (bone := frozenset((a, b))) in seen:
                raise ValueError(f"edge [{a}, {b}] is listed twice")
            seen.add(bone)
        return self

    def mirrored(self) -> list[int] | None:
        """Each keypoint's counterpart on the other side, by name (`left_wrist` ↔ `right_wrist`, `Left eye` ↔
        `Right eye`; a keypoint without one is its own); None if no name pairs up. Annotators swap sides."""
        index = {name: i for i, name in enumerate(self.keypoints)}
        pairs = list(range(len(self.keypoints)))
        for i, name in enumerate(self.keypoints):
            for side, other in (("left", "right"), ("right", "left"), ("Left", "Right"), ("Right", "Left")):
                if side in name and (j := index.get(name.replace(side, other))) is not None:
                    pairs[i] = j
        return pairs if pairs != list(range(len(self.keypoints))) else None


COCO_PERSON_KEYPOINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
)  # fmt: skip
_COCO_PERSON_EDGES = (
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (6, 8), (7, 9), (8, 10), (9, 11),
    (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7),
)  # fmt: skip
# pycocotools' COCOeval.Params.kpt_oks_sigmas
_COCO_PERSON_SIGMAS = (
    0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087, 0.089,
    0.089,
)  # fmt: skip
# COCO's person category, with its OKS sigmas.
COCO_PERSON = Skeleton(
    name="coco-person",
    keypoints=list(COCO_PERSON_KEYPOINTS),
    edges=list(_COCO_PERSON_EDGES),
    sigmas=list(_COCO_PERSON_SIGMAS),
)
PRESETS: dict[str, Skeleton] = {COCO_PERSON.name: COCO_PERSON}

Keypoint = tuple[Coord, Coord, Visibility]
Bbox = tuple[Coord, Coord, Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]]


class SkeletonInstance(Strict):
    label: str
    keypoints: list[Keypoint] = Field(max_length=MAX_KEYPOINTS)  # [x, y, v] per skeleton keypoint, in its order
    bbox: Bbox | None = None  # [x, y, w, h]

    def labeled(self) -> list[int]:
        """Indexes of the keypoints with a position (v > 0)."""
        return [i for i, (_, _, v) in enumerate(self.keypoints) if v]


class SkeletonAnswer(ImageAnswer):
    skeleton: Skeleton
    instances: list[SkeletonInstance] = Field(max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> "SkeletonAnswer":
        count = len(self.skeleton.keypoints)
        for n, instance in enumerate(self.instances):
            where = f"instance {n} ({instance.label!r})"
            if len(instance.keypoints) != count:
                raise ValueError(
                    f"{where}: one [x, y, v] per skeleton keypoint ({count}), got {len(instance.keypoints)}"
                )
            if not instance.labeled():
                raise ValueError(f"{where}: no keypoint is labeled (v = 1 or 2)")
            if any(v == 0 and (x or y) for x, y, v in instance.keypoints):
                raise ValueError(f"{where}: a keypoint that is not labeled (v = 0) must be at x = y = 0")
            self._inside([(x, y) for x, y, _ in instance.keypoints])
            if instance.bbox is not None:
                x, y, w, h = instance.bbox
                self._inside([(x + w, y + h)])
        return self


def bind_skeleton(payload: dict, skeleton: Skeleton) -> dict:
    """A submitted answer with the node's skeleton in it: annotators may leave it out, or send it back as they
    got it; any other skeleton is refused (ValueError)."""
    given = payload.get("skeleton")
    expected = skeleton.model_dump(mode="json")
    if given is not None and Skeleton.model_validate(given).model_dump(mode="json") != expected:
        raise ValueError("skeleton: not this task's skeleton (leave it out: the task's is used)")
    return {**payload, "skeleton": expected}
