"""Image grids of samples, written with torchvision and Pillow (no matplotlib)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from torchvision.utils import make_grid, save_image

from .layout import guess_layout, to_chw


def save_class_grid(
    rows: list[np.ndarray],
    path: str | os.PathLike,
    *,
    image_shape: tuple[int, ...] | None = None,
    scale: int = 4,
) -> None:
    """Save one row of images per entry of ``rows`` as a PNG.

    Each entry is an array of images ``(k, h, w)``, ``(k, h, w, c)`` or flat
    vectors ``(k, h*w)`` reshaped with ``image_shape``.  Values are scaled
    to [0, 1] over the whole grid; small images are enlarged ``scale`` times.
    """
    tiles = []
    for imgs in rows:
        x = np.asarray(imgs, dtype=np.float32)
        if image_shape is not None:
            x = x.reshape((len(x), *image_shape))
        if x.ndim > 2:
            x = to_chw(x, guess_layout(x.shape))
        tiles.append(torch.from_numpy(np.ascontiguousarray(x)))
    batch = torch.cat(tiles)
    lo, hi = batch.min(), batch.max()
    batch = (batch - lo) / (hi - lo if hi > lo else 1.0)
    if scale > 1:
        batch = torch.nn.functional.interpolate(
            batch, scale_factor=scale, mode="nearest"
        )
    per_row = max(len(t) for t in tiles)
    grid = make_grid(batch, nrow=per_row, padding=2, pad_value=1.0)
    save_image(grid, os.fspath(path))


def class_rows(X: Any, y: Any, classes: Any, per_class: int) -> list[np.ndarray]:
    """The first ``per_class`` samples of each class, as a list of arrays."""
    X, y = np.asarray(X), np.asarray(y)
    return [X[y == c][:per_class] for c in classes]
