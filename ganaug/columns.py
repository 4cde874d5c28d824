"""Read a table's columns: which are categorical, which values are missing.

:func:`read_table` turns a pandas DataFrame or a 2-D numpy array into a
:class:`Table` when it is a *mixed* table (a categorical column, or a missing
value: NaN, None, ``pd.NA``), and returns ``None`` for complete all-numeric
tables and images, which keep the path of :mod:`ganaug.prepare` unchanged.
Which columns are categorical comes from ``categorical_features`` (indices,
a boolean mask, or a DataFrame's column names, as imbalanced-learn's
``SMOTENC`` takes them) or, without it, from a DataFrame's dtypes.  Every
error names the column or the argument, the value received and what was
expected.  :mod:`ganaug.mixed` models what is read here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np

from .labels import plain
from .validation import container_of, describe, is_sparse, to_numpy

# How a missing value is written in an ``object`` column: as the caller wrote
# it (so that real and synthetic rows agree, e.g. for ``OneHotEncoder``).
MARKERS = ("nan", "none", "pd.NA")


@dataclass
class Table:
    """A mixed table as read from the caller, one entry per column.

    ``raw`` holds the caller's columns, missing values as given (float
    columns as floats with NaN, anything else not all-numeric as ``object``),
    so that :meth:`~ganaug.GanAugmenter.fit_resample` can hand the real rows
    back; ``observed`` the values that are not missing (numbers in their own
    dtype for numeric columns, Python scalars for categorical ones).
    """

    raw: list[np.ndarray]
    missing: list[np.ndarray]
    observed: list[np.ndarray]
    categorical: list[bool]
    dtype: np.dtype
    # pandas ``category`` columns: (all categories, ordered); None otherwise
    category_dtypes: list[tuple[list, bool] | None]
    # per column, how its missing values are written (MARKERS)
    na: list[str]

    @property
    def n_rows(self) -> int:
        return len(self.raw[0])


def read_table(X: Any, categorical_features: Any = None, name: str = "X"):
    """``X`` as a :class:`Table` if it is a mixed table, else ``None`` (a
    complete numeric table or images, for :mod:`ganaug.prepare`).

    Raises ``TypeError``/``ValueError`` naming the column and the value for
    what cannot be modelled, and naming ``categorical_features`` when it is
    wrong or missing (a numpy array holding strings).
    """
    container = container_of(X)
    if container == "pandas" and getattr(X, "ndim", 0) == 2:
        return _read_frame(X, categorical_features, name)
    if container == "torch" or is_sparse(X):
        _tables_only(categorical_features, X, name)
        return None
    arr = to_numpy(X, name)
    if container == "list" and arr.dtype.kind in "US":  # keep numbers numbers
        arr = np.array(X, dtype=object)
    if arr.ndim != 2:
        _tables_only(categorical_features, X, name)
        return None
    return _read_array(arr, categorical_features, name)


def _tables_only(categorical_features: Any, X: Any, name: str) -> None:
    if categorical_features is not None:
        raise ValueError(
            f"categorical_features applies to tables (a 2-D numpy array or a "
            f"pandas DataFrame); {name} is {describe(X)}. Leave it None."
        )


def categorical_mask(
    categorical_features: Any, n_columns: int, names: list | None = None
) -> np.ndarray | None:
    """``categorical_features`` as one bool per column (``None`` stays
    ``None``): column indices, a boolean mask, or column names (with
    ``names``, a DataFrame's columns).

    Examples
    --------
    >>> categorical_mask([0, -1], 3).tolist()
    [True, False, True]
    >>> categorical_mask(["city"], 2, names=["age", "city"]).tolist()
    [False, True]
    """
    if categorical_features is None:
        return None
    expected = (
        "expected column indices (int), one bool per column"
        + (" or column names" if names is not None else "")
        + f" for {n_columns} column(s)"
    )
    if isinstance(categorical_features, (str, bytes, dict)) or not hasattr(
        categorical_features, "__iter__"
    ):
        raise TypeError(
            f"categorical_features must be a list-like; got "
            f"{categorical_features!r:.80}; {expected}."
        )
    values = [plain(v) for v in categorical_features]
    mask = np.zeros(n_columns, dtype=bool)
    if not values:
        return mask
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        if len(values) != n_columns:
            raise ValueError(
                f"categorical_features is a boolean mask of length {len(values)}; "
                f"expected one bool per column of X ({n_columns})."
            )
        return np.asarray(values, dtype=bool)
    if all(isinstance(v, Integral) and not isinstance(v, bool) for v in values):
        for v in values:
            if not -n_columns <= v < n_columns:
                raise ValueError(
                    f"categorical_features holds the index {v}, out of range for "
                    f"X with {n_columns} column(s); expected indices from "
                    f"{-n_columns} to {n_columns - 1}."
                )
            mask[v] = True
        return mask
    if names is not None and all(isinstance(v, str) for v in values):
        for v in values:
            where = [j for j, c in enumerate(names) if c == v]
            if not where:
                known = ", ".join(repr(c) for c in names[:20])
                raise ValueError(
                    f"categorical_features names the column {v!r}, which X does "
                    f"not have; its columns are {known}."
                )
            mask[where] = True
        return mask
    kinds = sorted({type(v).__name__ for v in values})
    raise TypeError(
        f"categorical_features holds {values!r:.80} (of type(s) {', '.join(kinds)}); "
        f"{expected}"
        + ("" if names is not None else " (names need a pandas DataFrame)")
        + "."
    )


def is_missing(v: Any) -> bool:
    """None, NaN, ``pd.NA`` or ``pd.NaT`` (without importing pandas)."""
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(v != v)
    return type(v).__name__ in ("NAType", "NaTType")


def _read_array(arr: np.ndarray, categorical_features: Any, name: str):
    d = arr.shape[1]
    cat = categorical_mask(categorical_features, d)
    if arr.dtype.kind in "iub":
        if cat is None or not cat.any():
            return None
        cols = [arr[:, j] for j in range(d)]
        return _table(cols, [np.zeros(len(arr), bool)] * d, cat, arr.dtype, name)
    if arr.dtype.kind == "f":
        nan = np.isnan(arr)
        if not nan.any() and (cat is None or not cat.any()):
            return None
        cols = [arr[:, j] for j in range(d)]
        missing = [nan[:, j] for j in range(d)]
        return _table(cols, missing, _mask_or(cat, d), arr.dtype, name)
    if arr.dtype.kind not in "OUS":
        return None  # complex, dates: prepare's checks explain
    obj = arr.astype(object)
    if cat is None or not cat.any():
        try:
            as_float = obj.astype(np.float64)
        except (TypeError, ValueError):
            as_float = None
        if as_float is not None and not np.isnan(as_float).any():
            return None  # numbers: prepare converts them as before
    cols = [obj[:, j] for j in range(d)]
    missing = [np.fromiter(map(is_missing, c), bool, len(c)) for c in cols]
    return _table(cols, missing, _mask_or(cat, d), arr.dtype, name, cat is None)


def _mask_or(cat: np.ndarray | None, d: int) -> np.ndarray:
    return np.zeros(d, dtype=bool) if cat is None else cat


def _table(
    cols: list[np.ndarray],
    missing: list[np.ndarray],
    cat: np.ndarray,
    dtype: Any,
    name: str,
    guessed: bool = False,
    labels: list | None = None,
    category_dtypes: list | None = None,
) -> Table:
    """Check every column and collect its observed values.  ``guessed``:
    ``categorical_features`` was not given (a numpy array's string column is
    then an error that asks for it)."""
    observed = []
    for j, (col, miss) in enumerate(zip(cols, missing, strict=True)):
        ref = repr(labels[j]) if labels is not None else str(j)
        what = f"{name} column {ref}"
        if miss.all():
            raise ValueError(
                f"{what} has no values: all {len(col)} are missing; expected at "
                "least one value per column. Drop the column."
            )
        present = col[~miss]
        if cat[j]:
            observed.append(_categories_of(present, what))
        else:
            observed.append(_numbers(present, what, ref, guessed))
    return Table(
        raw=list(cols),
        missing=list(missing),
        observed=observed,
        categorical=[bool(c) for c in cat],
        dtype=np.dtype(dtype),
        category_dtypes=category_dtypes or [None] * len(cols),
        na=[_marker(c[m]) for c, m in zip(cols, missing, strict=True)],
    )


def _marker(missing_values: np.ndarray) -> str:
    """How the first missing value of a column is written (NaN if none)."""
    if missing_values.dtype != object or len(missing_values) == 0:
        return "nan"
    first = missing_values[0]
    if first is None:
        return "none"
    return "pd.NA" if type(first).__name__ == "NAType" else "nan"


def missing_value(marker: str) -> Any:
    """The missing value a marker stands for."""
    if marker == "none":
        return None
    if marker == "pd.NA":
        import pandas as pd

        return pd.NA
    return np.nan


def _numbers(values: np.ndarray, what: str, ref: str, guessed: bool) -> np.ndarray:
    """A numeric column's observed values in a numeric dtype."""
    if values.dtype.kind in "iufb":
        typed = values
    else:
        text = next((v for v in values if isinstance(v, (str, bytes))), None)
        if text is not None:
            if guessed:
                raise TypeError(
                    f"{what} holds strings (e.g. {text!r:.40}), and "
                    "categorical_features is None; pass categorical_features "
                    f"(e.g. categorical_features=[{ref}]) to model it as a "
                    "categorical column, or use a pandas DataFrame (string "
                    "columns are found by dtype)."
                )
            raise TypeError(
                f"{what} holds strings (e.g. {text!r:.40}) but is not in "
                "categorical_features; expected numbers in the columns not "
                f"listed. Add {ref} to categorical_features."
            )
        typed = np.asarray([plain(v) for v in values])
        if typed.dtype.kind not in "iufb":
            try:
                typed = values.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"{what} holds values that are not numbers ({exc}); expected "
                    "numbers, booleans, strings or missing values."
                ) from None
    if typed.dtype.kind == "f" and not np.isfinite(typed).all():
        bad = int((~np.isfinite(typed)).sum())
        raise ValueError(
            f"{what} contains {bad} infinite value(s); expected finite numbers or "
            "missing values (NaN)."
        )
    return typed


def _categories_of(values: np.ndarray, what: str) -> np.ndarray:
    """A categorical column's observed values as Python scalars."""
    out = np.empty(len(values), dtype=object)
    out[:] = [plain(v) for v in values]
    for v in out:
        if isinstance(v, (bool, str)):
            continue
        if isinstance(v, Integral) and abs(v) < 2**63:
            continue
        if isinstance(v, Real) and math.isfinite(v):
            continue
        raise TypeError(
            f"{what} holds the value {v!r:.40} of type {type(v).__name__}; "
            "expected categories that are strings, finite numbers or booleans."
        )
    return out


def _read_frame(X: Any, categorical_features: Any, name: str):
    import pandas as pd
    from pandas.api import types

    labels = list(X.columns)
    cat = categorical_mask(categorical_features, len(labels), labels)
    cols, missing, cats, cdt = [], [], [], []
    for j, label in enumerate(labels):
        col = X.iloc[:, j]
        if isinstance(col.dtype, pd.SparseDtype):
            col = col.sparse.to_dense()
        dtype = col.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories.to_numpy(dtype=object)
            codes = col.cat.codes.to_numpy()
            raw = np.empty(len(col), dtype=object)
            raw[:] = np.nan
            raw[codes >= 0] = categories[codes[codes >= 0]]
            cols.append(raw)
            missing.append(codes < 0)
            cats.append(True if cat is None else bool(cat[j]))
            cdt.append(([plain(c) for c in categories], bool(dtype.ordered)))
            continue
        if (
            types.is_datetime64_any_dtype(dtype)
            or types.is_timedelta64_dtype(dtype)
            or types.is_complex_dtype(dtype)
            or isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype))
        ):
            raise TypeError(
                f"{name} column {label!r} has dtype {dtype}, which ganaug cannot "
                "model; expected numbers, booleans, strings or categories. "
                "Convert it first (e.g. a date to a number of days)."
            )
        miss = col.isna().to_numpy()
        numeric = types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype)
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        if numeric and not miss.any():
            raw = col.to_numpy(dtype=numpy_dtype) if numpy_dtype else col.to_numpy()
        elif numeric and np.dtype(numpy_dtype or dtype).kind == "f":
            raw = col.to_numpy(dtype=np.dtype(numpy_dtype or dtype), na_value=np.nan)
        else:
            raw = col.to_numpy(dtype=object)
        cols.append(raw)
        missing.append(miss)
        cdt.append(None)
        if cat is not None:
            cats.append(bool(cat[j]))
        else:  # from the dtype; an object column of numbers is numeric
            cats.append(not numeric and not _all_numbers(raw[~miss]))
    if not any(cats) and not any(m.any() for m in missing):
        return None
    return _table(cols, missing, np.asarray(cats), object, name, False, labels, cdt)


def _all_numbers(values: np.ndarray) -> bool:
    return all(
        isinstance(plain(v), (Integral, Real)) and not isinstance(plain(v), str)
        for v in values
    )
