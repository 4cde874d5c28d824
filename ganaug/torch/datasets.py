"""``SyntheticDataset`` and ``AugmentedDataset``: torchvision-style datasets.

Synthetic samples are generated in large batches in the main process, when
the dataset is made (and again on :meth:`AugmentedDataset.set_epoch` with
``refresh=True``), and kept as a pool of arrays.  Items are only read from the
pool, so ``DataLoader(num_workers>0)`` works, is fast and deterministic, and no
model ever runs inside a worker.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torchvision.datasets import VisionDataset

from ..augmenter import GanAugmenter
from ..labels import label_array as _as_labels
from ..labels import lookup_labels, plain, split_counts
from ..layout import sample_shape
from ..runtime import derived_seed
from ..torchdata import ArrayPairs
from ..torchdata import check_pair as _check_pair
from ..torchdata import target_value as _target
from ..validation import check_n
from .items import ItemFormat

_CLASS_BALANCE = ("uniform", "prior", "balance")


def _call_transform(transform: Any, sample: Any) -> Any:
    """torchvision transforms take the image; albumentations takes ``image=``."""
    if transform is None:
        return sample
    if _is_albumentations(transform):
        if not isinstance(sample, np.ndarray):
            sample = np.asarray(sample)
        return transform(image=sample)["image"]
    return transform(sample)


def _is_albumentations(transform: Any) -> bool:
    module = type(transform).__module__ or ""
    return module.startswith("albumentations")


def _seed(random_state: Any, epoch: int = 0) -> int:
    return derived_seed(random_state, epoch, name="random_state")


def check_augmenter(augmenter: Any) -> GanAugmenter:
    if not isinstance(augmenter, GanAugmenter):
        raise TypeError(
            f"augmenter must be a fitted GanAugmenter; got {type(augmenter).__name__}."
        )
    check_is_fitted(augmenter)
    return augmenter


class SyntheticDataset(VisionDataset):
    """A dataset of generated samples only.

    Parameters
    ----------
    augmenter : GanAugmenter
        A fitted augmenter.
    n_per_class : int, optional
        Samples of every class.  Give this or ``n``.
    n : int, optional
        Samples in all, split evenly over classes.
    transform, target_transform : callable, optional
        Applied to each sample / target, as in torchvision.  An
        albumentations transform is called as ``transform(image=x)["image"]``.
    random_state : int, optional
        Seeds the pool: the same seed gives the same items.
    item_format : {"array", "pil", "tensor"}, default="array"
        Form of each sample: an array in the augmenter's fitted layout and
        dtype, a PIL image (uint8 images), or a torch tensor.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from ganaug import GanAugmenter
    >>> from ganaug.torch import SyntheticDataset
    >>> X, y = load_digits(return_X_y=True)
    >>> aug = GanAugmenter(steps=5, random_state=0).fit(X.reshape(-1, 8, 8), y)
    >>> ds = SyntheticDataset(aug, n_per_class=3, random_state=0)
    >>> len(ds), ds[0][0].shape, ds[0][1]
    (30, (8, 8), 0)
    """

    def __init__(
        self,
        augmenter: GanAugmenter,
        n_per_class: int | None = None,
        *,
        n: int | None = None,
        transform: Any = None,
        target_transform: Any = None,
        random_state: int | None = None,
        item_format: str = "array",
    ) -> None:
        super().__init__(
            root=None, transform=transform, target_transform=target_transform
        )
        self.augmenter = check_augmenter(augmenter)
        if (n_per_class is None) == (n is None):
            raise ValueError("give exactly one of n_per_class and n.")
        k = len(augmenter.classes_)
        total = (
            check_n(n, name="n")
            if n is not None
            else k * check_n(n_per_class, name="n_per_class")
        )
        if item_format not in ("array", "pil", "tensor"):
            raise ValueError(
                f"item_format must be 'array', 'pil' or 'tensor'; got {item_format!r}."
            )
        self.random_state = random_state
        X, y = augmenter.sample_arrays(
            total,
            random_state=_seed(random_state),
            channels_first=item_format != "array",
        )
        self._targets = [plain(v) for v in y]
        if item_format == "array":
            self._items: list[Any] = list(X)
        else:
            spec = augmenter.spec_
            fmt = ItemFormat(
                item_format,
                _item_shape(spec, item_format),
                np.uint8 if item_format == "pil" else _torch_dtype(spec.dtype),
            )
            self._items = fmt.convert(X, spec)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        sample, target = self._items[index], self._targets[index]
        sample = _call_transform(self.transform, sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    @property
    def targets(self) -> list[Any]:
        return list(self._targets)


class AugmentedDataset(VisionDataset):
    """A real dataset with synthetic samples mixed in.

    Indices ``0 .. n_real - 1`` are the real items, in the real dataset's
    order; indices ``n_real ..`` are synthetic.  Synthetic items have the
    same type and form as real ones (PIL image, HWC uint8 array, CHW tensor,
    vector), so one ``transform`` runs unchanged on both.

    Parameters
    ----------
    real : Dataset or (X, y)
        Any map-style dataset returning ``(sample, target)`` (a torchvision
        dataset, ``TensorDataset``, ...) or a pair of arrays.  Give it
        *without* its own random transform: pass the transform here instead.
    augmenter : GanAugmenter
        Fitted on the same kind of samples (:meth:`GanAugmenter.fit_dataset`).
    synthetic_fraction : float in [0, 1), default=0.5
        Share of synthetic items in the whole dataset:
        ``n_synthetic = round(n_real * f / (1 - f))``.
    n_synthetic : int, optional
        Number of synthetic items; overrides ``synthetic_fraction``.
    class_balance : {"uniform", "prior", "balance"}, default="uniform"
        How synthetic items are split over classes: equally, in proportion to
        the fitted class frequencies, or to even out the classes of the whole
        dataset (rare classes first, as over-sampling does).
    transform, target_transform : callable, optional
        Applied to every item, real or synthetic.  An albumentations
        transform is called as ``transform(image=x)["image"]``.
    refresh : bool, default=False
        Regenerate the synthetic pool on every :meth:`set_epoch` call.
    random_state : int, optional
        Seeds the pool (and each refresh, with the epoch number).
    return_is_synthetic : bool, default=False
        Return ``(sample, target, is_synthetic)`` triples.
    """

    def __init__(
        self,
        real: Any,
        augmenter: GanAugmenter,
        synthetic_fraction: float = 0.5,
        *,
        n_synthetic: int | None = None,
        class_balance: str = "uniform",
        transform: Any = None,
        target_transform: Any = None,
        refresh: bool = False,
        random_state: int | None = None,
        return_is_synthetic: bool = False,
    ) -> None:
        super().__init__(
            root=None, transform=transform, target_transform=target_transform
        )
        self.augmenter = check_augmenter(augmenter)
        if isinstance(real, (tuple, list)) and len(real) == 2:
            real = ArrayPairs(*real)
        if not hasattr(real, "__getitem__") or not hasattr(real, "__len__"):
            raise TypeError(
                f"real must be a map-style dataset returning (sample, target) or "
                f"a pair (X, y); got {type(real).__name__}."
            )
        if len(real) == 0:
            raise ValueError("real is empty; expected at least one (sample, target).")
        if getattr(real, "transform", None) is not None and transform is not None:
            warnings.warn(
                "real has its own transform and AugmentedDataset got another: "
                "real items get both, synthetic items only the second. Give the "
                "real dataset no transform.",
                UserWarning,
                stacklevel=2,
            )
        self.real = real
        self.n_real = len(real)
        first, _ = _check_pair(real[0], 0)
        self.item_format = ItemFormat.of(first)
        self.item_format.check_matches(augmenter.spec_, "real")
        if n_synthetic is None:
            f = synthetic_fraction
            if not isinstance(f, (int, float)) or not 0.0 <= f < 1.0:
                raise ValueError(
                    f"synthetic_fraction must be in [0, 1) so that some real "
                    f"samples remain; got {f!r}."
                )
            n_synthetic = int(round(self.n_real * f / (1.0 - f)))
        elif (
            isinstance(n_synthetic, bool)
            or not isinstance(n_synthetic, (int, np.integer))
            or n_synthetic < 0
        ):
            raise ValueError(
                f"n_synthetic must be an integer >= 0; got {n_synthetic!r}."
            )
        if class_balance not in _CLASS_BALANCE:
            raise ValueError(
                f"class_balance must be one of {_CLASS_BALANCE}; got {class_balance!r}."
            )
        self.n_synthetic = int(n_synthetic)
        self.class_balance = class_balance
        self.refresh = refresh
        self.random_state = random_state
        self.return_is_synthetic = return_is_synthetic
        self.epoch = 0
        self._real_codes = lookup_labels(
            augmenter.classes_, _as_labels(self._real_targets()), name="real targets"
        )
        self._labels = self._synthetic_labels()
        self._make_pool(0)

    # -- the pool ----------------------------------------------------------
    def _synthetic_labels(self) -> np.ndarray:
        aug, n = self.augmenter, self.n_synthetic
        k = len(aug.classes_)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        if self.class_balance == "uniform":
            counts = split_counts(n, np.ones(k))
        elif self.class_balance == "prior":
            counts = split_counts(n, aug.class_counts_.astype(float))
        else:
            have = np.bincount(self._real_codes, minlength=k).astype(np.int64)
            counts = _fill_up(n, have)
        return np.repeat(np.arange(k), counts)

    def _real_targets(self) -> list[Any]:
        real_t = getattr(self.real, "targets", None)
        if real_t is None or len(real_t) != self.n_real:
            real_t = [_check_pair(self.real[i], i)[1] for i in range(self.n_real)]
        return [_target(t) for t in list(real_t)]

    def _make_pool(self, epoch: int) -> None:
        aug = self.augmenter
        if self.n_synthetic == 0:
            self._pool, self._pool_targets = [], []
            return
        labels = aug.classes_[self._labels]
        X, y = aug.sample_arrays(y=labels, random_state=_seed(self.random_state, epoch))
        self._pool = self.item_format.convert(X, aug.spec_)
        self._pool_targets = [plain(v) for v in y]

    def set_epoch(self, epoch: int) -> None:
        """Call at the start of each epoch; with ``refresh=True`` the pool is
        regenerated, seeded by ``(random_state, epoch)``.  Workers made by a
        ``DataLoader`` with ``persistent_workers=False`` (the default) see the
        new pool; persistent workers keep the old one."""
        self.epoch = int(epoch)
        if self.refresh:
            self._make_pool(self.epoch)

    # -- dataset protocol --------------------------------------------------
    def __len__(self) -> int:
        return self.n_real + self.n_synthetic

    def is_synthetic(self, index: int) -> bool:
        """Whether item ``index`` is generated (indices ``>= n_real``)."""
        if index < 0:
            index += len(self)
        return index >= self.n_real

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items")
        if index < self.n_real:
            sample, target = _check_pair(self.real[index], index)
            target = _target(target)
        else:
            sample = self._pool[index - self.n_real]
            target = self._pool_targets[index - self.n_real]
        sample = _call_transform(self.transform, sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        if self.return_is_synthetic:
            return sample, target, index >= self.n_real
        return sample, target

    @property
    def targets(self) -> list[Any]:
        """Targets of all items, real then synthetic (reads the real dataset's
        ``targets`` when it has them)."""
        return self._real_targets() + list(self._pool_targets)

    def extra_repr(self) -> str:
        return (
            f"Real datapoints: {self.n_real}\nSynthetic datapoints: "
            f"{self.n_synthetic} ({self.class_balance}, refresh={self.refresh})"
        )


def _fill_up(n: int, have: np.ndarray) -> np.ndarray:
    """Give ``n`` new items to the classes with fewest, one at a time (water
    filling), so that ``have + counts`` is as even as it can be."""
    counts = np.zeros_like(have)
    total = have.copy()
    remaining = n
    while remaining > 0:
        low = total.min()
        lowest = np.flatnonzero(total == low)
        higher = total[total > low]
        step = (higher.min() - low) if len(higher) else remaining
        give = min(remaining, step * len(lowest))
        per, extra = divmod(give, len(lowest))
        add = np.full(len(lowest), per)
        add[:extra] += 1
        counts[lowest] += add
        total[lowest] += add
        remaining -= give
    return counts


def _item_shape(spec: Any, kind: str) -> tuple[int, ...]:
    if kind != "pil" or not spec.is_image:
        return tuple(spec.model_shape)
    layout = "hw" if spec.model_shape[0] == 1 else "hwc"
    return sample_shape(layout, spec.model_shape)


def _torch_dtype(dtype: str) -> Any:
    return torch.uint8 if dtype == "uint8" else torch.float32
