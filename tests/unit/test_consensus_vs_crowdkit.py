"""Our numpy majority vote and Dawid–Skene against crowd-kit 1.4.2 on the same simulated judgments.

crowd-kit cannot ship in the Lambda layer (pandas, pyarrow, scikit-learn, transformers), so it is the
reference the layer's code is checked against here.
"""

import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import DawidSkene, MajorityVote, OneCoinDawidSkene

from bytebridge.consensus import Judgment, consolidate, dawid_skene, majority_vote, one_coin_dawid_skene
from bytebridge.consensus.skills import vote_weight
from tests.unit.consensus_support import Overlap

TASKS, WORKERS, PER_TASK = 600, 40, 5


def simulate(n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth, per-worker accuracy ~ Beta(8, 2), and a tasks × workers label matrix (-1: not asked)."""
    rng = np.random.default_rng(seed)
    accuracy = rng.beta(8, 2, WORKERS)
    truth = rng.integers(0, n_classes, TASKS)
    labels = np.full((TASKS, WORKERS), -1)
    for task in range(TASKS):
        for worker in rng.choice(WORKERS, PER_TASK, replace=False):
            right = rng.random() < accuracy[worker]
            labels[task, worker] = truth[task] if right else (truth[task] + rng.integers(1, n_classes)) % n_classes
    return truth, accuracy, labels


def as_frame(labels: np.ndarray) -> pd.DataFrame:
    task, worker = np.nonzero(labels >= 0)
    return pd.DataFrame({"task": task, "worker": worker, "label": labels[task, worker]})


def crowdkit_arrays(model, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    return model.labels_.sort_index().to_numpy(), model.probas_.sort_index()[list(range(n_classes))].to_numpy()


@pytest.mark.parametrize("n_classes", [2, 4])
def test_majority_vote_matches_crowdkit(n_classes):
    _, _, labels = simulate(n_classes, seed=n_classes)
    ours = majority_vote(labels, n_classes)
    theirs = MajorityVote().fit(as_frame(labels))
    their_labels, their_probas = crowdkit_arrays(theirs, n_classes)
    np.testing.assert_allclose(ours.probas, their_probas)
    # Ties: we take the lowest class, crowd-kit the class that comes first in its columns (the most
    # frequent overall). Relabel the classes in crowd-kit's column order and every task agrees.
    order = list(theirs.probas_.columns)
    aligned = majority_vote(np.where(labels >= 0, np.array(order).argsort()[labels], -1), n_classes)
    assert (np.array(order)[aligned.labels] == their_labels).mean() >= 0.99
    untied = (ours.probas == ours.probas.max(axis=1, keepdims=True)).sum(axis=1) == 1
    assert np.array_equal(ours.labels[untied], their_labels[untied])
    # Skills are agreement with the result, so they are equal once the results are.
    np.testing.assert_allclose(aligned.skills, theirs.skills_.sort_index().to_numpy())


@pytest.mark.parametrize("n_classes", [2, 4])
def test_dawid_skene_matches_crowdkit(n_classes):
    truth, accuracy, labels = simulate(n_classes, seed=10 + n_classes)
    ours = dawid_skene(labels, n_classes)
    theirs = DawidSkene(n_iter=100, tol=1e-5).fit(as_frame(labels))
    their_labels, their_probas = crowdkit_arrays(theirs, n_classes)
    assert abs((ours.labels == truth).mean() - (their_labels == truth).mean()) <= 0.01
    assert (ours.labels == their_labels).mean() >= 0.99
    assert ours.iterations == len(theirs.loss_history_)
    np.testing.assert_allclose(ours.probas, their_probas, atol=1e-6)
    # The estimated skills track the simulated accuracies.
    assert np.corrcoef(ours.skills, accuracy)[0, 1] > 0.8


def test_dawid_skene_iterations_are_crowdkits():
    """With the stopping rule out of the way (negative tolerance), every EM step is the same as crowd-kit's."""
    _, _, labels = simulate(3, seed=21)
    ours = dawid_skene(labels, 3, n_iter=15, tol=-1.0)
    theirs = DawidSkene(n_iter=15, tol=-1.0).fit(as_frame(labels))
    assert ours.iterations == len(theirs.loss_history_) == 15
    np.testing.assert_allclose(ours.probas, crowdkit_arrays(theirs, 3)[1], atol=1e-8)
    their_errors = theirs.errors_.unstack(
        "label", fill_value=0.0
    ).sort_index()  # rows: worker; columns: (true, observed)
    for worker in range(WORKERS):
        for true in range(3):
            np.testing.assert_allclose(
                ours.errors[worker, :, true], their_errors.loc[worker, true].reindex(range(3)).to_numpy(), atol=1e-8
            )


def test_one_coin_dawid_skene_matches_crowdkit():
    truth, _, labels = simulate(4, seed=31)
    ours = one_coin_dawid_skene(labels, 4)
    theirs = OneCoinDawidSkene(n_iter=100, tol=1e-5).fit(as_frame(labels))
    their_labels, their_probas = crowdkit_arrays(theirs, 4)
    assert (ours.labels == their_labels).mean() >= 0.99
    assert abs((ours.labels == truth).mean() - (their_labels == truth).mean()) <= 0.01
    np.testing.assert_allclose(ours.probas, their_probas, atol=1e-6)
    np.testing.assert_allclose(ours.skills, theirs.skills_.sort_index().to_numpy(), atol=1e-6)


def test_consolidate_weighted_vote_matches_crowdkit_weighted_majority_vote():
    """The per-task consensus step, fed skills, picks what crowd-kit's weighted MajorityVote picks."""
    truth, accuracy, labels = simulate(4, seed=41)
    skills = {f"w{w:02}": float(a) for w, a in enumerate(accuracy)}
    names = np.array([f"c{c}" for c in range(4)])
    frame = as_frame(labels).assign(worker=lambda d: d.worker.map("w{:02}".format), label=lambda d: names[d.label])
    weights = pd.Series({w: vote_weight(s) for w, s in skills.items()})
    theirs = MajorityVote().fit(frame, weights).labels_.sort_index()
    ours = []
    for _, rows in frame.groupby("task"):
        judgments = [Judgment(w, {"choice": c}) for w, c in zip(rows.worker, rows.label, strict=True)]
        ours.append(consolidate("single_choice", judgments, Overlap(), skills).answer["choice"])
    assert (np.array(ours) == theirs.to_numpy()).mean() >= 0.99
    # Weighting by skill helps: better than the plain vote on the same judgments.
    plain = majority_vote(labels, 4).labels
    assert (np.array(ours) == names[truth]).mean() >= (names[plain] == names[truth]).mean()
