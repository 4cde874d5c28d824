"""Validate user data, encode labels, detect the layout and scale to [-1, 1].

Everything the model needs to turn its own output back into the caller's data
lives in a :class:`DataSpec`: the container (numpy, torch, pandas), the layout
(table or image), the dtype and the value range.  The caller's arrays are only
read, never modified.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from numbers import Integral
from typing import Any

import numpy as np

LAYOUTS = ("tabular", "hw", "hwc", "chw")
MIN_IMAGE_SIZE = 8


def _describe(x: Any) -> str:
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    parts = [type(x).__name__]
    if shape is not None:
        parts.append(f"shape={tuple(shape)}")
    if dtype is not None:
        parts.append(f"dtype={dtype}")
    return " ".join(parts)


def _container_of(X: Any) -> str:
    module = type(X).__module__
    if module.startswith("torch"):
        return "torch"
    if module.startswith("pandas"):
        return "pandas"
    return "numpy"


def to_numpy(X: Any, name: str = "X") -> np.ndarray:
    """Return a numpy view or copy of ``X`` without changing the caller's object."""
    if _is_sparse(X):
        raise TypeError(
            f"{name} is a sparse matrix ({_describe(X)}); sparse input is not "
            "supported. Expected a dense numpy array, torch tensor or pandas "
            "DataFrame, e.g. X.toarray()."
        )
    container = _container_of(X)
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


def _is_sparse(X: Any) -> bool:
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return False
    return sp.issparse(X)


@dataclass
class DataSpec:
    """What the model needs to hand samples back in the caller's form."""

    container: str
    layout: str
    sample_shape: tuple[int, ...]
    dtype: str
    columns: list[Any] | None = None
    y_name: Any = None
    y_container: str = "numpy"
    # scaling: data = (model_output + 1) / 2 * (hi - lo) + lo, per feature/channel
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    # per feature (tables) or per channel (images): all training values whole
    integer_valued: list[bool] = field(default_factory=list)
    torch_device: str | None = None

    @property
    def is_image(self) -> bool:
        return self.layout != "tabular"

    @property
    def model_shape(self) -> tuple[int, ...]:
        """Shape of one sample as the model sees it: ``(d,)`` or ``(c, h, w)``."""
        s = self.sample_shape
        if self.layout == "tabular":
            return s
        if self.layout == "hw":
            return (1, s[0], s[1])
        if self.layout == "hwc":
            return (s[2], s[0], s[1])
        return s

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sample_shape"] = list(self.sample_shape)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DataSpec:
        d = dict(d)
        d["sample_shape"] = tuple(d["sample_shape"])
        return cls(**d)


def detect_layout(shape: tuple[int, ...], layout: str = "auto") -> str:
    """Tell a table from the three image layouts by the shape of ``X``."""
    ndim = len(shape)
    if layout != "auto":
        if layout not in LAYOUTS:
            raise ValueError(
                f"layout must be 'auto' or one of {LAYOUTS}; got {layout!r}."
            )
        expected = {"tabular": 2, "hw": 3, "hwc": 4, "chw": 4}[layout]
        if ndim != expected:
            raise ValueError(
                f"layout={layout!r} expects X with {expected} dimensions; got X "
                f"with shape {shape}."
            )
        return layout
    if ndim == 2:
        return "tabular"
    if ndim == 3:
        return "hw"
    c_first, c_last = shape[1] in (1, 3), shape[3] in (1, 3)
    if c_last and not c_first:
        return "hwc"
    if c_first and not c_last:
        return "chw"
    raise ValueError(
        f"X has shape {shape}, which is ambiguous between (n, h, w, c) and "
        "(n, c, h, w) images with 1 or 3 channels. Pass layout='hwc' or "
        "layout='chw'."
    )


def check_X(X: Any, *, name: str = "X", layout: str = "auto") -> tuple[np.ndarray, str]:
    """Validate ``X`` and return it as a numpy array with its layout."""
    arr = to_numpy(X, name)
    if arr.dtype == object or arr.dtype.kind in "USVMm":
        raise TypeError(
            f"{name} must hold numbers (float or integer dtype); got dtype "
            f"{arr.dtype}. Encode strings or categories as numbers first."
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
            f"{name} is empty (shape {arr.shape}); expected at least 1 sample."
        )
    if any(s == 0 for s in arr.shape[1:]):
        raise ValueError(
            f"{name} has shape {arr.shape}; every sample needs at least one value."
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); expected finite "
            "numbers. Impute or drop them first."
        )
    found = detect_layout(arr.shape, layout)
    if found != "tabular":
        h, w = _hw(arr.shape, found)
        c = {"hw": 1, "hwc": arr.shape[-1], "chw": arr.shape[1]}[found]
        if min(h, w) < MIN_IMAGE_SIZE or c not in (1, 3):
            raise ValueError(
                f"{name} with shape {arr.shape} was read as images in layout "
                f"{found!r} ({h}x{w}, {c} channel(s)); expected images of at least "
                f"{MIN_IMAGE_SIZE}x{MIN_IMAGE_SIZE} with 1 or 3 channels. Pass "
                "2-D (n_samples, n_features) data for tables."
            )
    return arr, found


def _hw(shape: tuple[int, ...], layout: str) -> tuple[int, int]:
    if layout == "chw":
        return shape[2], shape[3]
    return shape[1], shape[2]


def check_y(y: Any, n_samples: int, *, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D numpy array of labels of length ``n_samples``."""
    if y is None:
        raise ValueError(
            f"{name} is required: a label for each of the {n_samples} samples."
        )
    if _is_sparse(y):
        raise TypeError(f"{name} is sparse; expected a 1-D array-like of labels.")
    arr = to_numpy(y, name) if not isinstance(y, (list, tuple)) else _list_to_array(y)
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
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(
            f"{name} contains NaN or infinite labels; expected finite labels."
        )
    if arr.dtype == object and any(v is None for v in arr):
        raise ValueError(
            f"{name} contains None labels; expected a label for every sample."
        )
    return arr


def _list_to_array(values: list | tuple) -> np.ndarray:
    """A list of labels as a 1-D array; tuples or mixed types become objects.

    numpy would turn ``[1, "cat"]`` into the strings ``["1", "cat"]``, so a
    list whose labels are not all numbers or all strings stays ``object``.
    """
    kinds = {type(plain(v)) for v in values}
    numbers = kinds <= {int, float, bool}
    if numbers or kinds in ({str}, {bytes}):
        typed = np.asarray(values)
        if typed.ndim == 1:
            return typed
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


def encode_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map labels to ``0..K-1``; ``classes`` is sorted when labels allow it."""
    try:
        classes, codes = np.unique(y, return_inverse=True)
        return classes, codes.reshape(-1).astype(np.int64)
    except TypeError:  # mixed types that cannot be sorted: keep first-seen order
        order: dict[Any, int] = {}
        codes = np.empty(len(y), dtype=np.int64)
        for i, v in enumerate(y):
            codes[i] = order.setdefault(v, len(order))
        classes = np.empty(len(order), dtype=object)
        classes[:] = list(order)
        return classes, codes


def lookup_labels(classes: np.ndarray, labels: Any, *, name: str = "y") -> np.ndarray:
    """Codes of ``labels`` in ``classes``; unknown labels raise ``ValueError``."""
    index = {plain(c): i for i, c in enumerate(classes)}
    values = (
        labels if isinstance(labels, np.ndarray) else np.asarray(labels, dtype=object)
    )
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


def plain(v: Any) -> Any:
    """A numpy scalar as the Python scalar it holds; anything else as is."""
    return v.item() if isinstance(v, np.generic) else v


def fit_spec(X: Any, arr: np.ndarray, layout: str, y: Any) -> DataSpec:
    """Record container, layout, dtype and value range of the training data."""
    container = _container_of(X)
    spec = DataSpec(
        container=container,
        layout=layout,
        sample_shape=tuple(int(s) for s in arr.shape[1:]),
        dtype=str(arr.dtype),
        columns=list(X.columns) if container == "pandas" else None,
        y_container=_container_of(y),
        y_name=getattr(y, "name", None) if _container_of(y) == "pandas" else None,
        torch_device=str(X.device) if container == "torch" else None,
    )
    if arr.dtype == np.uint8:
        n_ch = spec.model_shape[0] if spec.is_image else arr.shape[1]
        spec.lo, spec.hi = [0.0] * n_ch, [255.0] * n_ch
        return spec
    if spec.is_image:  # one range for all pixels: keeps channels comparable
        lo, hi = float(arr.min()), float(arr.max())
        spec.lo, spec.hi = [lo] * spec.model_shape[0], [hi] * spec.model_shape[0]
        whole = bool(np.all(arr == np.round(arr)))
        spec.integer_valued = [whole] * spec.model_shape[0]
    else:
        spec.lo = arr.min(axis=0).astype(float).tolist()
        spec.hi = arr.max(axis=0).astype(float).tolist()
        spec.integer_valued = np.all(arr == np.round(arr), axis=0).tolist()
    return spec


def to_model_space(arr: np.ndarray, spec: DataSpec) -> np.ndarray:
    """Caller's layout and range -> float32 ``(n, *model_shape)`` in [-1, 1]."""
    x = arr.astype(np.float32, copy=True)
    if spec.layout == "hw":
        x = x[:, None]
    elif spec.layout == "hwc":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    lo, hi = _bounds(spec, x.ndim)
    span = np.where(hi > lo, hi - lo, 1.0)
    x = (x - lo) / span * 2.0 - 1.0
    return np.where(hi > lo, x, 0.0).astype(np.float32)


def from_model_space(
    x: np.ndarray, spec: DataSpec, round_integers: bool = False
) -> np.ndarray:
    """Model output in [-1, 1] -> caller's layout, dtype and value range (numpy).

    With ``round_integers``, float features (or image channels) whose training
    values were all whole numbers come back rounded to whole numbers.
    """
    lo, hi = _bounds(spec, x.ndim)
    out = (np.clip(x, -1.0, 1.0) + 1.0) / 2.0 * (hi - lo) + lo
    if round_integers and any(spec.integer_valued):
        whole = np.asarray(spec.integer_valued, dtype=bool)
        if out.ndim == 4:
            whole = whole[None, :, None, None]
        out = np.where(whole, np.rint(out), out)
    if spec.layout == "hw":
        out = out[:, 0]
    elif spec.layout == "hwc":
        out = out.transpose(0, 2, 3, 1)
    dtype = np.dtype(spec.dtype)
    if dtype.kind in "iub":
        info = np.iinfo(dtype) if dtype.kind != "b" else None
        out = np.rint(out)
        if info is not None:
            out = np.clip(out, info.min, info.max)
    return np.ascontiguousarray(out.astype(dtype))


def _bounds(spec: DataSpec, ndim: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.asarray(spec.lo, dtype=np.float32)
    hi = np.asarray(spec.hi, dtype=np.float32)
    if ndim == 4:  # per channel
        lo, hi = lo[None, :, None, None], hi[None, :, None, None]
    return lo, hi


def wrap_X(x: np.ndarray, spec: DataSpec) -> Any:
    """Put numpy samples into the caller's container."""
    if spec.container == "torch":
        import torch

        return torch.from_numpy(x).to(spec.torch_device or "cpu")
    if spec.container == "pandas":
        import pandas as pd

        return pd.DataFrame(x, columns=spec.columns)
    return x


def wrap_y(y: np.ndarray, spec: DataSpec) -> Any:
    """Put labels into the caller's container for ``y``."""
    if spec.y_container == "pandas":
        import pandas as pd

        return pd.Series(y, name=spec.y_name)
    if spec.y_container == "torch" and y.dtype.kind in "iufb":
        import torch

        return torch.from_numpy(np.ascontiguousarray(y))
    return y


def check_n(n: Any, *, name: str = "n") -> int:
    """``n`` must be a positive integer (numpy integers accepted)."""
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise ValueError(f"{name} must be a positive integer; got {n!r}.")
    return int(n)


def split_counts(n: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``n`` in proportion to ``weights``; ties go
    to the first entries."""
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts
