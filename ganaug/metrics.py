"""Generator quality without downloaded weights.

* :func:`classification_accuracy_score` (CAS, Ravuri & Vinyals 2019): train a
  classifier on synthetic data only, test it on real data.
* :class:`FeatureSpace`: the hidden layer of an MLP classifier trained on the
  real training split; all distances below are measured in it, so they
  reflect what a classifier cares about, not raw pixels.
* :func:`frechet_distance` between two feature sets (the FID formula).
* :func:`prdc`: k-NN precision, recall, density and coverage (Kynkäänniemi
  et al. 2019; Naeem et al. 2020).
* :func:`distance_to_closest_record`: how close samples lie to their nearest
  training row, against the same distance for real held-out rows, so that
  copying the training data cannot pass for generation.
* :func:`quality_report`: all of these, overall and per class.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .labels import plain


def _flat(X: Any) -> np.ndarray:
    X = np.asarray(X.cpu() if hasattr(X, "cpu") else X, dtype=np.float64)
    return X.reshape(len(X), -1)


def classification_accuracy_score(
    X_syn: Any, y_syn: Any, X_test: Any, y_test: Any, *, classifier: Any = None
) -> float:
    """Balanced accuracy on real ``X_test`` of a classifier fitted on
    synthetic data only (default: standardised logistic regression)."""
    clf = classifier or make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=3000)
    )
    clf.fit(_flat(X_syn), np.asarray(y_syn))
    return float(
        balanced_accuracy_score(np.asarray(y_test), clf.predict(_flat(X_test)))
    )


class FeatureSpace:
    """Hidden activations of an MLP trained on real data (``transform``)."""

    def __init__(self, hidden: int = 128, random_state: int = 0) -> None:
        self.hidden = hidden
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> FeatureSpace:
        self.scaler_ = StandardScaler().fit(_flat(X))
        self.mlp_ = MLPClassifier(
            hidden_layer_sizes=(self.hidden,),
            max_iter=500,
            early_stopping=len(X) >= 100,
            random_state=self.random_state,
        ).fit(self.scaler_.transform(_flat(X)), np.asarray(y))
        return self

    def transform(self, X: Any) -> np.ndarray:
        h = (
            self.scaler_.transform(_flat(X)) @ self.mlp_.coefs_[0]
            + self.mlp_.intercepts_[0]
        )
        return np.maximum(h, 0.0)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """``|mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^{1/2})``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eps = 1e-6 * np.eye(len(mu_a))
    covmean = linalg.sqrtm((s_a + eps) @ (s_b + eps))
    covmean = np.real(covmean)
    value = ((mu_a - mu_b) ** 2).sum() + np.trace(s_a + s_b - 2.0 * covmean)
    return float(max(value, 0.0))


def _kth_radius(x: np.ndarray, k: int) -> np.ndarray:
    k_eff = min(k, len(x) - 1)
    if k_eff < 1:
        return np.zeros(len(x))
    dist, _ = NearestNeighbors(n_neighbors=k_eff + 1).fit(x).kneighbors(x)
    return dist[:, -1]


def prdc(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    """k-NN precision, recall, density and coverage of ``fake`` against ``real``.

    Precision: share of fake points inside some real point's k-NN ball.
    Recall: share of real points inside some fake point's k-NN ball.
    Density: mean number of real balls holding each fake point, over k.
    Coverage: share of real balls that hold at least one fake point.
    """
    real, fake = np.asarray(real, dtype=np.float64), np.asarray(fake, dtype=np.float64)
    r_real, r_fake = _kth_radius(real, k), _kth_radius(fake, k)
    d = _pairwise(real, fake)  # (n_real, n_fake)
    inside_real = d <= r_real[:, None]
    return {
        "precision": float(inside_real.any(axis=0).mean()),
        "recall": float((d <= r_fake[None, :]).any(axis=1).mean()),
        "density": float(inside_real.sum(axis=0).mean() / k),
        "coverage": float((d.min(axis=1) <= r_real).mean()),
    }


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


_COPY = 1e-6  # standardised distance below which a row copies a training row


def distance_to_closest_record(
    X_syn: Any, X_train: Any, X_test: Any
) -> dict[str, float]:
    """Median distance of synthetic and of real test rows to their nearest
    training row (standardised input space), and the ratio of the two.

    A ratio near 1 means samples are as novel as fresh real data; near 0
    means they copy training rows; ``exact_copies`` counts samples within
    1e-6 of a training row.  Where rows come from a small finite domain
    (tables of codes and flags) fresh real rows repeat training rows too, so
    the shares of copies, ``copy_share_synthetic`` against
    ``copy_share_real_test``, are the comparison to read; the ratio is NaN
    when most real test rows repeat a training row.
    """
    scaler = StandardScaler().fit(_flat(X_train))
    train = scaler.transform(_flat(X_train))
    nn = NearestNeighbors(n_neighbors=1).fit(train)
    d_syn = nn.kneighbors(scaler.transform(_flat(X_syn)))[0][:, 0]
    d_test = nn.kneighbors(scaler.transform(_flat(X_test)))[0][:, 0]
    med_syn, med_test = float(np.median(d_syn)), float(np.median(d_test))
    return {
        "dcr_synthetic_median": med_syn,
        "dcr_real_test_median": med_test,
        "dcr_ratio": med_syn / med_test if med_test >= _COPY else float("nan"),
        "exact_copies": int((d_syn < _COPY).sum()),
        "copy_share_synthetic": float((d_syn < _COPY).mean()),
        "copy_share_real_test": float((d_test < _COPY).mean()),
    }


def quality_report(
    X_syn: Any,
    y_syn: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    k: int = 5,
    per_class: bool = True,
    random_state: int = 0,
) -> dict[str, Any]:
    """CAS, Fréchet distance (with the real-train vs real-test floor), PRDC
    and DCR for a synthetic set, overall and per class.

    The feature space is fitted on the real training split only; the
    synthetic set is compared with the real *test* split, and the floor is
    the same comparison for the real training split.
    """
    y_syn, y_train, y_test = map(np.asarray, (y_syn, y_train, y_test))
    space = FeatureSpace(random_state=random_state).fit(X_train, y_train)
    f_syn, f_train, f_test = (space.transform(x) for x in (X_syn, X_train, X_test))
    report: dict[str, Any] = {
        "cas": classification_accuracy_score(X_syn, y_syn, X_test, y_test),
        "fd": frechet_distance(f_syn, f_test),
        "fd_floor_train_vs_test": frechet_distance(f_train, f_test),
        **prdc(f_test, f_syn, k),
        **distance_to_closest_record(X_syn, X_train, X_test),
    }
    if per_class:
        report["per_class"] = {}
        for c in np.unique(y_test):
            s, t, r = y_syn == c, y_test == c, y_train == c
            if s.sum() < 2 or t.sum() < 2:
                continue
            report["per_class"][plain(c)] = {
                "fd": frechet_distance(f_syn[s], f_test[t]),
                "fd_floor_train_vs_test": frechet_distance(f_train[r], f_test[t]),
                **prdc(f_test[t], f_syn[s], k),
            }
    return report
