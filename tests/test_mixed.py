"""Mixed tables: categorical columns and missing values in, the same columns out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from ganaug import GanAugmenter
from ganaug.columns import read_table

FAST = {"steps": 60, "width": 64, "random_state": 0}


def _frame(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Every column type, missing values at rates that differ by class."""
    rng = np.random.default_rng(seed)
    y = np.repeat(["no", "yes"], [n - n // 3, n // 3])
    pos = y == "yes"

    def holes(p0: float, p1: float) -> np.ndarray:
        return rng.random(n) < np.where(pos, p1, p0)

    color = np.where(
        pos,
        rng.choice(["red", "green"], n, p=[0.7, 0.3]),
        rng.choice(["green", "blue"], n, p=[0.4, 0.6]),
    )
    frame = pd.DataFrame(
        {
            "i64": rng.integers(0, 10, n),
            "f32": rng.normal(size=n).astype(np.float32),
            "f64": np.where(holes(0.1, 0.3), np.nan, rng.exponential(size=n)),
            "Int64": pd.array(
                np.where(holes(0.2, 0.05), None, rng.integers(18, 90, n)),
                dtype="Int64",
            ),
            "Float64": pd.array(
                np.where(holes(0.0, 0.25), None, rng.normal(size=n).round(2)),
                dtype="Float64",
            ),
            "bool": rng.random(n) < np.where(pos, 0.8, 0.2),
            "boolean": pd.array(
                np.where(holes(0.15, 0.0), None, rng.random(n) < 0.5),
                dtype="boolean",
            ),
            "category": pd.Categorical(
                rng.choice(["S", "M", "L"], n),
                categories=["XS", "S", "M", "L"],  # XS never occurs
                ordered=True,
            ),
            "object": pd.Series(np.where(holes(0.1, 0.1), None, color), dtype=object),
            "string": pd.array(
                np.where(holes(0.0, 0.2), None, rng.choice(["u", "v"], n)),
                dtype="string",
            ),
            "str": pd.Series(rng.choice(["p", "q", "r"], n)).astype("str"),
        }
    )
    return frame, y


@pytest.fixture(scope="module")
def mixed():
    """A mixed table and an augmenter trained on it long enough to have
    learned its rates, with a large sample per class."""
    X, y = _frame()
    aug = GanAugmenter(steps=500, width=64, random_state=0).fit(X, y)
    X_new, y_new = aug.sample(4000, random_state=1)
    return X, y, aug, X_new, np.asarray(y_new)


# ----------------------------------------------------------------- round trip
def test_columns_order_and_dtypes_round_trip(mixed):
    X, _, aug, X_new, _ = mixed
    assert list(X_new.columns) == list(X.columns)
    assert X_new.dtypes.tolist() == X.dtypes.tolist()  # category: same categories
    assert X_new["category"].cat.categories.tolist() == ["XS", "S", "M", "L"]
    assert X_new["category"].cat.ordered
    assert aug.spec_.mixed is not None and aug.n_features_in_ == X.shape[1]
    assert list(aug.feature_names_in_) == list(X.columns)


def test_values_come_from_the_data(mixed):
    X, _, _, X_new, _ = mixed
    for col in ("category", "object", "string", "str", "bool", "boolean"):
        assert set(X_new[col].dropna()) <= set(X[col].dropna()), col
    assert "XS" not in set(X_new["category"])
    for col in ("i64", "f32", "f64", "Int64", "Float64"):
        values = X_new[col].dropna()
        assert values.min() >= X[col].min() and values.max() <= X[col].max(), col
    assert (X_new["Int64"].dropna() % 1 == 0).all()
    assert X_new["Int64"].dropna().isin(set(X["Int64"].dropna())).all()


def test_categories_are_exactly_those_of_each_class(mixed):
    X, y, _, X_new, y_new = mixed
    for label in ("no", "yes"):
        real = set(X["object"][y == label].dropna())
        fake = set(X_new["object"][y_new == label].dropna())
        assert fake == real, label  # never 'red' for "no" nor 'blue' for "yes"
    # a class that never misses a value never gets a missing one
    assert not X_new["Float64"][y_new == "no"].isna().any()
    assert not X_new["boolean"][y_new == "yes"].isna().any()
    assert not X_new["string"][y_new == "no"].isna().any()


def test_missing_rates_match_each_class_within_sampling_error(mixed):
    X, y, _, X_new, y_new = mixed
    checked = 0
    for col in X.columns[X.isna().any()]:
        for label in ("no", "yes"):
            real = X[col][y == label].isna()
            fake = X_new[col][y_new == label].isna()
            p = real.mean()
            # binomial standard error of the difference of the two rates
            se = np.sqrt(max(p * (1 - p), 0.01) * (1 / len(real) + 1 / len(fake)))
            assert abs(fake.mean() - p) <= 3.5 * se, (col, label, p, fake.mean())
            checked += 1
    assert checked == 12


def test_missing_complete_gives_complete_rows(mixed):
    X, _, aug, _, _ = mixed
    X_new, _ = aug.set_params(missing="complete").sample(600, random_state=2)
    aug.set_params(missing="keep")
    assert not X_new.isna().any().any()
    assert X_new.dtypes.tolist() == X.dtypes.tolist()
    assert set(X_new["object"]) <= set(X["object"].dropna())


def test_a_fixed_seed_gives_the_same_model_and_leaves_global_rng_alone():
    X, y = _frame(n=120)
    state = torch.random.get_rng_state()
    a = GanAugmenter(**FAST).fit(X, y).sample(50, random_state=3)[0]
    assert torch.equal(torch.random.get_rng_state(), state)
    b = GanAugmenter(**FAST).fit(X, y).sample(50, random_state=3)[0]
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------- numpy object arrays
def test_numpy_object_array_with_categorical_features():
    rng = np.random.default_rng(0)
    n = 90
    X = np.empty((n, 3), dtype=object)
    X[:, 0] = rng.choice(["a", "b", "c"], n)
    X[:, 1] = rng.normal(size=n)
    X[:, 2] = rng.integers(0, 5, n)
    X[::7, 1] = None
    X[::11, 0] = np.nan
    y = np.r_[np.zeros(60, int), np.ones(30, int)]
    aug = GanAugmenter(**FAST, categorical_features=[0])
    X_res, y_res = aug.fit_resample(X, y)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == object
    assert X_res.shape == (120, 3) and np.bincount(y_res).tolist() == [60, 60]
    new = X_res[n:]
    cats = [v for v in new[:, 0] if v == v]
    assert set(cats) <= {"a", "b", "c"} and all(isinstance(v, str) for v in cats)
    assert all(v != v or isinstance(v, float) for v in new[:, 1])
    assert {type(v) for v in new[:, 2]} <= {int, np.int64}
    # the mask and the index give the same model
    same = GanAugmenter(**FAST, categorical_features=[True, False, False])
    np.testing.assert_array_equal(
        aug.sample(20, random_state=0)[0].astype(str),
        same.fit(X, y).sample(20, random_state=0)[0].astype(str),
    )


def test_numeric_columns_can_be_declared_categorical():
    rng = np.random.default_rng(1)
    X = np.c_[rng.integers(100, 104, 80), rng.normal(size=80)]
    y = np.arange(80) % 2
    aug = GanAugmenter(**FAST, categorical_features=[0]).fit(X, y)
    X_new, _ = aug.sample(100)
    assert X_new.dtype == np.float64 and set(X_new[:, 0]) <= {100, 101, 102, 103}
    assert aug.spec_.mixed.columns[0].categories == [100, 101, 102, 103]


def test_numeric_array_with_nan_keeps_nan():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 2))
    X[rng.random(80) < 0.3, 1] = np.nan
    aug = GanAugmenter(**FAST, filter_k=3)  # the filter works in model space
    X_new, _ = aug.fit(X, np.arange(80) % 2).sample(200)
    assert X_new.dtype == np.float64 and np.isnan(X_new[:, 1]).any()
    assert not np.isnan(X_new[:, 0]).any()


def test_complete_numeric_tables_keep_the_numeric_path():
    X, _ = _frame(n=30)
    numeric = X[["i64", "f32", "bool"]]
    assert read_table(numeric) is None
    assert read_table(numeric.to_numpy(dtype=np.float64)) is None
    assert read_table(numeric.to_numpy(dtype=object)) is None
    assert read_table(np.zeros((4, 8, 8))) is None  # images


# --------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "value, exc, words",
    [
        ([7], ValueError, r"categorical_features holds the index 7, out of range "
         r"for X with 3 column\(s\); expected indices from -3 to 2"),
        (["zz"], ValueError, "categorical_features names the column 'zz', which X "
         "does not have; its columns are 'a', 'b', 'c'"),
        ([1.5], TypeError, r"categorical_features holds \[1.5\] \(of type\(s\) "
         r"float\); expected column indices"),
        ([True, False], ValueError, r"boolean mask of length 2; expected one bool "
         r"per column of X \(3\)"),
        ({"a": 1}, TypeError, "categorical_features must be a list-like; got"),
        ("a", ValueError, "'categorical_features' parameter of GanAugmenter must "
         "be an array-like or None. Got 'a'"),
    ],
)  # fmt: skip
def test_bad_categorical_features_are_clear_errors(value, exc, words):
    X = pd.DataFrame({"a": ["x", "y"] * 5, "b": np.arange(10.0), "c": 1})
    with pytest.raises(exc, match=words):
        GanAugmenter(**FAST, categorical_features=value).fit(X, np.arange(10) % 2)


def test_names_need_a_dataframe_and_images_take_none():
    X = np.zeros((10, 3))
    with pytest.raises(TypeError, match=r"\(names need a pandas DataFrame\)"):
        GanAugmenter(**FAST, categorical_features=["a"]).fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="applies to tables"):
        GanAugmenter(**FAST, categorical_features=[0]).fit(
            np.zeros((10, 8, 8)), np.arange(10) % 2
        )


def test_numpy_strings_without_categorical_features_ask_for_it():
    X = np.array([["red", 1.0], ["blue", 2.0]] * 5, dtype=object)
    with pytest.raises(TypeError, match=r"column 0 holds strings \(e.g. 'red'\).*"
                       r"categorical_features=\[0\]"):  # fmt: skip
        GanAugmenter(**FAST).fit(X, np.arange(10) % 2)
    with pytest.raises(TypeError, match="but is not in categorical_features"):
        GanAugmenter(**FAST, categorical_features=[1]).fit(X, np.arange(10) % 2)


@pytest.mark.parametrize(
    "column, exc, words",
    [
        ([np.nan] * 10, ValueError, "column 'x' has no values: all 10 are missing"),
        ([np.inf] + [1.0] * 8 + [np.nan], ValueError, "1 infinite value"),
        (pd.date_range("2020", periods=10), TypeError, "dtype datetime64"),
        ([{"k": 1}] * 10, TypeError, "holds the value {'k': 1} of type dict"),
    ],
)
def test_columns_that_cannot_be_modelled_are_named(column, exc, words):
    X = pd.DataFrame({"x": column, "s": ["a", "b"] * 5})
    with pytest.raises(exc, match=words):
        GanAugmenter(**FAST).fit(X, np.arange(10) % 2)


# -------------------------------------------------------------- save and load
def test_save_and_load_a_mixed_model(mixed, tmp_path):
    X, _, aug, _, _ = mixed
    path = tmp_path / "mixed.ganaug"
    aug.save(path)
    loaded = GanAugmenter.load(path)
    a = aug.sample(300, random_state=5)[0]
    b = loaded.sample(300, random_state=5)[0]
    pd.testing.assert_frame_equal(a, b)
    assert b.dtypes.tolist() == X.dtypes.tolist()
    assert loaded.spec_.mixed == aug.spec_.mixed


def _rewrite(path, edit) -> None:
    """Edit a model file's header as an attacker would, digest recomputed."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    from ganaug.serialization import _digest

    with safe_open(str(path), framework="pt") as f:
        meta = dict(f.metadata())
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    header = json.loads(meta["header"])
    edit(header["spec"]["mixed"]["columns"])
    meta["header"] = json.dumps(header, sort_keys=True)
    meta["digest"] = _digest(meta["header"], tensors)
    save_file(tensors, str(path), metadata=meta)


def _col(name):
    return list(_frame(n=10)[0].columns).index(name)


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda c: c[_col("object")]["counts"][0].__setitem__(0, 10**6),
         "column 8: the counts of a class do not add up"),
        (lambda c: c[_col("object")].update(kind="text"), "kind 'text' is not one"),
        (lambda c: c[_col("object")]["categories"].append([1]),
         "categories must be strings, finite numbers or booleans"),
        (lambda c: c[_col("object")]["categories"].append("blue"),
         "must not repeat a value"),
        (lambda c: c[_col("category")]["dtype_categories"].remove("S"),
         "a category is not among its dtype's categories"),
        (lambda c: c[_col("f64")].update(missing=False), "a column without a block"),
        (lambda c: c.pop(), "must describe 11 column"),
    ],
)  # fmt: skip
def test_crafted_mixed_layouts_are_refused(mixed, tmp_path, edit, words):
    _, _, aug, _, _ = mixed
    path = tmp_path / "m.ganaug"
    aug.save(path)
    _rewrite(path, edit)
    with pytest.raises(ValueError, match="invalid mixed-table layout: .*" + words):
        GanAugmenter.load(path)


# ------------------------------------------------------------------- pipeline
def test_fit_resample_in_a_pipeline_with_a_column_transformer():
    from imblearn.pipeline import Pipeline
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, y = _frame(n=150)
    # the column types scikit-learn's encoders take (not pd.NA in strings)
    categorical = ["category", "object", "str", "bool"]
    numeric = ["i64", "f64", "Int64", "Float64"]
    X = X[categorical + numeric]
    prep = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
        ]
    )
    pipe = Pipeline(
        [
            ("aug", GanAugmenter(**FAST)),
            ("prep", prep),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    )
    pipe.fit(X, y)
    assert pipe.named_steps["aug"].sampling_strategy_ == {"yes": 100 - 50}
    assert pipe.predict(X).shape == (150,)
    # the synthetic rows write a missing string as the real rows do (None)
    X_res, _ = GanAugmenter(**FAST).fit_resample(X, y)
    column = X_res["object"]
    assert column.iloc[150:].isna().any()
    assert all(v is None for v in column[column.isna()])


# -------------------------------------------------------------------- quality
def _depends_on_category(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The class shows only in two categorical columns (every category occurs
    in both classes); the numbers are noise and a third of them are missing."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p_color = np.where(y[:, None] == 1, [0.8, 0.1, 0.1], [0.1, 0.1, 0.8])
    p_shape = np.where(y[:, None] == 1, [0.75, 0.25], [0.25, 0.75])
    frame = pd.DataFrame(
        {
            "color": [rng.choice(["red", "green", "blue"], p=p) for p in p_color],
            "x": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
            "shape": [rng.choice(["round", "square"], p=p) for p in p_shape],
            "z": rng.uniform(0, 1, n),
        }
    )
    return frame, y


def _synthetic_only_scores(steps: int) -> tuple[float, float]:
    """Balanced accuracy and log loss on held-out real rows of a classifier
    trained on generated rows only (a classifier trained on the real rows
    scores about 0.85 and 0.35)."""
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, log_loss
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = _depends_on_category(600, seed=0)
    X_test, y_test = _depends_on_category(400, seed=1)
    aug = GanAugmenter(steps=steps, width=64, random_state=0).fit(X, y)
    X_syn, y_syn = aug.sample(1000, random_state=0)
    clf = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["color", "shape"]),
            (SimpleImputer(), ["x", "z"]),
        ),
        LogisticRegression(),
    ).fit(X_syn, y_syn)
    return (
        balanced_accuracy_score(y_test, clf.predict(X_test)),
        log_loss(y_test, clf.predict_proba(X_test)),
    )


def _recognised(accuracy: float, loss: float) -> bool:
    # the log loss matters: an untrained generator gives both classes the
    # same categories, and a classifier fitted to those tiny differences can
    # still guess the sign right (balanced accuracy near 0.75) with
    # probabilities near one half (log loss near log 2 = 0.69)
    return accuracy > 0.8 and loss < 0.5


def test_classifier_trained_on_generated_rows_recognises_real_ones():
    assert _recognised(*_synthetic_only_scores(steps=400))


def test_quality_check_fails_for_an_untrained_generator():
    assert not _recognised(*_synthetic_only_scores(steps=1))
