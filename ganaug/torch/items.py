"""Synthetic rows as dataset items that look exactly like the real ones.

A synthetic item must look like a real item of the dataset it joins (a PIL
image where the real dataset gives PIL images, an HWC uint8 array where it
gives arrays, a CHW float tensor where it gives tensors), so the user's
transform runs unchanged on both.  :class:`ItemFormat` records what a real
item looks like and converts the augmenter's samples to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from ..layout import from_chw, item_layout, model_shape
from ..prepare import DataSpec


@dataclass
class ItemFormat:
    """What one real sample looks like: kind, shape, dtype."""

    kind: str  # "pil", "tensor" or "array"
    shape: tuple[int, ...]
    dtype: Any

    @classmethod
    def of(cls, sample: Any) -> ItemFormat:
        if isinstance(sample, Image.Image):
            return cls("pil", np.asarray(sample).shape, np.uint8)
        if isinstance(sample, torch.Tensor):
            return cls("tensor", tuple(sample.shape), sample.dtype)
        arr = np.asarray(sample)
        return cls("array", arr.shape, arr.dtype)

    @property
    def is_uint8(self) -> bool:
        return self.dtype in (np.uint8, torch.uint8)

    @property
    def layout(self) -> str:
        return item_layout(self.shape, pil=self.kind == "pil")

    def chw(self) -> tuple[int, ...]:
        """The sample's ``(c, h, w)`` (or ``(d,)`` for a vector)."""
        return model_shape(self.layout, self.shape)

    def check_matches(self, spec: DataSpec, what: str = "dataset") -> None:
        fitted = tuple(spec.model_shape)
        if tuple(self.chw()) != fitted:
            raise ValueError(
                f"{what} samples have shape {self.shape} (c, h, w = {self.chw()}), "
                f"but the augmenter was fitted on samples of shape "
                f"{tuple(spec.sample_shape)} (c, h, w = {fitted}); sizes and "
                "channel counts must match."
            )

    def convert(self, chw: np.ndarray, spec: DataSpec) -> list[Any]:
        """Samples ``(n, c, h, w)`` or ``(n, d)`` in the fitted dtype and range
        (:meth:`GanAugmenter.sample_arrays`) -> a list of items like ours."""
        x = chw.astype(np.float32)
        src_uint8 = np.dtype(spec.dtype) == np.uint8
        if self.is_uint8 and not src_uint8:
            x = _to_unit(x, spec) * 255.0
        elif not self.is_uint8 and src_uint8:
            x = x / 255.0
        if x.ndim == 4:
            x = from_chw(x, self.layout)
        if self.is_uint8:
            x = np.clip(np.rint(x), 0, 255).astype(np.uint8)
        if self.kind == "pil":
            if x.ndim == 4 and x.shape[-1] == 1:
                x = x[..., 0]
            return [Image.fromarray(v) for v in x]
        if self.kind == "tensor":
            t = torch.from_numpy(np.ascontiguousarray(x)).to(self.dtype)
            return list(t.unbind(0))
        return list(x.astype(self.dtype, copy=False))


def _to_unit(x: np.ndarray, spec: DataSpec) -> np.ndarray:
    """Float samples in the fitted range -> [0, 1] (for uint8 items)."""
    lo, hi = float(min(spec.lo)), float(max(spec.hi))
    if lo >= 0.0 and hi <= 1.0:
        return x
    return (x - lo) / (hi - lo if hi > lo else 1.0)
