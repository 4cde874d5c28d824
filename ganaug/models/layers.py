"""Building blocks shared by the generators and discriminators.

Spectral norm is written here rather than taken from
``torch.nn.utils.parametrizations`` because the library's version draws its
power-iteration vectors from the global RNG; ours takes a seeded
``torch.Generator`` so that a model is reproducible without touching global
state, and skips the parametrization machinery, which costs more than the
arithmetic on small CPU models.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class SpectralNorm(nn.Module):
    """Divide a weight by its largest singular value (one power step per call)."""

    def __init__(self, weight: torch.Tensor, generator: torch.Generator) -> None:
        super().__init__()
        self.register_buffer("_u", torch.empty(weight.shape[0]))
        self.register_buffer("_v", torch.empty(weight[0].numel()))
        # refined by the reset of init_weights, once the weight is drawn
        self.reset(weight, generator, refine=False)

    @torch.no_grad()
    def reset(
        self, weight: torch.Tensor, generator: torch.Generator, refine: bool = True
    ) -> None:
        """Draw new singular vectors from ``generator`` and refine them."""
        self._u.copy_(
            F.normalize(torch.randn(self._u.shape, generator=generator), dim=0)
        )
        self._v.copy_(
            F.normalize(torch.randn(self._v.shape, generator=generator), dim=0)
        )
        for _ in range(10 if refine else 0):
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


class SpectralNormed(nn.Module):
    """A linear, conv or embedding layer whose weight is divided by its largest
    singular value (:class:`SpectralNorm`) on every forward pass.

    The same computation as ``torch.nn.utils.parametrize`` with
    :class:`SpectralNorm` as the parametrization, without its per-access
    machinery: the normalised weight is made once per forward call and handed
    to the functional form of the layer (a tenth of a small CPU step).
    """

    def __init__(self, module: nn.Module, generator: torch.Generator) -> None:
        super().__init__()
        if not isinstance(module, (nn.Linear, nn.Conv2d, nn.Embedding)):
            raise TypeError(f"spectral norm of a {type(module).__name__}")
        self.module = module
        self.norm = SpectralNorm(module.weight, generator)

    @property
    def weight(self) -> torch.Tensor:
        """The normalised weight (a power step first, in training mode)."""
        return self.norm.forward(self.module.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.module
        w = self.norm.forward(m.weight)
        if isinstance(m, nn.Linear):
            return F.linear(x, w, m.bias)
        if isinstance(m, nn.Conv2d):
            return m._conv_forward(x, w, m.bias)
        return F.embedding(x, w)


def spectral_norm(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """``module`` with its weight spectrally normalised (:class:`SpectralNormed`)."""
    return SpectralNormed(module, generator)


def init_weights(model: nn.Module, generator: torch.Generator) -> None:
    """Re-initialise every layer from ``generator`` (no global RNG involved).

    Linear and conv weights get PyTorch's default Kaiming-uniform range, biases
    zero, embeddings N(0, 1) scaled by ``1/sqrt(dim)``.
    """
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                fan_in = m.weight[0].numel()
                bound = 1.0 / math.sqrt(fan_in) * math.sqrt(3.0)
                m.weight.copy_(
                    torch.rand(m.weight.shape, generator=generator) * 2 * bound - bound
                )
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.Embedding):
                m.weight.copy_(
                    torch.randn(m.weight.shape, generator=generator)
                    / math.sqrt(m.weight.shape[1])
                )
        for m in model.modules():  # restart power iteration on the new weights
            if isinstance(m, SpectralNormed):
                m.norm.reset(m.module.weight, generator)


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
