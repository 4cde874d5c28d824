"""scikit-learn rules, reproducibility, model choice and the filter."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
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


# -------------------------------------------------------- model choice, filter
def test_model_auto_picks_mlp_for_small_images_and_conv_for_larger():
    rng = np.random.default_rng(0)
    small = GanAugmenter(steps=2, random_state=0).fit(
        rng.random((10, 8, 8)), np.arange(10) % 2
    )
    mnist = GanAugmenter(steps=2, random_state=0).fit(
        rng.random((10, 28, 28)), np.arange(10) % 2
    )
    assert mnist.model_ == "mlp"  # 784 values
    rgb = GanAugmenter(steps=2, random_state=0).fit(
        rng.random((10, 32, 32, 3)), np.arange(10) % 2
    )
    assert rgb.model_ == "mlp"  # 3,072 values
    large = GanAugmenter(steps=2, random_state=0).fit(
        rng.random((10, 3, 40, 40)), np.arange(10) % 2
    )
    forced = GanAugmenter(steps=2, model="conv", random_state=0).fit(
        rng.random((10, 8, 8)), np.arange(10) % 2
    )
    assert (small.model_, large.model_, forced.model_) == ("mlp", "conv", "conv")
    assert small.sample(3)[0].shape == (3, 8, 8)
    assert forced.sample(3)[0].shape == (3, 8, 8)


def test_best_of_k_filter_keeps_exact_counts_and_raises_confidence(small_digits):
    X, y = small_digits
    plain = GanAugmenter(steps=40, filter_k=1, random_state=0).fit(X, y)
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


def test_auto_filter_filters_only_classes_asked_for_at_most_their_rows(small_digits):
    """filter_k="auto" is best of 4 for a class asked for no more samples
    than it has rows, and no filter for a class asked for more: the same
    samples as filter_k=4 and filter_k=1 in those two cases."""
    X, y = small_digits
    fits = {
        k: GanAugmenter(steps=40, filter_k=k, random_state=0).fit(X, y)
        for k in ("auto", 1, 4)
    }
    n_c = int(np.bincount(y).min())
    few = np.repeat(np.arange(10), n_c)  # at most each class's rows
    many = np.repeat(np.arange(10), int(np.bincount(y).max()) + 1)  # more

    def draw(aug, labels):
        return aug.sample(y=labels, random_state=3)[0]

    assert np.array_equal(draw(fits["auto"], few), draw(fits[4], few))
    assert not np.array_equal(draw(fits["auto"], few), draw(fits[1], few))
    assert np.array_equal(draw(fits["auto"], many), draw(fits[1], many))
    # imbalanced fit_resample: every rare class gets more rows than it has
    keep = np.concatenate(
        [np.flatnonzero(y == c)[: (4 if c < 5 else None)] for c in range(10)]
    )
    res = {
        k: GanAugmenter(steps=40, filter_k=k, random_state=0).fit_resample(
            X[keep], y[keep]
        )[0]
        for k in ("auto", 1)
    }
    assert len(res["auto"]) > len(keep)
    assert np.array_equal(res["auto"], res[1])


def test_truncation_trades_spread_for_fidelity_at_sampling_time(digits, small_digits):
    from sklearn.linear_model import LogisticRegression

    from ganaug import prepare

    X, y = small_digits
    aug = GanAugmenter(steps=300, random_state=0).fit(X, y)
    wanted = np.repeat(np.arange(10), 40)

    def spread_and_score(truncation):
        aug.set_params(truncation=truncation)
        Xs, ys = aug.sample(y=wanted, random_state=1)
        z = prepare.to_model_space(Xs, aug.spec_).reshape(len(Xs), -1)
        spread = np.mean(
            [z[ys == c].std(axis=0).mean() for c in range(10)]
        )  # within-class spread in model space
        clf = LogisticRegression(max_iter=2000).fit(Xs, ys)
        return spread, clf.score(*digits)  # synthetic-only, scored on real digits

    full, tight = spread_and_score(None), spread_and_score(0.5)
    assert tight[0] < 0.8 * full[0]  # read at sampling time, no refit
    assert tight[1] > 0.6 and full[1] > 0.6  # both still recognise real digits
    again = aug.sample(y=wanted, random_state=1)[0]
    assert np.array_equal(again, aug.sample(y=wanted, random_state=1)[0])
    assert (
        np.abs(
            again - aug.set_params(truncation=None).sample(y=wanted, random_state=1)[0]
        ).max()
        > 0
    )


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
    raw, _ = GanAugmenter(steps=20, snap=False, random_state=0).fit(X, y).sample(200)
    assert not np.all(raw[:, 0] == np.round(raw[:, 0]))
    images = rng.integers(0, 17, (30, 8, 8)).astype(np.float32)
    X_img, _ = (
        GanAugmenter(steps=5, random_state=0).fit(images, np.arange(30) % 3).sample(9)
    )
    assert X_img.dtype == np.float32 and np.all(X_img == np.round(X_img))
