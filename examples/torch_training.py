"""Train a small CNN on a digits subset with and without AugmentedDataset.

The one-line change: ``train = AugmentedDataset(train, aug, transform=tf)``.
Runs on CPU in about a minute and prints both test accuracies.

    python examples/torch_training.py
"""

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


def main() -> None:
    X, y = load_digits(return_X_y=True)
    X = np.rint(X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    rng = np.random.default_rng(0)
    keep = np.concatenate(
        [
            rng.choice(np.flatnonzero(y_tr == c), PER_CLASS, replace=False)
            for c in range(10)
        ]
    )
    tf = v2.Compose(
        [
            v2.ToImage(),
            v2.ToDtype(torch.float32, scale=True),
            v2.RandomCrop(8, padding=1),
        ]
    )
    test_tf = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    real = Digits(X_tr[keep], y_tr[keep])  # no transform: AugmentedDataset applies it
    test = Digits(X_te, y_te, transform=test_tf)

    aug = GanAugmenter(random_state=0, verbose=1).fit_dataset(real)
    print(f"fitted the GAN on {len(real)} images ({aug.n_steps_} steps)")

    baseline = train_and_test(Digits(X_tr[keep], y_tr[keep], transform=tf), test)
    augmented = AugmentedDataset(
        real, aug, synthetic_fraction=0.5, transform=tf, refresh=True, random_state=0
    )
    with_gan = train_and_test(augmented, test)
    print(f"test accuracy, real only ({len(real)} images): {baseline:.3f}")
    print(f"test accuracy, AugmentedDataset ({len(augmented)} items): {with_gan:.3f}")


if __name__ == "__main__":
    main()
