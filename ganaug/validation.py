"""Validate what the user hands in: ``X``, sizes and counts.

The caller's objects are only read, never modified.  Every error names the
argument, what was received and what was expected.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from .layout import MIN_IMAGE_SIZE, detect_layout, image_hw_c

# Largest number of synthetic values one call may produce (about 32 GiB as
# float64): beyond that, refuse up front instead of running out of memory.
MAX_VALUES = 2**32


def describe(x: Any) -> str:
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    parts = [type(x).__name__]
    if shape is not None:
        parts.append(f"shape={tuple(shape)}")
    if dtype is not None:
        parts.append(f"dtype={dtype}")
    return " ".join(parts)


def container_of(X: Any) -> str:
    """``"torch"``, ``"pandas"``, ``"list"`` or ``"numpy"``."""
    module = type(X).__module__
    if module.startswith("torch"):
        return "torch"
    if module.startswith("pandas"):
        return "pandas"
    if isinstance(X, list):
        return "list"
    return "numpy"


def is_sparse(X: Any) -> bool:
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return False
    return sp.issparse(X)


def to_numpy(X: Any, name: str = "X") -> np.ndarray:
    """A numpy view or copy of ``X`` without changing the caller's object."""
    if is_sparse(X):
        raise TypeError(
            f"{name} is a sparse matrix ({describe(X)}); sparse input is not "
            "supported. Expected a dense numpy array, torch tensor or pandas "
            "DataFrame, e.g. X.toarray()."
        )
    container = container_of(X)
    if container == "torch":
        if X.is_sparse:
            raise TypeError(
                f"{name} is a sparse torch tensor; sparse input is not supported. "
                "Expected a dense tensor, e.g. X.to_dense()."
            )
        return X.detach().cpu().numpy()
    if container == "pandas":
        return X.to_numpy()
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(
            f"{name} must be an array-like of numbers; got {type(X).__name__}."
        )
    return np.asarray(X)


def table_columns(X: Any, name: str = "X") -> list[np.ndarray] | None:
    """The columns of a pandas DataFrame as numpy arrays in their own dtypes
    (nullable ``Int64``/``Float64``/``boolean`` without missing values become
    ``int64``/``float64``/``bool``); ``None`` for anything else."""
    if container_of(X) != "pandas" or getattr(X, "ndim", 0) != 2:
        return None
    import pandas as pd

    cols = []
    for label in X.columns:
        col = X[label]
        if not (
            pd.api.types.is_numeric_dtype(col.dtype)
            or pd.api.types.is_bool_dtype(col.dtype)
        ):
            raise TypeError(
                f"{name} column {label!r} has dtype {col.dtype}; expected numbers "
                "or booleans. Encode strings or categories as numbers first."
            )
        if col.isna().any():
            raise ValueError(
                f"{name} column {label!r} has {int(col.isna().sum())} missing "
                "value(s); expected complete rows. Impute or drop them first."
            )
        if isinstance(col.dtype, pd.SparseDtype):
            col = col.sparse.to_dense()
        numpy_dtype = getattr(col.dtype, "numpy_dtype", None)
        cols.append(
            col.to_numpy(dtype=numpy_dtype)
            if numpy_dtype is not None
            else col.to_numpy()
        )
    return cols


def check_X(X: Any, *, name: str = "X", layout: str = "auto") -> tuple[np.ndarray, str]:
    """Validate ``X`` and return it as a numpy array with its layout."""
    arr, found, _ = check_X_columns(X, name=name, layout=layout)
    return arr, found


def check_X_columns(
    X: Any, *, name: str = "X", layout: str = "auto"
) -> tuple[np.ndarray, str, list[np.ndarray] | None]:
    """:func:`check_X`, also returning a DataFrame's columns in their own
    dtypes (``None`` for anything else), so they are read once."""
    columns = table_columns(X, name)
    arr = to_numpy(X, name) if columns is None else _stack(columns, X)
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} has dtype object and holds values that are not numbers "
                f"({exc}); expected float or integer values. Encode strings or "
                "categories as numbers first."
            ) from None
    if arr.dtype.kind in "USVMm":
        raise TypeError(
            f"{name} must hold numbers (float or integer dtype); got dtype "
            f"{arr.dtype}. Encode strings or categories as numbers first."
        )
    if arr.dtype.kind == "c":
        raise ValueError(
            f"{name} holds complex numbers (dtype {arr.dtype}). Complex data not "
            "supported; expected real numbers (float or integer dtype)."
        )
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{name} must hold real numbers (float or integer dtype); got dtype "
            f"{arr.dtype}."
        )
    if arr.ndim < 2 or arr.ndim > 4:
        hint = (
            " Reshape a single feature with X.reshape(-1, 1)." if arr.ndim == 1 else ""
        )
        raise ValueError(
            f"{name} must have 2 dimensions (n_samples, n_features) or 3-4 "
            f"for images ((n, h, w), (n, h, w, c), (n, c, h, w)); got an array "
            f"with {arr.ndim} dimension(s) and shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"{name} is empty: found array with 0 sample(s) (shape={arr.shape}) "
            "while a minimum of 1 is required."
        )
    if any(s == 0 for s in arr.shape[1:]):
        raise ValueError(
            f"{name} has no values per sample: found array with 0 feature(s) "
            f"(shape={arr.shape}) while a minimum of 1 is required."
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); expected finite "
            "numbers. Impute or drop them first."
        )
    found = detect_layout(arr.shape, layout)
    if found != "tabular":
        h, w, c = image_hw_c(arr.shape, found)
        if min(h, w) < MIN_IMAGE_SIZE or c not in (1, 3):
            raise ValueError(
                f"{name} with shape {arr.shape} was read as images in layout "
                f"{found!r} ({h}x{w}, {c} channel(s)); expected images of at least "
                f"{MIN_IMAGE_SIZE}x{MIN_IMAGE_SIZE} with 1 or 3 channels. Pass "
                "2-D (n_samples, n_features) data for tables."
            )
    return arr, found, columns


def _stack(columns: list[np.ndarray], X: Any) -> np.ndarray:
    if not columns:
        return np.empty((len(X), 0))
    return np.column_stack(columns) if len(columns) > 1 else columns[0][:, None]


def check_n(n: Any, *, name: str = "n", values_per_sample: int = 1) -> int:
    """``n`` must be a positive integer (numpy integers accepted) and small
    enough that ``n * values_per_sample`` values fit in memory."""
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"{name} must be a positive integer; got {n!r}.")
    n = int(n)
    if n * max(1, values_per_sample) > MAX_VALUES:
        gib = n * values_per_sample * 8 / 2**30
        raise ValueError(
            f"{name}={n} samples of {values_per_sample} value(s) would need about "
            f"{gib:,.0f} GiB; expected at most {MAX_VALUES // values_per_sample:,} "
            "samples per call. Generate in chunks."
        )
    return n
