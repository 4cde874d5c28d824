"""Turn torch datasets into arrays, and synthetic rows into dataset items.

A synthetic item must look exactly like a real item of the dataset it joins
(a PIL image where the real dataset gives PIL images, an HWC uint8 array where
it gives arrays, a CHW float tensor where it gives tensors), so the user's
transform runs unchanged on both.  :class:`ItemFormat` records what a real
item looks like and converts the augmenter's samples to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from ..prepare import DataSpec, _list_to_array


def _check_pair(item: Any, index: int) -> tuple[Any, Any]:
    if not isinstance(item, (tuple, list)) or len(item) < 2:
        raise TypeError(
            f"dataset[{index}] returned {type(item).__name__}; expected a "
            "(sample, target) pair as torchvision datasets and TensorDataset do."
        )
    return item[0], item[1]


def _to_array(sample: Any) -> np.ndarray:
    if isinstance(sample, Image.Image):
        return np.asarray(sample)
    if isinstance(sample, torch.Tensor):
        return sample.detach().cpu().numpy()
    return np.asarray(sample)


def _target(t: Any) -> Any:
    if isinstance(t, torch.Tensor):
        if t.numel() != 1:
            raise TypeError(
                f"dataset targets must be single class labels; got a tensor of "
                f"shape {tuple(t.shape)}."
            )
        return t.item()
    return t.item() if isinstance(t, np.generic) else t


def dataset_to_arrays(dataset: Any, max_samples: int | None = None) -> tuple[Any, Any]:
    """Stack a map-style ``(sample, target)`` dataset into ``(X, y)`` arrays.

    PIL images become uint8 ``(n, h, w)`` or ``(n, h, w, c)`` arrays, tensors
    are stacked as they are.  A torchvision dataset with ``data`` and
    ``targets`` and no transforms is read directly, without decoding every
    item.
    """
    if isinstance(dataset, (tuple, list)) and len(dataset) == 2:
        return dataset[0], dataset[1]
    if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
        raise TypeError(
            f"dataset must be a map-style dataset with __getitem__ and __len__ "
            f"returning (sample, target); got {type(dataset).__name__}."
        )
    n = len(dataset)
    if n == 0:
        raise ValueError("dataset is empty; expected at least one (sample, target).")
    if max_samples is not None:
        n = min(n, int(max_samples))
    fast = (
        hasattr(dataset, "data")
        and hasattr(dataset, "targets")
        and getattr(dataset, "transform", None) is None
        and getattr(dataset, "target_transform", None) is None
        and len(dataset.data) == len(dataset)
    )
    if fast:
        X = _to_array(dataset.data[:n])
        y = _list_to_array([_target(t) for t in list(dataset.targets)[:n]])
        sample, _ = _check_pair(dataset[0], 0)
        if isinstance(sample, Image.Image) and X.shape[1:] == _to_array(sample).shape:
            return X, y
    xs, ys = [], []
    for i in range(n):
        sample, target = _check_pair(dataset[i], i)
        xs.append(_to_array(sample))
        ys.append(_target(target))
    shapes = {x.shape for x in xs}
    if len(shapes) > 1:
        raise ValueError(
            f"dataset samples have different shapes {sorted(shapes)[:3]}; "
            "resize them to one size first (e.g. transforms.Resize)."
        )
    return np.stack(xs), _list_to_array(ys)


@dataclass
class ItemFormat:
    """What one real sample looks like: kind, layout, dtype, PIL mode."""

    kind: str  # "pil", "tensor" or "array"
    shape: tuple[int, ...]
    dtype: Any
    pil_mode: str | None = None

    @classmethod
    def of(cls, sample: Any) -> ItemFormat:
        if isinstance(sample, Image.Image):
            arr = np.asarray(sample)
            return cls("pil", arr.shape, np.uint8, sample.mode)
        if isinstance(sample, torch.Tensor):
            return cls("tensor", tuple(sample.shape), sample.dtype)
        arr = np.asarray(sample)
        return cls("array", arr.shape, arr.dtype)

    @property
    def is_uint8(self) -> bool:
        return self.dtype in (np.uint8, torch.uint8)

    def chw(self) -> tuple[int, ...]:
        """The sample's ``(c, h, w)`` (or ``(d,)`` for a vector)."""
        s = self.shape
        if len(s) == 1:
            return s
        if len(s) == 2:
            return (1, *s)
        if self.kind != "pil" and s[0] in (1, 3) and s[-1] not in (1, 3):
            return s
        if s[-1] in (1, 3):
            return (s[2], s[0], s[1])
        return s

    def check_matches(self, spec: DataSpec, what: str = "dataset") -> None:
        fitted = tuple(spec.model_shape)
        if tuple(self.chw()) != fitted:
            raise ValueError(
                f"{what} samples have shape {self.shape} (c, h, w = {self.chw()}), "
                f"but the augmenter was fitted on samples of shape "
                f"{tuple(spec.sample_shape)} (c, h, w = {fitted}); sizes and "
                "channel counts must match."
            )

    def convert(self, rows: np.ndarray, spec: DataSpec) -> list[Any]:
        """Augmenter samples (its fitted layout) -> a list of items like ours."""
        x = _model_layout(rows, spec).astype(np.float32)  # (n, c, h, w) or (n, d)
        src_uint8 = np.dtype(spec.dtype) == np.uint8
        if self.is_uint8 and not src_uint8:
            x = _to_unit(x, spec) * 255.0
        elif not self.is_uint8 and src_uint8:
            x = x / 255.0
        if x.ndim == 4:
            x = _to_layout(x, self.shape, self.kind)
        if self.is_uint8:
            x = np.clip(np.rint(x), 0, 255).astype(np.uint8)
        if self.kind == "pil":
            return [Image.fromarray(v) for v in x]
        if self.kind == "tensor":
            t = torch.from_numpy(np.ascontiguousarray(x)).to(self.dtype)
            return list(t.unbind(0))
        return list(x.astype(self.dtype, copy=False))


def _model_layout(rows: np.ndarray, spec: DataSpec) -> np.ndarray:
    if spec.layout == "hw":
        return rows[:, None]
    if spec.layout == "hwc":
        return rows.transpose(0, 3, 1, 2)
    return rows


def _to_unit(x: np.ndarray, spec: DataSpec) -> np.ndarray:
    """Float samples in the fitted range -> [0, 1] (for uint8 items)."""
    lo, hi = min(spec.lo), max(spec.hi)
    if lo >= 0.0 and hi <= 1.0:
        return x
    return (x - lo) / (hi - lo if hi > lo else 1.0)


def _to_layout(x: np.ndarray, shape: tuple[int, ...], kind: str) -> np.ndarray:
    """``(n, c, h, w)`` -> the item layout given by ``shape``."""
    if len(shape) == 2:
        return x[:, 0]
    if kind != "pil" and shape[0] in (1, 3) and shape[-1] not in (1, 3):
        return x
    out = x.transpose(0, 2, 3, 1)
    if kind == "pil" and out.shape[-1] == 1:
        out = out[..., 0]
    return out
