"""Conditional convolutional generator and projection discriminator for images.

Any image of at least 8x8 pixels with 1 or 3 channels.  The generator starts
from a small map and doubles it ``k`` times: where the height and width halve
exactly down to a map of at least 4x4 pixels (28x28 -> 7x7, 32x32 -> 4x4,
48x40 -> 6x5), it starts there and lands on the image size; otherwise it
works at the smallest ``4 * 2**k`` square that covers the image and resizes
to the exact size at the end.  The discriminator halves the resolution ``k``
times and sums over what is left, so it needs no fixed size.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import ProjectionHead, spectral_norm

# At most this many doublings from the generator's first map.
_MAX_DOUBLINGS = 8


def plan(height: int, width: int) -> tuple[int, int, int]:
    """``(k, h0, w0)``: the generator doubles an ``h0 x w0`` map ``k`` times.

    Exact halving where the image allows it (no pixels computed and then
    thrown away: 28x28 starts at 7x7, not at 4x4 up to 32x32); else a 4x4
    start covering the image, resized at the end.
    """
    k = 0
    while (
        k < _MAX_DOUBLINGS
        and height % 2 ** (k + 1) == 0
        and width % 2 ** (k + 1) == 0
        and min(height, width) // 2 ** (k + 1) >= 4
    ):
        k += 1
    if k:
        return k, height // 2**k, width // 2**k
    return max(1, math.ceil(math.log2(max(height, width) / 4))), 4, 4


class ConvGenerator(nn.Module):
    """``[z, embed(y)] -> h0 x w0 map -> (upsample, conv) * k -> tanh image``."""

    def __init__(
        self,
        shape: tuple[int, int, int],
        n_classes: int,
        *,
        noise_dim: int = 64,
        width: int = 64,
        embed_dim: int = 32,
    ) -> None:
        super().__init__()
        self.noise_dim = noise_dim
        self.shape = shape
        channels, height, w = shape
        k, self._h0, self._w0 = plan(height, w)
        ch = [min(width * 2 ** (k - i), 4 * width) for i in range(k + 1)]
        self.embed = nn.Embedding(n_classes, embed_dim)
        self.stem = nn.Linear(noise_dim + embed_dim, ch[0] * self._h0 * self._w0)
        blocks: list[nn.Module] = []
        for i in range(k):
            blocks += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(ch[i], ch[i + 1], 3, padding=1),
                nn.GroupNorm(min(8, ch[i + 1]), ch[i + 1]),
                nn.LeakyReLU(0.2),
            ]
        self.blocks = nn.Sequential(
            nn.GroupNorm(min(8, ch[0]), ch[0]), nn.LeakyReLU(0.2), *blocks
        )
        self.to_image = nn.Conv2d(ch[-1], channels, 3, padding=1)
        self._ch0 = ch[0]

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.stem(torch.cat([z, self.embed(y)], dim=1))
        h = self.blocks(h.view(-1, self._ch0, self._h0, self._w0))
        x = torch.tanh(self.to_image(h))
        _, height, w = self.shape
        if x.shape[-2:] != (height, w):
            x = F.interpolate(x, size=(height, w), mode="bilinear", align_corners=False)
        return x


class ConvDiscriminator(nn.Module):
    """Spectral-norm conv net, global sum pooling and a projection head."""

    def __init__(
        self,
        shape: tuple[int, int, int],
        n_classes: int,
        generator: torch.Generator,
        *,
        width: int = 64,
    ) -> None:
        super().__init__()
        channels, height, w = shape
        k = plan(height, w)[0]
        layers: list[nn.Module] = [
            spectral_norm(nn.Conv2d(channels, width, 3, padding=1), generator),
            nn.LeakyReLU(0.2),
        ]
        c_in = width
        for i in range(k):
            c_out = min(width * 2 ** (i + 1), 8 * width)
            layers += [
                spectral_norm(
                    nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), generator
                ),
                nn.LeakyReLU(0.2),
            ]
            c_in = c_out
        self.body = nn.Sequential(*layers)
        self.head = ProjectionHead(c_in, n_classes, generator)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.body(x).sum(dim=(2, 3))
        return self.head(h, y)
