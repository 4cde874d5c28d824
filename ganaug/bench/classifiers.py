"""The downstream classifiers every method's training set is judged by."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

CLASSIFIERS = ("logreg", "svc", "knn", "rf", "mlp", "cnn")


class SmallCNN(BaseEstimator, ClassifierMixin):
    """A two-conv-layer CNN trained for a fixed number of steps.

    A fixed step budget (not epochs) gives every method's training set the
    same number of updates, so a larger resampled set is not favoured by
    simply training longer.
    """

    def __init__(
        self,
        steps: int = 600,
        batch_size: int = 64,
        lr: float = 1e-3,
        random_state: int = 0,
    ) -> None:
        self.steps = steps
        self.batch_size = batch_size
        self.lr = lr
        self.random_state = random_state

    def _prep(self, X: np.ndarray) -> torch.Tensor:
        x = torch.as_tensor(np.asarray(X, dtype=np.float32))
        if x.dim() == 3:
            x = x[:, None]
        elif x.dim() == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
            x = x.permute(0, 3, 1, 2)
        return (x - self.lo_) / self.span_

    def fit(self, X: np.ndarray, y: np.ndarray) -> SmallCNN:
        X = np.asarray(X, dtype=np.float32)
        self.lo_, self.span_ = float(X.min()), float(max(X.max() - X.min(), 1e-6))
        self.classes_, codes = np.unique(y, return_inverse=True)
        x, t = self._prep(X), torch.as_tensor(codes.reshape(-1))
        c, h, w = x.shape[1:]
        g = torch.Generator().manual_seed(self.random_state)
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
                loss = torch.nn.functional.cross_entropy(self.model_(x[i]), t[i])
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.model_.eval()
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.classes_[self.model_(self._prep(X)).argmax(1).numpy()]


def make_classifier(name: str, seed: int) -> Any:
    """A fresh classifier; sklearn ones get standardised inputs."""
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
    if name == "cnn":
        return SmallCNN(random_state=seed)
    raise ValueError(f"classifier must be one of {CLASSIFIERS}; got {name!r}.")
