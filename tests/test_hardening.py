"""Issue #11: no silent garbage, exact ranges, label and container edge cases,
model files that cannot hurt, one-way imports.  Each test failed on v0.1."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from ganaug import CollapseWarning, GanAugmenter
from ganaug.serialization import _digest

TINY = {"steps": 20, "batch_size": 16, "width": 16, "noise_dim": 8, "random_state": 0}


def _blobs(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return rng.normal(size=(n, d)) + y[:, None] * 3.0, y


# ------------------------------------------------------------ silent garbage
@pytest.mark.parametrize(
    "params", [{"diversity": np.nan}, {"lr_g": np.inf}, {"r1": -np.inf}]
)
def test_non_finite_parameters_are_refused(params):
    X, y = _blobs()
    with pytest.raises(ValueError, match=list(params)[0]):
        GanAugmenter(**{**TINY, **params}).fit(X, y)


@pytest.mark.parametrize("loss", ["hinge", "wgan-gp"])
def test_saturating_learning_rates_warn_of_collapse(loss):
    X, y = _blobs(n=60)
    aug = GanAugmenter(**{**TINY, "steps": 150, "lr_g": 10.0, "lr_d": 10.0})
    aug.set_params(loss=loss)
    with pytest.warns(CollapseWarning, match="lr_g"):
        aug.fit(X, y)


def test_healthy_training_does_not_warn(small_digits):
    X, y = small_digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollapseWarning)
        GanAugmenter(steps=300, random_state=0).fit(X / 16.0, y)


def test_huge_but_finite_scale_gives_finite_samples_in_range():
    X, y = _blobs()
    X = X * 1e300  # finite in float64, overflows float32
    Xs, _ = GanAugmenter(**TINY).fit(X, y).sample(50)
    assert np.isfinite(Xs).all()
    assert (Xs >= X.min(axis=0)).all() and (Xs <= X.max(axis=0)).all()


def test_range_that_overflows_float64_is_refused():
    X = np.array([[-1e308], [1e308], [0.0], [1.0]])
    with pytest.raises(ValueError, match="overflows float64"):
        GanAugmenter(**TINY).fit(X, [0, 1, 0, 1])


def test_int64_near_1e18_stays_exact_and_in_range():
    base = 10**18
    X = (base + np.arange(40) * 1000).reshape(-1, 1).astype(np.int64)
    y = np.arange(40) % 2
    Xs, _ = GanAugmenter(**TINY).fit(X, y).sample(200)
    assert Xs.dtype == np.int64
    assert Xs.min() >= X.min() and Xs.max() <= X.max()
    assert len(np.unique(Xs)) > 5  # not one value: the offsets survive


def test_constant_column_and_exact_float_bounds():
    X, y = _blobs(d=2)
    X = np.column_stack([X, np.full(len(X), 3.7)])
    Xs, _ = GanAugmenter(**TINY).fit(X, y).sample(300)
    assert (Xs[:, 2] == 3.7).all()
    assert (Xs >= X.min(axis=0)).all() and (Xs <= X.max(axis=0)).all()
    X32 = X.astype(np.float32)
    Xs32, _ = GanAugmenter(**TINY).fit(X32, y).sample(300)
    assert Xs32.dtype == np.float32
    assert (Xs32 >= X32.min(axis=0)).all() and (Xs32 <= X32.max(axis=0)).all()


def test_sample_refuses_absurd_sizes_up_front(fitted):
    with pytest.raises(ValueError, match="GiB"):
        fitted.sample(10**9)


# ------------------------------------------------------ labels and containers
def test_tuple_labels_and_tensor_labels_in_sample():
    X, _ = _blobs()
    y = [("a", 1) if i % 2 else ("b", 2) for i in range(len(X))]
    aug = GanAugmenter(**TINY).fit(X, y)
    _, ys = aug.sample(4, y=("a", 1))
    assert [tuple(v) for v in ys] == [("a", 1)] * 4
    with pytest.raises(ValueError, match="imbalanced-learn"):
        GanAugmenter(**TINY).fit_resample(X, y)
    Xi, yi = _blobs()
    aug = GanAugmenter(**TINY).fit(Xi, yi)
    _, ys = aug.sample(3, y=torch.tensor(1))
    assert ys.tolist() == [1, 1, 1]


def test_mixed_label_types_get_a_clear_error_in_fit_resample():
    X, _ = _blobs()
    y = np.array([1 if i % 2 else "cat" for i in range(len(X))], dtype=object)
    with pytest.raises(ValueError, match="LabelEncoder"):
        GanAugmenter(**TINY).fit_resample(X, y)
    GanAugmenter(**TINY).fit(X, y).sample(4)  # fit/sample accept them


def test_continuous_y_is_refused():
    X, _ = _blobs()
    y = np.linspace(0, 1, len(X))
    with pytest.raises(ValueError, match="continuous"):
        GanAugmenter(**TINY).fit_resample(X, y)
    with pytest.raises(ValueError, match="continuous"):
        GanAugmenter(**TINY).fit(X, y)


def test_containers_come_back_as_given():
    X, y = _blobs()
    Xr, yr = GanAugmenter(**TINY).fit_resample(X, list(y[:-3]) + [0, 0, 0])
    assert isinstance(yr, list)
    y_df = pd.DataFrame({"target": y})
    _, yr = GanAugmenter(**TINY).fit_resample(X, y_df)
    assert isinstance(yr, pd.DataFrame) and list(yr.columns) == ["target"]
    y3 = np.arange(len(X)) % 3
    onehot = np.eye(3)[np.r_[y3[:-4], [0, 0, 0, 0]]]
    _, yr = GanAugmenter(**TINY).fit_resample(X, onehot)
    assert yr.shape[1] == 3 and (yr.sum(axis=1) == 1).all()
    Xt, yt = GanAugmenter(**TINY).fit_resample(torch.tensor(X), torch.tensor(y))
    assert isinstance(Xt, torch.Tensor) and isinstance(yt, torch.Tensor)


def test_dataframe_column_dtypes_round_trip():
    X, y = _blobs(n=60)
    df = pd.DataFrame(
        {
            "i": (np.abs(X[:, 0]) * 10).astype(np.int64),
            "f32": X[:, 1].astype(np.float32),
            "f64": X[:, 2],
            "nullable": pd.array((X[:, 0] > 0).astype(int), dtype="Int64"),
        }
    )
    aug = GanAugmenter(**TINY)
    Xs, _ = aug.fit(df, y).sample(30)
    assert list(Xs.dtypes.astype(str)) == ["int64", "float32", "float64", "Int64"]
    Xr, _ = aug.fit_resample(df, np.r_[y[:-10], [0] * 10])
    assert list(Xr.dtypes.astype(str)) == ["int64", "float32", "float64", "Int64"]
    assert list(aug.get_feature_names_out()) == ["i", "f32", "f64", "nullable"]
    assert (Xr.iloc[: len(df)].to_numpy() == df.to_numpy()).all()


def test_refit_leaves_no_stale_state():
    X, y = _blobs()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    aug = GanAugmenter(**{**TINY, "filter_k": 3}).fit(df, y)
    assert hasattr(aug, "filter_") and hasattr(aug, "feature_names_in_")
    aug.set_params(filter_k=1).fit(X, y)
    assert not hasattr(aug, "filter_") and not hasattr(aug, "feature_names_in_")


def test_sampler_tags():
    from imblearn.base import is_sampler
    from sklearn.utils import get_tags

    tags = get_tags(GanAugmenter())
    assert is_sampler(GanAugmenter()) and tags.sampler_tags is not None
    assert not tags.input_tags.sparse and tags.input_tags.three_d_array


# ---------------------------------------------------------------- model files
@pytest.fixture
def saved(tmp_path):
    X, y = _blobs()
    aug = GanAugmenter(**{**TINY, "sampling_strategy": {0: 30, 1: 25}}).fit(X, y)
    path = tmp_path / "m.ganaug"
    aug.save(path)
    return aug, path


def _rewrite(path, edit_header=None, edit_tensors=None, fix_digest=True):
    """Rewrite a model file as an attacker would, digest recomputed."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), framework="pt") as f:
        meta = dict(f.metadata())
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    header = json.loads(meta["header"])
    if edit_header:
        edit_header(header)
    if edit_tensors:
        edit_tensors(tensors)
    meta["header"] = json.dumps(header, sort_keys=True)
    if fix_digest:
        meta["digest"] = _digest(meta["header"], tensors)
    save_file(tensors, str(path), metadata=meta)


def test_dict_sampling_strategy_survives_save(saved):
    aug, path = saved
    assert GanAugmenter.load(path).sampling_strategy == {0: 30, 1: 25}


def test_flipped_weight_bytes_are_refused(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF  # inside the last tensor's bytes
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        GanAugmenter.load(path)


def test_huge_width_in_a_crafted_file_is_refused_before_allocating(saved):
    _, path = saved

    def huge(h):
        h["params"]["width"] = 10**6

    _rewrite(path, edit_header=huge)
    with pytest.raises(ValueError, match="do not match the parameters"):
        GanAugmenter.load(path)


def test_missing_entry_and_unknown_parameter_are_clear_errors(saved, tmp_path):
    _, path = saved
    _rewrite(path, edit_header=lambda h: h.pop("spec"))
    with pytest.raises(ValueError, match="missing the entry 'spec'"):
        GanAugmenter.load(path)
    _, path2 = saved
    saved[0].save(path2)
    _rewrite(path2, edit_header=lambda h: h["params"].update(evil=1))
    with pytest.raises(ValueError, match="unknown parameter"):
        GanAugmenter.load(path2)


def test_crafted_feature_support_is_refused(saved):
    import torch

    _, path = saved

    def backwards(t):
        t["support.knots"] = torch.flip(t["support.knots"], dims=[1])

    _rewrite(path, edit_tensors=backwards)
    with pytest.raises(ValueError, match="invalid feature support.*non-decreasing"):
        GanAugmenter.load(path)
    saved[0].save(path)
    _rewrite(path, edit_tensors=lambda t: t.pop("support.knots"))
    with pytest.raises(ValueError, match="invalid feature support.*2-D"):
        GanAugmenter.load(path)
    saved[0].save(path)
    _rewrite(path, edit_header=lambda h: h["spec"].update(snap=[{"set": "x"}] * 3))
    with pytest.raises(ValueError, match="invalid feature support.*snapping set"):
        GanAugmenter.load(path)


def test_pickles_are_not_executed(tmp_path):
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.ganaug"
    path.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(ValueError, match="not a ganaug model file"):
        GanAugmenter.load(path)
    assert not marker.exists()


def test_saving_into_a_missing_folder_is_a_clear_error(fitted, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        fitted.save(tmp_path / "nope" / "m.ganaug")


def test_callable_sampling_strategy_cannot_be_saved_silently(tmp_path):
    X, y = _blobs()
    aug = GanAugmenter(**{**TINY, "sampling_strategy": lambda y: {0: 1}}).fit(X, y)
    with pytest.raises(TypeError, match="callable"):
        aug.save(tmp_path / "m.ganaug")


# -------------------------------------------------------------- torch face
def test_synthetic_mix_checks_every_label(digits_images_aug):
    from ganaug.torch import SyntheticMix

    images = torch.zeros(8, 1, 8, 8)
    labels = torch.tensor([0, 1, 0, 1, 0, 1, 0, 99])
    mix = SyntheticMix(digits_images_aug, p=0.125, random_state=0)
    for _ in range(5):
        with pytest.raises(ValueError, match="99"):
            mix(images, labels)


def test_augmented_dataset_rejects_a_negative_random_state(digits_images_aug):
    from ganaug.torch import AugmentedDataset

    real = [(np.zeros((8, 8), dtype=np.uint8), 0)] * 4
    with pytest.raises(ValueError, match="random_state"):
        AugmentedDataset(real, digits_images_aug, n_synthetic=2, random_state=-1)


@pytest.fixture(scope="module")
def digits_images_aug():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    imgs = (X[:200].reshape(-1, 8, 8) * 15).astype(np.uint8)
    return GanAugmenter(steps=10, random_state=0).fit(imgs, y[:200] % 2)


# ------------------------------------------------------------ one-way imports
def test_core_never_imports_its_adapters():
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from ganaug import GanAugmenter
        X = np.random.default_rng(0).normal(size=(20, 3)); y = np.arange(20) % 2
        aug = GanAugmenter(steps=3, random_state=0).fit(X, y)
        aug.sample(4); aug.fit_resample(X, y)
        aug.fit_dataset([(x, t) for x, t in zip(X.astype('float32'), y)] and (X, y))
        bad = [m for m in sys.modules
               if m.split(".")[:2] in (["ganaug", "torch"], ["ganaug", "bench"],
                                        ["ganaug", "cli"])]
        print(bad)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
