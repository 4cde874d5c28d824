"""ConfidenceFilter picks the most class-confident candidate and saves as arrays."""

from __future__ import annotations

import io

import numpy as np
import pytest

from ganaug.filtering import AUTO_K, ConfidenceFilter, candidates_per_row


@pytest.fixture
def three_classes():
    """Classes at -3, 0 and +3 along feature 0; feature 1 is noise."""
    rng = np.random.default_rng(0)
    codes = np.repeat([0, 1, 2], 50)
    x = np.stack(
        [3.0 * (codes - 1) + 0.5 * rng.standard_normal(150), rng.standard_normal(150)],
        axis=1,
    ).astype(np.float32)
    return ConfidenceFilter().fit(x, codes)


def cands(*x0):
    return np.array([[v, 0.0] for v in x0], dtype=np.float32)


def test_best_of_picks_the_candidate_most_typical_of_its_class(three_classes):
    f = three_classes
    # three requests, k = 3 candidates each (rows i*3 .. i*3+2)
    candidates = cands(3.0, 0.0, -3.0, 3.0, 0.25, -3.0, -3.0, 0.0, 3.0)
    codes = np.array([0, 1, 2])
    picked = f.best_of(candidates, codes, 3)
    np.testing.assert_array_equal(picked[:, 0], [-3.0, 0.25, 3.0])


def test_best_of_binary():
    rng = np.random.default_rng(1)
    codes = np.repeat([0, 1], 40)
    x = np.stack([np.where(codes == 1, 2.0, -2.0) + rng.standard_normal(80)], axis=1)
    f = ConfidenceFilter().fit(x, codes)
    assert f.state["coef"].shape == (1, 1)  # sklearn's one-column binary case
    candidates = np.array([[-1.0], [4.0], [0.5], [-4.0]])
    picked = f.best_of(candidates, np.array([1, 0]), 2)
    np.testing.assert_array_equal(picked[:, 0], [4.0, -4.0])
    p = f.proba(candidates)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    assert p[1, 1] > 0.99 and p[3, 0] > 0.99


def test_confidence_is_zero_for_a_class_the_filter_never_saw(three_classes):
    conf = three_classes.confidence(cands(0.0, 0.0), np.array([1, 7]))
    assert conf[0] > 0.5 and conf[1] == 0.0


def test_single_class_filter_keeps_the_first_candidate():
    f = ConfidenceFilter().fit(np.ones((5, 2)), np.zeros(5, dtype=int))
    picked = f.best_of(cands(1.0, 2.0, 3.0, 4.0), np.array([0, 0]), 2)
    np.testing.assert_array_equal(picked[:, 0], [1.0, 3.0])


def test_state_round_trip_through_npz(three_classes):
    buf = io.BytesIO()
    np.savez(buf, **three_classes.state)
    buf.seek(0)
    with np.load(buf, allow_pickle=False) as data:
        loaded = ConfidenceFilter.from_state(dict(data))
    x = cands(-2.0, 0.5, 1.7, 5.0)
    np.testing.assert_array_equal(loaded.proba(x), three_classes.proba(x))
    assert set(loaded.state) == {"classes", "mean", "scale", "coef", "intercept"}


def test_best_of_takes_groups_of_different_sizes(three_classes):
    # request 0 (class 0) has 1 candidate, request 1 (class 2) has 3,
    # request 2 (class 1) has 2
    candidates = cands(3.0, -3.0, 0.0, 3.0, 3.0, 0.1)
    picked = three_classes.best_of(candidates, np.array([0, 2, 1]), np.array([1, 3, 2]))
    np.testing.assert_allclose(picked[:, 0], [3.0, 3.0, 0.1])
    empty = three_classes.best_of(candidates[:0], np.array([], dtype=int), 4)
    assert empty.shape == (0, 2)


def test_auto_candidates_follow_the_asked_counts_against_the_fitted_ones():
    counts = np.array([10, 3])
    codes = np.array([0] * 10 + [1] * 4)  # class 0: 10 <= 10; class 1: 4 > 3
    k = candidates_per_row(codes, "auto", counts)
    np.testing.assert_array_equal(k, [AUTO_K] * 10 + [1] * 4)
    np.testing.assert_array_equal(candidates_per_row(codes, 3, counts), [3] * 14)


def test_filter_fits_on_a_bounded_seeded_sample_of_each_class(monkeypatch):
    from ganaug import filtering

    monkeypatch.setattr(filtering, "MAX_ROWS_PER_CLASS", 30)
    rng = np.random.default_rng(2)
    codes = np.repeat([0, 1], [200, 20])
    x = (codes[:, None] * 2.0 + rng.standard_normal((220, 2))).astype(np.float32)
    seen = []
    real_fit = filtering.LogisticRegression.fit

    def spy(self, X, y, *a, **k):
        seen.append(np.bincount(y))
        return real_fit(self, X, y, *a, **k)

    monkeypatch.setattr(filtering.LogisticRegression, "fit", spy)
    a = ConfidenceFilter().fit(x, codes, seed=1)
    b = ConfidenceFilter().fit(x, codes, seed=1)
    np.testing.assert_array_equal(seen[0], [30, 20])
    np.testing.assert_array_equal(a.state["coef"], b.state["coef"])
