"""Building blocks shared by the generators and discriminators.

Spectral norm is written here rather than taken from
``torch.nn.utils.parametrizations`` because the library's version draws its
power-iteration vectors from the global RNG; ours takes a seeded
``torch.Generator`` so that a model is reproducible without touching global
state.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrize


class SpectralNorm(nn.Module):
    """Divide a weight by its largest singular value (one power step per call)."""

    def __init__(self, weight: torch.Tensor, generator: torch.Generator) -> None:
        super().__init__()
        self.register_buffer("_u", torch.empty(weight.shape[0]))
        self.register_buffer("_v", torch.empty(weight[0].numel()))
        self.reset(weight, generator)

    @torch.no_grad()
    def reset(self, weight: torch.Tensor, generator: torch.Generator) -> None:
        """Draw new singular vectors from ``generator`` and refine them."""
        self._u.copy_(
            F.normalize(torch.randn(self._u.shape, generator=generator), dim=0)
        )
        self._v.copy_(
            F.normalize(torch.randn(self._v.shape, generator=generator), dim=0)
        )
        for _ in range(10):
            self._power_step(weight.detach().flatten(1))

    @torch.no_grad()
    def _power_step(self, w: torch.Tensor) -> None:
        self._v.copy_(F.normalize(w.t() @ self._u, dim=0, eps=1e-12))
        self._u.copy_(F.normalize(w @ self._v, dim=0, eps=1e-12))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        w = weight.flatten(1)
        if self.training:
            self._power_step(w.detach())
        # sigma is treated as a constant in backward: the weight is still
        # divided by its largest singular value, but the backward pass skips
        # three weight-sized ops per layer (a third of a CPU step).
        with torch.no_grad():
            sigma = torch.dot(self._u, w @ self._v)
        return weight / sigma


def spectral_norm(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Register :class:`SpectralNorm` on ``module.weight`` and return the module."""
    parametrize.register_parametrization(
        module, "weight", SpectralNorm(module.weight, generator)
    )
    return module


def init_weights(model: nn.Module, generator: torch.Generator) -> None:
    """Re-initialise every layer from ``generator`` (no global RNG involved).

    Linear and conv weights get PyTorch's default Kaiming-uniform range, biases
    zero, embeddings N(0, 1) scaled by ``1/sqrt(dim)``.
    """
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                w = _raw_weight(m)
                fan_in = w[0].numel()
                bound = 1.0 / math.sqrt(fan_in) * math.sqrt(3.0)
                w.copy_(torch.rand(w.shape, generator=generator) * 2 * bound - bound)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.Embedding):
                w = _raw_weight(m)
                w.copy_(
                    torch.randn(w.shape, generator=generator) / math.sqrt(w.shape[1])
                )
        for m in model.modules():  # restart power iteration on the new weights
            if parametrize.is_parametrized(m, "weight"):
                for p in m.parametrizations.weight:
                    if isinstance(p, SpectralNorm):
                        p.reset(m.parametrizations.weight.original, generator)


def _raw_weight(m: nn.Module) -> torch.Tensor:
    if parametrize.is_parametrized(m, "weight"):
        return m.parametrizations.weight.original
    return m.weight


class ProjectionHead(nn.Module):
    """Conditional output ``psi(h) + <embed(y), h>`` (Miyato & Koyama, 2018)."""

    def __init__(
        self, features: int, n_classes: int, generator: torch.Generator
    ) -> None:
        super().__init__()
        self.linear = spectral_norm(nn.Linear(features, 1), generator)
        self.embed = spectral_norm(nn.Embedding(n_classes, features), generator)

    def forward(self, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.linear(h).squeeze(1) + (self.embed(y) * h).sum(dim=1)
