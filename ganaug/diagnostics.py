"""Cheap checks that a fitted generator's samples have not collapsed.

Two failures give no error during training but make every sample useless:

* **saturation**: a generator pushed too hard (learning rates far too high)
  drives its ``tanh`` output to +-1, so every sample sits at the minimum or
  maximum of each feature's range;
* **mode collapse**: the generator ignores its noise and returns one
  prototype per class, so the samples of a class do not vary.

:func:`check_samples` compares model-space samples (in [-1, 1]) with the real
model-space data class by class and returns one message per problem, to be
raised as a :class:`CollapseWarning` by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["CollapseWarning", "check_samples", "sliced_distance"]

#: ``|x| >= BOUND`` counts as "at the bounds" (tanh reaches 0.999 at 3.8).
BOUND = 0.999
#: Flag a class when, averaged over features, the share of generated values at
#: the bounds exceeds the real share by more than this.
MAX_BOUND_EXCESS = 0.25
#: Flag a class when the generated within-class spread (mean per-feature std)
#: is below this fraction of the real one.
MIN_SPREAD = 0.05


class CollapseWarning(UserWarning):
    """Generated samples look saturated or collapsed; see :func:`check_samples`."""


def check_samples(
    fake: Any,
    fake_codes: Any,
    real: Any,
    real_codes: Any,
    *,
    class_names: Sequence[Any] | None = None,
    max_per_class: int = 256,
) -> list[str]:
    """Problems with generated samples, as messages (empty when all is well).

    Parameters
    ----------
    fake : array of shape (n, d) or (n, c, h, w)
        Model-space samples (in [-1, 1]) of the fitted generator.
    fake_codes : array of shape (n,)
        The class code of each sample.
    real : array of shape (m, d) or (m, c, h, w)
        The real training data in model space.
    real_codes : array of shape (m,)
        The class code of each real row.
    class_names : sequence, optional
        ``class_names[code]`` names a class in the messages (default: the code).
    max_per_class : int, default=256
        At most this many evenly spaced rows per class are compared, so the
        check stays cheap for any data size.

    Returns
    -------
    problems : list of str
        One message for NaN/infinite samples, one for samples piled at the
        bounds where the real data is not (more than :data:`MAX_BOUND_EXCESS`
        of the values, averaged over features), and one for classes whose
        spread is below :data:`MIN_SPREAD` of the real spread.  Classes with
        fewer than two real or generated rows are not checked for spread.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> real, codes = rng.uniform(-1, 1, (40, 3)), np.repeat([0, 1], 20)
    >>> check_samples(real[::-1], codes, real, codes)
    []
    >>> [m.split(":")[0] for m in check_samples(np.sign(real), codes, real, codes)]
    ['Samples pile at the bounds of the data range']
    """
    # real rows are read per class, at most max_per_class of each: no float64
    # copy of the whole training data
    fake, real = _flat(fake, "fake"), _flat(real, "real", to_float64=False)
    fake_codes = _codes(fake_codes, len(fake), "fake_codes")
    real_codes = _codes(real_codes, len(real), "real_codes")
    if fake.shape[1] != real.shape[1]:
        raise ValueError(
            f"fake has {fake.shape[1]} values per sample but real has "
            f"{real.shape[1]}; pass both in the same model space."
        )
    problems = []
    finite = np.isfinite(fake).all(axis=1)
    if not finite.all():
        problems.append(
            f"{1 - finite.mean():.0%} of the samples hold NaN or infinite values: "
            "training diverged; lower lr_g and lr_d."
        )
    piled, flat = [], []
    for c in np.unique(fake_codes):
        f = _some(fake[(fake_codes == c) & finite], max_per_class)
        rows = _some(np.flatnonzero(real_codes == c), max_per_class)
        r = real[rows].astype(np.float64)
        if len(f) == 0 or len(r) == 0:
            continue
        f_at = (np.abs(f) >= BOUND).mean(axis=0)
        r_at = (np.abs(r) >= BOUND).mean(axis=0)
        if np.maximum(f_at - r_at, 0.0).mean() > MAX_BOUND_EXCESS:
            piled.append((c, f_at.mean(), r_at.mean()))
        if len(f) >= 2 and len(r) >= 2:
            r_std = r.std(axis=0).mean()
            if r_std > 0 and f.std(axis=0).mean() < MIN_SPREAD * r_std:
                flat.append((c, f.std(axis=0).mean() / r_std))
    if piled:
        share = max(p[1] for p in piled)
        real_share = max(p[2] for p in piled)
        problems.append(
            "Samples pile at the bounds of the data range: for class(es) "
            f"{_names([p[0] for p in piled], class_names)}, up to {share:.0%} of "
            "generated values sit at the minimum or maximum of their feature "
            f"(real data: {real_share:.0%}). Training saturated the generator; "
            "lower lr_g and lr_d, or look at the losses in history_."
        )
    if flat:
        worst = min(p[1] for p in flat)
        problems.append(
            "Samples barely vary within class(es) "
            f"{_names([p[0] for p in flat], class_names)}: their spread is as "
            f"low as {worst:.1%} of the real data's (threshold "
            f"{MIN_SPREAD:.0%}). The generator has collapsed onto one sample per "
            "class; try diversity > 0, lower learning rates or more steps."
        )
    return problems


def _flat(x: Any, name: str, to_float64: bool = True) -> np.ndarray:
    x = np.asarray(x)
    if to_float64 or x.dtype.kind != "f":
        x = x.astype(np.float64, copy=False)
    if x.ndim not in (2, 4):
        raise ValueError(
            f"{name} must have shape (n, d) or (n, c, h, w); got {x.shape}."
        )
    return x.reshape(len(x), -1)


def _codes(codes: Any, n: int, name: str) -> np.ndarray:
    codes = np.asarray(codes).reshape(-1)
    if len(codes) != n:
        raise ValueError(f"{name} has {len(codes)} entries for {n} samples.")
    return codes


def _some(x: np.ndarray, m: int) -> np.ndarray:
    """At most ``m`` evenly spaced rows of ``x`` (deterministic)."""
    if len(x) <= m:
        return x
    return x[np.linspace(0, len(x) - 1, m).astype(np.int64)]


def _names(codes: list[Any], class_names: Sequence[Any] | None) -> str:
    shown = [class_names[int(c)] if class_names is not None else c for c in codes]
    text = ", ".join(str(s) for s in shown[:10])
    return text + (f" and {len(shown) - 10} more" if len(shown) > 10 else "")


def sliced_distance(
    fake: np.ndarray,
    fake_codes: np.ndarray,
    real: np.ndarray,
    real_codes: np.ndarray,
    *,
    n_projections: int = 32,
    n_quantiles: int = 32,
    seed: int = 0,
) -> float:
    """Class-conditional sliced Wasserstein-1 distance, averaged over classes.

    Samples and real rows (model space, any shape per row) are projected on
    ``n_projections`` random unit directions; per class and direction the
    distance is the mean absolute gap between the two quantile functions.  It
    sees shifted means, wrong spreads, missing modes and collapse alike, costs
    a few milliseconds, and is what ``steps="auto"`` stops on.

    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(200, 4)), rng.normal(size=(200, 4))
    >>> codes = np.zeros(200, dtype=int)
    >>> near = sliced_distance(a, codes, b, codes)
    >>> far = sliced_distance(a + 2.0, codes, b, codes)
    >>> bool(near < 0.2 < far)
    True
    """
    fake = np.asarray(fake, dtype=np.float64).reshape(len(fake), -1)
    real = np.asarray(real, dtype=np.float64).reshape(len(real), -1)
    rng = np.random.default_rng(seed)
    proj = rng.normal(size=(real.shape[1], n_projections))
    proj /= np.linalg.norm(proj, axis=0, keepdims=True)
    levels = (np.arange(n_quantiles) + 0.5) / n_quantiles
    gaps = []
    for c in np.unique(real_codes):
        f = fake[fake_codes == c]
        if len(f) == 0:
            continue
        qr = np.quantile(real[real_codes == c] @ proj, levels, axis=0)
        qf = np.quantile(f @ proj, levels, axis=0)
        gaps.append(float(np.abs(qr - qf).mean()))
    return float(np.mean(gaps)) if gaps else 0.0
