"""Mixed tables: categorical columns and missing values in, the same columns out.

A table is *mixed* when it has a categorical column (strings, pandas
``category``, or a column named in ``categorical_features``) or a missing
value (NaN, None, ``pd.NA``); :mod:`ganaug.columns` reads it.  Complete
all-numeric tables never come here: they keep the path of
:mod:`ganaug.prepare`, unchanged.

The model space of a mixed table is

* one slot per numeric column, in column order, through the same support
  as an all-numeric table (:mod:`ganaug.support`, fitted on the column's
  observed values).  Where a value is missing, the slot holds a draw from the
  same class's observed model-space values of that column (the whole
  column's when the class has none): the GAN's numeric target keeps the
  distribution it has where values are present, and the indicator alone
  says "missing";
* then one one-hot block per categorical column (the categories seen in
  ``fit``, then a "missing" level if the column had missing values) and one
  ``[present, missing]`` block per numeric column with missing values.

The generator emits each block through a straight-through Gumbel-softmax
restricted to the levels seen for the requested class
(:class:`~ganaug.models.mlp.OneHotOutput`): a sample holds exactly one
category, never one its class did not have in ``fit``, and is missing only
where that class had missing values, at the rate the generator learned.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .columns import MARKERS, Table, missing_value
from .models import OneHotBlocks
from .prepare import (
    DataSpec,
    bounds_of,
    decode_features,
    encode_feature,
    fit_supports,
    new_spec,
)

KINDS = ("numeric", "categorical")
# A categorical column with more distinct values than this is refused (an
# identifier, or a number that should not be categorical).
MAX_CATEGORIES = 1000


# ------------------------------------------------------------------ layout
@dataclass
class Column:
    """How one column of a mixed table is modelled.

    ``counts[c]`` holds, for class ``c``, the training rows at each level of
    the column's one-hot block (its categories then "missing"; ``[present,
    missing]`` for a numeric column); ``None`` when the column has no block
    (numeric, never missing).
    """

    kind: str
    missing: bool = False
    categories: list | None = None
    counts: list[list[int]] | None = None
    # a pandas ``category`` column: all the categories of its dtype
    dtype_categories: list | None = None
    ordered: bool = False
    # the missing value of an ``object`` column, one of MARKERS
    na: str = "nan"

    @property
    def block_size(self) -> int:
        if self.kind == "categorical":
            return len(self.categories or []) + int(self.missing)
        return 2 if self.missing else 0


@dataclass
class MixedLayout:
    """The columns of a mixed table and the one-hot blocks they become."""

    columns: list[Column]

    @property
    def numeric(self) -> list[int]:
        """Indices of the numeric columns (their model slots, in order)."""
        return [j for j, c in enumerate(self.columns) if c.kind == "numeric"]

    @property
    def n_numeric(self) -> int:
        return len(self.numeric)

    @property
    def width(self) -> int:
        return self.n_numeric + sum(c.block_size for c in self.columns)

    def one_hot_blocks(self) -> OneHotBlocks:
        """The generator's output layout with each class's allowed levels."""
        allowed, complete, sizes = [], [], []
        for col in self.columns:
            if not col.block_size:
                continue
            seen = np.asarray(col.counts, dtype=np.int64) > 0
            full = seen.copy()
            if col.missing:
                full[:, -1] = False
                # a class with no value in this column: any value seen in fit
                empty = ~full.any(axis=1)
                full[empty, :-1] = seen[:, :-1].any(axis=0)
                if col.kind == "numeric":
                    full[empty, 0] = True
            allowed.append(seen)
            complete.append(full)
            sizes.append(col.block_size)
        return OneHotBlocks(
            n_numeric=self.n_numeric,
            sizes=sizes,
            allowed=np.concatenate(allowed, axis=1),
            complete=np.concatenate(complete, axis=1),
        )

    def missing_rates(self) -> dict[int, np.ndarray]:
        """Per column with missing values: the training rate per class."""
        rates = {}
        for j, col in enumerate(self.columns):
            if col.missing:
                counts = np.asarray(col.counts, dtype=np.float64)
                rates[j] = counts[:, -1] / counts.sum(axis=1)
        return rates

    def pandas_dtypes(self, dtypes: list[Any]) -> list[Any]:
        """``dtypes`` with each ``category`` column's full dtype."""
        import pandas as pd

        out = list(dtypes)
        for j, col in enumerate(self.columns):
            if col.dtype_categories is not None:
                out[j] = pd.CategoricalDtype(col.dtype_categories, ordered=col.ordered)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MixedLayout:
        return cls(columns=[Column(**c) for c in d["columns"]])


# ------------------------------------------------------------------ fitting
def fit_spec(
    X: Any,
    table: Table,
    y: Any,
    codes: np.ndarray,
    n_classes: int,
    transform: str,
) -> DataSpec:
    """The :class:`~ganaug.prepare.DataSpec` of a mixed table: containers and
    dtypes as for any table, supports of its numeric columns, and its
    :class:`MixedLayout` (categories, missingness, counts per class)."""
    spec = new_spec(X, "tabular", (len(table.raw),), table.dtype, y, transform)
    columns, feats, ranges = [], [], []
    for j, observed in enumerate(table.observed):
        miss = table.missing[j]
        if table.categorical[j]:
            dtype_cats = table.category_dtypes[j]
            cats = _ordered_levels(observed, dtype_cats[0] if dtype_cats else None)
            if len(cats) > MAX_CATEGORIES:
                raise ValueError(
                    f"X column {_label(spec, j)} has {len(cats)} distinct categories; "
                    f"expected at most {MAX_CATEGORIES} (an identifier column? "
                    "drop it, or leave it out of categorical_features if it is a "
                    "number)."
                )
            col = Column(
                "categorical",
                missing=bool(miss.any()),
                categories=cats,
                dtype_categories=dtype_cats[0] if dtype_cats else None,
                ordered=dtype_cats[1] if dtype_cats else False,
                na=table.na[j],
            )
        else:
            col = Column("numeric", missing=bool(miss.any()), na=table.na[j])
            feats.append(observed)
            ranges.append(bounds_of(observed, f"X column {_label(spec, j)}"))
        if col.block_size:
            level = levels(table, j, col)
            col.counts = [
                np.bincount(level[codes == c], minlength=col.block_size).tolist()
                for c in range(n_classes)
            ]
        columns.append(col)
    fit_supports(spec, feats, ranges, table.n_rows)
    spec.mixed = MixedLayout(columns)
    return spec


def _label(spec: DataSpec, j: int) -> str:
    return repr(spec.columns[j]) if spec.columns is not None else str(j)


def _key(v: Any) -> tuple:
    """Categories compare by type and value: ``1``, ``1.0`` and ``True`` are
    three categories, as the caller wrote them."""
    return (type(v).__name__, v)


def _ordered_levels(observed: np.ndarray, dtype_categories: list | None) -> list:
    """The categories seen: in the dtype's order for a pandas ``category``
    column, else sorted (numbers, then strings by type, when mixed)."""
    seen = {_key(v): v for v in observed}
    if dtype_categories is not None:
        return [c for c in dtype_categories if _key(c) in seen]
    values = list(seen.values())
    return sorted(values, key=lambda v: (_family(v), v))


def _family(v: Any) -> str:
    """Numbers sort together, before booleans and strings."""
    return type(v).__name__ if isinstance(v, (str, bool)) else ""


def levels(table: Table, j: int, col: Column) -> np.ndarray:
    """Each row's level in column ``j``'s one-hot block."""
    miss = table.missing[j]
    if col.kind == "numeric":
        return miss.astype(np.int64)
    index = {_key(v): i for i, v in enumerate(col.categories)}
    out = np.full(len(miss), len(col.categories), dtype=np.int64)
    out[~miss] = [index[_key(v)] for v in table.observed[j]]
    return out


# ------------------------------------------------------------------ encoding
def to_model_space(
    table: Table, spec: DataSpec, codes: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A mixed table -> float32 ``(n, width)``: numeric slots in [-1, 1],
    then the one-hot blocks.  A missing numeric value's slot takes a draw
    from its class's observed slots in that column (``rng``)."""
    layout = spec.mixed
    n = table.n_rows
    out = np.zeros((n, layout.width), dtype=np.float32)
    for k, j in enumerate(layout.numeric):
        miss = table.missing[j]
        slot = np.empty(n)
        slot[~miss] = encode_feature(table.observed[j], spec, k, rng)
        if miss.any():
            _fill(slot, miss, codes, rng)
        out[:, k] = slot
    start = layout.n_numeric
    for j, col in enumerate(layout.columns):
        if col.block_size:
            out[np.arange(n), start + levels(table, j, col)] = 1.0
            start += col.block_size
    return out


def _fill(slot: np.ndarray, miss: np.ndarray, codes: np.ndarray, rng) -> None:
    """Missing slots <- draws from the observed slots of the same class."""
    for c in np.unique(codes[miss]):
        rows = miss & (codes == c)
        pool = slot[~miss & (codes == c)]
        if len(pool) == 0:
            pool = slot[~miss]
        slot[rows] = rng.choice(pool, size=int(rows.sum()))


def decode(x: np.ndarray, spec: DataSpec, snap: bool) -> list[np.ndarray]:
    """Model output -> one array per column: numeric columns in their
    training dtype (``object`` for integers and booleans with missing
    values, NaN marking them), categorical ones as ``object`` arrays of the
    categories seen in ``fit``, NaN where missing."""
    layout = spec.mixed
    numeric = decode_features(x[:, : layout.n_numeric], spec, snap)
    out, start, k = [], layout.n_numeric, 0
    for col in layout.columns:
        level = None
        if col.block_size:
            level = x[:, start : start + col.block_size].argmax(axis=1)
            start += col.block_size
        if col.kind == "numeric":
            values = numeric[k]
            k += 1
            if level is not None and (level == 1).any():
                values = _with_missing(values, level == 1, col.na)
        else:
            table = np.empty(len(col.categories) + 1, dtype=object)
            table[:-1] = col.categories
            table[-1] = missing_value(col.na)
            values = table[level]
        out.append(values)
    return out


def _with_missing(values: np.ndarray, gone: np.ndarray, marker: str) -> np.ndarray:
    if values.dtype.kind == "f":
        out = values.copy()
        out[gone] = np.nan
        return out
    out = values.astype(object)
    out[gone] = missing_value(marker)
    return out


# ------------------------------------------------------------------ checking
def check_layout(d: Any, n_columns: int, class_counts: np.ndarray) -> str | None:
    """Why ``d`` (read from a file) is not a mixed layout for ``n_columns``
    columns and these class counts, or ``None``."""
    if not isinstance(d, dict) or set(d) != {"columns"}:
        return "the mixed layout must be an object with 'columns'"
    cols = d["columns"]
    if not isinstance(cols, list) or len(cols) != n_columns:
        return f"the mixed layout must describe {n_columns} column(s)"
    fields = set(Column.__dataclass_fields__)
    for j, c in enumerate(cols):
        if not isinstance(c, dict) or set(c) != fields:
            return f"column {j} must be an object with the keys {sorted(fields)}"
        problem = _check_column(c, class_counts)
        if problem is not None:
            return f"column {j}: {problem}"
    return None


def _check_column(c: dict, class_counts: np.ndarray) -> str | None:
    if c["kind"] not in KINDS:
        return f"kind {c['kind']!r:.40} is not one of {KINDS}"
    if not isinstance(c["missing"], bool) or not isinstance(c["ordered"], bool):
        return "'missing' and 'ordered' must be true or false"
    if c["na"] not in MARKERS:
        return f"the missing-value marker {c['na']!r:.40} is not one of {MARKERS}"
    if c["kind"] == "numeric":
        if c["categories"] is not None or c["dtype_categories"] is not None:
            return "a numeric column has no categories"
        size = 2 if c["missing"] else 0
    else:
        problem = _check_values(c["categories"], "categories", MAX_CATEGORIES)
        if problem is not None:
            return problem
        if c["dtype_categories"] is not None:
            problem = _check_values(c["dtype_categories"], "dtype categories", None)
            if problem is not None:
                return problem
            keys = {_key(v) for v in c["dtype_categories"]}
            if any(_key(v) not in keys for v in c["categories"]):
                return "a category is not among its dtype's categories"
        size = len(c["categories"]) + int(c["missing"])
    counts = c["counts"]
    if size == 0:
        return None if counts is None else "a column without a block has no counts"
    ok = (
        isinstance(counts, list)
        and len(counts) == len(class_counts)
        and all(
            isinstance(row, list) and len(row) == size and all(_count(v) for v in row)
            for row in counts
        )
    )
    if not ok:
        return (
            f"counts must be {len(class_counts)} list(s) (one per class) of "
            f"{size} non-negative integers"
        )
    if [sum(row) for row in counts] != [int(n) for n in class_counts]:
        return "the counts of a class do not add up to its number of rows"
    return None


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _check_values(values: Any, what: str, most: int | None) -> str | None:
    if not isinstance(values, list) or not values:
        return f"{what} must be a non-empty list"
    if most is not None and len(values) > most:
        return f"{what} must hold at most {most} values"
    for v in values:
        if isinstance(v, (str, bool, int)) and not (
            isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2**63
        ):
            continue
        if isinstance(v, float) and math.isfinite(v):
            continue
        return f"{what} must be strings, finite numbers or booleans; got {v!r:.40}"
    if len({_key(v) for v in values}) != len(values):
        return f"{what} must not repeat a value"
    return None
