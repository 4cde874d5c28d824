"""Statistics over benchmark runs: pure functions of numbers, no I/O.

A *run* is one dict of ``runs.json`` (data set, regime, seed, method,
classifier and scores).  Scores may be ``None`` (e.g. ROC AUC of a classifier
with neither ``predict_proba`` nor ``decision_function``); such runs are left
out of that metric's statistics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from scipy import stats

METRIC = "balanced_accuracy"
TIE_TOL = 0.005  # |difference| below half a point of the metric counts as a tie


def paired_ci(diffs: Iterable[float], level: float = 0.95) -> dict[str, float]:
    """Mean of paired differences and its t-based confidence interval.

    >>> ci = paired_ci([0.01, 0.03, 0.02])
    >>> round(ci["mean"], 3), round(ci["hi"] - ci["mean"], 4)
    (0.02, 0.0248)
    """
    d = np.asarray(list(diffs), dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    if n < 2:
        return {"mean": mean, "lo": float("nan"), "hi": float("nan"), "n": n}
    half = stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n)
    return {"mean": mean, "lo": float(mean - half), "hi": float(mean + half), "n": n}


def by_seed(runs: list[dict], metric: str = METRIC) -> dict:
    """``{(dataset, regime): {(method, classifier): {seed: value}}}``."""
    table: dict = defaultdict(lambda: defaultdict(dict))
    for r in runs:
        if r.get(metric) is not None:
            key = (r["method"], r["classifier"])
            table[(r["dataset"], r["regime"])][key][r["seed"]] = r[metric]
    return table


def group_by_regime(rows: list[dict]) -> dict:
    """Rows grouped by ``(dataset, regime)``, in order of appearance."""
    groups: dict = defaultdict(list)
    for r in rows:
        groups[(r["dataset"], r["regime"])].append(r)
    return groups


def summarise(runs: list[dict], metric: str = METRIC) -> list[dict]:
    """One row per (dataset, regime, method, classifier or 'mean'): mean, std,
    and paired differences to real-only and to SMOTE over the same seeds.

    The 'mean' classifier averages, per seed, over the classifiers that every
    method of the group ran (methods limited to one classifier, e.g. mixup,
    get a 'mean' over that one only)."""
    rows = []
    for (ds, regime), cells in by_seed(runs, metric).items():
        methods = list(dict.fromkeys(m for m, _ in cells))
        clfs = list(dict.fromkeys(c for _, c in cells))
        for m in methods:
            own = [c for c in clfs if (m, c) in cells]
            seeds = sorted(set.intersection(*(set(cells[(m, c)]) for c in own)))
            cells[(m, "mean")] = {
                s: float(np.mean([cells[(m, c)][s] for c in own])) for s in seeds
            }
        for m in methods:
            for c in [*clfs, "mean"]:
                if (m, c) not in cells:
                    continue
                vals = cells[(m, c)]
                v = np.array(list(vals.values()), dtype=float)
                std = float(v.std(ddof=1)) if len(v) > 1 else 0.0
                row = {"dataset": ds, "regime": regime, "method": m,
                       "classifier": c, "mean": float(v.mean()), "std": std,
                       "n_seeds": len(v)}  # fmt: skip
                for ref in ("real", "smote"):
                    if (ref, c) in cells and ref != m:
                        common = sorted(set(vals) & set(cells[(ref, c)]))
                        diffs = [vals[s] - cells[(ref, c)][s] for s in common]
                        row[f"vs_{ref}"] = paired_ci(diffs)
                rows.append(row)
    return rows


def resample_times(runs: list[dict]) -> dict:
    """Mean resampling seconds per (dataset, regime, method) over seeds."""
    acc: dict = defaultdict(list)
    seen = set()
    for r in runs:
        key = (r["dataset"], r["regime"], r["method"], r["seed"])
        if key not in seen:
            seen.add(key)
            acc[(r["dataset"], r["regime"], r["method"])].append(r["resample_seconds"])
    return {k: float(np.mean(v)) for k, v in acc.items()}


def paired_diffs(
    runs: list[dict],
    ds: str,
    regime: str,
    a: str,
    b: str,
    clf: str | None = None,
    metric: str = METRIC,
) -> list[float]:
    """Per seed: mean over classifiers (or only ``clf``) of ``a`` minus ``b``.

    Only classifiers that both methods ran count."""
    per: dict = defaultdict(dict)
    for r in runs:
        if (
            r["dataset"] == ds
            and r["regime"] == regime
            and r["method"] in (a, b)
            and (clf is None or r["classifier"] == clf)
            and r.get(metric) is not None
        ):
            per[(r["seed"], r["classifier"])][r["method"]] = r[metric]
    by: dict = defaultdict(list)
    for (seed, _), pair in per.items():
        if a in pair and b in pair:
            by[seed].append(pair[a] - pair[b])
    return [float(np.mean(by[s])) for s in sorted(by)]


def fold_means(runs: list[dict], metric: str = METRIC) -> dict:
    """``{(dataset, regime, classifier): {method: mean over seeds}}``."""
    acc: dict = defaultdict(lambda: defaultdict(list))
    for r in runs:
        if r.get(metric) is not None:
            acc[(r["dataset"], r["regime"], r["classifier"])][r["method"]].append(
                r[metric]
            )
    return {
        block: {m: float(np.mean(v)) for m, v in methods.items()}
        for block, methods in acc.items()
    }


def rank_block(scores: dict[str, float]) -> dict[str, float]:
    """Ranks of methods in one block (1 = best = highest score); ties get the
    average of the ranks they span.

    >>> rank_block({"a": 0.9, "b": 0.8, "c": 0.8})
    {'a': 1.0, 'b': 2.5, 'c': 2.5}
    """
    methods = list(scores)
    ranks = stats.rankdata([-scores[m] for m in methods], method="average")
    return {m: float(r) for m, r in zip(methods, ranks, strict=True)}


def mean_ranks(blocks: dict) -> dict[str, float]:
    """Mean rank of each method over blocks ``{block: {method: score}}``
    (each method averaged over the blocks it appears in), best first."""
    acc: dict = defaultdict(list)
    for scores in blocks.values():
        for m, r in rank_block(scores).items():
            acc[m].append(r)
    means = {m: float(np.mean(v)) for m, v in acc.items()}
    return dict(sorted(means.items(), key=lambda t: t[1]))


def suite_ranks(runs: list[dict], metric: str = METRIC) -> dict[str, dict]:
    """Mean ranks per classifier and overall (``"all"``), ranks computed per
    data set x regime x classifier on the mean over seeds/folds (as in the
    smote-variants study)."""
    blocks = fold_means(runs, metric)
    out = {"all": mean_ranks(blocks)}
    for clf in dict.fromkeys(b[2] for b in blocks):
        out[clf] = mean_ranks({b: s for b, s in blocks.items() if b[2] == clf})
    return out


def dataset_diffs(
    runs: list[dict], a: str, b: str, metric: str = METRIC
) -> dict[tuple, float]:
    """Per (dataset, regime): mean over classifiers of the fold-mean score of
    ``a`` minus that of ``b`` (classifiers where both ran)."""
    acc: dict = defaultdict(list)
    for (ds, regime, _), scores in fold_means(runs, metric).items():
        if a in scores and b in scores:
            acc[(ds, regime)].append(scores[a] - scores[b])
    return {k: float(np.mean(v)) for k, v in acc.items()}


def wins_ties_losses(diffs: Iterable[float], tol: float = TIE_TOL) -> dict[str, int]:
    """Counts of differences above ``tol``, within ``±tol`` (a tie), below ``-tol``.

    >>> wins_ties_losses([0.02, 0.004, -0.005, -0.1])
    {'wins': 1, 'ties': 2, 'losses': 1}
    """
    d = np.asarray(list(diffs), dtype=float)
    return {
        "wins": int((d > tol).sum()),
        "ties": int((np.abs(d) <= tol).sum()),
        "losses": int((d < -tol).sum()),
    }


def compare_over_datasets(
    runs: list[dict], a: str, b: str, metric: str = METRIC, tol: float = TIE_TOL
) -> dict:
    """``a`` vs ``b`` over data sets: mean paired difference with its 95%
    t-interval, wins/ties/losses, and the per-data-set differences."""
    d = dataset_diffs(runs, a, b, metric)
    return {
        "ci": paired_ci(d.values()),
        **wins_ties_losses(d.values(), tol),
        "per_dataset": d,
    }
