"""Benchmark data sets and regimes: nothing is downloaded.

A :class:`Dataset` is ``X`` (a table or images), ``y`` and a name.  A regime
turns one seed into one train/test split, shared by every method.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import train_test_split

BUILTIN = ("digits", "digits-flat", "breast_cancer", "wine")
REGIMES = ("full", "low-data", "imbalanced")


@dataclass
class Dataset:
    name: str
    X: np.ndarray
    y: np.ndarray

    @property
    def is_image(self) -> bool:
        return self.X.ndim >= 3


def load_dataset(name: str) -> Dataset:
    """A built-in name, a ``.npz`` file with ``X`` and ``y``, or an
    ``ImageFolder`` directory (all images of one size)."""
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        return Dataset(name, X.reshape(-1, 8, 8).astype(np.float32), y)
    if name == "digits-flat":
        X, y = load_digits(return_X_y=True)
        return Dataset(name, X.astype(np.float32), y)
    if name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
        return Dataset(name, X.astype(np.float32), y)
    if name == "wine":
        X, y = load_wine(return_X_y=True)
        return Dataset(name, X.astype(np.float32), y)
    path = Path(name)
    if path.suffix == ".npz" and path.is_file():
        with np.load(path, allow_pickle=False) as f:
            if "X" not in f or "y" not in f:
                raise ValueError(f"{name} must hold arrays 'X' and 'y'; has {list(f)}.")
            return Dataset(path.stem, np.asarray(f["X"]), np.asarray(f["y"]))
    if path.is_dir():
        from torchvision.datasets import ImageFolder

        from ..torch.items import dataset_to_arrays

        X, y = dataset_to_arrays(ImageFolder(str(path)))
        return Dataset(path.name, X, y.astype(np.int64))
    raise ValueError(
        f"dataset must be one of {BUILTIN}, a .npz file with X and y, or an "
        f"ImageFolder directory; got {name!r}."
    )


@dataclass
class Split:
    train: np.ndarray  # row indices into the data set
    test: np.ndarray


def make_split(
    data: Dataset,
    regime: str,
    seed: int,
    *,
    k: int = 20,
    minority: int = 10,
    majority: int = 100,
    test_size: float = 0.3,
) -> Split:
    """One stratified split for ``regime``:

    * ``full``: the whole training part (``1 - test_size``);
    * ``low-data``: ``k`` training rows per class;
    * ``imbalanced``: half of the classes (drawn with the seed) cut to
      ``minority`` rows, the others to ``majority`` rows (or all they have).
    """
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}; got {regime!r}.")
    idx = np.arange(len(data.y))
    train, test = train_test_split(
        idx, test_size=test_size, stratify=data.y, random_state=seed
    )
    if regime == "full":
        return Split(np.sort(train), np.sort(test))
    rng = np.random.default_rng(seed)
    classes = np.unique(data.y)
    if regime == "low-data":
        quota = dict.fromkeys(classes.tolist(), k)
    else:
        rare = rng.choice(classes, size=max(1, len(classes) // 2), replace=False)
        quota = {
            c: (minority if c in set(rare.tolist()) else majority)
            for c in classes.tolist()
        }
    keep = []
    for c in classes.tolist():
        rows = train[data.y[train] == c]
        keep.append(rng.choice(rows, size=min(quota[c], len(rows)), replace=False))
    return Split(np.sort(np.concatenate(keep)), np.sort(test))


def target_counts(y_train: np.ndarray, regime: str, multiplier: float = 1.0) -> dict:
    """Rows per class after resampling, the same for every method.

    Imbalanced: every class up to the largest class.  Otherwise every class
    gets ``multiplier`` times its rows again as new samples.
    """
    classes, counts = np.unique(y_train, return_counts=True)
    if regime == "imbalanced":
        return {c.item(): int(counts.max()) for c in classes}
    return {
        c.item(): int(n + round(multiplier * n))
        for c, n in zip(classes, counts, strict=True)
    }
