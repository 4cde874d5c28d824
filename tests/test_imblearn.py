"""GanAugmenter inside imbalanced-learn pipelines and scikit-learn CV."""

import numpy as np
from imblearn.pipeline import Pipeline, make_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.preprocessing import StandardScaler

from ganaug import GanAugmenter


def test_pipeline_with_cross_val_score(small_digits):
    X, y = small_digits
    keep = np.concatenate(
        [np.flatnonzero(y == c)[: 8 if c < 5 else 30] for c in range(10)]
    )
    pipe = make_pipeline(
        GanAugmenter(steps=10, random_state=0),
        StandardScaler(),
        LogisticRegression(max_iter=500),
    )
    scores = cross_val_score(pipe, X[keep], y[keep], cv=3, scoring="balanced_accuracy")
    # far above chance (0.1 for ten classes): the pipeline learns from real
    # rows plus synthetic ones, and the test split is never resampled
    assert scores.shape == (3,) and scores.min() > 0.6


def test_pipeline_resamples_only_in_fit(small_digits):
    X, y = small_digits
    keep = np.concatenate(
        [np.flatnonzero(y == c)[: 5 if c < 5 else 30] for c in range(10)]
    )
    pipe = Pipeline(
        [
            ("aug", GanAugmenter(steps=5, random_state=0)),
            ("clf", LogisticRegression(max_iter=2000)),
        ]
    )
    pipe.fit(X[keep], y[keep])
    assert pipe.named_steps["aug"].sampling_strategy_[0] == 25
    assert pipe.predict(X[:7]).shape == (7,)  # predict does not resample


def test_grid_search_over_augmenter_parameters(small_digits):
    X, y = small_digits
    pipe = make_pipeline(GanAugmenter(steps=3, random_state=0), LogisticRegression())
    grid = GridSearchCV(pipe, {"ganaugmenter__loss": ["hinge", "lsgan"]}, cv=2)
    grid.fit(X[:120], y[:120])
    scores = grid.cv_results_["mean_test_score"]
    # both candidates were fitted and scored (a broken clone/set_params would
    # give NaN scores), and the refitted best model carries its loss
    assert np.isfinite(scores).all() and scores.min() > 0.5
    best = grid.best_estimator_.named_steps["ganaugmenter"]
    assert best.loss == grid.best_params_["ganaugmenter__loss"]
    assert hasattr(best, "generator_")
