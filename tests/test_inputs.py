"""Containers, label types, layouts and bad input."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from ganaug import GanAugmenter

FAST = {"steps": 15, "random_state": 0}


# ------------------------------------------------------------- labels & types
def test_string_labels_and_pandas_containers(small_digits):
    X, y = small_digits
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ys = pd.Series(names[y], name="digit")
    aug = GanAugmenter(**FAST).fit(df, ys)
    assert set(aug.classes_) == set(names)
    assert list(aug.feature_names_in_) == list(df.columns)
    X_new, y_new = aug.sample(6, y="seven")
    assert isinstance(X_new, pd.DataFrame) and list(X_new.columns) == list(df.columns)
    assert isinstance(y_new, pd.Series) and y_new.name == "digit"
    assert (y_new == "seven").all()


def test_torch_tensors_in_torch_tensors_out(small_digits):
    X, y = small_digits
    Xt = torch.tensor(X, dtype=torch.float32)
    aug = GanAugmenter(**FAST).fit(Xt, torch.tensor(y))
    X_new, y_new = aug.sample(5)
    assert isinstance(X_new, torch.Tensor) and X_new.dtype == torch.float32
    assert isinstance(y_new, torch.Tensor)


@pytest.mark.parametrize(
    "shape",
    [(40, 8, 8), (40, 8, 8, 1), (40, 1, 8, 8), (40, 10, 12, 3), (40, 3, 10, 12)],
)
def test_image_layouts_and_uint8_round_trip(shape):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=shape, dtype=np.uint8)
    y = np.repeat([0, 1], 20)
    aug = GanAugmenter(steps=3, random_state=0).fit(X, y)
    X_new, y_new = aug.sample(4)
    assert X_new.shape == (4, *shape[1:]) and X_new.dtype == np.uint8
    assert y_new.tolist() == [0, 0, 1, 1]


def test_float_images_keep_dtype_and_range():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.2, 0.7, size=(20, 8, 8, 3)).astype(np.float32)
    aug = GanAugmenter(steps=3, random_state=0).fit(X, np.arange(20) % 2)
    X_new, _ = aug.sample(8)
    assert X_new.dtype == np.float32 and X_new.min() >= 0.2 - 1e-6
    assert X_new.max() <= 0.7 + 1e-6


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "X, y, exc, words",
    [
        (np.full((4, 2), np.nan), [0, 1, 0, 1], ValueError, "all 4 are missing"),
        (np.array([[np.inf], [np.nan]]), [0, 1], ValueError, "1 infinite value"),
        (np.zeros((4, 2)), [0, 1, 0], ValueError, "different lengths"),
        (np.zeros((0, 2)), [], ValueError, "empty"),
        (np.zeros(4), [0, 1, 0, 1], ValueError, "dimension"),
        (np.zeros((4, 8, 8, 1, 1)), [0, 1, 0, 1], ValueError, "dimension"),
        (np.array([["a"], ["b"]]), [0, 1], TypeError, "pass categorical_features"),
        (sp.csr_matrix(np.eye(4)), [0, 1, 0, 1], TypeError, "sparse"),
    ],
)
def test_bad_input_errors_name_argument_and_value(X, y, exc, words):
    with pytest.raises(exc, match=words):
        GanAugmenter(**FAST).fit(X, y)


@pytest.mark.parametrize(
    "params, words",
    [
        ({"loss": "wgan"}, "'loss' parameter"),
        ({"steps": 0}, "'steps' parameter .* Got 0"),
        ({"batch_size": -1}, "batch_size"),
        ({"lr_g": 0}, "lr_g"),
        ({"ema_decay": 1.5}, "ema_decay"),
        ({"diffaugment": "flip"}, "diffaugment"),
        ({"diffaugment": "translation"}, "applies to images"),
        ({"layout": "hwc"}, "layout='hwc' expects X with 4"),
        ({"device": "tpu:9"}, "device"),
        ({"random_state": "x"}, "random_state"),
        ({"model": "rnn"}, "'model' parameter"),
        ({"model": "conv"}, "model='conv' needs images"),
        ({"filter_k": 0}, "'filter_k' parameter"),
        ({"truncation": 0.0}, "'truncation' parameter .* Got 0.0"),
        ({"truncation": float("nan")}, "'truncation' parameter"),
        ({"diversity": -1.0}, "'diversity' parameter"),
    ],
)
def test_bad_parameters_are_reported_in_fit(params, words):
    X, y = np.random.default_rng(0).normal(size=(10, 3)), np.arange(10) % 2
    with pytest.raises(ValueError, match=words):
        GanAugmenter(**{**{"steps": 2, "random_state": 0}, **params}).fit(X, y)


def test_user_arrays_are_not_modified(small_digits):
    X, y = small_digits
    X2, y2 = X.copy(), y.copy()
    aug = GanAugmenter(**FAST)
    aug.fit_resample(X2[:150], y2[:150])
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_single_sample_class_works(small_digits):
    X, y = small_digits
    keep = np.concatenate([np.flatnonzero(y == 0)[:1], np.flatnonzero(y == 1)])
    aug = GanAugmenter(**FAST).fit(X[keep], y[keep])
    X_new, y_new = aug.sample(5, y=0)
    assert X_new.shape == (5, 64) and np.all(y_new == 0)
    X_res, y_res = aug.fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == [30, 30]


def test_single_class_fits_and_samples_but_fit_resample_errors(small_digits):
    X, y = small_digits
    one = y == 4
    aug = GanAugmenter(**FAST).fit(X[one], y[one])
    X_new, y_new = aug.sample(3)
    assert X_new.shape == (3, 64) and np.all(y_new == 4)
    with pytest.raises(ValueError, match="more than 1 class"):
        GanAugmenter(**FAST).fit_resample(X[one], y[one])
