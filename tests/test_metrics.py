"""Quality metrics: exact on hand-made cases, near-ideal for real-vs-real,
poor for noise."""

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from ganaug import metrics


def test_frechet_distance_hand_made():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    # N(0, I) vs N(mu, I): the distance is |mu|^2
    shifted = a + np.array([3.0, 0.0, 4.0])
    assert metrics.frechet_distance(a, shifted) == pytest.approx(25.0, rel=1e-3)
    # a vs 2a: covariances S and 4S, so tr(S + 4S - 2 * 2S) = tr(S), about 3
    expected = np.trace(np.cov(a, rowvar=False))
    assert metrics.frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-3)
    assert expected == pytest.approx(3.0, rel=0.05)


def test_prdc_identical_sets_and_disjoint_sets():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    same = metrics.prdc(real, real.copy(), k=5)
    assert (
        same["precision"] == 1.0 and same["recall"] == 1.0 and same["coverage"] == 1.0
    )
    far = metrics.prdc(real, real + 100.0, k=5)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}
    # a collapsed generator: precise, but poor recall and coverage
    collapsed = np.repeat(real[:3], 100, axis=0) + 1e-3 * rng.normal(size=(300, 4))
    c = metrics.prdc(real, collapsed, k=5)
    assert c["precision"] > 0.9 and c["recall"] < 0.2 and c["coverage"] < 0.1


def test_distance_to_closest_record_flags_copies():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    train, test = X[:200], X[200:]
    copies = metrics.distance_to_closest_record(train[:50], train, test)
    assert copies["exact_copies"] == 50 and copies["dcr_ratio"] == 0.0
    fresh = metrics.distance_to_closest_record(rng.normal(size=(100, 5)), train, test)
    assert fresh["exact_copies"] == 0 and 0.7 < fresh["dcr_ratio"] < 1.4
    assert copies["copy_share_synthetic"] == 1.0 and fresh["copy_share_synthetic"] == 0
    assert fresh["copy_share_real_test"] == 0.0


def test_copies_are_judged_against_fresh_real_rows_on_a_finite_domain():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(600, 3)).astype(float)  # only 8 possible rows
    train, test = X[:300], X[300:]
    fresh = rng.integers(0, 2, size=(100, 3)).astype(float)
    dcr = metrics.distance_to_closest_record(fresh, train, test)
    assert dcr["copy_share_real_test"] == 1.0 and dcr["copy_share_synthetic"] == 1.0
    assert np.isnan(dcr["dcr_ratio"])  # 0 / 0: no ratio to read


def test_cas_hand_made():
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    y = np.array([0, 0, 1, 1])
    assert metrics.classification_accuracy_score(X, y, X, y) == 1.0
    assert metrics.classification_accuracy_score(X, 1 - y, X, y) == 0.0


@pytest.fixture(scope="module")
def digit_parts(digits):
    X, y = digits
    X_a, X_rest, y_a, y_rest = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    X_b, X_c, y_b, y_c = train_test_split(
        X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=0
    )
    return X_a, y_a, X_b, y_b, X_c, y_c


def test_quality_report_real_vs_real_is_near_ideal(digit_parts):
    X_tr, y_tr, X_syn, y_syn, X_te, y_te = digit_parts  # "synthetic" = fresh real data
    rep = metrics.quality_report(X_syn, y_syn, X_tr, y_tr, X_te, y_te)
    assert rep["cas"] > 0.9
    assert rep["fd"] < 2 * rep["fd_floor_train_vs_test"] + 1.0
    assert rep["precision"] > 0.7 and rep["recall"] > 0.7 and rep["coverage"] > 0.7
    assert 0.8 < rep["dcr_ratio"] < 1.25 and rep["exact_copies"] == 0
    assert set(rep["per_class"]) == set(range(10))


def test_quality_report_noise_is_poor(digit_parts):
    X_tr, y_tr, X_syn, y_syn, X_te, y_te = digit_parts
    noise = np.random.default_rng(0).uniform(0, 16, size=X_syn.shape)
    rep = metrics.quality_report(noise, y_syn, X_tr, y_tr, X_te, y_te)
    real = metrics.quality_report(X_syn, y_syn, X_tr, y_tr, X_te, y_te)
    assert rep["cas"] < 0.3
    assert rep["fd"] > 5 * real["fd"]
    assert rep["precision"] < 0.1 and rep["coverage"] < 0.1
