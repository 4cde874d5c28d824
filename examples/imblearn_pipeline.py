"""GanAugmenter inside an imbalanced-learn Pipeline, cross-validated.

Digits with classes 0-4 cut to 10 rows each: resampling happens only on the
training folds, exactly as with SMOTE.

    python examples/imblearn_pipeline.py
"""

import numpy as np
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import StandardScaler

from ganaug import GanAugmenter

X, y = load_digits(return_X_y=True)
rng = np.random.default_rng(0)
keep = np.concatenate(
    [
        rng.choice(np.flatnonzero(y == c), 10 if c < 5 else 150, replace=False)
        for c in range(10)
    ]
)
X, y = X[keep], y[keep]
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)

for name, sampler in [
    ("no resampling", None),
    ("SMOTE", SMOTE(k_neighbors=3, random_state=0)),
    ("ganaug", GanAugmenter(steps=2000, random_state=0)),
]:
    steps = [sampler] if sampler is not None else []
    pipe = make_pipeline(*steps, StandardScaler(), LogisticRegression(max_iter=3000))
    scores = cross_val_score(pipe, X, y, cv=cv, scoring="balanced_accuracy")
    print(f"{name:14s} balanced accuracy {scores.mean():.3f} +/- {scores.std():.3f}")
