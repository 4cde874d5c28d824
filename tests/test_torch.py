"""The PyTorch/torchvision face: datasets, batch transform, interop."""

import albumentations as A
import numpy as np
import pytest
import torch
from albumentations.pytorch import ToTensorV2
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, Dataset, TensorDataset
from torchvision.transforms import v2

from ganaug import GanAugmenter
from ganaug.torch import AugmentedDataset, SyntheticDataset, SyntheticMix


class TinyImages(Dataset):
    """A tiny in-memory image set that returns PIL images, like MNIST."""

    def __init__(self, X, y, transform=None):
        self.data, self.targets, self.transform = X, list(map(int, y)), transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        img = Image.fromarray(self.data[i], mode="L")
        return (self.transform(img) if self.transform else img), self.targets[i]


@pytest.fixture(scope="module")
def digit_split(digits):
    X, y = digits
    X = np.rint(X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def real_ds(digit_split):
    X_tr, _, y_tr, _ = digit_split
    return TinyImages(X_tr[:300], y_tr[:300])


@pytest.fixture(scope="module")
def image_aug(digit_split):
    """An image augmenter trained long enough for recognisable digits."""
    X_tr, _, y_tr, _ = digit_split
    return GanAugmenter(steps=1000, random_state=0).fit_dataset(TinyImages(X_tr, y_tr))


@pytest.fixture(scope="module")
def real_classifier(digit_split):
    X_tr, _, y_tr, _ = digit_split
    return LogisticRegression(max_iter=3000).fit(
        X_tr.reshape(len(X_tr), -1) / 255, y_tr
    )


# ------------------------------------------------------------------ fitting
def test_fit_dataset_reads_pil_and_tensor_datasets(image_aug, digits):
    assert image_aug.spec_.layout == "hw" and image_aug.spec_.dtype == "uint8"
    X, y = digits
    tds = TensorDataset(
        torch.tensor(X[:60], dtype=torch.float32).view(-1, 1, 8, 8),
        torch.tensor(y[:60]),
    )
    aug = GanAugmenter(steps=2, random_state=0).fit_dataset(tds)
    assert aug.spec_.layout == "chw" and list(aug.classes_) == sorted(set(y[:60]))


def test_fit_dataset_rejects_items_that_are_not_pairs():
    class Bad(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.zeros((8, 8))

    with pytest.raises(TypeError, match=r"dataset\[0\].*\(sample, target\)"):
        GanAugmenter(steps=2).fit_dataset(Bad())


# --------------------------------------------------------- AugmentedDataset
def test_share_of_synthetic_items_matches_the_request(real_ds, image_aug):
    for f in (0.0, 0.25, 0.5, 0.8):
        ds = AugmentedDataset(real_ds, image_aug, synthetic_fraction=f, random_state=0)
        flags = [ds.is_synthetic(i) for i in range(len(ds))]
        assert ds.n_real == 300 and sum(flags) == ds.n_synthetic
        assert abs(sum(flags) / len(ds) - f) < 0.005
    ds = AugmentedDataset(real_ds, image_aug, n_synthetic=37, random_state=0)
    assert len(ds) == 337 and all(ds.is_synthetic(i) for i in range(300, 337))
    assert "Synthetic datapoints: 37" in repr(ds)


def test_synthetic_items_have_the_real_items_form(real_ds, image_aug):
    ds = AugmentedDataset(real_ds, image_aug, synthetic_fraction=0.5, random_state=0)
    real_img, real_t = ds[0]
    fake_img, fake_t = ds[len(ds) - 1]
    assert isinstance(fake_img, Image.Image) and fake_img.mode == real_img.mode
    assert fake_img.size == real_img.size and type(fake_t) is type(real_t)
    arrays = AugmentedDataset(
        (
            np.stack([np.asarray(real_ds[i][0])[..., None] for i in range(20)]),
            real_ds.targets[:20],
        ),
        image_aug,
        n_synthetic=5,
        random_state=0,
    )
    x, t = arrays[22]
    assert isinstance(x, np.ndarray) and x.shape == (8, 8, 1) and x.dtype == np.uint8
    tensors = TensorDataset(torch.rand(10, 1, 8, 8), torch.arange(10))
    x, t = AugmentedDataset(tensors, image_aug, n_synthetic=4, random_state=0)[12]
    assert (
        x.shape == (1, 8, 8)
        and x.dtype == torch.float32
        and 0 <= x.min() <= x.max() <= 1
    )


def test_class_balance_options(real_ds, image_aug):
    def counts(ds):
        return np.bincount([ds[i][1] for i in range(ds.n_real, len(ds))], minlength=10)

    uni = AugmentedDataset(real_ds, image_aug, n_synthetic=100, random_state=0)
    assert counts(uni).tolist() == [10] * 10
    # an imbalanced real set: classes 0-4 have 5 items, 5-9 have 30
    keep = [
        i
        for i, t in enumerate(real_ds.targets)
        if t >= 5 or sum(1 for u in real_ds.targets[:i] if u == t) < 5
    ]
    imb = TinyImages(real_ds.data[keep], np.asarray(real_ds.targets)[keep])
    have = np.bincount(imb.targets, minlength=10)
    bal = AugmentedDataset(imb, image_aug, n_synthetic=100, class_balance="balance")
    added = counts(bal)
    assert added.sum() == 100 and added[have == have.max()].sum() == 0
    total = have + added
    assert total.max() - total.min() <= 1 or added[have == have.min()].min() > 0
    assert np.bincount(bal.targets, minlength=10).tolist() == total.tolist()
    prior = AugmentedDataset(imb, image_aug, n_synthetic=100, class_balance="prior")
    # "prior" follows the class frequencies the augmenter was fitted on,
    # split by largest remainder: compute them independently
    freq = image_aug.class_counts_ / image_aug.class_counts_.sum()
    exact = 100 * freq
    expected = np.floor(exact).astype(int)
    expected[
        np.argsort(-(exact - expected), kind="stable")[: 100 - expected.sum()]
    ] += 1
    assert counts(prior).tolist() == expected.tolist()


def test_same_seed_same_items_and_refresh(real_ds, image_aug):
    a = AugmentedDataset(real_ds, image_aug, random_state=3)
    b = AugmentedDataset(real_ds, image_aug, random_state=3)
    c = AugmentedDataset(real_ds, image_aug, random_state=4)
    last = len(a) - 1
    assert np.array_equal(np.asarray(a[last][0]), np.asarray(b[last][0]))
    assert not np.array_equal(np.asarray(a[last][0]), np.asarray(c[last][0]))
    before = np.asarray(a[last][0])
    a.set_epoch(1)  # no refresh: same pool
    assert np.array_equal(np.asarray(a[last][0]), before)
    r = AugmentedDataset(real_ds, image_aug, refresh=True, random_state=3)
    r.set_epoch(1)
    assert not np.array_equal(np.asarray(r[last][0]), before)
    assert r[last][1] == a[last][1]  # same class plan, new samples


def test_torchvision_v2_pipeline_runs_on_real_and_synthetic(real_ds, image_aug):
    tf = v2.Compose(
        [
            v2.ToImage(),
            v2.ToDtype(torch.float32, scale=True),
            v2.RandomCrop(8, padding=1),
        ]
    )
    ds = AugmentedDataset(
        real_ds, image_aug, transform=tf, random_state=0, return_is_synthetic=True
    )
    for i in (0, len(ds) - 1):
        x, t, synthetic = ds[i]
        assert x.shape == (1, 8, 8) and x.dtype == torch.float32
        assert 0.0 <= x.min() and x.max() <= 1.0 and synthetic == (i >= 300)


def test_albumentations_compose_runs_on_real_and_synthetic(real_ds, image_aug):
    X = np.stack([np.asarray(real_ds[i][0]) for i in range(50)])
    tf = A.Compose(
        [
            A.Affine(translate_px=(-1, 1), rotate=(-10, 10), p=1.0),
            A.Normalize(mean=0.5, std=0.5),
            ToTensorV2(),
        ]
    )
    ds = AugmentedDataset(
        (X, real_ds.targets[:50]), image_aug, transform=tf, random_state=0
    )
    real_x, _ = ds[0]
    fake_x, _ = ds[len(ds) - 1]
    assert isinstance(fake_x, torch.Tensor) and fake_x.shape == real_x.shape == (
        1,
        8,
        8,
    )
    assert fake_x.dtype == real_x.dtype
    assert -1.01 <= fake_x.min() and fake_x.max() <= 1.01


def test_dataloader_with_workers_trains_and_is_deterministic(real_ds, image_aug):
    tf = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])
    ds = AugmentedDataset(
        real_ds,
        image_aug,
        synthetic_fraction=0.5,
        transform=tf,
        random_state=0,
        return_is_synthetic=True,
    )

    def batches(seed):
        loader = DataLoader(
            ds,
            batch_size=32,
            shuffle=True,
            num_workers=2,
            generator=torch.Generator().manual_seed(seed),
        )
        return list(loader)

    first, second = batches(0), batches(0)
    assert sum(len(b[0]) for b in first) == len(ds)
    assert sum(int(b[2].sum()) for b in first) == ds.n_synthetic
    for (xa, ya, _), (xb, yb, _) in zip(first, second, strict=True):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)

    g = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.01)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(3):
        for x, t, _ in first:
            loss = torch.nn.functional.cross_entropy(model(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert np.isfinite(losses).all() and np.mean(losses[-5:]) < np.mean(losses[:5])


def test_augmented_dataset_errors(real_ds, image_aug):
    with pytest.raises(ValueError, match=r"synthetic_fraction must be in \[0, 1\)"):
        AugmentedDataset(real_ds, image_aug, synthetic_fraction=1.0)
    with pytest.raises(ValueError, match="n_synthetic"):
        AugmentedDataset(real_ds, image_aug, n_synthetic=-1)
    with pytest.raises(ValueError, match="class_balance"):
        AugmentedDataset(real_ds, image_aug, class_balance="rare")
    big = TinyImages(np.zeros((4, 16, 16), np.uint8), [0, 1, 2, 3])
    with pytest.raises(ValueError, match="sizes and channel counts must match"):
        AugmentedDataset(big, image_aug)
    rgb = TensorDataset(torch.rand(4, 3, 8, 8), torch.arange(4))
    with pytest.raises(ValueError, match="channel"):
        AugmentedDataset(rgb, image_aug)
    with pytest.raises(TypeError, match="augmenter must be a fitted GanAugmenter"):
        AugmentedDataset(real_ds, object())
    with pytest.raises(TypeError, match=r"\(sample, target\)"):
        AugmentedDataset([np.zeros((8, 8))] * 3, image_aug)
    unseen = TinyImages(np.zeros((2, 8, 8), np.uint8), [3, 12])
    with pytest.raises(ValueError, match="real targets contains the label 12"):
        AugmentedDataset(unseen, image_aug)


# --------------------------------------------------------- SyntheticDataset
def test_synthetic_dataset(image_aug):
    ds = SyntheticDataset(image_aug, n_per_class=4, random_state=0)
    assert len(ds) == 40 and np.bincount(ds.targets).tolist() == [4] * 10
    assert ds[0][0].shape == (8, 8) and ds[0][0].dtype == np.uint8
    again = SyntheticDataset(image_aug, n_per_class=4, random_state=0)
    assert np.array_equal(ds[17][0], again[17][0])
    pil = SyntheticDataset(
        image_aug, n=7, item_format="pil", transform=v2.Compose([v2.ToImage()])
    )
    assert len(pil) == 7 and pil[0][0].shape == (1, 8, 8)
    assert "Number of datapoints: 7" in repr(pil)
    with pytest.raises(ValueError, match="exactly one of n_per_class and n"):
        SyntheticDataset(image_aug)


# -------------------------------------------------------------- SyntheticMix
def test_synthetic_mix_inserts_samples_of_the_labelled_class(
    image_aug, digit_split, real_classifier
):
    _, X_te, _, y_te = digit_split
    images = torch.from_numpy(X_te[:200]).float().div(255).unsqueeze(1)
    labels = torch.from_numpy(y_te[:200])
    mix = SyntheticMix(image_aug, p=0.5, random_state=0)
    out, out_labels = mix(images, labels)
    replaced = mix.last_replaced
    assert int(replaced.sum()) == 100 and torch.equal(out_labels, labels)
    assert torch.equal(out[~replaced], images[~replaced])
    assert not torch.equal(out[replaced], images[replaced])
    assert out.dtype == images.dtype and 0 <= out.min() and out.max() <= 1
    pred = real_classifier.predict(out[replaced].flatten(1).numpy())
    agreement = (pred == labels[replaced].numpy()).mean()
    # chance is 0.1; samples of the wrong class (or noise) would sit near it
    assert agreement >= 0.4, f"inserted samples match their label only {agreement:.2f}"


def test_synthetic_mix_normalises_like_the_batch(image_aug):
    images = torch.zeros(10, 1, 8, 8, dtype=torch.float64)
    mix = SyntheticMix(image_aug, p=1.0, mean=[0.5], std=[0.5], random_state=0)
    out, _ = mix(images, torch.arange(10))
    assert out.dtype == torch.float64 and -1.0 <= out.min() and out.max() <= 1.0
    assert out.min() < -0.9  # black background maps to -1 after normalising


def test_synthetic_mix_errors(image_aug):
    images, labels = torch.zeros(4, 1, 8, 8), torch.tensor([0, 1, 2, 3])
    for p in (-0.1, 1.5, "half"):
        with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\]"):
            SyntheticMix(image_aug, p=p)
    with pytest.raises(ValueError, match="label 42.*not seen in fit"):
        SyntheticMix(image_aug, p=1.0)(images, torch.tensor([0, 1, 2, 42]))
    with pytest.raises(ValueError, match="sizes and channel counts"):
        SyntheticMix(image_aug, p=1.0)(torch.zeros(4, 3, 8, 8), labels)
    with pytest.raises(ValueError, match="1-D class labels"):
        SyntheticMix(image_aug, p=1.0)(images, torch.zeros(4, 10))
    out, _ = SyntheticMix(image_aug, p=0.0)(images, labels)
    assert torch.equal(out, images)
