"""Conditional MLP generator and projection discriminator for vectors.

For a table with categorical columns or missing values the generator ends in
a :class:`OneHotOutput`: ``tanh`` for the numeric slots and, for every
one-hot block (a categorical column, a missingness indicator), a
straight-through Gumbel-softmax, so every sample holds exactly one level per
block while the generator still gets a gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .layers import ProjectionHead, spectral_norm

# Temperature of the soft (backward) half of the straight-through estimator.
TAU = 0.5


@dataclass
class OneHotBlocks:
    """The one-hot part of a mixed table's model space.

    The model-space vector is ``n_numeric`` numeric slots, then one block of
    ``sizes[b]`` slots per one-hot block.  ``allowed[c]`` says which of the
    block slots class ``c`` may emit (the levels seen for it in ``fit``);
    ``complete[c]`` the same with the "missing" levels removed, for
    ``missing="complete"``.
    """

    n_numeric: int
    sizes: list[int]
    allowed: np.ndarray  # (n_classes, sum(sizes)) bool
    complete: np.ndarray  # (n_classes, sum(sizes)) bool

    @property
    def width(self) -> int:
        return self.n_numeric + int(sum(self.sizes))


def gumbel(z: torch.Tensor) -> torch.Tensor:
    """Standard normal draws -> Gumbel(0, 1) draws (``-log(-log(Phi(z)))``,
    with ``log Phi`` computed without rounding ``Phi`` to 1)."""
    return -torch.log((-torch.special.log_ndtr(z)).clamp_min(1e-30))


class OneHotOutput(nn.Module):
    """``tanh`` for numeric slots, a straight-through Gumbel-softmax per block.

    Forward: the block's level is ``argmax(logits + g)`` over the levels
    allowed for the row's class, emitted as an exact one-hot vector (a sample
    from the block's softmax).  Backward: the gradient of
    ``softmax((logits + g) / TAU)``.  The Gumbel draws ``g`` come in with
    the noise vector (its last ``sum(sizes)`` entries, standard normal draws
    turned into Gumbel draws by :func:`gumbel`), so every random number comes
    from the caller's ``torch.Generator`` and a fixed seed gives the same
    samples.
    """

    def __init__(self, blocks: OneHotBlocks) -> None:
        super().__init__()
        self.n_numeric = int(blocks.n_numeric)
        self.sizes = [int(s) for s in blocks.sizes]
        self.n_noise = int(sum(self.sizes))
        self._masks = (
            np.asarray(blocks.allowed, dtype=bool),
            np.asarray(blocks.complete, dtype=bool),
        )
        # not saved with the weights: rebuilt from the data description
        self.register_buffer("allowed", torch.empty(0, dtype=torch.bool), False)
        self.register_buffer("complete", torch.empty(0, dtype=torch.bool), False)
        self.reset_masks()

    def reset_masks(self) -> None:
        """(Re)fill the class masks, e.g. after ``to_empty``."""
        device = self.allowed.device
        self.allowed = torch.as_tensor(self._masks[0], device=device)
        self.complete = torch.as_tensor(self._masks[1], device=device)

    def forward(
        self,
        h: torch.Tensor,
        y: torch.Tensor,
        noise: torch.Tensor,
        complete: bool = False,
    ) -> torch.Tensor:
        numeric = torch.tanh(h[:, : self.n_numeric].float())
        logits = h[:, self.n_numeric :].float() + gumbel(noise.float())
        mask = (self.complete if complete else self.allowed)[y]
        logits = logits.masked_fill(~mask, float("-inf"))
        parts = [numeric]
        for block in torch.split(logits, self.sizes, dim=1):
            soft = F.softmax(block / TAU, dim=1)
            hard = F.one_hot(block.argmax(dim=1), block.shape[1]).to(soft.dtype)
            parts.append(hard - soft.detach() + soft)
        return torch.cat(parts, dim=1)


class MLPGenerator(nn.Module):
    """``[z, embed(y)] -> hidden -> ... -> tanh`` of ``n_features`` values.

    With ``blocks`` (a mixed table), ``n_features`` is the model-space width
    and the last layer feeds a :class:`OneHotOutput`; ``noise_dim`` (the
    noise callers draw) then also holds one Gumbel draw per block slot.
    """

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        *,
        noise_dim: int = 64,
        width: int = 256,
        depth: int = 2,
        embed_dim: int = 32,
        blocks: OneHotBlocks | None = None,
    ) -> None:
        super().__init__()
        self.noise_dim = noise_dim
        self.embed = nn.Embedding(n_classes, embed_dim)
        layers: list[nn.Module] = []
        d_in = noise_dim + embed_dim
        for _ in range(depth):
            layers += [nn.Linear(d_in, width), nn.LayerNorm(width), nn.LeakyReLU(0.2)]
            d_in = width
        layers += [nn.Linear(d_in, n_features)]
        self.output: OneHotOutput | None = None
        if blocks is None:
            layers += [nn.Tanh()]
        else:
            self.output = OneHotOutput(blocks)
            self.noise_dim = noise_dim + self.output.n_noise
        self.net = nn.Sequential(*layers)
        self._net_noise = noise_dim

    def forward(
        self, z: torch.Tensor, y: torch.Tensor, complete: bool = False
    ) -> torch.Tensor:
        if self.output is None:
            return self.net(torch.cat([z, self.embed(y)], dim=1))
        k = self._net_noise
        h = self.net(torch.cat([z[:, :k], self.embed(y)], dim=1))
        return self.output(h, y, z[:, k:], complete)


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
