"""Segmentation: pixel-wise weighted majority per label on COCO uncompressed RLE (column-major)."""

import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import SegmentationMajorityVote
from pycocotools import mask as coco_mask

from bytebridge.consensus import segmentation
from bytebridge.consensus.skills import vote_weight
from tests.unit.consensus_support import run

H, W = 24, 32


def encode(mask: np.ndarray) -> list[int]:
    """Uncompressed COCO RLE of a (H, W) boolean mask: column-major runs, starting with zeros."""
    flat = mask.ravel(order="F").astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate([[0], change, [flat.size]])).tolist()
    return [0, *runs] if flat[0] else runs


def decode(counts: list[int]) -> np.ndarray:
    """pycocotools, the reference decoder, reads our RLE."""
    return coco_mask.decode(coco_mask.frPyObjects({"counts": counts, "size": [H, W]}, H, W)).astype(bool)


def answer(**masks: np.ndarray) -> dict:
    return {"imageWidth": W, "imageHeight": H, "masks": [{"label": k, "counts": encode(m)} for k, m in masks.items()]}


def random_mask(rng, p=0.3) -> np.ndarray:
    # Blocky masks: long runs like real annotations, plus some isolated pixels.
    return np.kron(rng.random((H // 4, W // 4)) < p, np.ones((4, 4), dtype=bool)) ^ (rng.random((H, W)) < 0.05)


def test_rle_round_trip_through_pycocotools():
    rng = np.random.default_rng(0)
    for _ in range(5):
        mask = random_mask(rng)
        assert np.array_equal(decode(encode(mask)), mask)
    full = np.ones((H, W), dtype=bool)
    assert encode(full) == [0, H * W]
    assert np.array_equal(decode(encode(full)), full)


def test_weighted_pixel_vote_matches_crowdkit_segmentation_majority_vote():
    rng = np.random.default_rng(1)
    truth = random_mask(rng)
    masks = [truth ^ (rng.random((H, W)) < 0.15) for _ in range(4)]
    skills = {"w0": 0.9, "w1": 0.7, "w2": 0.75, "w3": 0.6}
    result = run("segmentation", {f"w{i}": answer(cell=m) for i, m in enumerate(masks)}, skills)
    ours = decode(result.answer["masks"][0]["counts"])

    data = pd.DataFrame({"task": 0, "worker": list(skills), "segmentation": masks})
    weights = pd.Series({w: vote_weight(s) for w, s in skills.items()})
    reference = SegmentationMajorityVote().fit_predict(data, weights).loc[0]
    assert np.array_equal(ours, reference)
    assert (ours == truth).mean() > (masks[0] == truth).mean()  # the vote repairs individual noise


def test_two_agree_one_off_per_label_and_agreement_is_mean_iou():
    car = np.zeros((H, W), dtype=bool)
    car[4:12, 4:16] = True
    sky = np.zeros((H, W), dtype=bool)
    sky[:3, :] = True
    off = np.zeros((H, W), dtype=bool)
    off[14:20, 20:30] = True
    result = run("segmentation", {"a": answer(car=car, sky=sky), "b": answer(car=car, sky=sky), "c": answer(car=off)})
    masks = {m["label"]: decode(m["counts"]) for m in result.answer["masks"]}
    assert sorted(masks) == ["car", "sky"]
    assert np.array_equal(masks["car"], car) and np.array_equal(masks["sky"], sky)
    assert result.agreement == pytest.approx(2 / 3)  # a and b: IoU 1 on both labels; c: 0 on car and sky


def test_a_workers_instances_of_one_label_are_unioned():
    left = np.zeros((H, W), dtype=bool)
    left[:, :8] = True
    right = np.zeros((H, W), dtype=bool)
    right[:, 24:] = True
    two_instances = {
        "imageWidth": W,
        "imageHeight": H,
        "masks": [{"label": "x", "counts": encode(left)}, {"label": "x", "counts": encode(right)}],
    }
    result = run("segmentation", {"a": two_instances, "b": answer(x=left | right)})
    assert [m["label"] for m in result.answer["masks"]] == ["x"]
    assert np.array_equal(decode(result.answer["masks"][0]["counts"]), left | right)
    assert result.agreement == 1.0


def test_iou_on_runs():
    a = np.zeros((H, W), dtype=bool)
    a[:, :10] = True
    b = np.zeros((H, W), dtype=bool)
    b[:, 5:15] = True
    assert segmentation.iou(encode(a), encode(b)) == pytest.approx(5 / 15)
