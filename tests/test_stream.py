"""Streaming fits from map-style datasets larger than memory
(``fit_dataset(stream=True)``, :mod:`ganaug.streaming`)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch.utils.data import Dataset

from ganaug import GanAugmenter, augmenter, streaming, torchdata
from ganaug.torch import AugmentedDataset

N_ROWS, N_FEATURES, N_CLASSES = 20_000, 10, 3
BATCH = 64


class LazyBlobs(Dataset):
    """Gaussian blobs computed from the index (nothing stored): row ``i`` is
    of class ``i % 3``, with seeded noise of its own.  Counts its reads."""

    def __init__(self, n=N_ROWS, d=N_FEATURES, start=0):
        self.n, self.d, self.start = n, d, start
        self.means = np.random.default_rng(0).normal(scale=2.0, size=(N_CLASSES, d))
        self.calls = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        self.calls += 1
        i += self.start
        noise = np.random.default_rng([1, i]).normal(size=self.d)
        x = self.means[i % N_CLASSES] + noise
        return torch.from_numpy(x.astype(np.float32)), i % N_CLASSES

    def arrays(self):
        X = np.stack([self[i][0].numpy() for i in range(self.n)])
        return X, (np.arange(self.n) + self.start) % N_CLASSES


class Digits(Dataset):
    """8x8 uint8 digits served as (1, 8, 8) tensors, counting reads."""

    def __init__(self, X, y):
        self.X, self.y, self.calls = X, y, 0

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        self.calls += 1
        return torch.from_numpy(self.X[i]), int(self.y[i])


class Items(Dataset):
    """Items from a function of the index."""

    def __init__(self, n, item):
        self.n, self.item = n, item

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.item(i)


@pytest.fixture
def no_stacking(monkeypatch):
    """Fail if anything stacks the whole dataset."""

    def refuse(*args, **kwargs):
        raise AssertionError("the dataset was stacked")

    monkeypatch.setattr(torchdata, "dataset_to_arrays", refuse)


@pytest.fixture
def scans(monkeypatch):
    """Record what each pass over a dataset kept."""
    seen = []
    scan = streaming.scan_dataset

    def spy(*args, **kwargs):
        seen.append(scan(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(streaming, "scan_dataset", spy)
    return seen


@pytest.fixture(scope="module")
def held_out_blobs():
    return LazyBlobs(n=3000, start=N_ROWS).arrays()  # rows never trained on


@pytest.fixture(scope="module")
def digit_split(digits):
    X, y = digits
    X = np.rint(X.reshape(-1, 1, 8, 8) * 255 / 16).astype(np.uint8)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def synthetic_accuracy(aug, X_test, y_test, n=600, scale=1.0) -> float:
    """Train on synthetic samples only, score on held-out real rows."""
    X_syn, y_syn = aug.sample(n, random_state=0)
    clf = LogisticRegression(max_iter=2000)
    clf.fit(np.asarray(X_syn).reshape(n, -1) / scale, y_syn)
    return clf.score(X_test.reshape(len(X_test), -1) / scale, y_test)


def stream_fit(dataset, steps, **kw):
    # filter_k=1: the quality checks here judge the generator; with the
    # best-of-4 filter of "auto" even random weights pass them (the filter's
    # logistic regression picks class-typical candidates among random ones)
    params = {"width": 64, "batch_size": BATCH, "filter_k": 1, "random_state": 0}
    fit_kw = {k: kw.pop(k) for k in ("num_workers", "max_samples") if k in kw}
    aug = GanAugmenter(steps=steps, **{**params, **kw})
    return aug.fit_dataset(dataset, stream=True, **fit_kw)


# ------------------------------------------------------------------ quality
def test_streaming_fit_reads_each_item_once_plus_its_batches_and_samples_well(
    monkeypatch, no_stacking, scans, held_out_blobs
):
    monkeypatch.setattr(streaming, "SAMPLE_ROWS", 1500)
    ds = LazyBlobs()
    aug = stream_fit(ds, steps=200)
    # one pass (every item once), then one batch per discriminator step
    assert ds.calls == N_ROWS + 200 * BATCH
    (scan,) = scans
    assert scan.sample.shape == (1500, N_FEATURES)  # the bound, not the data
    assert len(scan.codes) == N_ROWS and scan.codes.dtype == np.int64
    assert aug.class_counts_.tolist() == [6667, 6667, 6666]  # from every row
    assert aug.n_features_in_ == N_FEATURES and aug.spec_.dtype == "float32"
    assert synthetic_accuracy(aug, *held_out_blobs) > 0.9


def test_the_quality_check_fails_an_untrained_model(held_out_blobs):
    aug = stream_fit(LazyBlobs(n=3000), steps=1)
    assert synthetic_accuracy(aug, *held_out_blobs) < 0.5


def test_streaming_images_sample_good_digits_of_the_items_form(
    digit_split, no_stacking
):
    X_tr, X_te, y_tr, y_te = digit_split
    ds = Digits(X_tr, y_tr)
    aug = stream_fit(ds, steps=600)
    assert ds.calls == len(X_tr) + 600 * BATCH
    assert aug.spec_.layout == "chw" and aug.spec_.dtype == "uint8"
    X_new, _ = aug.sample(5, random_state=0)
    assert X_new.shape == (5, 1, 8, 8) and X_new.dtype == np.uint8
    assert synthetic_accuracy(aug, X_te, y_te, 1000, scale=255) > 0.5  # chance: 0.1
    # AugmentedDataset hands back synthetic items like the dataset's own
    mixed = AugmentedDataset(ds, aug, n_synthetic=20, random_state=0)
    (real, _), (fake, label) = mixed[0], mixed[len(ds)]
    assert isinstance(fake, torch.Tensor) and fake.dtype == real.dtype == torch.uint8
    assert fake.shape == real.shape and label in set(y_tr.tolist())


def test_untrained_image_model_fails_the_same_check(digit_split):
    X_tr, X_te, y_tr, y_te = digit_split
    aug = stream_fit(Digits(X_tr, y_tr), steps=1)
    assert synthetic_accuracy(aug, X_te, y_te, 1000, scale=255) < 0.2


def test_streaming_and_in_memory_fits_of_the_same_data_are_both_good(
    held_out_blobs,
):
    ds = LazyBlobs(n=3000)
    streamed = stream_fit(ds, steps=150)
    in_memory = GanAugmenter(steps=150, width=64, random_state=0).fit(*ds.arrays())
    for aug in (streamed, in_memory):
        assert synthetic_accuracy(aug, *held_out_blobs) > 0.9
    assert streamed.spec_.to_dict() == in_memory.spec_.to_dict()  # all rows kept
    np.testing.assert_array_equal(streamed.spec_.knots, in_memory.spec_.knots)


# ---------------------------------------------------------- reproducibility
def test_same_seed_same_model_whatever_the_number_of_workers():
    ds = LazyBlobs(n=1000)
    a = stream_fit(ds, steps=20).sample(50, random_state=1)[0]
    b = stream_fit(ds, steps=20).sample(50, random_state=1)[0]
    c = stream_fit(ds, steps=20, num_workers=2).sample(50, random_state=1)[0]
    other = stream_fit(ds, steps=20, random_state=1).sample(50, random_state=1)[0]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)  # indices are drawn in the main process
    assert not np.array_equal(a, other)


def test_save_and_load_after_a_streaming_fit(tmp_path):
    aug = stream_fit(LazyBlobs(n=1000), steps=10, max_samples=600)
    assert aug.class_counts_.sum() == 600
    aug.save(tmp_path / "m.ganaug")
    loaded = GanAugmenter.load(tmp_path / "m.ganaug", device="cpu")
    np.testing.assert_array_equal(
        loaded.sample(30, random_state=2)[0], aug.sample(30, random_state=2)[0]
    )
    assert loaded.class_counts_.tolist() == aug.class_counts_.tolist()


def test_steps_auto_counts_every_row_and_scores_the_sample(monkeypatch):
    monkeypatch.setattr(streaming, "SAMPLE_ROWS", 300)
    counted = []

    def most_steps(n_rows, model_kind):  # at most 800 steps: a short test
        counted.append((n_rows, model_kind))
        return 800

    monkeypatch.setattr(augmenter, "default_steps", most_steps)
    ds = LazyBlobs(n=1000)
    aug = stream_fit(ds, steps="auto", batch_size=16, width=16)
    assert counted == [(1000, "mlp")]  # every row, not the sample's 300
    assert "quality" in aug.history_[-1] and 400 <= aug.n_steps_ <= 800
    assert ds.calls == 1000 + aug.n_steps_ * 16  # the loader stops with training


# -------------------------------------------------------------- auto rule
def test_auto_streams_only_beyond_the_size_limit(monkeypatch):
    ds = LazyBlobs(n=500)  # 500 x 40 bytes
    GanAugmenter(steps=2, random_state=0).fit_dataset(ds)
    assert ds.calls == 1 + 500  # dataset[0] for the rule, then stacked
    monkeypatch.setattr(streaming, "STREAM_BYTES", 500 * 40 - 1)
    ds = LazyBlobs(n=500)
    GanAugmenter(steps=2, batch_size=8, random_state=0).fit_dataset(ds)
    assert ds.calls == 1 + 500 + 2 * 8


def test_an_array_pair_streams_only_when_asked():
    X, y = LazyBlobs(n=300).arrays()
    aug = GanAugmenter(steps=2, random_state=0).fit_dataset((X, y), stream=True)
    assert aug.class_counts_.tolist() == [100, 100, 100]


def test_a_single_class_streams_like_fit_accepts_it():
    ds = Items(200, lambda i: (np.full(3, i % 7, dtype=np.float32), "only"))
    aug = GanAugmenter(steps=3, random_state=0).fit_dataset(ds, stream=True)
    X_new, y_new = aug.sample(4)
    assert set(y_new.tolist()) == {"only"} and X_new.shape == (4, 3)


def test_memory_stays_bounded_by_the_sample(monkeypatch):
    """The pass keeps 500 rows of 20,000: the traced peak is a fraction of
    the data (numpy's allocations are traced, torch's own are not)."""
    d = 256
    ds = Items(N_ROWS, lambda i: (np.full(d, i % 3 + i * 1e-5, np.float32), i % 3))
    stacked = N_ROWS * d * 4  # 20 MB
    stream_fit(Items(300, ds.item), steps=2)  # imports happen before tracing
    monkeypatch.setattr(streaming, "SAMPLE_ROWS", 500)
    tracemalloc.start()
    try:
        stream_fit(ds, steps=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < stacked / 4  # about 4 MB: the sample, its knots, one batch


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stream": "yes"}, r"stream must be True, False or 'auto'; got 'yes'"),
        ({"stream": 1}, r"stream must be True, False or 'auto'; got 1"),
        ({"num_workers": -1}, r"num_workers must be an integer >= 0.*got -1"),
        ({"num_workers": 1.5}, r"num_workers must be an integer >= 0.*got 1.5"),
        ({"max_samples": 0}, r"max_samples must be a positive integer.*got 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GanAugmenter(steps=2).fit_dataset(LazyBlobs(n=10), **kwargs)


def _varying(i):
    return np.zeros(4 if i == 70 else 3, np.float32), i % 2


def _strings(i):
    return np.array(["a", "b"]), i % 2


def _nan(i):
    return np.full(3, np.nan if i == 150 else 0.0), i % 2


def _unhashable(i):
    return np.zeros(3), [i % 2]


def _continuous(i):
    return np.zeros(3), i / 7


def _not_a_pair(i):
    return np.zeros(3)


@pytest.mark.parametrize(
    ("item", "error", "match"),
    [
        (_varying, ValueError, r"samples differ: dataset\[64\].*dataset\[70\]"),
        (_strings, TypeError, r"dataset\[0\].*streaming needs numeric samples"),
        (_nan, ValueError, r"dataset\[150\] holds NaN or infinite values"),
        (_unhashable, TypeError, r"dataset\[0\] has the unhashable target \[0\]"),
        (_continuous, ValueError, r"continuous target"),
        (_not_a_pair, TypeError, r"dataset\[0\].*\(sample, target\)"),
    ],
)
def test_bad_items_get_clear_errors(item, error, match):
    aug = GanAugmenter(steps=2, random_state=0)
    with pytest.raises(error, match=match):
        aug.fit_dataset(Items(200, item), stream=True)


def test_errors_in_workers_reach_the_caller_with_their_type():
    aug = GanAugmenter(steps=2, random_state=0)
    with pytest.raises(ValueError, match=r"dataset\[64\].*dataset\[70\]"):
        aug.fit_dataset(Items(200, _varying), stream=True, num_workers=1)


def test_empty_dataset_and_images_too_small():
    with pytest.raises(ValueError, match="dataset is empty"):
        GanAugmenter(steps=2).fit_dataset(Items(0, _varying), stream=True)
    tiny = Items(20, lambda i: (np.zeros((1, 4, 4), np.uint8), i % 2))
    with pytest.raises(ValueError, match=r"dataset samples with shape .* as images"):
        GanAugmenter(steps=2).fit_dataset(tiny, stream=True)
