"""TensorBoard logs of a fit: losses, quality scores and samples.

``GanAugmenter(log_dir=...)`` writes, with ``torch.utils.tensorboard``:

* ``loss/discriminator`` and ``loss/generator``: every history entry (the
  mean over an epoch, and over processes in a distributed fit);
* ``quality``: every early-stopping score (``steps="auto"``; lower is better);
* for images, ``samples``: a grid of the EMA generator's samples, one row per
  class (the first 16 classes), 8 columns, the same noise every time; for
  tables, ``features/<column>``: a histogram of each of the first 32 numeric
  features of 64 samples per class, in the caller's units.  Both at every
  evaluation and after the last step.

``tensorboard`` is an optional dependency (``pip install tensorboard``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

_GRID_CLASSES = 16
_GRID_PER_CLASS = 8
_HIST_FEATURES = 32
_HIST_PER_CLASS = 64


def summary_writer_class() -> type:
    """``torch.utils.tensorboard.SummaryWriter``, or a clear ImportError."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as err:
        raise ImportError(
            "log_dir is set, so ganaug writes TensorBoard logs, which needs the "
            "tensorboard package; install it with `pip install tensorboard`, or "
            "set log_dir=None."
        ) from err
    return SummaryWriter


class TensorBoardLog:
    """A :class:`ganaug.training.Monitor` that writes TensorBoard event files.

    Parameters
    ----------
    log_dir : str or path
        Directory of the event files (created if needed).
    n_classes, noise_dim : int
        Of the generator.
    device : torch.device
        Where the generator lives.
    seed : int
        Seeds the fixed noise of the sample grids and histograms.
    image_shape : tuple of int or None
        ``(c, h, w)`` of the images in model space ([-1, 1]); ``None`` for
        tables.
    decode : callable, optional
        For tables: model-space rows ``(n, d)`` -> one array per feature in the
        caller's units.
    feature_names : sequence of str, optional
        Names of the table's features (default ``x0``, ``x1``, ...).
    """

    def __init__(
        self,
        log_dir: str | os.PathLike,
        *,
        n_classes: int,
        noise_dim: int,
        device: torch.device,
        seed: int,
        image_shape: tuple[int, ...] | None = None,
        decode: Callable[[np.ndarray], list[np.ndarray]] | None = None,
        feature_names: Sequence[Any] | None = None,
    ) -> None:
        self.writer = summary_writer_class()(log_dir=os.fspath(log_dir))
        self.image_shape = image_shape
        self.decode = decode
        self.feature_names = None if feature_names is None else list(feature_names)
        if image_shape is not None:
            shown, per_class = min(n_classes, _GRID_CLASSES), _GRID_PER_CLASS
        else:
            shown, per_class = n_classes, _HIST_PER_CLASS
        g = torch.Generator().manual_seed(seed + 5)
        codes = torch.arange(shown).repeat_interleave(per_class)
        self.z = torch.randn(len(codes), noise_dim, generator=g).to(device)
        self.y = codes.to(device)

    def scalars(self, step: int, values: dict[str, float]) -> None:
        for tag, value in values.items():
            self.writer.add_scalar(tag, value, step)

    @torch.no_grad()
    def samples(self, step: int, ema: nn.Module) -> None:
        x = ema(self.z, self.y).float().cpu()
        if self.image_shape is not None:
            from torchvision.utils import make_grid

            images = ((x.reshape(len(x), *self.image_shape) + 1) / 2).clamp(0, 1)
            grid = make_grid(images, nrow=_GRID_PER_CLASS, padding=1, pad_value=1.0)
            self.writer.add_image("samples", grid, step)
        elif self.decode is not None:
            feats = self.decode(x.numpy())
            names = self.feature_names or [f"x{j}" for j in range(len(feats))]
            shown = 0
            for name, values in zip(names, feats, strict=True):
                if shown == _HIST_FEATURES:
                    break
                if np.asarray(values).dtype.kind not in "iufb":
                    continue
                values = np.asarray(values, dtype=np.float64)
                self.writer.add_histogram(f"features/{name}", values, step)
                shown += 1

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
