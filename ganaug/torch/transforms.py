"""``SyntheticMix``: a batch transform that swaps in class-matched samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..augmenter import GanAugmenter
from ..labels import lookup_labels
from ..runtime import torch_rng
from .datasets import check_augmenter
from .items import ItemFormat


class SyntheticMix(torch.nn.Module):
    """Replace a fraction of a batch with synthetic samples of the same class.

    Used after the ``DataLoader``, like ``torchvision.transforms.v2.CutMix``:
    ``images, labels = mix(images, labels)``.  Each replaced row gets a new
    sample generated for *that row's label*, so labels stay valid and are
    returned unchanged.

    The synthetic samples are brought to the batch's form: layout ``(B, C, H,
    W)`` (or ``(B, d)``), the batch's device and dtype, and its scale.  For a
    float batch, samples of a uint8-fitted augmenter are divided by 255 (as
    ``ToTensor``/``ToDtype(scale=True)`` do), float-fitted samples keep their
    fitted range; then, if you pass the ``mean`` and ``std`` of your
    ``Normalize``, they are normalised the same way.  Nothing is learned from
    the batch itself, so the result does not depend on the batch's content.

    Parameters
    ----------
    augmenter : GanAugmenter
        Fitted on the classes the labels refer to.
    p : float in [0, 1], default=0.3
        Share of each batch replaced (rounded to whole rows).
    mean, std : sequence of float, optional
        Per-channel normalisation applied to the batch.
    random_state : int, optional
        Seeds which rows are replaced and the samples.

    Examples
    --------
    >>> import torch
    >>> from sklearn.datasets import load_digits
    >>> from ganaug import GanAugmenter
    >>> from ganaug.torch import SyntheticMix
    >>> X, y = load_digits(return_X_y=True)
    >>> aug = GanAugmenter(steps=5, random_state=0).fit(X.reshape(-1, 1, 8, 8), y)
    >>> mix = SyntheticMix(aug, p=0.5, random_state=0)
    >>> images, labels = torch.rand(8, 1, 8, 8), torch.arange(8)
    >>> out, out_labels = mix(images, labels)
    >>> out.shape, bool((out_labels == labels).all()), int(mix.last_replaced.sum())
    (torch.Size([8, 1, 8, 8]), True, 4)
    """

    def __init__(
        self,
        augmenter: GanAugmenter,
        p: float = 0.3,
        *,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        random_state: int | None = None,
    ) -> None:
        super().__init__()
        self.augmenter = check_augmenter(augmenter)
        if (
            isinstance(p, bool)
            or not isinstance(p, (int, float))
            or not 0.0 <= p <= 1.0
        ):
            raise ValueError(f"p must be a number in [0, 1]; got {p!r}.")
        if (mean is None) != (std is None):
            raise ValueError("give both mean and std, or neither.")
        self.p = float(p)
        self.mean = None if mean is None else torch.as_tensor(mean, dtype=torch.float32)
        self.std = None if std is None else torch.as_tensor(std, dtype=torch.float32)
        self.random_state = random_state
        self._rng = torch_rng(random_state)
        self.last_replaced: torch.Tensor | None = None

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> tuple[Any, Any]:
        if not isinstance(images, torch.Tensor) or images.dim() not in (2, 4):
            shape = tuple(getattr(images, "shape", ()))
            raise TypeError(
                f"images must be a (B, C, H, W) or (B, d) tensor; got "
                f"{type(images).__name__} of shape {shape}."
            )
        labels_t = torch.as_tensor(labels)
        if labels_t.dim() != 1 or len(labels_t) != len(images):
            raise ValueError(
                f"labels must be 1-D class labels, one per image; got shape "
                f"{tuple(labels_t.shape)} for {len(images)} images (apply "
                "SyntheticMix before CutMix/MixUp, which make soft labels)."
            )
        # every label, not only the replaced rows': an unseen label is an error
        lookup_labels(self.augmenter.classes_, labels_t.cpu().numpy(), name="labels")
        fmt = ItemFormat("tensor", tuple(images.shape[1:]), images.dtype)
        fmt.check_matches(self.augmenter.spec_, "images")
        n_swap = int(round(self.p * len(images)))
        mask = torch.zeros(len(images), dtype=torch.bool)
        if n_swap == 0:
            self.last_replaced = mask
            return images, labels
        rows = torch.randperm(len(images), generator=self._rng)[:n_swap]
        mask[rows] = True
        wanted = labels_t[rows].cpu().numpy()
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=self._rng))
        X, _ = self.augmenter.sample_arrays(y=wanted, random_state=seed)
        fake = torch.stack(fmt.convert(X, self.augmenter.spec_))
        if self.mean is not None and images.dim() == 4:
            shape = (1, -1, 1, 1)
            fake = (fake.float() - self.mean.view(shape)) / self.std.view(shape)
        out = images.clone()
        out[rows.to(images.device)] = fake.to(device=images.device, dtype=images.dtype)
        self.last_replaced = mask
        return out, labels

    def extra_repr(self) -> str:
        return f"p={self.p}, normalize={self.mean is not None}"
