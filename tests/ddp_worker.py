"""One process of the two-process runs in ``tests/test_distributed.py``.

Run as ``python -m torch.distributed.run --standalone --nproc_per_node=2
tests/ddp_worker.py OUT``; each rank writes what it saw to ``OUT/rank<r>.pt``
and the test compares the ranks.  ``GanAugmenter.fit`` initialises the
process group from torchrun's environment, as in a user's script.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import torch

from ganaug import GanAugmenter, TrainingDivergedError
from ganaug.distributed import setup
from ganaug.losses import get_loss
from ganaug.models import build_models
from ganaug.training import EarlyStopping, TrainConfig, train

MEANS = np.array([[-0.5, -0.5], [0.5, 0.5], [0.5, -0.5]])


def blobs() -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in 2-D, 40 rows each; the same on every rank."""
    y = np.repeat(np.arange(3), 40)
    x = MEANS[y] + 0.15 * np.random.default_rng(0).normal(size=(len(y), 2))
    return x.astype(np.float32), y


def fit(**over) -> GanAugmenter:
    kw = {"steps": 100, "width": 32, "noise_dim": 16, "random_state": 0}
    return GanAugmenter(**{**kw, **over}).fit(*blobs())


def weights(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}


def config(**over) -> TrainConfig:
    kw = {
        "steps": 30,
        "batch_size": 32,
        "loss": get_loss("wgan-gp"),
        "lr_g": 1e-3,
        "lr_d": 1e-3,
        "n_critic": 2,
        "ema_decay": 0.99,
        "diffaugment": (),
        "r1_weight": 1.0,
        "lecam_weight": 0.1,
        "diversity_weight": 0.1,
        "class_balanced": True,
        "amp": False,
        "verbose": 0,
    }
    return TrainConfig(**{**kw, **over})


def train_direct(dist, seed: int, early_stopping=None, **over):
    """:func:`train` on the blobs with the batch seed given, not the rank's."""
    x, y = blobs()
    gen, disc = build_models(
        (2,), 3, noise_dim=16, width=32, generator=torch.Generator().manual_seed(0)
    )
    ema, history = train(
        gen,
        disc,
        torch.from_numpy(x),
        torch.from_numpy(y),
        3,
        config(**over),
        torch.Generator().manual_seed(seed),
        early_stopping,
        dist=dist,
    )
    return ema, gen, disc, history


def main(out: Path) -> None:
    rank = int(os.environ["RANK"])
    seen: dict = {}

    # GanAugmenter.fit under torchrun: two fits with the same seed
    aug = fit(log_dir=out / "tb")  # only rank 0 writes
    seen["gen_a"] = weights(aug.generator_)
    seen["history_a"] = aug.history_
    seen["samples_a"] = aug.sample(60, random_state=3)
    aug.save(out / f"model_rank{rank}.ganaug")  # only rank 0 writes
    seen["gen_b"] = weights(fit().generator_)
    seen["alone"] = fit(distributed=False).sample(60, random_state=3)
    images = np.repeat(blobs()[0], 32, axis=1).reshape(-1, 8, 8)  # 8x8 images
    conv = GanAugmenter(steps=4, model="conv", width=4, noise_dim=8, random_state=0)
    seen["gen_conv"] = weights(conv.fit(images, blobs()[1]).generator_)
    x, y = blobs()
    try:
        GanAugmenter(steps=4, random_state=0).fit(x + rank, y)
    except ValueError as err:
        seen["different_data"] = str(err)

    dist = setup("auto", "cpu")  # the group fit initialised
    seen["world_size"] = dist.world_size
    # The same batch seed on both ranks: averaged gradients are each rank's
    # own, so DDP must give exactly the single-process result, through
    # gradient penalty, R1, LeCam, mode seeking and two critic steps.
    ema, gen, disc, _ = train_direct(dist, seed=5)
    ref_ema, ref_gen, ref_disc, _ = train_direct(None, seed=5)
    seen["same_as_single"] = all(
        torch.equal(a, b)
        for m, r in ((ema, ref_ema), (gen, ref_gen), (disc, ref_disc))
        for a, b in zip(weights(m).values(), weights(r).values(), strict=True)
    )
    # Each rank's own batch seed: D weights and spectral-norm buffers too
    # stay identical although buffers are not broadcast.
    _, _, disc, _ = train_direct(dist, seed=10 + rank, loss=get_loss("hinge"))
    seen["disc"] = weights(disc)

    # Early stopping: rank 1's scores alone would never stop; rank 0's stop
    # at step 50 with the snapshot of step 20.  Both must follow rank 0.
    scores = [1.0, 0.5, 0.5, 0.6, 0.55, 0.1, 0.1]
    calls = [0]

    def evaluate(_ema):
        calls[0] += 1
        return scores[calls[0] - 1] if rank == 0 else 1.0 / calls[0]

    rule = EarlyStopping(evaluate, every=10, patience=3, min_steps=30)
    _, _, _, history = train_direct(
        dist, seed=10 + rank, early_stopping=rule, steps=500, **_plain()
    )
    seen["stopped"] = (history[-1]["step"], history[-1]["best_step"])
    seen["qualities"] = [h["quality"] for h in history if "quality" in h]

    # A loss that becomes NaN on rank 1 only: both ranks raise, none hangs.
    weight = float("nan") if rank == 1 else 0.1
    try:
        train_direct(dist, seed=10 + rank, diversity_weight=weight, **_plain())
    except TrainingDivergedError as err:
        seen["diverged"] = str(err)
    torch.save(seen, out / f"rank{rank}.pt")


def _plain() -> dict:
    return {
        "loss": get_loss("hinge"),
        "n_critic": 1,
        "r1_weight": 0.0,
        "lecam_weight": 0.0,
    }


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(Path(sys.argv[1]))
