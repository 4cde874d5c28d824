"""Read a map-style torch dataset of ``(sample, target)`` pairs into arrays.

Core code (``GanAugmenter.fit_dataset``) uses it, so it lives beside the
core and imports nothing from the PyTorch face.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .labels import label_array


def check_pair(item: Any, index: int) -> tuple[Any, Any]:
    """``dataset[index]`` as ``(sample, target)``, or a clear ``TypeError``."""
    if not isinstance(item, (tuple, list)) or len(item) < 2:
        raise TypeError(
            f"dataset[{index}] returned {type(item).__name__}; expected a "
            "(sample, target) pair as torchvision datasets and TensorDataset do."
        )
    return item[0], item[1]


def to_array(sample: Any) -> np.ndarray:
    """A PIL image, tensor or array-like as a numpy array."""
    if _is_pil(sample):
        return np.asarray(sample)
    if isinstance(sample, torch.Tensor):
        return sample.detach().cpu().numpy()
    return np.asarray(sample)


def _is_pil(sample: Any) -> bool:
    return type(sample).__module__.startswith("PIL")


def target_value(t: Any) -> Any:
    """A dataset target as a plain label (one-element tensors included)."""
    if isinstance(t, torch.Tensor):
        if t.numel() != 1:
            raise TypeError(
                f"dataset targets must be single class labels; got a tensor of "
                f"shape {tuple(t.shape)}."
            )
        return t.item()
    return t.item() if isinstance(t, np.generic) else t


class ArrayPairs:
    """``(X, y)`` arrays as a map-style dataset; ``name`` is the argument
    errors name."""

    def __init__(self, X: Any, y: Any, name: str = "real") -> None:
        if len(X) != len(y):
            raise ValueError(
                f"{name}=(X, y) has {len(X)} samples and {len(y)} targets; "
                "expected one target per sample."
            )
        self.X, self.y = X, y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        return self.X[i], self.y[i]


def dataset_length(dataset: Any, max_samples: int | None) -> int:
    """Items to read: ``len(dataset)``, at most ``max_samples``."""
    if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
        raise TypeError(
            f"dataset must be a map-style dataset with __getitem__ and __len__ "
            f"returning (sample, target); got {type(dataset).__name__}."
        )
    n = len(dataset)
    if n == 0:
        raise ValueError("dataset is empty; expected at least one (sample, target).")
    return n if max_samples is None else min(n, int(max_samples))


def dataset_to_arrays(dataset: Any, max_samples: int | None = None) -> tuple[Any, Any]:
    """Stack a map-style ``(sample, target)`` dataset into ``(X, y)`` arrays.

    PIL images become uint8 ``(n, h, w)`` or ``(n, h, w, c)`` arrays, tensors
    are stacked as they are.  A torchvision dataset with ``data`` and
    ``targets`` and no transforms is read directly, without decoding every
    item.
    """
    if isinstance(dataset, (tuple, list)) and len(dataset) == 2:
        return dataset[0], dataset[1]
    n = dataset_length(dataset, max_samples)
    fast = (
        hasattr(dataset, "data")
        and hasattr(dataset, "targets")
        and getattr(dataset, "transform", None) is None
        and getattr(dataset, "target_transform", None) is None
        and len(dataset.data) == len(dataset)
    )
    if fast:
        X = to_array(dataset.data[:n])
        y = label_array([target_value(t) for t in list(dataset.targets)[:n]])
        sample, _ = check_pair(dataset[0], 0)
        if _is_pil(sample) and X.shape[1:] == to_array(sample).shape:
            return X, y
    xs, ys = [], []
    for i in range(n):
        sample, target = check_pair(dataset[i], i)
        xs.append(to_array(sample))
        ys.append(target_value(target))
    shapes = {x.shape for x in xs}
    if len(shapes) > 1:
        raise ValueError(
            f"dataset samples have different shapes {sorted(shapes)[:3]}; "
            "resize them to one size first (e.g. transforms.Resize)."
        )
    return np.stack(xs), label_array(ys)
