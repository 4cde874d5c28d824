"""The downstream classifiers every method's training set is judged by."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import has_fit_parameter

from ..layout import guess_layout, to_chw

CLASSIFIERS = ("logreg", "svc", "knn", "rf", "mlp", "hgb", "cnn")


class SmallCNN(BaseEstimator, ClassifierMixin):
    """A two-conv-layer CNN trained for a fixed number of steps.

    A fixed step budget (not epochs) gives every method's training set the
    same number of updates, so a larger resampled set is not favoured by
    simply training longer.  ``sample_weight`` weights each row's
    cross-entropy; ``mixup > 0`` trains on mixup of each batch with a
    shuffled copy of itself (Zhang et al. 2018), the mixing weight drawn from
    ``Beta(mixup, mixup)``.
    """

    def __init__(
        self,
        steps: int = 600,
        batch_size: int = 64,
        lr: float = 1e-3,
        mixup: float = 0.0,
        random_state: int = 0,
    ) -> None:
        self.steps = steps
        self.batch_size = batch_size
        self.lr = lr
        self.mixup = mixup
        self.random_state = random_state

    def _prep(self, X: np.ndarray) -> torch.Tensor:
        arr = np.asarray(X, dtype=np.float32)
        arr = np.ascontiguousarray(to_chw(arr, guess_layout(arr.shape)))
        return (torch.from_numpy(arr) - self.lo_) / self.span_

    def fit(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> SmallCNN:
        X = np.asarray(X, dtype=np.float32)
        self.lo_, self.span_ = float(X.min()), float(max(X.max() - X.min(), 1e-6))
        self.classes_, codes = np.unique(y, return_inverse=True)
        x, t = self._prep(X), torch.as_tensor(codes.reshape(-1))
        c, h, w = x.shape[1:]
        weights = torch.ones(len(x))
        if sample_weight is not None:
            weights = torch.as_tensor(np.asarray(sample_weight, dtype=np.float32))
            weights = weights / weights.mean()
        g = torch.Generator().manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.random_state)
            self.model_ = torch.nn.Sequential(
                torch.nn.Conv2d(c, 32, 3, padding=1), torch.nn.ReLU(),
                torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(),
                torch.nn.AdaptiveAvgPool2d((max(1, h // 2), max(1, w // 2))),
                torch.nn.Flatten(),
                torch.nn.Linear(64 * max(1, h // 2) * max(1, w // 2), 128),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.3),
                torch.nn.Linear(128, len(self.classes_)),
            )  # fmt: skip
            opt = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
            self.model_.train()
            for _ in range(self.steps):
                i = torch.randint(len(x), (self.batch_size,), generator=g)
                loss = self._loss(x[i], t[i], weights[i], g, rng)
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.model_.eval()
        return self

    def _loss(self, xb, tb, wb, g, rng) -> torch.Tensor:
        ce = torch.nn.functional.cross_entropy
        if self.mixup <= 0:
            return (ce(self.model_(xb), tb, reduction="none") * wb).mean()
        lam = float(rng.beta(self.mixup, self.mixup))
        perm = torch.randperm(len(xb), generator=g)
        out = self.model_(lam * xb + (1 - lam) * xb[perm])
        wmix = lam * wb + (1 - lam) * wb[perm]
        per_row = lam * ce(out, tb, reduction="none") + (1 - lam) * ce(
            out, tb[perm], reduction="none"
        )
        return (per_row * wmix).mean()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.softmax(self.model_(self._prep(X)), 1).numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(1)]


def supports_sample_weight(clf: Any) -> bool:
    """Whether ``clf`` (or a pipeline's final step) takes ``sample_weight``."""
    final = clf.steps[-1][1] if isinstance(clf, Pipeline) else clf
    return has_fit_parameter(final, "sample_weight")


def fit_classifier(clf: Any, X, y, sample_weight: np.ndarray | None = None) -> Any:
    """``clf.fit(X, y)``, passing ``sample_weight`` to a pipeline's final step."""
    if sample_weight is None:
        return clf.fit(X, y)
    if isinstance(clf, Pipeline):
        return clf.fit(X, y, **{f"{clf.steps[-1][0]}__sample_weight": sample_weight})
    return clf.fit(X, y, sample_weight=sample_weight)


def make_classifier(
    name: str, seed: int, *, mixup: float = 0.0, cnn_steps: int = 600
) -> Any:
    """A fresh classifier; sklearn ones get standardised inputs.  ``mixup``
    (the Beta parameter) and ``cnn_steps`` apply to the CNN only."""
    if name == "logreg":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000))
    if name == "svc":
        return make_pipeline(StandardScaler(), SVC())
    if name == "knn":
        return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=3))
    if name == "rf":
        return RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=1)
    if name == "mlp":
        return make_pipeline(
            StandardScaler(),
            MLPClassifier(
                (128,), max_iter=500, early_stopping=False, random_state=seed
            ),
        )
    if name == "hgb":
        return HistGradientBoostingClassifier(random_state=seed)
    if name == "cnn":
        return SmallCNN(steps=cnn_steps, mixup=mixup, random_state=seed)
    raise ValueError(f"classifier must be one of {CLASSIFIERS}; got {name!r}.")
