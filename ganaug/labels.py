"""Class labels: read, encode to ``0..K-1`` and look up again.

Labels may be ints, strings, tuples or any hashable value, given as a list,
numpy array, pandas Series or torch tensor.  ``classes_`` keeps them as the
caller gave them; the model only ever sees the codes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from .validation import is_sparse, to_numpy


def plain(v: Any) -> Any:
    """A numpy scalar or one-element tensor as the Python scalar it holds.

    >>> plain(np.int64(3)), plain("cat")
    (3, 'cat')
    """
    if isinstance(v, np.generic):
        return v.item()
    if type(v).__module__.startswith("torch") and getattr(v, "ndim", None) == 0:
        return v.item()
    if isinstance(v, np.ndarray) and v.ndim == 0:
        return v.item()
    return v


def label_array(values: Any, *, name: str = "y") -> np.ndarray:
    """Labels as a 1-D numpy array without changing what they are.

    numpy would turn ``[1, "cat"]`` into the strings ``["1", "cat"]`` and a
    list of tuples into a 2-D array, so a list whose labels are not all
    numbers or all strings becomes a 1-D ``object`` array.
    """
    if isinstance(values, (list, tuple)):
        kinds = {type(plain(v)) for v in values}
        if kinds <= {int, float, bool} or kinds in ({str}, {bytes}):
            typed = np.asarray([plain(v) for v in values])
            if typed.ndim == 1:
                return typed
        arr = np.empty(len(values), dtype=object)
        arr[:] = [plain(v) for v in values]
        return arr
    return to_numpy(values, name)


def check_y(y: Any, n_samples: int, *, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D numpy array of labels of length ``n_samples``."""
    if y is None:
        raise ValueError(
            f"{name} is required: GanAugmenter requires y to be passed, but the "
            f"target y is None; expected a label for each of the {n_samples} samples."
        )
    if is_sparse(y):
        raise TypeError(f"{name} is sparse; expected a 1-D array-like of labels.")
    arr = label_array(y, name=name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one label per sample); got shape {arr.shape}."
        )
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"X and {name} have different lengths: X has {n_samples} samples, "
            f"{name} has {arr.shape[0]} labels; expected one label per sample."
        )
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} holds complex numbers; expected class labels.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(
            f"{name} contains NaN or infinite labels; expected finite labels."
        )
    if arr.dtype == object:
        if any(v is None for v in arr):
            raise ValueError(
                f"{name} contains None labels; expected a label for every sample."
            )
        bad = next((v for v in arr if not isinstance(v, Hashable)), None)
        if bad is not None:
            raise TypeError(
                f"{name} contains the unhashable label {bad!r}; expected hashable "
                "labels (numbers, strings, tuples)."
            )
    return arr


def encode_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map labels to ``0..K-1``; ``classes`` is sorted when labels allow it,
    else kept in first-seen order (e.g. a mix of ints and strings)."""
    try:
        classes, codes = np.unique(y, return_inverse=True)
        return classes, codes.reshape(-1).astype(np.int64)
    except TypeError:
        order: dict[Any, int] = {}
        codes = np.empty(len(y), dtype=np.int64)
        for i, v in enumerate(y):
            codes[i] = order.setdefault(plain(v), len(order))
        classes = np.empty(len(order), dtype=object)
        classes[:] = list(order)
        return classes, codes


def sortable(classes: np.ndarray) -> bool:
    """Whether ``classes`` can be ordered (imbalanced-learn sorts labels)."""
    try:
        sorted(plain(c) for c in classes)
    except TypeError:
        return False
    return True


def is_label(y: Any) -> bool:
    """A single label (hashable scalar, tuple or 0-d array/tensor), not a
    sequence of labels."""
    if isinstance(y, (str, bytes, np.generic, tuple)):
        return True
    if isinstance(y, (np.ndarray, list)) or hasattr(y, "__array__"):
        return getattr(y, "ndim", 1) == 0
    return isinstance(y, Hashable)


def lookup_labels(classes: np.ndarray, labels: Any, *, name: str = "y") -> np.ndarray:
    """Codes of ``labels`` (a sequence) in ``classes``; an unknown label raises
    ``ValueError`` naming it and the known ones."""
    index = {plain(c): i for i, c in enumerate(classes)}
    values = labels if isinstance(labels, np.ndarray) else label_array(labels)
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        try:
            out[i] = index[plain(v)]
        except (KeyError, TypeError):
            raise ValueError(
                f"{name} contains the label {plain(v)!r}, which was not seen in "
                f"fit; expected one of {[plain(c) for c in classes]}."
            ) from None
    return out


def lookup_label(classes: np.ndarray, label: Any, *, name: str = "y") -> int:
    """The code of one label (a tuple label stays one label)."""
    one = np.empty(1, dtype=object)
    one[0] = plain(label)
    return int(lookup_labels(classes, one, name=name)[0])


def split_counts(n: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``n`` in proportion to ``weights``; ties go
    to the first entries.

    >>> split_counts(7, np.ones(3)).tolist()
    [3, 2, 2]
    """
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts
