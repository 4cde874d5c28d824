"""Device and seed resolution: the one home of both.

Every random draw in ganaug comes from an explicit ``torch.Generator`` seeded
from ``random_state``; nothing here touches numpy's or torch's global RNG.
"""

from __future__ import annotations

import math
from numbers import Integral
from typing import Any

import numpy as np
import torch

_SEED_LIMIT = 2**31 - 1


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA, then MPS, then CPU; anything else is checked.

    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, str) and device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device must be 'auto' or a torch device such as 'cpu' or 'cuda:0'; "
            f"got {device!r}."
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but CUDA is not available.")
    return dev


def resolve_seed(random_state: Any, *, name: str = "random_state") -> int:
    """An int seed in ``[0, 2**31 - 1)`` from ``random_state``.

    ``None`` draws fresh OS entropy; a numpy ``RandomState``/``Generator``
    gives one draw (advancing it, as scikit-learn does); a non-negative int is
    used as is.  The global RNGs are never touched.

    >>> resolve_seed(7)
    7
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, _SEED_LIMIT))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, _SEED_LIMIT))
    if (
        isinstance(random_state, Integral)
        and not isinstance(random_state, bool)
        and random_state >= 0
    ):
        return int(random_state) % _SEED_LIMIT
    raise ValueError(
        f"{name} must be None, a non-negative int, a numpy RandomState or "
        f"Generator; got {random_state!r}."
    )


def torch_rng(random_state: Any, *, name: str = "random_state") -> torch.Generator:
    """A CPU ``torch.Generator`` seeded from ``random_state``."""
    return torch.Generator().manual_seed(resolve_seed(random_state, name=name))


def derived_seed(random_state: Any, *keys: int, name: str = "random_state") -> int:
    """A seed for ``(random_state, *keys)``, e.g. one per epoch; a ``None``
    ``random_state`` counts as 0 so the result is reproducible."""
    base = 0 if random_state is None else resolve_seed(random_state, name=name)
    state = np.random.SeedSequence([base, *keys]).generate_state(1)[0]
    return int(state >> 1)


def process_seed(seed: int, rank: int) -> int:
    """The seed of the batches, noise and augmentations of process ``rank``.

    Rank 0, and a plain single-process fit, use ``seed + 1``; other ranks a
    seed derived from ``(seed, rank)``, so every process draws its own batches.

    >>> process_seed(7, 0)
    8
    """
    return seed + 1 if rank == 0 else derived_seed(seed, 7, rank)


def sampling_noise(
    n: int, dim: int, generator: torch.Generator, truncation: float | None = None
) -> torch.Tensor:
    """``n`` noise vectors: standard normal, or (``truncation``) normal
    truncated to ``[-truncation, truncation]`` by inverting the CDF, so one
    draw per entry and the same seed gives the same noise."""
    if truncation is None:
        return torch.randn(n, dim, generator=generator)
    u = torch.rand(n, dim, generator=generator, dtype=torch.float64)
    lo = 0.5 * math.erfc(truncation / math.sqrt(2.0))  # Phi(-truncation)
    u = lo + u * (1.0 - 2.0 * lo)
    z = math.sqrt(2.0) * torch.special.erfinv(2.0 * u - 1.0)
    return z.clamp_(-truncation, truncation).float()
