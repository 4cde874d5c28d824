"""The adversarial training loop: a D step, a G step, a step loop, a history.

The whole training set lives on the training device as one tensor; batches
are class-balanced index draws, so there is no DataLoader and, on a GPU, no
step waits on a host copy.  Every random draw comes from an explicit
``torch.Generator``.
"""

from __future__ import annotations

import copy
import math
from contextlib import nullcontext
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from .diffaug import diff_augment
from .losses import gradient_penalty, lecam_penalty, mode_seeking_penalty, r1_penalty


@dataclass
class TrainConfig:
    """Everything the loop needs besides the models and the data."""

    steps: int
    batch_size: int = 128
    loss: tuple = ()  # (d_loss, g_loss) functions
    loss_name: str = "hinge"
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    n_critic: int = 1
    ema_decay: float = 0.999
    diffaugment: tuple[str, ...] = ()
    gp_weight: float = 10.0
    r1_weight: float = 0.0
    lecam_weight: float = 0.0
    diversity_weight: float = 0.0
    class_balanced: bool = True
    amp: bool = False
    verbose: int = 0


class BatchSampler:
    """Draw batches of (x, y) with labels uniform over classes, or uniform rows.

    Rows are sorted by class once, so a class-balanced draw is two tensor ops:
    pick a class for each row of the batch, then a random offset inside it.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        n_classes: int,
        generator: torch.Generator,
        class_balanced: bool = True,
    ) -> None:
        order = torch.argsort(y, stable=True)
        self.x, self.y = x[order], y[order]
        counts = torch.bincount(self.y, minlength=n_classes)
        self.counts = counts.to(x.device)
        self.starts = (torch.cumsum(counts, 0) - counts).to(x.device)
        self.present = torch.nonzero(counts > 0).flatten().to(x.device)
        self.g = generator
        self.class_balanced = class_balanced

    def labels(self, n: int) -> torch.Tensor:
        """Class labels for a batch (uniform over classes, or by frequency)."""
        if self.class_balanced:
            pick = torch.randint(
                len(self.present), (n,), device=self.x.device, generator=self.g
            )
            return self.present[pick]
        rows = torch.randint(len(self.y), (n,), device=self.x.device, generator=self.g)
        return self.y[rows]

    def real(self, y: torch.Tensor) -> torch.Tensor:
        """One random real row of each requested class."""
        offset = (
            torch.rand(y.shape, device=y.device, generator=self.g) * self.counts[y]
        ).long()
        return self.x[self.starts[y] + offset]


def default_steps(n_samples: int) -> int:
    """Steps that grow with the data: 2,000 for tiny sets, 4,000 at most."""
    return int(min(4000, max(2000, 1000 + 2.5 * n_samples)))


def train(
    gen: nn.Module,
    disc: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    n_classes: int,
    config: TrainConfig,
    generator: torch.Generator,
) -> tuple[nn.Module, list[dict[str, float]]]:
    """Train ``gen`` against ``disc``; return the EMA generator and the history.

    ``x`` is ``(n, *shape)`` in [-1, 1] and ``y`` the class codes, both on the
    training device.  The history has one dict per epoch (``n / batch_size``
    steps) with the mean discriminator and generator losses.
    """
    device = x.device
    d_loss_fn, g_loss_fn = config.loss
    sampler = BatchSampler(x, y, n_classes, generator, config.class_balanced)
    ema = copy.deepcopy(gen).eval().requires_grad_(False)
    fused = device.type in ("cpu", "cuda")  # one kernel per Adam step
    opt_g = torch.optim.Adam(
        gen.parameters(), lr=config.lr_g, betas=config.betas, fused=fused
    )
    opt_d = torch.optim.Adam(
        disc.parameters(), lr=config.lr_d, betas=config.betas, fused=fused
    )
    autocast = (
        torch.autocast(device.type, dtype=torch.bfloat16)
        if config.amp and device.type == "cuda"
        else nullcontext()
    )
    noise_dim = gen.noise_dim
    bs = config.batch_size
    policy = config.diffaugment
    epoch_len = max(1, math.ceil(len(x) / bs))
    losses = torch.zeros(config.steps, 2, device=device)
    lecam_ema = [0.0, 0.0]
    history: list[dict[str, float]] = []

    def augment(batch: torch.Tensor) -> torch.Tensor:
        return diff_augment(batch, policy, generator) if policy else batch

    def noise(n: int) -> torch.Tensor:
        return torch.randn(n, noise_dim, device=device, generator=generator)

    bar = tqdm(
        total=config.steps, disable=not config.verbose, desc="ganaug", leave=False
    )
    gen.train()
    disc.train()
    for step in range(config.steps):
        # --- discriminator -------------------------------------------------
        for _ in range(config.n_critic):
            yb = sampler.labels(bs)
            real = sampler.real(yb)
            with torch.no_grad(), autocast:
                fake = gen(noise(bs), yb)
            real_in = augment(real)
            if config.r1_weight:
                real_in = real_in.detach().requires_grad_(True)
            with autocast:  # one pass over real and fake: one power step, one call
                out = disc(
                    torch.cat([real_in, augment(fake.float())]), torch.cat([yb, yb])
                )
                out_real, out_fake = out.float().chunk(2)
                d_loss = d_loss_fn(out_real, out_fake)
            if config.loss_name == "wgan-gp":
                d_loss = d_loss + config.gp_weight * gradient_penalty(
                    disc, real_in, augment(fake.float()), yb, generator
                )
            if config.r1_weight:
                d_loss = d_loss + config.r1_weight * r1_penalty(out_real, real_in)
            if config.lecam_weight:
                d_loss = d_loss + config.lecam_weight * lecam_penalty(
                    out_real, out_fake, *lecam_ema
                )
                lecam_ema[0] = 0.99 * lecam_ema[0] + 0.01 * out_real.mean().item()
                lecam_ema[1] = 0.99 * lecam_ema[1] + 0.01 * out_fake.mean().item()
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()

        # --- generator -----------------------------------------------------
        yb = sampler.labels(bs)
        disc.eval()  # no power-iteration step for spectral norm in the G step
        if config.diversity_weight:  # pairs of noise vectors for the same labels
            yb = torch.cat([yb[: bs // 2], yb[: bs // 2]])
        z = noise(len(yb))
        with autocast:
            fake = gen(z, yb)
            g_loss = g_loss_fn(disc(augment(fake.float()), yb).float())
            if config.diversity_weight:
                h = bs // 2
                g_loss = g_loss + config.diversity_weight * mode_seeking_penalty(
                    fake[:h].float(), fake[h:].float(), z[:h], z[h:]
                )
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        disc.train()
        _update_ema(ema, gen, config.ema_decay, step)

        losses[step, 0] = d_loss.detach()
        losses[step, 1] = g_loss.detach()
        if (step + 1) % epoch_len == 0 or step + 1 == config.steps:
            start = (len(history)) * epoch_len
            mean = losses[start : step + 1].mean(dim=0).tolist()
            history.append(
                {
                    "epoch": len(history) + 1,
                    "step": step + 1,
                    "d_loss": mean[0],
                    "g_loss": mean[1],
                }
            )
            if config.verbose:
                bar.set_postfix(d_loss=f"{mean[0]:.3f}", g_loss=f"{mean[1]:.3f}")
        bar.update(1)
    bar.close()
    gen.eval()
    disc.eval()
    return ema, history


@torch.no_grad()
def _update_ema(ema: nn.Module, model: nn.Module, decay: float, step: int) -> None:
    # Warm-up: average over the steps seen so far until ``decay`` takes over,
    # so the EMA is not dominated by the random initial weights.
    d = min(decay, (1 + step) / (10 + step))
    ema_p = list(ema.parameters())
    torch._foreach_lerp_(ema_p, list(model.parameters()), 1.0 - d)
    for b_ema, b in zip(ema.buffers(), model.buffers(), strict=True):
        b_ema.copy_(b)
