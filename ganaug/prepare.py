"""Scale the caller's data to the model's [-1, 1] and back, exactly.

A :class:`DataSpec` records what the model needs to hand samples back in the
caller's form: the container (numpy, torch, pandas), the layout (table or
image), the dtype of every feature (table column or image channel) and its
value range.  The bounds are kept in the caller's own number type (Python
``int`` for integer features, so int64 values near 1e18 stay exact), the
scaling runs in float64 (integer features as integer offsets from the
minimum), and the final clip happens in the caller's dtype: a sample never
leaves the range seen in ``fit``.  The caller's arrays are only read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import support
from .layout import from_chw, model_shape, to_chw
from .validation import container_of, table_columns

# An integer feature whose range is wider than this cannot be offset from its
# minimum without overflowing int64 arithmetic.
_MAX_INT_SPAN = 2**62


@dataclass
class DataSpec:
    """What the model needs to hand samples back in the caller's form."""

    container: str
    layout: str
    sample_shape: tuple[int, ...]
    dtype: str
    columns: list[Any] | None = None
    column_dtypes: list[str] | None = None  # pandas dtypes, e.g. "Int64"
    y_name: Any = None
    y_container: str = "numpy"
    # per feature (table column or image channel): numpy dtype and bounds
    feature_dtypes: list[str] = field(default_factory=list)
    lo: list[float | int] = field(default_factory=list)
    hi: list[float | int] = field(default_factory=list)
    # per feature: where its values lie (see :mod:`ganaug.support`)
    transform: str = "minmax"
    snap: list[dict | None] = field(default_factory=list)
    torch_device: str | None = None
    # per feature: quantile function (offsets from ``lo``), (n_features, k);
    # saved as a tensor, not in the JSON header
    knots: np.ndarray | None = field(default=None, repr=False)
    # a table with categorical columns or missing values: its columns and
    # one-hot blocks (a :class:`ganaug.mixed.MixedLayout`); the per-feature
    # lists above then describe its numeric columns only
    mixed: Any = None

    @property
    def is_image(self) -> bool:
        return self.layout != "tabular"

    @property
    def model_shape(self) -> tuple[int, ...]:
        """Shape of one sample as the model sees it: ``(d,)`` or ``(c, h, w)``."""
        if self.mixed is not None:
            return (self.mixed.width,)
        return model_shape(self.layout, self.sample_shape)

    @property
    def n_features(self) -> int:
        """Features the per-feature lists describe: table columns, image
        channels, or a mixed table's numeric columns."""
        if self.mixed is not None:
            return self.mixed.n_numeric
        return self.model_shape[0]

    @property
    def n_values(self) -> int:
        return int(np.prod(self.sample_shape))

    def to_dict(self) -> dict[str, Any]:
        """Everything but the knots, JSON-ready."""
        knots, self.knots = self.knots, None
        try:
            d = asdict(self)
        finally:
            self.knots = knots
        del d["knots"]
        d["sample_shape"] = list(self.sample_shape)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DataSpec:
        d = dict(d)
        d["sample_shape"] = tuple(d["sample_shape"])
        return cls(**d)


def features(arr: np.ndarray, spec_or_layout: DataSpec | str) -> list[np.ndarray]:
    """The features of a batch: table columns ``(n,)`` or image channels
    ``(n, h, w)``."""
    layout = getattr(spec_or_layout, "layout", spec_or_layout)
    if layout == "tabular":
        return [arr[:, j] for j in range(arr.shape[1])]
    chw = to_chw(arr, layout)
    return [chw[:, c] for c in range(chw.shape[1])]


def fit_spec(
    X: Any,
    arr: np.ndarray,
    layout: str,
    y: Any,
    columns: list[np.ndarray] | None = None,
    transform: str = "minmax",
) -> DataSpec:
    """Record container, layout, dtypes, value ranges and each feature's
    support (:mod:`ganaug.support`) of the training data.

    ``transform`` (``"auto"``, ``"quantile"`` or ``"minmax"``) applies to tables; image
    channels are always scaled linearly, which keeps a flat background flat.

    Raises ``ValueError`` for data the model cannot represent: integer
    values beyond int64, or a feature whose range overflows float64.
    """
    if columns is None and layout == "tabular":
        columns = table_columns(X)
    feats = columns if columns is not None else features(arr, layout)
    spec = new_spec(X, layout, arr.shape[1:], arr.dtype, y, transform)
    if layout != "tabular":
        # one range for all channels of an image keeps the channels comparable
        lo, hi = bounds_of(arr, "X")
        feats_range = [(lo, hi)] * len(feats)
    else:
        feats_range = [
            bounds_of(f, f"X column {column_name(spec, j)}")
            for j, f in enumerate(feats)
        ]
    if arr.dtype == np.uint8 and spec.is_image:  # pixels: the full 0..255 range
        feats_range = [(0, 255)] * len(feats)
    fit_supports(spec, feats, feats_range, len(arr))
    return spec


def new_spec(
    X: Any,
    layout: str,
    sample_shape: tuple[int, ...],
    dtype: Any,
    y: Any,
    transform: str,
) -> DataSpec:
    """A :class:`DataSpec` with the containers, names and dtypes of ``X`` and
    ``y`` recorded, and no feature described yet."""
    container = container_of(X)
    return DataSpec(
        container="numpy" if container == "list" else container,
        layout=layout,
        sample_shape=tuple(int(s) for s in sample_shape),
        dtype=str(dtype),
        columns=list(X.columns) if container == "pandas" else None,
        column_dtypes=[str(t) for t in X.dtypes] if container == "pandas" else None,
        y_container=container_of(y),
        y_name=getattr(y, "name", None) if container_of(y) == "pandas" else None,
        torch_device=str(X.device) if container == "torch" else None,
        transform="minmax" if layout != "tabular" else transform,
    )


def fit_supports(
    spec: DataSpec,
    feats: list[np.ndarray],
    feats_range: list[tuple[Any, Any]],
    n_rows: int,
) -> None:
    """Append each feature's dtype, bounds, snapping rule and knots to ``spec``
    (:mod:`ganaug.support`); ``n_rows`` sets the number of knots."""
    k = support.n_knots(n_rows, spec.transform)
    knots = np.empty((len(feats), k))
    for j, (f, (lo, hi)) in enumerate(zip(feats, feats_range, strict=True)):
        spec.feature_dtypes.append(str(f.dtype))
        spec.lo.append(lo)
        spec.hi.append(hi)
        flat = f.reshape(-1)
        rule = support.fit_snap(flat)
        spec.snap.append(rule)
        if k == 2:
            knots[j] = [0.0, float(hi - lo)]
        else:
            quantile = support.uses_quantiles(spec.transform, rule)
            knots[j] = support.fit_knots(_offsets(flat, lo), k, quantile)
    spec.knots = knots


def _offsets(f: np.ndarray, lo: float | int) -> np.ndarray:
    """Values minus the feature's minimum, in float64 (integers subtracted
    exactly first)."""
    if isinstance(lo, int):
        return (f.astype(np.int64) - lo).astype(np.float64)
    return f.astype(np.float64) - lo


def column_name(spec: DataSpec, j: int) -> str:
    """Column ``j`` as error messages name it: ``'age'`` or ``3``."""
    return repr(spec.columns[j]) if spec.columns is not None else str(j)


def bounds_of(values: np.ndarray, what: str) -> tuple[float | int, float | int]:
    if values.dtype.kind in "iub":
        lo, hi = int(values.min()), int(values.max())
        if hi > np.iinfo(np.int64).max:
            raise ValueError(
                f"{what} holds the integer {hi}, beyond int64; expected values "
                "that fit in int64."
            )
        if hi - lo > _MAX_INT_SPAN:
            raise ValueError(
                f"{what} spans the integers [{lo}, {hi}], a range wider than "
                f"2**62 that the model cannot represent; expected a narrower range "
                "(rescale or split the feature)."
            )
        return lo, hi
    lo, hi = float(values.min()), float(values.max())
    if not np.isfinite(hi - lo):
        raise ValueError(
            f"{what} spans [{lo:g}, {hi:g}], a range that overflows float64 "
            "arithmetic; expected values whose range is finite (rescale the data)."
        )
    return lo, hi


def to_model_space(
    arr: np.ndarray,
    spec: DataSpec,
    columns: list[np.ndarray] | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Caller's data -> float32 ``(n, *model_shape)`` in [-1, 1].

    ``columns`` (a DataFrame's columns, :func:`~ganaug.validation.table_columns`)
    let each column be read in its own dtype.  With ``rng``, values tied at a
    quantile point mass are spread over its levels (for training); without,
    they take its middle.
    """
    feats = columns if columns is not None and not spec.is_image else None
    feats = feats if feats is not None else features(arr, spec)
    out = np.empty((len(arr), *spec.model_shape), dtype=np.float32)
    for j, f in enumerate(feats):
        out[:, j] = encode_feature(f.reshape(-1), spec, j, rng).reshape(f.shape)
    return out


def encode_feature(
    values: np.ndarray,
    spec: DataSpec,
    j: int,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Feature ``j``'s values (1-D) -> float64 in [-1, 1]."""
    u = support.encode(_offsets(values, spec.lo[j]), spec.knots[j], rng)
    return u * 2.0 - 1.0


def decode_features(
    x: np.ndarray, spec: DataSpec, snap: bool = False
) -> list[np.ndarray]:
    """Model output ``(n, *model_shape)`` -> one array per feature, each in its
    training dtype and clipped to its training range in that dtype.

    With ``snap``, a feature with few distinct training values comes back on
    that set, and one whose values lie on a lattice on the lattice
    (:func:`ganaug.support.fit_snap`).
    """
    feats = []
    for j in range(x.shape[1]):
        u = (np.clip(x[:, j].astype(np.float64), -1.0, 1.0) + 1.0) / 2.0
        feats.append(_decode_one(u, spec, j, snap))
    return feats


def _decode_one(u: np.ndarray, spec: DataSpec, j: int, snap: bool):
    dtype = np.dtype(spec.feature_dtypes[j])
    lo, hi = spec.lo[j], spec.hi[j]
    offset = support.decode(u, spec.knots[j])
    rule = spec.snap[j] if snap else None
    if dtype.kind in "iub":
        lo_i, hi_i = int(np.floor(lo)), int(np.ceil(hi))
        span = hi_i - lo_i
        values = np.clip(np.rint(offset).astype(np.int64), 0, span) + np.int64(lo_i)
        values = np.clip(support.snap(values, rule, dtype), lo_i, hi_i)
        return values.astype(bool) if dtype.kind == "b" else values.astype(dtype)
    values = support.snap(lo + offset, rule, dtype)
    typed = values.astype(dtype)
    return np.clip(typed, dtype.type(lo), dtype.type(hi))


def from_model_space(x: np.ndarray, spec: DataSpec, snap: bool = False) -> np.ndarray:
    """Model output -> one numpy batch in the caller's layout, dtype and range."""
    return assemble(decode_features(x, spec, snap), spec)


def assemble(feats: list[np.ndarray], spec: DataSpec) -> np.ndarray:
    """Per-feature arrays -> one numpy batch in the caller's layout and dtype."""
    dtype = np.dtype(spec.dtype)
    if spec.is_image:
        chw = np.stack(feats, axis=1).astype(dtype, copy=False)
        return np.ascontiguousarray(from_chw(chw, spec.layout))
    n = len(feats[0]) if feats else 0
    out = np.empty((n, len(feats)), dtype=dtype)
    for j, f in enumerate(feats):
        out[:, j] = f
    return out


def wrap_X(feats: list[np.ndarray], spec: DataSpec) -> Any:
    """Per-feature arrays -> the caller's container (pandas columns keep their
    own dtypes)."""
    if spec.container == "pandas":
        import pandas as pd

        # object columns stay object (pandas would read strings as "str" and
        # turn a None into NaN)
        frame = pd.DataFrame(
            {
                j: pd.Series(f, dtype=object) if f.dtype == object else f
                for j, f in enumerate(feats)
            }
        )
        frame.columns = spec.columns
        if spec.column_dtypes is not None:
            dtypes = [_pandas_dtype(t) for t in spec.column_dtypes]
            if spec.mixed is not None:  # "category" columns keep their categories
                dtypes = spec.mixed.pandas_dtypes(dtypes)
            frame = frame.astype(dict(zip(spec.columns, dtypes, strict=True)))
        return frame
    x = assemble(feats, spec)
    if spec.container == "torch":
        import torch

        return torch.from_numpy(x).to(spec.torch_device or "cpu")
    return x


def _pandas_dtype(name: str) -> Any:
    """A pandas dtype from its name; ``"Sparse[float64, 0]"`` included."""
    if name.startswith("Sparse[") and name.endswith("]"):
        import pandas as pd

        subtype, _, fill = name[len("Sparse[") : -1].partition(",")
        kind = np.dtype(subtype.strip()).kind
        fill_value = fill.strip()
        value: Any = float(fill_value) if kind == "f" else int(float(fill_value))
        return pd.SparseDtype(subtype.strip(), value)
    return name


def wrap_y(y: np.ndarray, spec: DataSpec) -> Any:
    """Put labels into the caller's container for ``y``."""
    if spec.y_container == "pandas":
        import pandas as pd

        return pd.Series(y, name=spec.y_name)
    if spec.y_container == "torch" and y.dtype.kind in "iufb":
        import torch

        return torch.from_numpy(np.ascontiguousarray(y))
    return y
