"""Adversarial losses and regularisers: small pure functions of tensors.

``d_loss(real, fake)`` and ``g_loss(fake)`` take discriminator logits.  The
losses are those of the GAN literature the design names: hinge (Lim & Ye
2017, Miyato et al. 2018), non-saturating BCE (Goodfellow et al. 2014),
least squares (Mao et al. 2017) and WGAN with gradient penalty (Gulrajani et
al. 2017, whose penalty is :func:`gradient_penalty`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F

LOSSES = ("hinge", "bce", "lsgan", "wgan-gp")


def hinge_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def hinge_g(fake: torch.Tensor) -> torch.Tensor:
    return -fake.mean()


def bce_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def bce_g(fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-fake).mean()


def lsgan_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((real - 1.0) ** 2).mean() + 0.5 * (fake**2).mean()


def lsgan_g(fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((fake - 1.0) ** 2).mean()


def wasserstein_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return fake.mean() - real.mean()


def wasserstein_g(fake: torch.Tensor) -> torch.Tensor:
    return -fake.mean()


@dataclass(frozen=True)
class Loss:
    """An adversarial loss as the training loop uses it.

    Parameters
    ----------
    name : str
        One of :data:`LOSSES`.
    d_loss : callable
        ``d_loss(real_logits, fake_logits) -> scalar`` for the discriminator.
    g_loss : callable
        ``g_loss(fake_logits) -> scalar`` for the generator.
    gradient_penalty : bool
        Whether the discriminator loss needs :func:`gradient_penalty` (WGAN-GP).

    Examples
    --------
    >>> loss = get_loss("wgan-gp")
    >>> loss.gradient_penalty, get_loss("hinge").gradient_penalty
    (True, False)
    """

    name: str
    d_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    g_loss: Callable[[torch.Tensor], torch.Tensor]
    gradient_penalty: bool = False


_TABLE: dict[str, Loss] = {
    "hinge": Loss("hinge", hinge_d, hinge_g),
    "bce": Loss("bce", bce_d, bce_g),
    "lsgan": Loss("lsgan", lsgan_d, lsgan_g),
    "wgan-gp": Loss("wgan-gp", wasserstein_d, wasserstein_g, gradient_penalty=True),
}


def get_loss(name: str) -> Loss:
    """The :class:`Loss` for a name in :data:`LOSSES`."""
    try:
        return _TABLE[name]
    except KeyError:
        raise ValueError(f"loss must be one of {LOSSES}; got {name!r}.") from None


def gradient_penalty(
    disc: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    y: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """WGAN-GP: ``E[(||grad D(x_hat)|| - 1)^2]`` on real/fake interpolates."""
    shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    alpha = torch.rand(shape, device=real.device, generator=generator)
    x_hat = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
    out = disc(x_hat, y)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def r1_penalty(real_out: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): ``E[||grad D(x_real)||^2] / 2``.

    ``real`` must have had ``requires_grad_`` set before the forward pass.
    """
    (grad,) = torch.autograd.grad(real_out.sum(), real, create_graph=True)
    return 0.5 * grad.flatten(1).pow(2).sum(dim=1).mean()


def mode_seeking_penalty(
    fake_a: torch.Tensor, fake_b: torch.Tensor, z_a: torch.Tensor, z_b: torch.Tensor
) -> torch.Tensor:
    """Mode seeking (Mao et al. 2019): ``1 / (|G(z_a) - G(z_b)| / |z_a - z_b|)``.

    Small when two noise vectors for the same class give different samples,
    so minimising it pushes the generator away from collapsing onto a few
    typical samples per class.
    """
    ratio = (fake_a - fake_b).abs().mean() / (z_a - z_b).abs().mean()
    return 1.0 / (ratio + 1e-5)


def lecam_penalty(
    real: torch.Tensor,
    fake: torch.Tensor,
    ema_real: float | torch.Tensor,
    ema_fake: float | torch.Tensor,
) -> torch.Tensor:
    """LeCam regulariser (Tseng et al. 2021) against EMAs of the D outputs.

    The EMAs may be 0-d tensors on the device, so the loop never syncs for them.
    """
    return (F.relu(real - ema_fake) ** 2).mean() + (F.relu(ema_real - fake) ** 2).mean()
