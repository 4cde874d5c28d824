"""Best-of-k quality filter: a classifier trained on the real data picks,
for every requested sample, the candidate most confidently of its class.

The generator is still what makes a sample of class ``c`` (it is asked for
``k`` candidates *of class c*); the filter only chooses among them, so every
call returns exactly the requested number of samples and labels.

:func:`candidates_per_row` holds the rule of ``filter_k="auto"``: fidelity
(best of :data:`AUTO_K`) for a class asked for at most as many samples as it
has training rows, spread (no filter) for a class blown up beyond that.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

# Candidates per sample of ``filter_k="auto"`` where it filters.
AUTO_K = 4
# The filter's logistic regression sees at most this many rows per class (a
# seeded draw above it), so that fitting it stays cheap on large data.
MAX_ROWS_PER_CLASS = 5000


def max_candidates(filter_k: int | str) -> int:
    """The most candidates a sample may need under ``filter_k``."""
    return AUTO_K if filter_k == "auto" else int(filter_k)


def candidates_per_row(
    codes: np.ndarray, filter_k: int | str, class_counts: np.ndarray
) -> np.ndarray:
    """Candidates to draw for each requested row (``codes``: class indices).

    An int ``filter_k`` applies to every row.  ``"auto"``: :data:`AUTO_K`
    for the rows of a class asked for at most ``class_counts[c]`` samples in
    this call (extra rows for a class that is already well represented: keep
    them typical), 1 for a class asked for more (a rare class blown up needs
    the generator's full spread; the filter would cost it, see
    ``benchmarks/results/balanced/``).
    """
    codes = np.asarray(codes, dtype=np.int64)
    if filter_k != "auto":
        return np.full(len(codes), int(filter_k), dtype=np.int64)
    asked = np.bincount(codes, minlength=len(class_counts))
    fidelity = asked <= np.asarray(class_counts)
    return np.where(fidelity[codes], AUTO_K, 1).astype(np.int64)


class ConfidenceFilter:
    """Standardised logistic regression on real data (model space).

    Only arrays are kept (``state``), so the filter saves with the model and
    loads without pickle.
    """

    def fit(self, x: np.ndarray, codes: np.ndarray, seed: int = 0) -> ConfidenceFilter:
        """Fit on model-space rows ``x`` of classes ``codes`` (at most
        :data:`MAX_ROWS_PER_CLASS` of each class, drawn with ``seed``)."""
        x = x.reshape(len(x), -1)
        keep = _bounded_rows(codes, MAX_ROWS_PER_CLASS, seed)
        if keep is not None:
            x, codes = x[keep], codes[keep]
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

    def best_of(
        self, candidates: np.ndarray, codes: np.ndarray, k: int | np.ndarray
    ) -> np.ndarray:
        """``candidates`` holds ``k[i]`` rows for requested row ``i``, one
        group after another (an int ``k``: the same for every row); return
        the most confident row of each group (the first on a tie)."""
        ks = np.broadcast_to(np.asarray(k, dtype=np.int64), codes.shape)
        if len(ks) == 0:
            return candidates[:0]
        conf = self.confidence(candidates, np.repeat(codes, ks))
        start = np.concatenate([[0], np.cumsum(ks)[:-1]]).astype(np.int64)
        offset = np.arange(int(ks.max()))
        idx = start[:, None] + offset[None, :]
        valid = offset[None, :] < ks[:, None]
        grid = np.where(valid, conf[np.where(valid, idx, 0)], -np.inf)
        return candidates[start + grid.argmax(axis=1)]


def _bounded_rows(codes: np.ndarray, cap: int, seed: int) -> np.ndarray | None:
    """Sorted row indices keeping at most ``cap`` rows of each class, or
    ``None`` when no class has more."""
    counts = np.bincount(codes)
    if counts.max(initial=0) <= cap:
        return None
    rng = np.random.default_rng(seed)
    keep = [
        rows if len(rows) <= cap else rng.choice(rows, size=cap, replace=False)
        for rows in (np.flatnonzero(codes == c) for c in np.flatnonzero(counts))
    ]
    return np.sort(np.concatenate(keep))
