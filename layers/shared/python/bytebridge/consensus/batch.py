"""Batch aggregation of categorical labels (bench, re-scoring a finished project): numpy ports of crowd-kit's
MajorityVote, DawidSkene and OneCoinDawidSkene, checked against crowd-kit in tests/unit/test_consensus_vs_crowdkit.py.

Input is a tasks × workers matrix of class indices with -1 where a worker did not label a task.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_EPS = 1e-10  # crowd-kit's floor for probabilities before taking logs


@dataclass(frozen=True)
class BatchResult:
    labels: np.ndarray  # (tasks,) most probable class; -1 for a task nobody labelled
    probas: np.ndarray  # (tasks, classes) posterior (vote shares for majority vote); zeros for unlabelled tasks
    skills: np.ndarray  # (workers,) estimated accuracy; nan for a worker with no labels
    errors: np.ndarray | None = None  # (workers, observed class, true class) confusion matrices (Dawid–Skene)
    iterations: int = 0


@dataclass(frozen=True)
class _Observations:
    task: np.ndarray
    worker: np.ndarray
    label: np.ndarray
    n_tasks: int
    n_workers: int
    n_classes: int

    @classmethod
    def of(cls, labels: np.ndarray, n_classes: int) -> "_Observations":
        labels = np.asarray(labels)
        if labels.ndim != 2 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError("labels must be an integer tasks × workers matrix")
        if n_classes < 2:
            raise ValueError("there must be at least two classes")
        if labels.size and (labels.min() < -1 or labels.max() >= n_classes):
            raise ValueError(f"labels must be -1 (missing) or a class index below {n_classes}")
        task, worker = np.nonzero(labels >= 0)
        n_tasks, n_workers = labels.shape
        return cls(task, worker, labels[task, worker], n_tasks, n_workers, n_classes)

    @property
    def labelled(self) -> np.ndarray:
        return np.bincount(self.task, minlength=self.n_tasks) > 0

    def per_task(self, values: np.ndarray) -> np.ndarray:
        """(tasks, classes) sums of per-observation (observations, classes) values."""
        sums = np.zeros((self.n_tasks, self.n_classes))
        for c in range(self.n_classes):
            sums[:, c] = np.bincount(self.task, weights=values[:, c], minlength=self.n_tasks)
        return sums

    def per_worker_mean(self, values: np.ndarray) -> np.ndarray:
        counts = np.bincount(self.worker, minlength=self.n_workers)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(self.worker, weights=values, minlength=self.n_workers) / counts


def _most_probable(probas: np.ndarray, labelled: np.ndarray) -> np.ndarray:
    # argmax takes the lowest class of equal scores, as crowd-kit's idxmax over sorted label columns.
    return np.where(labelled, probas.argmax(axis=1), -1)


def majority_vote(labels: np.ndarray, n_classes: int, weights: np.ndarray | None = None) -> BatchResult:
    """(Weighted) majority vote; skills are each worker's agreement with the result, as crowd-kit reports."""
    obs = _Observations.of(labels, n_classes)
    weight = np.ones(obs.n_workers) if weights is None else np.asarray(weights, dtype=float)
    votes = obs.per_task(np.eye(n_classes)[obs.label] * weight[obs.worker, None])
    labelled = obs.labelled
    total = votes.sum(axis=1, keepdims=True)
    probas = np.divide(votes, total, out=np.zeros_like(votes), where=total > 0)
    result = _most_probable(probas, labelled)
    skills = obs.per_worker_mean((obs.label == result[obs.task]).astype(float))
    return BatchResult(labels=result, probas=probas, skills=skills)


def _e_step(obs: _Observations, priors: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """Posterior over true classes, in log space (products of many probabilities underflow)."""
    log_likelihood = np.log(np.clip(priors, _EPS, None)) + obs.per_task(np.log(errors[obs.worker, obs.label]))
    scaled = np.exp(log_likelihood - log_likelihood.max(axis=1, keepdims=True))
    return scaled / scaled.sum(axis=1, keepdims=True)


def _confusion_counts(obs: _Observations, probas: np.ndarray) -> np.ndarray:
    """(workers, observed, true) expected counts of each worker giving `observed` when the truth is `true`."""
    cells = obs.worker * obs.n_classes + obs.label
    counts = [
        np.bincount(cells, weights=probas[obs.task, c], minlength=obs.n_workers * obs.n_classes)
        for c in range(obs.n_classes)
    ]
    return np.stack(counts, axis=-1).reshape(obs.n_workers, obs.n_classes, obs.n_classes)


def _full_m_step(obs: _Observations, probas: np.ndarray) -> np.ndarray:
    errors = np.clip(_confusion_counts(obs, probas), _EPS, None)
    return errors / errors.sum(axis=1, keepdims=True)


def _one_coin_skills(obs: _Observations, probas: np.ndarray) -> np.ndarray:
    """Each worker's expected accuracy: the mean posterior of the labels they gave."""
    return obs.per_worker_mean(probas[obs.task, obs.label])


def _one_coin_m_step(obs: _Observations, probas: np.ndarray) -> np.ndarray:
    skill = np.nan_to_num(_one_coin_skills(obs, probas), nan=1.0 / obs.n_classes)[:, None, None]
    same = np.eye(obs.n_classes, dtype=bool)[None]
    errors = np.where(same, skill, (1 - skill) / (obs.n_classes - 1))
    return np.clip(errors, _EPS, 1 - _EPS)


def _stopping_bound(obs: _Observations, probas: np.ndarray, priors: np.ndarray, errors: np.ndarray) -> float:
    """crowd-kit's convergence quantity, per label: expected log-likelihood plus posterior entropy.

    Like crowd-kit it adds the log prior once per label rather than once per task (not quite the evidence
    lower bound); it only decides when EM stops, and sharing it makes both stop at the same iteration.
    """
    log_terms = np.log(errors[obs.worker, obs.label]) + np.log(np.clip(priors, _EPS, None))
    joint = (probas[obs.task] * log_terms).sum()
    active = probas[obs.labelled]
    entropy = -(active * np.log(np.clip(active, _EPS, None))).sum()
    return float(joint + entropy) / len(obs.task)


def _expectation_maximisation(
    labels: np.ndarray,
    n_classes: int,
    m_step: Callable[[_Observations, np.ndarray], np.ndarray],
    n_iter: int,
    tol: float,
) -> tuple[_Observations, np.ndarray, np.ndarray, np.ndarray, int]:
    obs = _Observations.of(labels, n_classes)
    labelled = obs.labelled
    # Start from the majority-vote shares, as crowd-kit does.
    probas = majority_vote(labels, n_classes).probas
    priors = probas[labelled].mean(axis=0)
    errors = m_step(obs, probas)
    loss, iterations = -np.inf, 0
    while iterations < n_iter:
        iterations += 1
        probas = np.where(labelled[:, None], _e_step(obs, priors, errors), 0.0)
        priors = probas[labelled].mean(axis=0)
        errors = m_step(obs, probas)
        new_loss = _stopping_bound(obs, probas, priors, errors)
        if new_loss - loss < tol:
            break
        loss = new_loss
    return obs, probas, priors, errors, iterations


def dawid_skene(labels: np.ndarray, n_classes: int, n_iter: int = 100, tol: float = 1e-5) -> BatchResult:
    """Dawid–Skene: one full confusion matrix per worker, fitted by EM from the majority vote.

    Stops after `n_iter` iterations or when the bound per label improves by less than `tol`.
    Skills are each worker's accuracy under the fitted class priors: sum over c of prior[c] * errors[w, c, c].
    """
    if not (np.asarray(labels) >= 0).any():
        return majority_vote(labels, n_classes)
    obs, probas, priors, errors, iterations = _expectation_maximisation(labels, n_classes, _full_m_step, n_iter, tol)
    skills = np.einsum("wcc,c->w", errors, priors)
    skills[np.bincount(obs.worker, minlength=obs.n_workers) == 0] = np.nan
    return BatchResult(
        labels=_most_probable(probas, obs.labelled), probas=probas, skills=skills, errors=errors, iterations=iterations
    )


def one_coin_dawid_skene(labels: np.ndarray, n_classes: int, n_iter: int = 100, tol: float = 1e-5) -> BatchResult:
    """One-coin Dawid–Skene: one accuracy per worker, errors spread evenly over the other classes."""
    if not (np.asarray(labels) >= 0).any():
        return majority_vote(labels, n_classes)
    obs, probas, _, errors, iterations = _expectation_maximisation(labels, n_classes, _one_coin_m_step, n_iter, tol)
    return BatchResult(
        labels=_most_probable(probas, obs.labelled),
        probas=probas,
        skills=_one_coin_skills(obs, probas),
        errors=errors,
        iterations=iterations,
    )
