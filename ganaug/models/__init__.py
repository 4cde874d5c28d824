"""Generator/discriminator pairs; :func:`build_models` picks one from the layout."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .conv import ConvDiscriminator, ConvGenerator
from .layers import init_weights
from .mlp import MLPDiscriminator, MLPGenerator, OneHotBlocks

__all__ = [
    "ConvDiscriminator",
    "ConvGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "OneHotBlocks",
    "build_generator",
    "build_models",
    "net_shape",
]


def net_shape(model_shape: tuple[int, ...], kind: str) -> tuple[int, ...]:
    """What the network pair sees: ``(d,)`` for the MLP pair (images are
    flattened), ``(c, h, w)`` for the conv pair."""
    shape = tuple(int(s) for s in model_shape)
    return shape if kind == "conv" else (int(np.prod(shape)),)


def build_models(
    model_shape: tuple[int, ...],
    n_classes: int,
    *,
    noise_dim: int,
    width: int | None,
    generator: torch.Generator,
    blocks: OneHotBlocks | None = None,
) -> tuple[nn.Module, nn.Module]:
    """An MLP pair for ``(d,)`` vectors, a conv pair for ``(c, h, w)`` images.

    ``width`` is the hidden width (MLP) or base channel count (conv); ``None``
    picks 256 for vectors and 32 for images (conv nets are costly on CPU).
    ``blocks`` (tables with categorical columns or missing values) gives the
    MLP generator its one-hot output.  Every weight is drawn from
    ``generator``.
    """
    # Layer constructors draw default weights from the global RNG; fork_rng
    # restores its state, and init_weights then redraws every weight from
    # ``generator``, so the caller's global RNG is left exactly as it was.
    with torch.random.fork_rng(devices=[]):
        gen, disc = _construct(
            model_shape, n_classes, noise_dim, width, generator, blocks
        )
    init_weights(gen, generator)
    init_weights(disc, generator)
    return gen, disc


def _construct(
    model_shape: tuple[int, ...],
    n_classes: int,
    noise_dim: int,
    width: int | None,
    generator: torch.Generator,
    blocks: OneHotBlocks | None,
) -> tuple[nn.Module, nn.Module]:
    if len(model_shape) == 1:
        w = width or 256
        gen: nn.Module = MLPGenerator(
            model_shape[0], n_classes, noise_dim=noise_dim, width=w, blocks=blocks
        )
        disc: nn.Module = MLPDiscriminator(
            model_shape[0], n_classes, generator, width=w
        )
    else:
        w = width or 32
        shape = tuple(int(s) for s in model_shape)
        gen = ConvGenerator(shape, n_classes, noise_dim=noise_dim, width=w)  # type: ignore[arg-type]
        disc = ConvDiscriminator(shape, n_classes, generator, width=w)  # type: ignore[arg-type]
    return gen, disc


def build_generator(
    model_shape: tuple[int, ...],
    n_classes: int,
    *,
    noise_dim: int,
    width: int | None,
    device: str | torch.device = "cpu",
    blocks: OneHotBlocks | None = None,
) -> nn.Module:
    """The generator alone, with uninitialised weights, for loading saved ones.

    With ``device="meta"`` nothing is allocated: the state-dict shapes of a
    file can be checked against it before any memory is spent.
    """
    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        if len(model_shape) == 1:
            gen: nn.Module = MLPGenerator(
                model_shape[0],
                n_classes,
                noise_dim=noise_dim,
                width=width or 256,
                blocks=blocks,
            )
        else:
            shape = tuple(int(s) for s in model_shape)
            gen = ConvGenerator(
                shape, n_classes, noise_dim=noise_dim, width=width or 32
            )  # type: ignore[arg-type]
    if str(device) == "meta":
        return gen
    gen = gen.to_empty(device=device)
    if getattr(gen, "output", None) is not None:
        gen.output.reset_masks()  # class masks are data, not weights
    return gen
