import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ganaug import GanAugmenter

FAST = {"steps": 15, "random_state": 0}


# ---------------------------------------------------------------- sklearn rules
def test_init_only_stores_parameters_and_clone_works():
    aug = GanAugmenter(steps=7, loss="bce", random_state=3)
    params = aug.get_params()
    assert (
        params["steps"] == 7 and params["loss"] == "bce" and params["random_state"] == 3
    )
    twin = clone(aug)
    assert twin.get_params() == params and twin is not aug
    aug.set_params(loss="lsgan")
    assert aug.loss == "lsgan"
    assert not [k for k in vars(aug) if k.endswith("_")]
    # invalid values are only checked in fit, as scikit-learn requires
    GanAugmenter(loss="nope")


def test_fit_returns_self_and_sets_fitted_state(small_digits):
    X, y = small_digits
    aug = GanAugmenter(**FAST)
    assert aug.fit(X, y) is aug
    assert list(aug.classes_) == list(range(10))
    assert aug.n_features_in_ == 64
    assert aug.class_counts_.tolist() == [30] * 10
    assert len(aug.history_) >= 1 and {"d_loss", "g_loss"} <= set(aug.history_[0])
    assert aug.n_steps_ == 15


def test_sample_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        GanAugmenter().sample(3)


# --------------------------------------------------------------------- sample
def test_sample_is_balanced_by_default(fitted):
    X, y = fitted.sample(53)
    assert X.shape == (53, 64) and y.shape == (53,)
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 53


def test_sample_with_fitted_class_prior(small_digits):
    X, y = small_digits
    keep = np.concatenate([np.flatnonzero(y == 0)[:5], np.flatnonzero(y == 1)[:20]])
    aug = GanAugmenter(**FAST).fit(X[keep], y[keep])
    _, y_new = aug.sample(100, class_prior="fitted")
    assert np.bincount(y_new).tolist() == [20, 80]
    with pytest.raises(ValueError, match="class_prior"):
        aug.sample(10, class_prior="prior")


def test_sample_one_class_returns_exactly_n_of_that_class(fitted):
    X, y = fitted.sample(17, y=3)
    assert X.shape == (17, 64) and np.all(y == 3)


def test_sample_with_a_sequence_of_labels(fitted):
    labels = [5, 1, 1, 9]
    X, y = fitted.sample(y=labels)
    assert y.tolist() == labels and X.shape == (4, 64)
    with pytest.raises(ValueError, match="does not match"):
        fitted.sample(3, y=labels)


@pytest.mark.parametrize("n", [0, -5, 2.0, "10", None])
def test_sample_rejects_bad_n(fitted, n):
    with pytest.raises(ValueError, match="n "):
        fitted.sample(n)


def test_sample_rejects_unseen_label(fitted):
    with pytest.raises(ValueError, match="label 11.*not seen in fit"):
        fitted.sample(4, y=11)
    with pytest.raises(ValueError, match="'cat'.*not seen in fit"):
        fitted.sample(y=[1, "cat"])


def test_sample_continues_its_stream_or_uses_a_seed(fitted):
    a, _ = fitted.sample(10, random_state=1)
    b, _ = fitted.sample(10, random_state=1)
    c, _ = fitted.sample(10)
    d, _ = fitted.sample(10)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(c, d)


def test_samples_stay_in_the_fitted_value_range(fitted, small_digits):
    X, _ = small_digits
    X_new, _ = fitted.sample(200)
    assert X_new.min() >= X.min(axis=0).min() and np.all(X_new <= X.max(axis=0))


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
        (np.full((4, 2), np.nan), [0, 1, 0, 1], ValueError, "NaN"),
        (np.zeros((4, 2)), [0, 1, 0], ValueError, "different lengths"),
        (np.zeros((0, 2)), [], ValueError, "empty"),
        (np.zeros(4), [0, 1, 0, 1], ValueError, "dimension"),
        (np.zeros((4, 8, 8, 1, 1)), [0, 1, 0, 1], ValueError, "dimension"),
        (np.array([["a"], ["b"]]), [0, 1], TypeError, "dtype"),
        (sp.csr_matrix(np.eye(4)), [0, 1, 0, 1], TypeError, "sparse"),
    ],
)
def test_bad_input_errors_name_argument_and_value(X, y, exc, words):
    with pytest.raises(exc, match=words):
        GanAugmenter(**FAST).fit(X, y)


@pytest.mark.parametrize(
    "params, words",
    [
        ({"loss": "wgan"}, "loss must be one of"),
        ({"steps": 0}, "steps must be 'auto' or a positive integer; got 0"),
        ({"batch_size": -1}, "batch_size"),
        ({"lr_g": 0}, "lr_g"),
        ({"ema_decay": 1.5}, "ema_decay"),
        ({"diffaugment": "flip"}, "diffaugment"),
        ({"diffaugment": "translation"}, "applies to images"),
        ({"layout": "hwc"}, "layout='hwc' expects X with 4"),
        ({"device": "tpu:9"}, "device"),
        ({"random_state": "x"}, "random_state"),
        ({"model": "rnn"}, "model must be"),
        ({"model": "conv"}, "model='conv' needs images"),
        ({"filter_k": 0}, "filter_k must be a positive integer"),
        ({"diversity": -1.0}, "diversity must be a number >= 0"),
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


# -------------------------------------------------------------- reproducibility
def test_same_seed_same_samples_and_global_rng_untouched(small_digits):
    X, y = small_digits
    torch_state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = GanAugmenter(**FAST).fit(X, y).sample(20)[0]
    b = GanAugmenter(**FAST).fit(X, y).sample(20)[0]
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    c = GanAugmenter(steps=15, random_state=1).fit(X, y).sample(20)[0]
    assert not np.array_equal(a, c)


def test_same_seed_same_samples_across_processes(small_digits):
    code = textwrap.dedent(
        """
        import numpy as np
        from sklearn.datasets import load_digits
        from ganaug import GanAugmenter
        X, y = load_digits(return_X_y=True)
        aug = GanAugmenter(steps=15, random_state=0).fit(X[:300], y[:300])
        X_new, _ = aug.sample(8)
        print(repr(X_new.round(6).tolist()))
        """
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outs[0] == outs[1] and len(outs[0]) > 100


# --------------------------------------------------------------- fit_resample
def test_fit_resample_auto_balances_with_original_rows_first(small_digits):
    X, y = small_digits
    keep = np.concatenate(
        [np.flatnonzero(y == c)[: 5 if c < 3 else 30] for c in range(10)]
    )
    Xi, yi = X[keep], y[keep]
    aug = GanAugmenter(**FAST)
    X_res, y_res = aug.fit_resample(Xi, yi)
    np.testing.assert_array_equal(X_res[: len(Xi)], Xi)
    np.testing.assert_array_equal(y_res[: len(yi)], yi)
    assert np.bincount(y_res).tolist() == [30] * 10
    assert {k: v for k, v in aug.sampling_strategy_.items() if v} == {
        0: 25,
        1: 25,
        2: 25,
    }


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("minority", [20, 20, 10]),
        ("not majority", [20, 20, 20]),
        ("all", [20, 20, 20]),
        ({1: 15, 2: 12}, [20, 15, 12]),
    ],
)
def test_fit_resample_sampling_strategies(small_digits, strategy, expected):
    X, y = small_digits
    keep = np.concatenate(
        [
            np.flatnonzero(y == 0)[:20],
            np.flatnonzero(y == 1)[:8],
            np.flatnonzero(y == 2)[:10],
        ]
    )
    aug = GanAugmenter(sampling_strategy=strategy, **FAST)
    _, y_res = aug.fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == expected


def test_fit_resample_float_ratio_for_two_classes(small_digits):
    X, y = small_digits
    keep = np.concatenate([np.flatnonzero(y == 0)[:20], np.flatnonzero(y == 1)[:4]])
    _, y_res = GanAugmenter(sampling_strategy=0.5, **FAST).fit_resample(
        X[keep], y[keep]
    )
    assert np.bincount(y_res).tolist() == [20, 10]


def test_fit_resample_keeps_pandas_and_string_labels(small_digits):
    X, y = small_digits
    df = pd.DataFrame(X[:100])
    ys = pd.Series(["low"] * 80 + ["high"] * 20, name="t")
    X_res, y_res = GanAugmenter(**FAST).fit_resample(df, ys)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert (y_res.value_counts() == 80).all()


# -------------------------------------------------------- model choice, filter
def test_model_auto_picks_mlp_for_small_images_and_conv_for_larger():
    rng = np.random.default_rng(0)
    small = GanAugmenter(steps=2, random_state=0).fit(
        rng.random((10, 8, 8)), np.arange(10) % 2
    )
    large = GanAugmenter(steps=2, random_state=0).fit(
        rng.random((10, 3, 16, 16)), np.arange(10) % 2
    )
    forced = GanAugmenter(steps=2, model="conv", random_state=0).fit(
        rng.random((10, 8, 8)), np.arange(10) % 2
    )
    assert (small.model_, large.model_, forced.model_) == ("mlp", "conv", "conv")
    assert small.sample(3)[0].shape == (3, 8, 8)
    assert forced.sample(3)[0].shape == (3, 8, 8)


def test_best_of_k_filter_keeps_exact_counts_and_raises_confidence(small_digits):
    X, y = small_digits
    plain = GanAugmenter(steps=40, random_state=0).fit(X, y)
    filtered = GanAugmenter(steps=40, filter_k=8, random_state=0).fit(X, y)
    Xp, yp = plain.sample(200, random_state=0)
    Xf, yf = filtered.sample(200, random_state=0)
    assert Xf.shape == (200, 64) and np.array_equal(yf, yp)
    Xo, yo = filtered.sample(7, y=3)
    assert len(Xo) == 7 and set(yo.tolist()) == {3}
    to_model = filtered.filter_.confidence  # the filter's own confidence
    from ganaug import prepare

    conf_f = to_model(prepare.to_model_space(Xf, filtered.spec_), yf).mean()
    conf_p = to_model(prepare.to_model_space(Xp, filtered.spec_), yp).mean()
    assert conf_f > conf_p


def test_whole_number_features_get_whole_number_samples():
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [
            rng.integers(0, 17, 60).astype(float),
            rng.normal(size=60),
            rng.integers(0, 2, 60),
        ]
    ).astype(float)
    y = np.arange(60) % 2
    X_new, _ = GanAugmenter(steps=20, random_state=0).fit(X, y).sample(200)
    assert np.all(X_new[:, 0] == np.round(X_new[:, 0]))
    assert set(np.unique(X_new[:, 2])) <= {0.0, 1.0}
    assert not np.all(X_new[:, 1] == np.round(X_new[:, 1]))
    raw, _ = (
        GanAugmenter(steps=20, round_integers=False, random_state=0)
        .fit(X, y)
        .sample(200)
    )
    assert not np.all(raw[:, 0] == np.round(raw[:, 0]))
    images = rng.integers(0, 17, (30, 8, 8)).astype(np.float32)
    X_img, _ = (
        GanAugmenter(steps=5, random_state=0).fit(images, np.arange(30) % 3).sample(9)
    )
    assert X_img.dtype == np.float32 and np.all(X_img == np.round(X_img))
