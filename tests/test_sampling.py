"""GanAugmenter.sample: counts, labels, streams and value ranges."""

import numpy as np
import pytest

from ganaug import GanAugmenter

FAST = {"steps": 15, "random_state": 0}


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


def test_the_default_stream_is_not_a_small_seed(small_digits):
    X, y = small_digits
    aug = GanAugmenter(**FAST).fit(X, y)
    first, _ = GanAugmenter(**FAST).fit(X, y).sample(10)  # a fresh stream
    for k in range(max(aug.seed_ - 3, 0), aug.seed_ + 5):
        assert not np.array_equal(aug.sample(10, random_state=k)[0], first)


def test_samples_stay_in_the_fitted_value_range(fitted, small_digits):
    X, _ = small_digits
    X_new, _ = fitted.sample(200)
    assert X_new.min() >= X.min(axis=0).min() and np.all(X_new <= X.max(axis=0))
