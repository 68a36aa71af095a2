"""Batch aggregation edge cases: unlabelled tasks and idle workers, bad input."""

import numpy as np
import pytest

from bytebridge.consensus import dawid_skene, majority_vote, one_coin_dawid_skene

LABELS = np.array(
    [
        [0, 0, 1, -1],
        [1, 1, 1, -1],
        [-1, -1, -1, -1],  # nobody labelled this task
        [2, 0, 2, -1],  # the last worker labelled nothing
    ]
)


@pytest.mark.parametrize("aggregate", [majority_vote, dawid_skene, one_coin_dawid_skene])
def test_unlabelled_tasks_and_idle_workers(aggregate):
    result = aggregate(LABELS, 3)
    assert result.labels.tolist() == [0, 1, -1, 2]
    assert result.probas[2].tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(result.probas[[0, 1, 3]].sum(axis=1), 1.0)
    assert np.isnan(result.skills[3]) and not np.isnan(result.skills[:3]).any()


def test_weighted_majority_vote():
    assert majority_vote(np.array([[0, 1, 1]]), 2).labels.tolist() == [1]
    assert majority_vote(np.array([[0, 1, 1]]), 2, weights=np.array([3.0, 1.0, 1.0])).labels.tolist() == [0]


def test_nothing_labelled_at_all():
    assert dawid_skene(np.full((2, 3), -1), 2).labels.tolist() == [-1, -1]


@pytest.mark.parametrize(
    ("labels", "n_classes"),
    [
        (np.array([0, 1]), 2),
        (np.array([[0.0, 1.0]]), 2),
        (np.array([[0, 2]]), 2),
        (np.array([[0, -2]]), 2),
        (np.array([[0]]), 1),
    ],
)
def test_bad_input_is_rejected(labels, n_classes):
    with pytest.raises(ValueError):
        dawid_skene(labels, n_classes)
