"""Best-of-k quality filter: a classifier trained on the real data picks,
for every requested sample, the candidate most confidently of its class.

The generator is still what makes a sample of class ``c`` (it is asked for
``k`` candidates *of class c*); the filter only chooses among them, so every
call returns exactly the requested number of samples and labels.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


class ConfidenceFilter:
    """Standardised logistic regression on real data (model space).

    Only arrays are kept (``state``), so the filter saves with the model and
    loads without pickle.
    """

    def fit(self, x: np.ndarray, codes: np.ndarray) -> ConfidenceFilter:
        x = x.reshape(len(x), -1)
        present = np.unique(codes)
        if len(present) < 2:
            self.state = {"classes": present.astype(np.int64)}
            return self
        scaler = StandardScaler().fit(x)
        clf = LogisticRegression(max_iter=2000).fit(scaler.transform(x), codes)
        self.state = {
            "classes": clf.classes_.astype(np.int64),
            "mean": scaler.mean_.astype(np.float32),
            "scale": scaler.scale_.astype(np.float32),
            "coef": clf.coef_.astype(np.float32),
            "intercept": clf.intercept_.astype(np.float32),
        }
        return self

    @classmethod
    def from_state(cls, state: dict) -> ConfidenceFilter:
        f = cls()
        f.state = {k: np.asarray(v) for k, v in state.items()}
        return f

    def proba(self, x: np.ndarray) -> np.ndarray:
        s = self.state
        z = ((x.reshape(len(x), -1) - s["mean"]) / s["scale"]) @ s["coef"].T + s[
            "intercept"
        ]
        if z.shape[1] == 1:  # binary: sklearn keeps one column for classes_[1]
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p1, p1], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def confidence(self, x: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Probability the classifier gives each row's intended class."""
        classes = self.state["classes"]
        if len(classes) < 2:
            return np.ones(len(x))
        col = {int(c): i for i, c in enumerate(classes)}
        cols = np.array([col.get(int(c), -1) for c in codes])
        p = self.proba(x)
        return np.where(cols >= 0, p[np.arange(len(x)), np.maximum(cols, 0)], 0.0)

    def best_of(self, candidates: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
        """``candidates`` holds k rows per requested row (row i's candidates
        at ``i*k .. i*k+k-1``); return the most confident one of each group."""
        conf = self.confidence(candidates, np.repeat(codes, k)).reshape(len(codes), k)
        pick = conf.argmax(axis=1) + np.arange(len(codes)) * k
        return candidates[pick]
