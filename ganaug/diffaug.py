"""Differentiable augmentation for the discriminator's inputs (DiffAugment).

Zhao et al. (2020) showed that a GAN trained on a few hundred images stops
overfitting when the *same kind* of random, differentiable transformation is
applied to both real and generated images before the discriminator sees
them.  Each function here maps a batch ``(n, c, h, w)`` in [-1, 1] to a batch
of the same shape and draws its randomness from an explicit generator.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

POLICIES = ("color", "translation", "cutout")


def _rand(x: torch.Tensor, g: torch.Generator | None, *shape: int) -> torch.Tensor:
    return torch.rand(shape, device=x.device, generator=g, dtype=x.dtype)


def color(x: torch.Tensor, g: torch.Generator | None = None) -> torch.Tensor:
    """Random brightness, saturation (colour images) and contrast."""
    n = x.shape[0]
    x = x + (_rand(x, g, n, 1, 1, 1) - 0.5)
    if x.shape[1] > 1:
        mean = x.mean(dim=1, keepdim=True)
        x = (x - mean) * (_rand(x, g, n, 1, 1, 1) * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_rand(x, g, n, 1, 1, 1) + 0.5) + mean


def translation(
    x: torch.Tensor, g: torch.Generator | None = None, ratio: float = 0.125
) -> torch.Tensor:
    """Shift each image by up to ``ratio`` of its size, filling with -1."""
    n, _, h, w = x.shape
    sh, sw = max(1, int(h * ratio + 0.5)), max(1, int(w * ratio + 0.5))
    dy = (_rand(x, g, n) * (2 * sh + 1)).long() - sh
    dx = (_rand(x, g, n) * (2 * sw + 1)).long() - sw
    padded = F.pad(x, (sw, sw, sh, sh), value=-1.0)
    rows = (torch.arange(h, device=x.device)[None, :] + sh - dy[:, None]).clamp_(
        0, h + 2 * sh - 1
    )
    cols = (torch.arange(w, device=x.device)[None, :] + sw - dx[:, None]).clamp_(
        0, w + 2 * sw - 1
    )
    idx_n = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[idx_n, rows[:, :, None], cols[:, None, :]]
    return out.permute(0, 3, 1, 2)


def cutout(
    x: torch.Tensor, g: torch.Generator | None = None, ratio: float = 0.5
) -> torch.Tensor:
    """Blank one random square of ``ratio`` of the image size per image."""
    n, _, h, w = x.shape
    ch, cw = max(1, int(h * ratio + 0.5)), max(1, int(w * ratio + 0.5))
    cy = (_rand(x, g, n) * (h + 1 - ch % 2)).long()
    cx = (_rand(x, g, n) * (w + 1 - cw % 2)).long()
    top = (cy - ch // 2)[:, None]
    left = (cx - cw // 2)[:, None]
    ys = torch.arange(h, device=x.device)[None, :]
    xs = torch.arange(w, device=x.device)[None, :]
    in_y = ((ys >= top) & (ys < top + ch))[:, :, None]
    in_x = ((xs >= left) & (xs < left + cw))[:, None, :]
    mask = ~(in_y & in_x)
    return torch.where(mask[:, None], x, torch.full_like(x, -1.0))


_FUNCS: dict[str, Callable[..., torch.Tensor]] = {
    "color": color,
    "translation": translation,
    "cutout": cutout,
}


def parse_policy(policy: str | None) -> tuple[str, ...]:
    """``"translation,cutout"`` -> ``("translation", "cutout")``; validates names."""
    if not policy:
        return ()
    names = tuple(p.strip() for p in policy.split(",") if p.strip())
    for name in names:
        if name not in _FUNCS:
            raise ValueError(
                f"diffaugment must be a comma-separated subset of {POLICIES}, "
                f"'' or None; got {policy!r}."
            )
    return names


def diff_augment(
    x: torch.Tensor, policy: tuple[str, ...], g: torch.Generator | None = None
) -> torch.Tensor:
    """Apply the policy's transformations in order."""
    for name in policy:
        x = _FUNCS[name](x, g)
    return x
