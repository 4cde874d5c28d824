"""Resampling methods, all given the same per-class target counts.

Every method sees the same training split and the same ``target``
(``{class: rows after resampling}``):

* ``real``: the training rows as they are (the baseline, not resampled).
* ``class-weights``: no new rows; the classifier gets ``sample_weight`` with
  class ``c``'s rows weighted ``target[c] / n_c``, so each class's total
  weight equals its target count (``class_weight="balanced"`` up to a constant
  for the imbalanced targets).  A classifier without ``sample_weight`` (k-NN)
  is trained on the real rows unweighted and its runs are marked
  ``weights_used: false`` (the runner does this).
* ``random-oversampling``, ``smote``, ``borderline-smote``, ``adasyn``:
  imbalanced-learn.  ADASYN's per-class counts are approximate (it rounds a
  density-weighted split), and borderline-SMOTE makes nothing for a class
  with no row "in danger"; both are brought to the exact target: surplus new
  rows are dropped at random, a shortfall is topped up with SMOTE rows, and a
  sampler that refuses (e.g. ADASYN when no minority row has a majority
  neighbour) is replaced by SMOTE.  Each such fix is recorded in ``note``.
* ``classical`` (images): albumentations shifts/rotations/elastic.
* ``mixup`` (images, CNN only): the random-oversampling set, and the CNN
  trains on mixup of its batches (``Beta(0.2, 0.2)``).
* ``ganaug``, ``ganaug+classical``: one GAN per split; new rows sampled per
  class (the mix takes half of each class's new rows from each).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler

from ..augmenter import GanAugmenter

METHODS = (
    "real",
    "class-weights",
    "random-oversampling",
    "smote",
    "borderline-smote",
    "adasyn",
    "classical",
    "mixup",
    "ganaug",
    "ganaug+classical",
)
IMAGE_ONLY = ("classical", "mixup", "ganaug+classical")
CNN_ONLY = ("mixup",)
MIXUP_ALPHA = 0.2


@dataclass
class Resampled:
    """A method's training set: rows, labels, optional per-row weights."""

    X: np.ndarray
    y: np.ndarray
    seconds: float
    sample_weight: np.ndarray | None = None
    note: str | None = None

    def class_counts(self) -> dict[str, int]:
        """Rows per class; with weights, the total weight per class."""
        w = np.ones(len(self.y)) if self.sample_weight is None else self.sample_weight
        classes = np.unique(self.y)
        return {str(c): int(round(float(w[self.y == c].sum()))) for c in classes}


def needed(y: np.ndarray, target: dict) -> dict:
    """New rows per class to reach ``target`` from ``y``."""
    have = dict(zip(*np.unique(y, return_counts=True), strict=True))
    return {c: int(n - have.get(c, 0)) for c, n in target.items() if n > have.get(c, 0)}


def _flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), -1)


def _interp_rows(X: np.ndarray) -> np.ndarray:
    """Flat rows for an interpolating sampler (SMOTE and its variants).

    imbalanced-learn computes ``X[i] + gap * (X[nn] - X[i])`` in the input's
    dtype: on unsigned images (uint8 pixels) the difference wraps modulo 256,
    so a darker neighbour makes bright speckle instead of a blend.  Integer
    rows are interpolated in float64 and rounded back by :func:`_from_interp`.
    """
    flat = _flat(X)
    return flat.astype(np.float64) if np.issubdtype(flat.dtype, np.integer) else flat


def _from_interp(Xr: np.ndarray, X: np.ndarray) -> np.ndarray:
    """A sampler's output in ``X``'s shape and dtype (integers rounded)."""
    if np.issubdtype(X.dtype, np.integer):
        Xr = np.rint(Xr).astype(X.dtype)  # blends lie between real values
    return Xr.reshape((-1, *X.shape[1:]))


def _k(y: np.ndarray) -> int:
    return max(1, min(5, int(np.unique(y, return_counts=True)[1].min()) - 1))


def class_weights(y: np.ndarray, target: dict) -> np.ndarray:
    """Per-row weights: ``target[c] / n_c`` for a row of class ``c``."""
    classes, counts = np.unique(y, return_counts=True)
    per = {c: target.get(c.item(), n) / n for c, n in zip(classes, counts, strict=True)}
    return np.array([per[c] for c in y.tolist()], dtype=np.float64)


def random_oversampling(X, y, target, seed):
    ros = RandomOverSampler(sampling_strategy=target, random_state=seed)
    Xr, yr = ros.fit_resample(_flat(X), y)
    return Xr.reshape((-1, *X.shape[1:])), yr


def smote(X, y, target, seed):
    sm = SMOTE(sampling_strategy=target, k_neighbors=_k(y), random_state=seed)
    Xr, yr = sm.fit_resample(_interp_rows(X), y)
    return _from_interp(Xr, X), yr


def _sampler(method: str, y: np.ndarray, target: dict, seed: int):
    if method == "adasyn":
        return ADASYN(sampling_strategy=target, n_neighbors=_k(y), random_state=seed)
    m = max(1, min(10, len(y) - 1))
    return BorderlineSMOTE(
        sampling_strategy=target, k_neighbors=_k(y), m_neighbors=m, random_state=seed
    )


def exact_counts(
    X, y, Xr, yr, target: dict, seed: int
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Bring an imbalanced-learn output (real rows, then new rows) to exactly
    ``target``: drop surplus new rows at random, top up with SMOTE rows."""
    rng = np.random.default_rng(seed)
    Xn, yn = Xr[len(X) :], yr[len(X) :]
    need = needed(y, target)
    keep, extra_x, extra_y, trimmed, topped = [], [], [], 0, 0
    for c in np.unique(np.concatenate([yn, np.asarray(list(need), y.dtype)])):
        rows = np.flatnonzero(yn == c)
        want = need.get(c.item(), 0)
        if len(rows) > want:
            trimmed += len(rows) - want
            rows = np.sort(rng.choice(rows, size=want, replace=False))
        keep.append(rows)
        if len(rows) < want:
            short = want - len(rows)
            topped += short
            own = {c.item(): int((y == c).sum()) + short}
            Xs, ys = smote(X, y, own, seed)
            extra_x.append(Xs[len(X) :])
            extra_y.append(ys[len(X) :])
    idx = np.concatenate(keep) if keep else np.array([], dtype=int)
    X_out = np.concatenate([X, Xn[idx], *extra_x])
    y_out = np.concatenate([y, yn[idx], *extra_y])
    note = None
    if trimmed or topped:
        note = f"dropped {trimmed} surplus and added {topped} SMOTE rows"
    return X_out, y_out, note


def smote_variant(method: str, X, y, target, seed):
    """``(X_res, y_res, note)`` from ADASYN or borderline-SMOTE, exact counts."""
    try:
        Xr, yr = _sampler(method, y, target, seed).fit_resample(_interp_rows(X), y)
    except (ValueError, RuntimeError) as err:
        Xr, yr = smote(X, y, target, seed)
        msg = str(err).split("\n")[0][:80]
        return Xr, yr, f"{method} refused ({msg}); SMOTE rows used"
    Xr, yr, note = exact_counts(_interp_rows(X), y, Xr, yr, target, seed)
    return _from_interp(Xr, X), yr, note and f"{method}: {note}"


def classical_pipeline(seed: int):
    """Small shifts, rotations, scalings and elastic deformations."""
    import albumentations as A

    return A.Compose(
        [
            A.Affine(translate_px=(-1, 1), rotate=(-12, 12), scale=(0.9, 1.1), p=1.0),
            A.ElasticTransform(alpha=1.0, sigma=3.0, p=0.3),
        ],
        seed=seed,
    )


def classical_samples(X, y, need: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``need[c]`` new images per class: albumentations applied to random
    real images of that class."""
    tf = classical_pipeline(seed)
    rng = np.random.default_rng(seed)
    lo, hi = float(X.min()), float(X.max())
    xs, ys = [], []
    for c, n in need.items():
        rows = rng.choice(np.flatnonzero(y == c), size=n, replace=True)
        for r in rows:
            img = X[r].astype(np.float32)
            out = tf(image=img)["image"]
            xs.append(np.clip(out, lo, hi).reshape(X.shape[1:]))
            ys.append(c)
    if not xs:
        return X[:0], y[:0]
    return np.stack(xs).astype(X.dtype), np.asarray(ys, dtype=y.dtype)


@dataclass
class GanFit:
    """One fitted augmenter per split, shared by the ganaug methods."""

    augmenter: GanAugmenter
    fit_seconds: float
    sample_shape: tuple  # one row's shape, from the training X


def fit_ganaug(X, y, seed: int, params: dict | None = None) -> GanFit:
    t0 = time.perf_counter()
    aug = GanAugmenter(random_state=seed, **(params or {})).fit(X, y)
    return GanFit(aug, time.perf_counter() - t0, tuple(X.shape[1:]))


def ganaug_samples(fit: GanFit, need: dict) -> tuple[np.ndarray, np.ndarray]:
    labels = [c for c, n in need.items() for _ in range(n)]
    if not labels:
        return np.empty((0, *fit.sample_shape)), np.empty(
            0, fit.augmenter.classes_.dtype
        )
    X, y = fit.augmenter.sample(y=labels, random_state=0)
    return np.asarray(X), np.asarray(y)


def _with_new(X, y, Xn, yn) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([X, Xn.astype(X.dtype)]), np.concatenate(
        [y, yn.astype(y.dtype)]
    )


def resample(
    method: str, X, y, target: dict, seed: int, gan: GanFit | None = None
) -> Resampled:
    """The training set of ``method``: real rows followed by new ones."""
    t0 = time.perf_counter()
    need = needed(y, target)
    note, weight = None, None
    if method == "real":
        return Resampled(X, y, 0.0)
    if method == "class-weights":
        Xr, yr, weight = X, y, class_weights(y, target)
    elif method in ("random-oversampling", "mixup"):
        Xr, yr = random_oversampling(X, y, target, seed)
    elif method == "smote":
        Xr, yr = smote(X, y, target, seed)
    elif method in ("adasyn", "borderline-smote"):
        Xr, yr, note = smote_variant(method, X, y, target, seed)
    elif method == "classical":
        Xr, yr = _with_new(X, y, *classical_samples(X, y, need, seed))
    elif method in ("ganaug", "ganaug+classical"):
        if gan is None:
            raise ValueError(f"method {method!r} needs a fitted GanFit (gan=...).")
        if method == "ganaug":
            Xn, yn = ganaug_samples(gan, need)
        else:  # half of each class's new rows from the GAN, half classical
            half = {c: n // 2 for c, n in need.items()}
            rest = {c: n - n // 2 for c, n in need.items()}
            Xg, yg = ganaug_samples(gan, half)
            Xc, yc = classical_samples(X, y, rest, seed)
            Xn = np.concatenate([Xg.astype(X.dtype), Xc])
            yn = np.concatenate([yg.astype(y.dtype), yc])
        Xr, yr = _with_new(X, y, Xn, yn)
        return Resampled(Xr, yr, time.perf_counter() - t0 + gan.fit_seconds)
    else:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    return Resampled(Xr, yr, time.perf_counter() - t0, weight, note)
