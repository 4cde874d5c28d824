"""fit_resample: imbalanced-learn's contract."""

import numpy as np
import pandas as pd
import pytest

from ganaug import GanAugmenter

FAST = {"steps": 15, "random_state": 0}


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
