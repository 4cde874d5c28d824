"""Conditional MLP generator and projection discriminator for vectors."""

from __future__ import annotations

import torch
from torch import nn

from .layers import ProjectionHead, spectral_norm


class MLPGenerator(nn.Module):
    """``[z, embed(y)] -> hidden -> ... -> tanh`` of ``n_features`` values."""

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        *,
        noise_dim: int = 64,
        width: int = 256,
        depth: int = 2,
        embed_dim: int = 32,
    ) -> None:
        super().__init__()
        self.noise_dim = noise_dim
        self.embed = nn.Embedding(n_classes, embed_dim)
        layers: list[nn.Module] = []
        d_in = noise_dim + embed_dim
        for _ in range(depth):
            layers += [nn.Linear(d_in, width), nn.LayerNorm(width), nn.LeakyReLU(0.2)]
            d_in = width
        layers += [nn.Linear(d_in, n_features), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([z, self.embed(y)], dim=1))


class MLPDiscriminator(nn.Module):
    """Spectral-norm MLP with a projection head for the class."""

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        generator: torch.Generator,
        *,
        width: int = 256,
        depth: int = 2,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        d_in = n_features
        for _ in range(depth):
            layers += [
                spectral_norm(nn.Linear(d_in, width), generator),
                nn.LeakyReLU(0.2),
            ]
            d_in = width
        self.body = nn.Sequential(*layers)
        self.head = ProjectionHead(width, n_classes, generator)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x), y)
