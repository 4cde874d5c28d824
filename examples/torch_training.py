"""Train a small CNN on 20 images per class with and without AugmentedDataset.

The one-line change: ``train = AugmentedDataset(train, aug, transform=tf)``.
Runs on CPU in a minute or two per seed and prints both test accuracies.

    python examples/torch_training.py                      # digits, 8x8
    python examples/torch_training.py --data animal-mnist --seeds 3   # 28x28

Animal-MNIST comes from the ``animal-mnist`` package (``make test`` installs
it; see the README); its split is the benchmark's low-data one: 20 training
images per class, the 30% test split.
"""

import argparse

import numpy as np
import torch
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import v2

from ganaug import GanAugmenter
from ganaug.torch import AugmentedDataset

PER_CLASS = 20  # a small training set, where augmentation matters


class Digits(Dataset):
    """scikit-learn's digits as an MNIST-like dataset of 8x8 PIL images."""

    def __init__(self, X, y, transform=None):
        self.data, self.targets, self.transform = X, [int(t) for t in y], transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        img = Image.fromarray(self.data[i], mode="L")
        return (self.transform(img) if self.transform else img), self.targets[i]


def small_cnn(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(4),  # 8x8 -> 4x4 as it is; 28x28 -> 14x14 -> 4x4
        nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


def train_and_test(train_ds, test_ds, seed=0, epochs=30) -> float:
    loader = DataLoader(
        train_ds,
        batch_size=64,
        shuffle=True,
        num_workers=2,
        generator=torch.Generator().manual_seed(seed),
    )
    model = small_cnn(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        if hasattr(train_ds, "set_epoch"):
            train_ds.set_epoch(epoch)
        model.train()
        for x, t in loader:
            loss = nn.functional.cross_entropy(model(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        x = torch.stack([test_ds[i][0] for i in range(len(test_ds))])
        t = torch.tensor(test_ds.targets)
        return (model(x).argmax(1) == t).float().mean().item()


def load(data: str, seed: int):
    """``(X_train, y_train, X_test, y_test)``, uint8 images, 20 a class."""
    if data == "animal-mnist":
        from ganaug.bench.data import load_dataset, make_split

        ds = load_dataset("animal-mnist")
        split = make_split(ds, "low-data", seed, k=PER_CLASS)
        return ds.X[split.train], ds.y[split.train], ds.X[split.test], ds.y[split.test]
    X, y = load_digits(return_X_y=True)
    X = np.rint(X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    rng = np.random.default_rng(seed)
    keep = np.concatenate(
        [
            rng.choice(np.flatnonzero(y_tr == c), PER_CLASS, replace=False)
            for c in range(10)
        ]
    )
    return X_tr[keep], y_tr[keep], X_te, y_te


def run(data: str, seed: int) -> tuple[float, float]:
    X_tr, y_tr, X_te, y_te = load(data, seed)
    size = X_tr.shape[-1]
    tf = v2.Compose(
        [
            v2.ToImage(),
            v2.ToDtype(torch.float32, scale=True),
            v2.RandomCrop(size, padding=max(1, size // 14)),
        ]
    )
    test_tf = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    real = Digits(X_tr, y_tr)  # no transform: AugmentedDataset applies it
    test = Digits(X_te, y_te, transform=test_tf)

    aug = GanAugmenter(random_state=seed, verbose=1).fit_dataset(real)
    print(f"fitted the GAN on {len(real)} images ({aug.n_steps_} steps)")

    baseline = train_and_test(Digits(X_tr, y_tr, transform=tf), test, seed)
    augmented = AugmentedDataset(
        real, aug, synthetic_fraction=0.5, transform=tf, refresh=True, random_state=0
    )
    with_gan = train_and_test(augmented, test, seed)
    print(f"seed {seed}: test accuracy, real only ({len(real)} images): {baseline:.3f}")
    print(
        f"seed {seed}: test accuracy, AugmentedDataset ({len(augmented)} items): "
        f"{with_gan:.3f}"
    )
    return baseline, with_gan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=["digits", "animal-mnist"], default="digits")
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    scores = np.array([run(args.data, seed) for seed in range(args.seeds)])
    if args.seeds > 1:
        diff = scores[:, 1] - scores[:, 0]
        print(
            f"{args.data}, {args.seeds} seeds: real only {scores[:, 0].mean():.3f}, "
            f"AugmentedDataset {scores[:, 1].mean():.3f} "
            f"(difference {diff.mean():+.3f}, per seed "
            + ", ".join(f"{d:+.3f}" for d in diff)
            + ")"
        )


if __name__ == "__main__":
    main()
