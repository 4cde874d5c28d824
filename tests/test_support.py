"""Each feature's support: snapping rules, the quantile transform, and their
invariance to the scaling users apply before resampling."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from ganaug import GanAugmenter, prepare, support, validation


def _spec(X, transform="quantile", y=None):
    arr, layout = validation.check_X(X)
    y = np.zeros(len(arr)) if y is None else y
    return arr, prepare.fit_spec(X, arr, layout, y, transform=transform)


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def test_few_distinct_values_snap_to_that_set():
    values = np.array([0.5, 2.0, 7.25] * 10)
    assert support.fit_snap(values) == {"set": [0.5, 2.0, 7.25]}
    out = support.snap(np.array([0.0, 1.3, 4.0, 5.0, 99.0]), support.fit_snap(values),
                       np.dtype(float))  # fmt: skip
    np.testing.assert_array_equal(out, [0.5, 2.0, 2.0, 7.25, 7.25])


def test_integer_sets_stay_exact_near_int64_limits():
    big = 2**62
    values = np.array([big, big + 1, big + 7] * 5, dtype=np.int64)
    rule = support.fit_snap(values)
    assert rule == {"set": [big, big + 1, big + 7]}
    got = support.snap(np.array([big + 5], dtype=np.int64), rule, np.dtype(np.int64))
    assert got.tolist() == [big + 7]


@pytest.mark.parametrize("scale", [1.0, 1 / 16, 1 / 255, 0.37])
def test_lattices_are_found_at_any_scale(scale):
    rng = np.random.default_rng(0)
    values = rng.integers(0, 200, size=500) * scale + 3.0 * scale
    rule = support.fit_snap(values)
    assert rule is not None and "lattice" in rule
    origin, step = rule["lattice"]
    assert step == pytest.approx(scale, rel=1e-9)
    snapped = support.snap(values + 0.3 * scale, rule, np.dtype(float))
    np.testing.assert_allclose(snapped, values, rtol=0, atol=1e-9)


def test_continuous_values_are_not_snapped():
    values = np.random.default_rng(1).normal(size=300)
    assert support.fit_snap(values) is None


def test_integer_lattice_uses_the_common_step():
    rule = support.fit_snap(np.arange(0, 400, 5, dtype=np.int64))
    assert rule == {"lattice": [0, 5]}


def test_quantile_round_trip_is_exact_on_training_values():
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.lognormal(size=200), rng.normal(size=200)])
    arr, spec = _spec(X)
    z = prepare.to_model_space(arr, spec)
    # a skewed column becomes uniform in the model's space
    assert abs(np.median(z[:, 0])) < 0.02 and z.min() >= -1 and z.max() <= 1
    back = prepare.from_model_space(z, spec)
    np.testing.assert_allclose(back, X, rtol=1e-4)  # float32 model space


def test_quantile_point_mass_comes_back_exact():
    rng = np.random.default_rng(3)
    col = np.where(rng.random(2000) < 0.6, 0.0, rng.exponential(size=2000))
    arr, spec = _spec(col[:, None])
    z = prepare.to_model_space(arr, spec, rng=np.random.default_rng(0))
    # ties are spread over their levels, so the model sees a continuous target
    assert len(np.unique(z)) > 1500
    uniform = rng.uniform(-1, 1, size=(20000, 1)).astype(np.float32)
    back = prepare.from_model_space(uniform, spec)[:, 0]
    assert np.mean(back == 0.0) == pytest.approx(0.6, abs=0.02)
    # the rest follows the data's distribution
    assert np.median(back[back > 0]) == pytest.approx(np.median(col[col > 0]), rel=0.1)


@pytest.mark.parametrize("transform", support.TRANSFORMS)
def test_model_space_does_not_depend_on_the_users_scaling(digits, transform):
    X, y = digits
    arr0, spec0 = _spec(X, transform)
    z0 = prepare.to_model_space(arr0, spec0)
    for scaled in (
        X / 16.0,
        MinMaxScaler().fit_transform(X),
        StandardScaler().fit_transform(X),
    ):
        arr, spec = _spec(scaled, transform)
        z = prepare.to_model_space(arr, spec)
        np.testing.assert_allclose(z, z0, atol=1e-5)
        # and samples land on the scaled data's own support, column by column
        noise = np.random.default_rng(0).uniform(-1, 1, size=(300, 64))
        out = prepare.from_model_space(noise.astype(np.float32), spec, snap=True)
        for j in range(0, 64, 7):
            assert set(np.unique(out[:, j])) <= set(np.unique(scaled[:, j]))


def test_images_keep_a_linear_scale_and_snap_to_pixel_values():
    rng = np.random.default_rng(4)
    X = (rng.integers(0, 256, size=(20, 10, 10)) / 255.0).astype(np.float32)
    X[:, :3] = 0.0  # an exact background
    arr, spec = _spec(X, "quantile")
    assert spec.transform == "minmax" and spec.knots.shape == (1, 2)
    noise = rng.uniform(-1, 1, size=(50, 1, 10, 10)).astype(np.float32)
    out = prepare.from_model_space(noise, spec, snap=True)
    np.testing.assert_allclose(out * 255.0, np.rint(out * 255.0), atol=1e-4)


def test_estimator_samples_stay_on_the_support_of_scaled_digits(digits):
    X, y = digits
    keep = np.isin(y, [0, 1, 2])
    Xs = X[keep] / 16.0
    aug = GanAugmenter(steps=60, random_state=0).fit(Xs, y[keep])
    out, _ = aug.sample(200)
    assert set(np.unique(out)) <= set(np.unique(Xs))
    assert np.mean(out == 0.0) > 0.2  # the background is exact zeros
    raw = GanAugmenter(steps=60, snap=False, random_state=0).fit(Xs, y[keep])
    assert not set(np.unique(raw.sample(200)[0])) <= set(np.unique(Xs))


def test_saved_model_keeps_its_support(tmp_path, digits):
    X, y = digits
    keep = np.isin(y, [0, 1])
    aug = GanAugmenter(steps=30, random_state=0).fit(X[keep] / 16.0, y[keep])
    path = tmp_path / "m.ganaug"
    aug.save(path)
    back = GanAugmenter.load(path)
    assert back.spec_.snap == aug.spec_.snap
    np.testing.assert_array_equal(back.spec_.knots, aug.spec_.knots)
    np.testing.assert_array_equal(
        back.sample(50, random_state=1)[0], aug.sample(50, random_state=1)[0]
    )


@pytest.mark.parametrize(
    "rule, words",
    [
        ({"set": [2, 1]}, "increasing"),
        ({"set": [1.0, float("nan")]}, "increasing"),
        ({"lattice": [0.0, 0.0]}, "positive step"),
        ({"lattice": [0.0]}, "positive step"),
        ({"circle": 1}, "unknown"),
        ([1, 2], "one-key object"),
    ],
)
def test_bad_rules_are_named(rule, words):
    assert words in support.check_rule(rule)


@pytest.mark.parametrize(
    "knots, words",
    [
        (np.zeros(3), "2-D"),
        (np.zeros((2, 3)), "shape"),
        (np.array([[0.0, 2.0, 1.0]]), "non-decreasing"),
        (np.array([[0.0, np.inf]]), "finite"),
        (np.array([[1.0, 2.0]]), "start at 0"),
    ],
)
def test_bad_knots_are_named(knots, words):
    assert words in support.check_knots(knots, 1)


def test_auto_transform_is_linear_for_sets_and_quantile_otherwise():
    rng = np.random.default_rng(5)
    n = 300
    X = np.column_stack(
        [
            rng.integers(0, 5, n) / 4.0,  # a set of 5 values
            np.round(rng.lognormal(size=n), 2),  # a lattice of cents, skewed
            rng.lognormal(size=n),  # continuous, skewed
        ]
    )
    _, spec = _spec(X, "auto")
    assert "set" in spec.snap[0] and "lattice" in spec.snap[1] and spec.snap[2] is None
    linear = np.linspace(0.0, spec.knots[0, -1], spec.knots.shape[1])
    np.testing.assert_allclose(spec.knots[0], linear)
    for j in (1, 2):  # skewed: the median knot sits far below the middle
        assert spec.knots[j, spec.knots.shape[1] // 2] < 0.3 * spec.knots[j, -1]


def test_the_same_digits_scaled_three_ways_give_the_same_samples_and_quality(digits):
    """Issue #9: as loaded, divided by 16 (MinMaxScaler) and standardised,
    the fit sees the same model-space data, so the samples are the same
    (up to float rounding) in each one's units: on each training value set,
    with its point masses, and good enough that a classifier trained on them alone
    recognises held-out real digits."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y = digits
    train = np.concatenate([np.flatnonzero(y == c)[:60] for c in range(10)])
    test = np.setdiff1d(np.arange(len(y)), train)
    scaler = StandardScaler().fit(X[train])
    ways = {
        "as loaded": (lambda a: a),
        "divided by 16": (lambda a: a / 16.0),
        "standardised": scaler.transform,
    }
    samples = {}
    for name, scale in ways.items():
        Xs = scale(X[train])
        aug = GanAugmenter(steps=400, random_state=0).fit(Xs, y[train])
        out, labels = aug.sample(y=np.repeat(np.arange(10), 60), random_state=1)
        for j in range(Xs.shape[1]):  # every feature stays on its value set
            assert set(np.unique(out[:, j])) <= set(np.unique(Xs[:, j])), (name, j)
        # the point mass of the background (each feature's most common value)
        values = [np.unique(Xs[:, j], return_counts=True) for j in range(64)]
        mode = np.array([v[np.argmax(c)] for v, c in values])
        real_share = np.mean(Xs == mode)
        assert abs(np.mean(out == mode) - real_share) < 0.1, name
        clf = LogisticRegression(max_iter=3000).fit(out, labels)
        score = clf.score(scale(X[test]), y[test])
        assert score > 0.75, (name, score)
        samples[name] = (out, scale)
    # the same samples in three units.  Not bit for bit: the model-space data
    # agree to the last few ulps (standardising rounds), and a float32 step
    # that rounds the other way, or a matrix product split over a different
    # number of threads, moves a sample across the midpoint of two set values.
    # In the loaded units the samples' feature means agree to well under one
    # pixel level (of 16), far inside their spread (about 4 levels).
    base = samples["as loaded"][0]
    back = {
        "divided by 16": (lambda a: a * 16.0),
        "standardised": scaler.inverse_transform,
    }
    for name in ("divided by 16", "standardised"):
        out = back[name](samples[name][0])
        gap = np.abs(out.mean(axis=0) - base.mean(axis=0)).max()
        assert gap < 0.5, (name, gap)
