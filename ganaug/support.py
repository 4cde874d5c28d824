"""Where each feature's values can lie, learned from the training data.

Two things, both decided per feature (table column or image channel) from
``fit``'s data, and both invariant to the affine rescaling users apply before
resampling (``MinMaxScaler``, ``StandardScaler``, ``/ 255``, torchvision's
``Normalize``):

* **The transform into the model's [-1, 1].**  ``"minmax"`` is a straight
  line from the training minimum to the maximum.  ``"quantile"`` (tables
  only) maps a value to its rank, the empirical CDF, as TabDDPM's quantile
  transform does: skewed and multi-modal columns become uniform, and the
  inverse, a piecewise-linear quantile function through the training values,
  is flat wherever the data has a point mass, so a share of exact zeros (or
  of any value) comes back as exact zeros.  Tied training values are spread
  uniformly over their rank interval (dequantisation), so the generator
  learns a continuous target whose inverse is the point mass.
* **Snapping** (``snap=True``): a feature with few distinct values (flags,
  codes, grades; ``MAX_SET``) comes back on that set, never a value that was
  not in the data; a feature whose values lie on a lattice (whole numbers,
  ``k / 16``, a standardised count, prices in cents) comes back on the
  lattice.  Unlike rounding to integers, this does not depend on the units:
  digits divided by 16 or standardised keep their support.

The transform is stored as ``knots``: the quantile function's values at
evenly spaced levels in [0, 1] (two knots, the range, for ``"minmax"``), as
offsets from the feature's minimum in float64, so integer features near
``2**62`` keep exact bounds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# A feature with at most this many distinct values (and, for small data, at
# most a third as many as rows) is a finite set.
MAX_SET = 32
# The quantile function is kept at this many levels at most.
MAX_KNOTS = 1000
# A lattice has at most this many points between the minimum and maximum.
MAX_LATTICE = 2**24
# Relative tolerance of "a gap is a whole number of steps".
_LATTICE_TOL = 1e-6

TRANSFORMS = ("auto", "quantile", "minmax")


def n_knots(n_rows: int, transform: str) -> int:
    """How many knots every feature of an ``n_rows`` table gets."""
    return 2 if transform == "minmax" else int(max(2, min(n_rows, MAX_KNOTS)))


def uses_quantiles(transform: str, rule: dict[str, Any] | None) -> bool:
    """``"auto"``: a straight line for a feature with few distinct values (a
    set: flags, codes, pixel intensities of digits), quantiles for the rest,
    lattices included (values recorded to two decimals are continuous)."""
    if transform == "auto":
        return rule is None or "set" not in rule
    return transform == "quantile"


def fit_knots(offsets: np.ndarray, k: int, quantile: bool = True) -> np.ndarray:
    """One feature's map from levels in [0, 1] to offsets from its minimum,
    at ``k`` evenly spaced levels: its quantile function, or a straight line
    to its maximum."""
    span = float(offsets.max()) if len(offsets) else 0.0
    if span == 0.0:
        return np.zeros(k)
    if not quantile:
        return np.linspace(0.0, span, k)
    return np.quantile(offsets, levels(k))


def levels(k: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, k)


def encode(
    offsets: np.ndarray, knots: np.ndarray, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Offsets from the minimum -> u in [0, 1] (float64), the inverse of
    :func:`decode`.

    A value equal to a run of knots (a point mass) takes a uniform draw over
    the run's levels from ``rng`` (dequantisation), or its middle without one.
    """
    span = float(knots[-1])
    if span == 0.0:
        return np.full(len(offsets), 0.5)
    if len(knots) == 2:
        return np.clip(offsets / span, 0.0, 1.0)
    lv = levels(len(knots))
    x = np.asarray(offsets, dtype=np.float64)
    first = np.searchsorted(knots, x, side="left")
    on_knot = knots[np.minimum(first, len(knots) - 1)] == x
    # where a value is not a knot, its right insertion point is its left one:
    # search again only where it is (half the searching on continuous data)
    stop = first.copy()
    stop[on_knot] = np.searchsorted(knots, x[on_knot], side="right")
    draw = rng.random(len(x)) if rng is not None else 0.5
    last = np.maximum(stop - 1, 0)
    at_knot = lv[np.minimum(first, len(lv) - 1)] + draw * (
        lv[last] - lv[np.minimum(first, len(lv) - 1)]
    )
    i = np.clip(first, 1, len(knots) - 1)
    lo_k, hi_k = knots[i - 1], knots[i]
    width = np.where(hi_k > lo_k, hi_k - lo_k, 1.0)
    between = lv[i - 1] + (x - lo_k) / width * (lv[i] - lv[i - 1])
    return np.clip(np.where(on_knot, at_knot, between), 0.0, 1.0)


def decode(u: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """u in [0, 1] -> offsets from the minimum (the quantile function)."""
    span = float(knots[-1])
    if len(knots) == 2 or np.array_equal(knots, np.linspace(0.0, span, len(knots))):
        return u * span  # a straight line: no search per value (5x faster)
    return np.interp(u, levels(len(knots)), knots)


# ---------------------------------------------------------------- snapping
def fit_snap(values: np.ndarray) -> dict[str, Any] | None:
    """``{"set": [...]}``, ``{"lattice": [origin, step]}`` or ``None``.

    Set values keep the feature's number type (Python ``int`` for integer
    features, exact); a lattice is whole-number steps from the minimum.
    """
    uniq = np.unique(values)
    if len(uniq) <= 1:
        return None
    if len(uniq) <= min(MAX_SET, max(2, len(values) // 3)):
        return {"set": [v.item() for v in uniq]}
    if values.dtype.kind in "iub":
        step = int(np.gcd.reduce(np.diff(uniq.astype(np.int64))))
        return {"lattice": [int(uniq[0]), step]} if step > 1 else None
    wide = uniq.astype(np.float64)
    gaps = np.diff(wide)
    step = float(gaps.min())
    width = float(wide[-1] - wide[0])
    if not np.isfinite(width) or step <= 0.0 or width / step > MAX_LATTICE:
        return None
    # the step from the whole range is more precise than the smallest gap
    step = width / float(np.rint(width / step))
    # a value stored in this dtype is off by up to a few ulps of the largest
    ulps = 4 * np.finfo(values.dtype).eps * float(np.abs(wide).max()) / step
    tol = max(_LATTICE_TOL, ulps)
    if tol > 0.05:
        return None
    ratio = (wide - wide[0]) / step
    if np.all(np.abs(ratio - np.rint(ratio)) <= tol):
        return {"lattice": [float(wide[0]), step]}
    return None


def snap(values: np.ndarray, rule: dict[str, Any] | None, dtype: np.dtype):
    """Values (float64, or int64 for integer features) -> on their support."""
    if rule is None:
        return values
    if "set" in rule:
        allowed = np.asarray(rule["set"], dtype=dtype)
        # integers compare in int64 (exact: spans are below 2**62)
        work = np.int64 if dtype.kind in "iub" else np.float64
        keys = allowed.astype(work)
        pos = np.clip(np.searchsorted(keys, values), 1, len(allowed) - 1)
        take_left = (values - keys[pos - 1]) <= (keys[pos] - values)
        return np.where(take_left, allowed[pos - 1], allowed[pos])
    origin, step = rule["lattice"]
    if dtype.kind in "iub":
        k = np.rint((values - origin) / step).astype(np.int64)
        return np.int64(origin) + k * np.int64(step)
    return origin + np.rint((values - origin) / step) * step


def check_rule(rule: Any) -> str | None:
    """Why ``rule`` (read from a file) is not a snapping rule, or ``None``."""
    if rule is None:
        return None
    if not isinstance(rule, dict) or len(rule) != 1:
        return f"a snapping rule must be null or a one-key object; got {rule!r:.80}"
    ((kind, value),) = rule.items()
    if kind == "set":
        ok = (
            isinstance(value, list)
            and 2 <= len(value) <= MAX_SET
            and all(_finite_number(v) for v in value)
            and all(a < b for a, b in zip(value, value[1:], strict=False))
        )
        return None if ok else "a snapping set must hold 2 to 32 increasing numbers"
    if kind == "lattice":
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(_finite_number(v) for v in value)
            and value[1] > 0
        )
        return None if ok else "a lattice must be [origin, positive step]"
    return f"unknown snapping rule {kind!r}"


def _finite_number(v: Any) -> bool:
    if isinstance(v, bool):
        return True
    if isinstance(v, int):
        return abs(v) < 2**63
    return isinstance(v, float) and math.isfinite(v)


def check_knots(knots: Any, n_features: int) -> str | None:
    """Why ``knots`` (read from a file) is not a quantile table, or ``None``."""
    if not isinstance(knots, np.ndarray) or knots.ndim != 2:
        return "knots must be a 2-D array"
    if knots.shape[0] != n_features or not 2 <= knots.shape[1] <= MAX_KNOTS:
        return (
            f"knots have shape {knots.shape}; expected ({n_features}, 2..{MAX_KNOTS})"
        )
    if not np.all(np.isfinite(knots)) or np.any(np.diff(knots, axis=1) < 0):
        return "knots must be finite and non-decreasing"
    if np.any(knots[:, 0] != 0.0):
        return "knots must start at 0 (offsets from the minimum)"
    return None
