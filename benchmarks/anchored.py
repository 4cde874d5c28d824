"""An anchored (DAGAN-style) image generator: a screen for issue #10.

The class-conditional GAN of ganaug draws a class from noise alone; with 20
images of a class its samples collapse onto the class's blurred silhouette
and add nothing a classifier can use (``space/README.md``).  SMOTE wins on
these images because each of its samples starts from a real image.

Here the generator starts from a real image too: ``G(anchor, z, class)``
returns another image of the anchor's class, and the discriminator judges
*pairs* — ``(anchor, another real image of its class)`` against ``(anchor,
G(anchor, z))`` — so what the generator learns is how images of one class
vary around each other (Antoniou et al., 2017, "Data Augmentation Generative
Adversarial Networks").  The variation is learned on every class at once, so
the classes with many images teach it to the rare ones.

``fit_anchored`` / ``sample_anchored`` are a self-contained MLP version (the
MLP pair is the better one on 28x28 here); ``image_space.py`` runs it as the
method ``anchored`` with ``--params`` read as keyword arguments of
:class:`AnchoredConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ganaug.models.layers import ProjectionHead, init_weights, spectral_norm


class FromParams:
    """``from_params``: a config dataclass from ``--params``, other keys ignored."""

    @classmethod
    def from_params(cls, params: dict):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names})


@dataclass
class AnchoredConfig(FromParams):
    steps: int = 1500
    batch: int = 64
    width: int = 512
    noise_dim: int = 32
    lr: float = 2e-4
    residual: bool = True  # output = anchor + tanh(delta), clipped
    mode_seeking: float = 0.0  # weight of the mode-seeking term (MSGAN)
    ema: float = 0.999
    # "pair": G(anchor, z) judged as a pair with the anchor (DAGAN);
    # "smotified": G(SMOTE point between an image and one of its k nearest
    # same-class neighbours, z), judged alone (SMOTified-GAN, Sharma et al. 2022)
    mode: str = "pair"
    k_neighbors: int = 5
    scale: float = 2.0  # the largest change the generator may make (of 2)
    l1: float = 0.0  # weight of mean |G(s) - s| in the generator loss
    # keep the background: pixels at the data's minimum in both images of a
    # SMOTE pair stay there exactly ("smotified" only)
    keep_background: bool = False


class AnchoredGenerator(nn.Module):
    def __init__(self, d: int, n_classes: int, cfg: AnchoredConfig) -> None:
        super().__init__()
        self.residual = cfg.residual
        self.scale = cfg.scale
        self.embed = nn.Embedding(n_classes, 32)
        w = cfg.width
        self.net = nn.Sequential(
            nn.Linear(d + cfg.noise_dim + 32, w), nn.LayerNorm(w), nn.LeakyReLU(0.2),
            nn.Linear(w, w), nn.LayerNorm(w), nn.LeakyReLU(0.2),
            nn.Linear(w, d),
        )  # fmt: skip

    def forward(
        self, a: torch.Tensor, z: torch.Tensor, y: torch.Tensor, keep=None
    ) -> torch.Tensor:
        h = self.net(torch.cat([a, z, self.embed(y)], dim=1))
        if self.residual:
            delta = self.scale * torch.tanh(h)
            if keep is not None:  # no change where both images are background
                delta = delta * (~keep)
            return (a + delta).clamp(-1, 1)
        return torch.tanh(h)


class PairDiscriminator(nn.Module):
    def __init__(
        self, d: int, n_classes: int, width: int, g: torch.Generator, pair: bool = True
    ) -> None:
        super().__init__()
        self.pair = pair
        self.body = nn.Sequential(
            spectral_norm(nn.Linear(2 * d if pair else d, width), g), nn.LeakyReLU(0.2),
            spectral_norm(nn.Linear(width, width), g), nn.LeakyReLU(0.2),
        )  # fmt: skip
        self.head = ProjectionHead(width, n_classes, g)

    def forward(
        self, a: torch.Tensor, b: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        x = torch.cat([a, b], dim=1) if self.pair else b
        return self.head(self.body(x), y)


@dataclass
class AnchoredModel:
    generator: AnchoredGenerator
    X: torch.Tensor  # training rows in [-1, 1]
    y: torch.Tensor  # class indices
    classes: np.ndarray
    lo: float
    hi: float
    noise_dim: int
    neighbours: torch.Tensor | None = None  # (n, k) same-class neighbour rows
    mode: str = "pair"
    keep_background: bool = False


def same_class_neighbours(Xt: torch.Tensor, yi: np.ndarray, k: int) -> torch.Tensor:
    """For each row, the rows of its ``k`` nearest same-class neighbours
    (itself where its class has no other row; repeated where it has fewer)."""
    nb = torch.arange(len(Xt)).unsqueeze(1).repeat(1, k)
    for c in np.unique(yi):
        rows = torch.as_tensor(np.flatnonzero(yi == c))
        if len(rows) < 2:
            continue
        dist = torch.cdist(Xt[rows], Xt[rows])
        dist.fill_diagonal_(float("inf"))
        kk = min(k, len(rows) - 1)
        idx = dist.topk(kk, largest=False).indices  # (m, kk)
        idx = idx[:, torch.arange(k) % kk]
        nb[rows] = rows[idx]
    return nb


def class_pairs(yi: np.ndarray, gen: torch.Generator):
    """``draw(n)``: class-balanced anchor rows and, for each, the row of
    another image of its class (the anchor itself where its class has one),
    with their class indices."""
    k = int(yi.max()) + 1
    order = torch.as_tensor(np.argsort(yi, kind="stable"))  # rows grouped by class
    sizes = torch.as_tensor(np.bincount(yi, minlength=k))
    starts = torch.cumsum(sizes, 0) - sizes

    def draw(n: int):
        c = torch.randint(k, (n,), generator=gen)
        m = sizes[c]
        i = (torch.rand(n, generator=gen) * m).long()
        step = 1 + (torch.rand(n, generator=gen) * (m - 1).clamp_min(1)).long()
        j = torch.where(m > 1, (i + step) % m, i)  # never the anchor itself
        return order[starts[c] + i], order[starts[c] + j], c

    return draw


def hinge_step(D, opt, a, real, fake, c) -> None:
    """One hinge-loss step of a pair discriminator."""
    loss = F.relu(1 - D(a, real, c)).mean() + F.relu(1 + D(a, fake, c)).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def mode_seeking(fake, fake2, z, z2) -> torch.Tensor:
    """The mode-seeking ratio (Mao et al. 2019), capped at 1: to maximise."""
    ratio = (fake - fake2).abs().mean(1) / (z - z2).abs().mean(1)
    return ratio.clamp(max=1.0).mean()


@torch.no_grad()
def ema_update(ema: nn.Module, model: nn.Module, decay: float) -> None:
    for pe, p in zip(ema.parameters(), model.parameters(), strict=True):
        pe.lerp_(p, 1 - decay)


def ema_and_optimisers(G: nn.Module, G_ema: nn.Module, D: nn.Module, lr: float):
    """``G_ema`` set to ``G``'s weights and frozen; Adam for ``G`` and ``D``."""
    G_ema.load_state_dict(G.state_dict())
    G_ema.requires_grad_(False)
    betas = (0.5, 0.999)
    return (G_ema, torch.optim.Adam(G.parameters(), lr, betas=betas),
            torch.optim.Adam(D.parameters(), lr, betas=betas))  # fmt: skip


def fit_anchored(
    X: np.ndarray, y: np.ndarray, seed: int, params: dict
) -> AnchoredModel:
    cfg = AnchoredConfig.from_params(params)
    gen = torch.Generator().manual_seed(seed)
    flat = X.reshape(len(X), -1).astype(np.float32)
    lo, hi = float(flat.min()), float(flat.max())
    Xt = torch.as_tensor((flat - lo) / (hi - lo) * 2 - 1)
    classes, yi = np.unique(y, return_inverse=True)
    yt = torch.as_tensor(yi, dtype=torch.long)
    k, d = len(classes), Xt.shape[1]
    G = AnchoredGenerator(d, k, cfg)
    D = PairDiscriminator(d, k, cfg.width, gen, pair=cfg.mode == "pair")
    nbrs = same_class_neighbours(Xt, yi, cfg.k_neighbors)
    init_weights(G, gen)
    init_weights(D, gen)
    G_ema, opt_g, opt_d = ema_and_optimisers(G, AnchoredGenerator(d, k, cfg), D, cfg.lr)

    pairs = class_pairs(yi, gen)

    def draw(n: int):
        """Class-balanced anchors and, for each, another image of its class."""
        a_rows, b_rows, c = pairs(n)
        if cfg.mode == "smotified":  # a SMOTE point as the generator's input
            pick = torch.randint(cfg.k_neighbors, (n,), generator=gen)
            nb = Xt[nbrs[a_rows, pick]]
            lam = torch.rand(n, 1, generator=gen)
            keep = (Xt[a_rows] <= -1) & (nb <= -1) if cfg.keep_background else None
            s = Xt[a_rows] + lam * (nb - Xt[a_rows])
            return s, Xt[b_rows], c, keep
        return Xt[a_rows], Xt[b_rows], c, None

    for _ in range(cfg.steps):
        a, b, c, keep = draw(cfg.batch)
        z = torch.randn(cfg.batch, cfg.noise_dim, generator=gen)
        with torch.no_grad():
            fake = G(a, z, c, keep)
        hinge_step(D, opt_d, a, b, fake, c)

        a, _, c, keep = draw(cfg.batch)
        z = torch.randn(cfg.batch, cfg.noise_dim, generator=gen)
        fake = G(a, z, c, keep)
        loss_g = -D(a, fake, c).mean()
        if cfg.l1 > 0:
            loss_g = loss_g + cfg.l1 * (fake - a).abs().mean()
        if cfg.mode_seeking > 0:
            z2 = torch.randn(cfg.batch, cfg.noise_dim, generator=gen)
            fake2 = G(a, z2, c, keep)
            loss_g = loss_g - cfg.mode_seeking * mode_seeking(fake, fake2, z, z2)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        ema_update(G_ema, G, cfg.ema)
    return AnchoredModel(
        G_ema.eval(), Xt, yt, classes, lo, hi, cfg.noise_dim, nbrs, cfg.mode,
        cfg.keep_background,
    )  # fmt: skip


@torch.no_grad()
def sample_anchored(model: AnchoredModel, need: dict, seed: int, dtype) -> tuple:
    """``need[c]`` new rows of class ``c``, each from a random real anchor."""
    gen = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for c, n in need.items():
        if n <= 0:
            continue
        ci = int(np.searchsorted(model.classes, c))
        rows = torch.as_tensor(np.flatnonzero(model.y.numpy() == ci))
        a_rows = rows[torch.randint(len(rows), (n,), generator=gen)]
        a, keep = model.X[a_rows], None
        if model.mode == "smotified":
            k = model.neighbours.shape[1]
            nb = model.X[
                model.neighbours[a_rows, torch.randint(k, (n,), generator=gen)]
            ]
            if model.keep_background:
                keep = (a <= -1) & (nb <= -1)
            a = a + torch.rand(n, 1, generator=gen) * (nb - a)
        z = torch.randn(n, model.noise_dim, generator=gen)
        out = model.generator(a, z, torch.full((n,), ci, dtype=torch.long), keep)
        xs.append((out.numpy() + 1) / 2 * (model.hi - model.lo) + model.lo)
        ys += [c] * n
    X = np.concatenate(xs)
    if np.issubdtype(np.dtype(dtype), np.integer):
        X = np.rint(X)
    return np.clip(X, model.lo, model.hi).astype(dtype), np.asarray(ys)
