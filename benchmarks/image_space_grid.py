"""Real against generated rare-class images for benchmarks/image_space.py's
variants, on seed 0's imbalanced Animal-MNIST split: one row of real
training images, then one row per variant, 3 images per rare class.

Run: ``OMP_NUM_THREADS=1 python benchmarks/image_space_grid.py``
(writes ``benchmarks/results/animal-mnist/space/grid_seed0.png``); with
``--warp``, the deformation GAN of ``warp.py`` against classical augmentation
and random warps (``warp_seed0.png``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from image_space import method_rows  # noqa: E402

from ganaug.bench.data import load_dataset, make_split  # noqa: E402

VARIANTS = {
    "MLP pair (default)": ("images", {"model": "mlp"}),
    "conv pair, width 8, 1500 steps": (
        "images", {"model": "conv", "width": 8, "steps": 1500}),
    "MLP pair on 64 principal components": ("pca-64", {}),
}  # fmt: skip
WARPS = {
    "classical (albumentations)": ("classical", {}),
    "random warps in the bounds": ("warp", {"random": True}),
    "deformation GAN": ("warp", {}),
}


def main() -> None:
    data = load_dataset("animal-mnist")
    split = make_split(data, "imbalanced", 0)
    X, y = data.X[split.train], data.y[split.train]
    rare = [c for c in np.unique(y) if (y == c).sum() == 20]
    rows = {"real": np.stack([X[y == c][i] for c in rare for i in range(3)])}
    need = dict.fromkeys(rare, 3)
    warp = "--warp" in sys.argv[1:]
    for name, (method, params) in (WARPS if warp else VARIANTS).items():
        imgs, _ = method_rows(method, X, y, need, None, 0, params)
        rows[name] = imgs.reshape(-1, 28, 28)
    fig, axes = plt.subplots(len(rows), 15, figsize=(15, len(rows) * 1.2))
    for r, (name, imgs) in enumerate(rows.items()):
        for i, ax in enumerate(axes[r]):
            ax.imshow(imgs[i], cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle("Animal-MNIST, seed 0: the 5 rare classes (20 training images each)")
    fig.tight_layout()
    name = "warp_seed0.png" if warp else "grid_seed0.png"
    out = Path("benchmarks/results/animal-mnist/space") / name
    fig.savefig(out, dpi=80)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
