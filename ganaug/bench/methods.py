"""Resampling methods, all given the same per-class target counts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler

from ..augmenter import GanAugmenter

METHODS = (
    "real",
    "random-oversampling",
    "smote",
    "classical",
    "ganaug",
    "ganaug+classical",
)
IMAGE_ONLY = ("classical", "ganaug+classical")


def _needed(y: np.ndarray, target: dict) -> dict:
    have = dict(zip(*np.unique(y, return_counts=True), strict=True))
    return {c: int(n - have.get(c, 0)) for c, n in target.items() if n > have.get(c, 0)}


def _flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), -1)


def random_oversampling(X, y, target, seed):
    ros = RandomOverSampler(sampling_strategy=target, random_state=seed)
    Xr, yr = ros.fit_resample(_flat(X), y)
    return Xr.reshape((-1, *X.shape[1:])), yr


def smote(X, y, target, seed):
    k = max(1, min(5, int(np.unique(y, return_counts=True)[1].min()) - 1))
    sm = SMOTE(sampling_strategy=target, k_neighbors=k, random_state=seed)
    Xr, yr = sm.fit_resample(_flat(X), y)
    return Xr.reshape((-1, *X.shape[1:])), yr


def classical_pipeline(seed: int) -> Any:
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
    samples: dict = field(default_factory=dict)


def fit_ganaug(X, y, seed: int, params: dict | None = None) -> GanFit:
    t0 = time.perf_counter()
    aug = GanAugmenter(random_state=seed, **(params or {})).fit(X, y)
    return GanFit(aug, time.perf_counter() - t0)


def ganaug_samples(fit: GanFit, need: dict) -> tuple[np.ndarray, np.ndarray]:
    labels = [c for c, n in need.items() for _ in range(n)]
    if not labels:
        aug = fit.augmenter
        return np.empty((0, *aug.spec_.sample_shape)), np.empty(0, aug.classes_.dtype)
    return fit.augmenter.sample(y=labels, random_state=0)


def resample(method: str, X, y, target: dict, seed: int, gan: GanFit | None):
    """``(X_res, y_res, seconds)``: real rows followed by new ones."""
    t0 = time.perf_counter()
    need = _needed(y, target)
    if method == "real":
        return X, y, 0.0
    if method == "random-oversampling":
        Xr, yr = random_oversampling(X, y, target, seed)
    elif method == "smote":
        Xr, yr = smote(X, y, target, seed)
    elif method == "classical":
        Xn, yn = classical_samples(X, y, need, seed)
        Xr, yr = np.concatenate([X, Xn]), np.concatenate([y, yn])
    elif method in ("ganaug", "ganaug+classical"):
        assert gan is not None
        if method == "ganaug":
            Xn, yn = ganaug_samples(gan, need)
        else:  # half of each class's new rows from the GAN, half classical
            half = {c: n // 2 for c, n in need.items()}
            rest = {c: n - n // 2 for c, n in need.items()}
            Xg, yg = ganaug_samples(gan, half)
            Xc, yc = classical_samples(X, y, rest, seed)
            Xn, yn = np.concatenate([Xg, Xc]), np.concatenate([yg, yc])
        Xr = np.concatenate([X, Xn.astype(X.dtype)])
        yr = np.concatenate([y, yn.astype(y.dtype)])
        seconds = time.perf_counter() - t0 + gan.fit_seconds
        return Xr, yr, seconds
    else:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    return Xr, yr, time.perf_counter() - t0
