"""A deformation GAN for images: a screen for issue #10.

Classical augmentation (small rotations, scalings, shifts, elastic
deformations) is the best thing a classifier can be given on 28x28
silhouettes with 20 images a class: on the benchmark's imbalanced split it
scores 72.1 with the flat classifiers on seed 0, against 66.1 for SMOTE and
61.2 for the GAN that draws images from noise (``space/README.md``).  Its
samples are real images moved, never blurred.

Here the generator does the same but learns how far to move: from a real
image of a class and noise it draws an affine map (rotation, scale, shear,
shift) and a smooth displacement field, and warps the image with them; it
never paints a pixel.  The transforms are learned adversarially, as in
Ratner et al. 2017 ("Learning to Compose Domain-Specific Transformations for
Data Augmentation") and the deformation GANs after it.  Judged alone, the
identity would be optimal (a real image is as real as it gets), so the
discriminator judges *pairs*, as DAGAN's does: ``(image, another real image
of its class)`` against ``(image, its warp)``; a warp that stays put is
spotted at once, a warp that goes where no image of the class is, too.  A
mode-seeking term (Mao et al. 2019) keeps different noise apart.

``fit_warp`` / ``sample_warp``; ``image_space.py`` runs it as the method
``warp`` with ``--params`` read as keyword arguments of :class:`WarpConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from anchored import (
    FromParams,
    PairDiscriminator,
    class_pairs,
    ema_and_optimisers,
    ema_update,
    hinge_step,
    mode_seeking,
)
from torch import nn
from torch.nn import functional as F

from ganaug.models.layers import init_weights


@dataclass
class WarpConfig(FromParams):
    steps: int = 1500
    batch: int = 64
    width: int = 256
    noise_dim: int = 16
    lr: float = 2e-4
    ema: float = 0.999
    mode_seeking: float = 1.0
    # bounds of the transform (grid coordinates run over [-1, 1])
    rotate: float = 0.25  # radians
    scale: float = 0.15  # log-scale per axis
    shear: float = 0.15
    shift: float = 0.12
    flow: float = 0.08  # largest displacement of the smooth field
    flow_grid: int = 5  # the field's control points per side
    pair: bool = True  # judge (image, warp) pairs; False: the warp alone
    d_width: int = 512
    random: bool = False  # skip training; draw transforms uniformly in the bounds
    # with random: train only the pair critic against the random warps, then
    # keep the best of ``select`` random warps of each anchor by its score
    # (discriminator rejection sampling, Azadi et al. 2019)
    select: int = 1


class WarpGenerator(nn.Module):
    """``G(image, z, class)``: the image warped by a drawn transform."""

    def __init__(self, shape: tuple, n_classes: int, cfg: WarpConfig) -> None:
        super().__init__()
        self.shape, self.cfg = shape, cfg  # (c, h, w)
        self.rng = torch.Generator().manual_seed(0)
        d = int(np.prod(shape))
        g = cfg.flow_grid
        self.embed = nn.Embedding(n_classes, 16)
        w = cfg.width
        self.net = nn.Sequential(
            nn.Linear(d + cfg.noise_dim + 16, w), nn.LayerNorm(w), nn.LeakyReLU(0.2),
            nn.Linear(w, w), nn.LayerNorm(w), nn.LeakyReLU(0.2),
            nn.Linear(w, 6 + 2 * g * g),
        )  # fmt: skip
        nn.init.zeros_(self.net[-1].weight)  # start at the identity
        nn.init.zeros_(self.net[-1].bias)

    def grid(self, a: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        cfg, (c, h, w) = self.cfg, self.shape
        n = len(a)
        if cfg.random:  # no learning: every bound drawn uniformly (a baseline)
            p = torch.rand(n, 6 + 2 * cfg.flow_grid**2, generator=self.rng) * 2 - 1
        else:
            p = torch.tanh(self.net(torch.cat([a.reshape(n, -1), z, self.embed(y)], 1)))
        rot, sh = p[:, 0] * cfg.rotate, p[:, 3] * cfg.shear
        sx, sy = p[:, 1] * cfg.scale, p[:, 2] * cfg.scale
        cos, sin = torch.cos(rot), torch.sin(rot)
        ex, ey = torch.exp(sx), torch.exp(sy)
        # rotation @ shear @ scale; the shift is applied after
        a11, a12 = cos * ex, (cos * sh - sin) * ey
        a21, a22 = sin * ex, (sin * sh + cos) * ey
        tx, ty = p[:, 4] * cfg.shift, p[:, 5] * cfg.shift
        theta = torch.stack(
            [torch.stack([a11, a12, tx], 1), torch.stack([a21, a22, ty], 1)], 1
        )
        base = F.affine_grid(theta, (n, c, h, w), align_corners=False)
        g = cfg.flow_grid
        flow = p[:, 6:].reshape(n, 2, g, g) * cfg.flow
        flow = F.interpolate(flow, size=(h, w), mode="bicubic", align_corners=True)
        return base + flow.permute(0, 2, 3, 1)

    def forward(
        self, a: torch.Tensor, z: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        img = a.reshape(len(a), *self.shape)
        out = F.grid_sample(
            img, self.grid(a, z, y), mode="bilinear", padding_mode="border",
            align_corners=False,
        )  # fmt: skip
        return out.reshape(len(a), -1)


@dataclass
class WarpModel:
    generator: WarpGenerator
    X: torch.Tensor  # training rows in [-1, 1], flat
    y: torch.Tensor
    classes: np.ndarray
    lo: float
    hi: float
    noise_dim: int
    image_shape: tuple  # the user's (h, w) or (h, w, c)
    critic: PairDiscriminator | None = None  # for best-of-``select`` sampling
    select: int = 1


def _chw(X: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Images as flat rows of ``(c, h, w)`` and that shape."""
    if X.ndim == 3:
        return X.reshape(len(X), -1), (1, *X.shape[1:])
    if X.ndim == 4:  # channels last
        Xc = np.moveaxis(X, -1, 1)
        return Xc.reshape(len(X), -1), tuple(Xc.shape[1:])
    raise ValueError(f"X must be images (n, h, w) or (n, h, w, c); got {X.shape}.")


def fit_warp(X: np.ndarray, y: np.ndarray, seed: int, params: dict) -> WarpModel:
    cfg = WarpConfig.from_params(params)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    flat, shape = _chw(X)
    flat = flat.astype(np.float32)
    lo, hi = float(flat.min()), float(flat.max())
    Xt = torch.as_tensor((flat - lo) / (hi - lo) * 2 - 1)
    classes, yi = np.unique(y, return_inverse=True)
    k, d = len(classes), Xt.shape[1]
    G = WarpGenerator(shape, k, cfg)
    D = PairDiscriminator(d, k, cfg.d_width, gen, cfg.pair)
    init_weights(G.net[:-1], gen)
    init_weights(G.embed, gen)
    init_weights(D, gen)
    G_ema, opt_g, opt_d = ema_and_optimisers(G, WarpGenerator(shape, k, cfg), D, cfg.lr)

    pairs = class_pairs(yi, gen)

    def draw(n: int):
        a_rows, b_rows, c = pairs(n)
        return Xt[a_rows], Xt[b_rows], c

    critic_only = cfg.random and cfg.select > 1  # random warps need no generator
    trained = critic_only or not cfg.random  # plain random warps need nothing
    for _ in range(cfg.steps if trained else 0):
        a, b, c = draw(cfg.batch)
        z = torch.randn(cfg.batch, cfg.noise_dim, generator=gen)
        with torch.no_grad():
            fake = G(a, z, c)
        hinge_step(D, opt_d, a, b, fake, c)
        if critic_only:
            continue

        a, _, c = draw(cfg.batch)
        z = torch.randn(cfg.batch, cfg.noise_dim, generator=gen)
        fake = G(a, z, c)
        loss_g = -D(a, fake, c).mean()
        if cfg.mode_seeking > 0:
            z2 = torch.randn(cfg.batch, cfg.noise_dim, generator=gen)
            fake2 = G(a, z2, c)
            loss_g = loss_g - cfg.mode_seeking * mode_seeking(fake, fake2, z, z2)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        ema_update(G_ema, G, cfg.ema)
    return WarpModel(
        G_ema.eval(), Xt, torch.as_tensor(yi), classes, lo, hi, cfg.noise_dim,
        X.shape[1:], D.eval() if critic_only else None, cfg.select,
    )  # fmt: skip


@torch.no_grad()
def sample_warp(model: WarpModel, need: dict, seed: int, dtype) -> tuple:
    """``need[c]`` new images of class ``c`` (flat, the user's layout), each a
    warp of a random real image of the class."""
    gen = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    c_, h, w = model.generator.shape
    for c, n in need.items():
        if n <= 0:
            continue
        ci = int(np.searchsorted(model.classes, c))
        rows = torch.as_tensor(np.flatnonzero(model.y.numpy() == ci))
        a = model.X[rows[torch.randint(len(rows), (n,), generator=gen)]]
        s = model.select if model.critic is not None else 1
        a = a.repeat(s, 1)  # candidate j of sample i at row j * n + i
        z = torch.randn(s * n, model.noise_dim, generator=gen)
        cls = torch.full((s * n,), ci, dtype=torch.long)
        out = model.generator(a, z, cls)
        if s > 1:
            score = model.critic(a, out, cls).reshape(s, n)
            best = score.argmax(0)
            out = out.reshape(s, n, -1)[best, torch.arange(n)]
        out = (out.numpy() + 1) / 2 * (model.hi - model.lo) + model.lo
        out = out.reshape(n, c_, h, w)
        if len(model.image_shape) == 3:  # back to channels last
            out = np.moveaxis(out, 1, -1)
        xs.append(out.reshape(n, -1))
        ys += [c] * n
    X = np.concatenate(xs)
    if np.issubdtype(np.dtype(dtype), np.integer):
        X = np.rint(X)
    return np.clip(X, model.lo, model.hi).astype(dtype), np.asarray(ys)
