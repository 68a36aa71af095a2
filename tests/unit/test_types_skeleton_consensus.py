"""Consolidation of keypoint skeletons: instances matched across annotators by OKS, then per keypoint a
visibility vote and a robust position; gold matching and the OKS scores against truth."""

import math

import numpy as np
import pytest

from bytebridge.annotations import TaskType, parse_answer
from bytebridge.annotations.skeleton import COCO_PERSON, Skeleton, SkeletonAnswer
from bytebridge.consensus import matches_gold
from bytebridge.consensus import skeleton as skeleton_consensus
from bytebridge.consensus.objects import Frame
from bytebridge.consensus.skeleton import area, mean_oks, oks
from local import sim_skeleton
from tests.unit.consensus_support import run

SIZE = {"imageWidth": 400, "imageHeight": 300}
LINE = {"name": "", "keypoints": ["a", "b", "c"], "edges": [[1, 2], [2, 3]], "sigmas": [0.05, 0.05, 0.05]}
BOX = [100, 100, 100, 100]  # area 10 000: s = 100 px


def inst(*keypoints, label="thing", bbox=BOX) -> dict:
    return {"label": label, "keypoints": [[float(k[0]), float(k[1]), k[2]] for k in keypoints], "bbox": bbox}


def ans(*instances, skeleton=LINE) -> dict:
    return {**SIZE, "skeleton": skeleton, "instances": list(instances)}


def parsed(payload: dict) -> SkeletonAnswer:
    return parse_answer(TaskType.SKELETON, payload)


STRAIGHT = inst((110, 150, 2), (150, 150, 2), (190, 150, 2))


def test_identical_answers_consolidate_to_themselves_with_full_agreement():
    result = run("keypoint_skeleton", {"w1": ans(STRAIGHT), "w2": ans(STRAIGHT), "w3": ans(STRAIGHT)})

    assert result.answer == ans(STRAIGHT)
    assert result.agreement == pytest.approx(1.0)
    assert result.done


def test_each_keypoint_is_the_median_of_the_placements_so_one_far_placement_does_not_drag_it():
    answers = {
        "w1": ans(inst((110, 150, 2), (150, 150, 2), (190, 150, 2))),
        "w2": ans(inst((112, 150, 2), (150, 152, 2), (190, 150, 2))),
        "w3": ans(inst((111, 150, 2), (150, 151, 2), (175, 160, 2))),  # the wrist well off
    }

    (merged,) = run("keypoint_skeleton", answers).answer["instances"]

    assert merged["keypoints"][0] == pytest.approx([111, 150, 2], abs=0.01)
    assert merged["keypoints"][1] == pytest.approx([150, 151, 2], abs=0.01)
    assert merged["keypoints"][2][0] > 188  # a mean would say 185
    assert merged["bbox"] == BOX


PERSON = [(200 + 200 * dx, 40 + 200 * dy, 2) for dx, dy in sim_skeleton.STANDING]
SWAPPED = [PERSON[m] for m in sim_skeleton.MIRROR]  # left and right swapped


def person(points, box=(160, 40, 80, 200)) -> dict:
    return ans(inst(*points, label="person", bbox=list(box)), skeleton=COCO_PERSON.model_dump(mode="json"))


def test_the_sides_of_a_skeleton_pair_up_by_name():
    assert COCO_PERSON.mirrored() == list(sim_skeleton.MIRROR)
    named = {"keypoints": ["Left eye", "nose", "Right eye", "left_hand", "right_hand", "leftover"]}
    assert Skeleton.model_validate(named).mirrored() == [2, 1, 0, 4, 3, 5]
    assert Skeleton.model_validate(LINE).mirrored() is None


def test_a_left_right_swap_by_one_of_three_is_turned_back_and_counts_as_a_disagreement():
    result = run("keypoint_skeleton", {"w1": person(PERSON), "w2": person(SWAPPED), "w3": person(PERSON)})

    (merged,) = result.answer["instances"]
    assert np.allclose([k[:2] for k in merged["keypoints"]], [k[:2] for k in PERSON], atol=0.01)
    assert result.agreement == pytest.approx(2 / 3)  # as drawn, only the nose agrees: the swapped one does not pair


def test_a_person_one_missed_and_one_mirrored_is_still_placed_on_the_side_most_weight_chose():
    moved = [(x + 3, y - 2, v) for x, y, v in PERSON]
    answers = {"w1": person(SWAPPED), "w2": person(moved), "w3": ans(skeleton=COCO_PERSON.model_dump(mode="json"))}

    # The swapper is trusted and outweighs the other: its side stands. A third placement on the usual side tips it.
    (trusted,) = run("keypoint_skeleton", answers, skills={"w1": 0.9}).answer["instances"]
    answers["w4"] = person(PERSON)
    (merged,) = run("keypoint_skeleton", answers, skills={"w1": 0.9}).answer["instances"]

    assert np.allclose([k[:2] for k in trusted["keypoints"]], [k[:2] for k in SWAPPED], atol=5)
    assert np.allclose([k[:2] for k in merged["keypoints"]], [k[:2] for k in PERSON], atol=5)


def test_whether_a_keypoint_is_labeled_and_whether_it_is_visible_are_weighted_votes():
    answers = {
        "w1": ans(inst((110, 150, 2), (150, 150, 1), (190, 150, 2))),
        "w2": ans(inst((110, 150, 2), (150, 150, 1), (0, 0, 0))),
        "w3": ans(inst((110, 150, 1), (150, 150, 2), (0, 0, 0))),
    }

    (merged,) = run("keypoint_skeleton", answers).answer["instances"]

    assert [k[2] for k in merged["keypoints"]] == [2, 1, 0]
    assert merged["keypoints"][2] == [0, 0, 0]
    # A trusted annotator outweighs two unknown ones.
    trusted = run("keypoint_skeleton", answers, skills={"w3": 0.99, "w1": 0.55, "w2": 0.55}).answer
    assert [k[2] for k in trusted["instances"][0]["keypoints"]] == [1, 2, 0]


def test_an_instance_only_a_minority_placed_is_dropped_and_people_far_apart_stay_apart():
    other = inst((310, 50, 2), (340, 50, 2), (370, 50, 2), bbox=[300, 40, 80, 30])
    answers = {"w1": ans(STRAIGHT, other), "w2": ans(STRAIGHT), "w3": ans(other, STRAIGHT)}

    result = run("keypoint_skeleton", answers)

    assert result.answer["instances"] == [STRAIGHT, other]
    ghost = {"w1": ans(STRAIGHT, other), "w2": ans(STRAIGHT), "w3": ans(STRAIGHT)}
    assert run("keypoint_skeleton", ghost).answer["instances"] == [STRAIGHT]


def test_instances_of_different_labels_never_merge():
    answers = {
        "w1": ans(STRAIGHT),
        "w2": ans(inst(*[k for k in ((110, 150, 2), (150, 150, 2), (190, 150, 2))], label="other")),
    }

    result = run("keypoint_skeleton", answers, min_overlap=2, max_overlap=2)

    assert result.answer["instances"] == []  # neither has a majority of the two
    assert result.agreement == 0.0


def test_the_box_is_kept_only_when_most_drew_one():
    unboxed = inst((110, 150, 2), (150, 150, 2), (190, 150, 2), bbox=None)

    result = run("keypoint_skeleton", {"w1": ans(unboxed), "w2": ans(unboxed), "w3": ans(STRAIGHT)})

    assert result.answer["instances"][0]["bbox"] is None


def test_answers_against_different_skeletons_or_image_sizes_cannot_be_combined():
    other = {**LINE, "keypoints": ["x", "y", "z"]}
    with pytest.raises(ValueError, match="skeleton"):
        run("keypoint_skeleton", {"w1": ans(STRAIGHT), "w2": ans(STRAIGHT, skeleton=other)})
    with pytest.raises(ValueError, match="image size"):
        run("keypoint_skeleton", {"w1": ans(STRAIGHT), "w2": {**ans(STRAIGHT), "imageWidth": 401}})


def test_nothing_placed_by_anyone_is_a_full_agreement_on_nothing():
    result = run("keypoint_skeleton", {"w1": ans(), "w2": ans(), "w3": ans()})

    assert result.answer == ans() and result.agreement == 1.0


# ---- OKS and gold ------------------------------------------------------------------------------------------


def test_oks_is_cocos_formula_over_the_keypoints_the_truth_labels():
    truth = parsed(ans(inst((110, 150, 2), (150, 150, 2), (0, 0, 0))))
    off = parsed(ans(inst((110, 160, 2), (150, 150, 2), (190, 150, 2))))  # 10 px off; c is not in the truth

    value = oks(off.instances[0], truth.instances[0], Frame(400, 300), LINE["sigmas"])

    # exp(-d² / (2 s² (2σ)²)) with d = 10, s² = 10 000, σ = 0.05, averaged with the exact keypoint b
    assert value == pytest.approx((math.exp(-100 / (2 * 10_000 * 0.01)) + 1) / 2)


def test_gold_matches_when_every_instance_pairs_at_oks_half_or_more():
    gold = ans(STRAIGHT)
    near = ans(inst((112, 152, 2), (150, 148, 2), (191, 150, 2)))
    far = ans(inst((130, 170, 2), (170, 130, 2), (160, 170, 2)))

    assert matches_gold("keypoint_skeleton", near, gold)
    assert not matches_gold("keypoint_skeleton", far, gold)
    assert not matches_gold("keypoint_skeleton", ans(STRAIGHT, STRAIGHT), gold)
    assert not matches_gold("keypoint_skeleton", ans(), gold)


def test_mean_oks_pairs_instances_one_to_one_and_counts_a_missed_one_as_zero():
    other = inst((310, 50, 2), (340, 50, 2), (370, 50, 2), bbox=[300, 40, 80, 30])
    truth = parsed(ans(STRAIGHT, other))

    assert mean_oks(parsed(ans(other, STRAIGHT)), truth) == pytest.approx(1.0)
    assert mean_oks(parsed(ans(STRAIGHT)), truth) == pytest.approx(0.5)
    assert mean_oks(parsed(ans(STRAIGHT, STRAIGHT)), truth) == pytest.approx(0.5)  # one of them cannot pair
    assert mean_oks(parsed(ans()), parsed(ans())) == 1.0


def test_consolidating_three_simulated_annotators_beats_one_against_the_truth():
    dataset = sim_skeleton.make_dataset(40, seed=3)
    pool = sim_skeleton.annotator_pool(3, 0.8, seed=5)
    single, consolidated = [], []
    for truth in dataset.values():
        answers = {a.name: {**a.place(truth), "skeleton": COCO_PERSON.model_dump(mode="json")} for a in pool}
        result = run("keypoint_skeleton", answers, min_overlap=3, max_overlap=3)
        reference = parsed(truth.answer())
        single.append(mean_oks(parsed(answers[pool[0].name]), reference))
        consolidated.append(mean_oks(parsed(result.answer), reference))

    assert np.mean(consolidated) > np.mean(single) + 0.1


def test_the_oks_scale_is_the_box_else_the_keypoints_span_at_least_five_percent_of_the_diagonal():
    frame = Frame(400, 300)  # diagonal 500: the floor is 25² = 625
    boxed = parsed(ans(STRAIGHT)).instances[0]
    spread = parsed(ans(inst((100, 100, 2), (150, 140, 1), (0, 0, 0), bbox=None))).instances[0]
    lone = parsed(ans(inst((100, 100, 2), (0, 0, 0), (0, 0, 0), bbox=None))).instances[0]

    assert [area(i, frame) for i in (boxed, spread, lone)] == [10_000, 50 * 40, 625]


def test_a_merge_whose_members_labeled_no_keypoint_in_common_keeps_the_best_supported_ones():
    # Clustering never groups such members (they share no keypoint: similarity 0); the merge still gives a valid
    # instance, as every consolidated answer must be one.
    members = parsed(
        ans(
            inst((110, 150, 2), (0, 0, 0), (0, 0, 0)),
            inst((0, 0, 0), (150, 151, 1), (0, 0, 0)),
            inst((0, 0, 0), (0, 0, 0), (190, 150, 2)),
        )
    ).instances

    merged = skeleton_consensus._merge(members, np.array([1.0, 2.0, 2.0]), Frame(400, 300))

    assert merged["keypoints"] == [[0, 0, 0], [150, 151, 1], [190, 150, 2]]
