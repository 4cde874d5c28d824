"""Shared fixtures: a seed, the digits data and small fitted augmenters."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from ganaug import GanAugmenter

SEED = 0


@pytest.fixture
def seed() -> int:
    return SEED


@pytest.fixture(scope="session")
def digits():
    X, y = load_digits(return_X_y=True)
    return X, y


@pytest.fixture(scope="session")
def small_digits(digits):
    """30 rows per class: enough to train a few steps quickly."""
    X, y = digits
    keep = np.concatenate([np.flatnonzero(y == c)[:30] for c in range(10)])
    return X[keep], y[keep]


@pytest.fixture(scope="session")
def fitted(small_digits):
    """A briefly trained augmenter on tabular digits (shape only, not quality)."""
    X, y = small_digits
    return GanAugmenter(steps=30, random_state=SEED).fit(X, y)
