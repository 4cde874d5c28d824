"""Aggregate runs: mean ± std over seeds, paired differences with 95% CIs,
Markdown tables with a plain verdict, and PNG plots."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

METRIC = "balanced_accuracy"


def paired_ci(diffs: list[float] | np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean of paired differences and its t-based confidence interval."""
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    if n < 2:
        return {"mean": mean, "lo": float("nan"), "hi": float("nan"), "n": n}
    half = stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n)
    return {"mean": mean, "lo": mean - half, "hi": mean + half, "n": n}


def _by_seed(runs: list[dict], metric: str) -> dict:
    """{(dataset, regime): {(method, clf): {seed: value}}}"""
    table: dict = defaultdict(lambda: defaultdict(dict))
    for r in runs:
        table[(r["dataset"], r["regime"])][(r["method"], r["classifier"])][
            r["seed"]
        ] = r[metric]
    return table


def _by_regime(rows: list[dict]) -> dict:
    """Rows grouped by (dataset, regime), in order of appearance."""
    groups: dict = defaultdict(list)
    for r in rows:
        groups[(r["dataset"], r["regime"])].append(r)
    return groups


def summarise(runs: list[dict], metric: str = METRIC) -> list[dict]:
    """One row per (dataset, regime, method, classifier or 'mean'): mean, std,
    and paired differences to real-only and to SMOTE over the same seeds."""
    rows = []
    for (ds, regime), cells in _by_seed(runs, metric).items():
        methods = list(dict.fromkeys(m for m, _ in cells))
        clfs = list(dict.fromkeys(c for _, c in cells))
        # per-seed mean over classifiers: the "mean" column
        for m in methods:
            seeds = sorted(set.intersection(*(set(cells[(m, c)]) for c in clfs)))
            cells[(m, "mean")] = {
                s: float(np.mean([cells[(m, c)][s] for c in clfs])) for s in seeds
            }
        for m in methods:
            for c in [*clfs, "mean"]:
                vals = cells[(m, c)]
                v = np.array(list(vals.values()))
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
    acc: dict = defaultdict(list)
    seen = set()
    for r in runs:
        key = (r["dataset"], r["regime"], r["method"], r["seed"])
        if key not in seen:
            seen.add(key)
            acc[(r["dataset"], r["regime"], r["method"])].append(r["resample_seconds"])
    return {k: float(np.mean(v)) for k, v in acc.items()}


def _pm(mean: float, std: float) -> str:
    return f"{100 * mean:.1f} ± {100 * std:.1f}"


def _fmt_ci(ci: dict | None) -> str:
    if not ci:
        return "—"
    if np.isnan(ci["lo"]):
        return f"{100 * ci['mean']:+.1f}"
    return f"{100 * ci['mean']:+.1f} [{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}]"


def verdict(ci: dict | None, name: str, ref: str) -> str:
    if not ci:
        return ""
    pts = f"{100 * ci['mean']:+.1f} points"
    if np.isnan(ci["lo"]):
        return f"{name} vs {ref}: {pts} (one seed: no confidence interval)"
    bounds = f"95% CI [{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}]"
    if ci["lo"] > 0:
        word = "better"
    elif ci["hi"] < 0:
        word = "worse"
    else:
        word = "no clear difference"
    return f"{name} vs {ref}: **{word}**, {pts}, {bounds}"


def markdown(result: dict) -> str:
    runs, quality = result["runs"], result.get("quality", [])
    rows = summarise(runs)
    times = resample_times(runs)
    out = [
        "# ganaug benchmark",
        "",
        f"Balanced accuracy on the untouched real test split (30% stratified), "
        f"mean ± std over {result['config']['seeds']} seeds, in points (×100). "
        "Every method gets the same split and the same per-class target counts. "
        "Δ columns: paired difference of the mean-over-classifiers score, with a "
        "95% t-interval over seeds. Time: resampling wall time per split (ganaug "
        "includes fitting the GAN). Sample grids (`samples_*.png`): per class, 4 "
        "real rows then 8 generated ones.",
        "",
    ]
    groups = _by_regime(rows)
    for (ds, regime), grp in groups.items():
        clfs = list(dict.fromkeys(r["classifier"] for r in grp))
        methods = list(dict.fromkeys(r["method"] for r in grp))
        cell = {(r["method"], r["classifier"]): r for r in grp}
        out += [f"## {ds} — {regime}", ""]
        out.append(
            "| method | " + " | ".join(clfs) + " | Δ vs real | Δ vs SMOTE | time (s) |"
        )
        out.append("|---" * (len(clfs) + 4) + "|")
        for m in methods:
            vals = [_pm(cell[(m, c)]["mean"], cell[(m, c)]["std"]) for c in clfs]
            mean_row = cell[(m, "mean")]
            out.append(
                f"| {m} | "
                + " | ".join(vals)
                + f" | {_fmt_ci(mean_row.get('vs_real'))}"
                + f" | {_fmt_ci(mean_row.get('vs_smote'))}"
                + f" | {times.get((ds, regime, m), 0.0):.1f} |"
            )
        out.append("")
        for ref_key, ref in (("vs_real", "real only"), ("vs_smote", "SMOTE")):
            for m in ("ganaug", "ganaug+classical"):
                if (m, "mean") in cell:
                    out.append(f"* {verdict(cell[(m, 'mean')].get(ref_key), m, ref)}")
        for ref_m in ("random-oversampling", "classical"):
            if ("ganaug", "mean") in cell and (ref_m, "mean") in cell:
                diffs = _paired(runs, ds, regime, "ganaug", ref_m)
                out.append(f"* {verdict(paired_ci(diffs), 'ganaug', ref_m)}")
        if ("ganaug+classical", "cnn") in cell and ("classical", "cnn") in cell:
            diffs = _paired(runs, ds, regime, "ganaug+classical", "classical", "cnn")
            out.append(
                f"* CNN: {verdict(paired_ci(diffs), 'ganaug+classical', 'classical')}"
            )
        worst = [
            (c, cell[("ganaug", c)]["vs_smote"])
            for c in clfs
            if ("ganaug", c) in cell and "vs_smote" in cell[("ganaug", c)]
        ]
        if worst:
            c, ci = min(worst, key=lambda t: t[1]["mean"])
            spread = 100 * cell[("smote", c)]["std"]
            out.append(
                f"* worst classifier for ganaug vs SMOTE: {c}, {100 * ci['mean']:+.1f} "
                f"points (SMOTE's seed spread there: ±{spread:.1f})"
            )
        out.append("")
    if quality:
        out += _quality_table(quality)
    return "\n".join(out) + "\n"


def _paired(runs, ds, regime, a, b, clf: str | None = None) -> list[float]:
    per: dict = defaultdict(lambda: defaultdict(list))
    for r in runs:
        if (
            r["dataset"] == ds
            and r["regime"] == regime
            and (clf is None or r["classifier"] == clf)
        ):
            per[r["method"]][r["seed"]].append(r[METRIC])
    common = sorted(set(per[a]) & set(per[b]))
    return [float(np.mean(per[a][s]) - np.mean(per[b][s])) for s in common]


def _quality_table(quality: list[dict]) -> list[str]:
    out = [
        "## Generator quality (ganaug, 100 samples per class)",
        "",
        "CAS: balanced accuracy of logistic regression trained on synthetic only, "
        "tested on real. FD: Fréchet distance to the real test split in the hidden "
        "layer of an MLP trained on the real training split; floor = the same for "
        "real train vs real test. P/R/D/C: k-NN (k=5) precision, recall, density, "
        "coverage in that space. DCR: median distance of samples to their closest "
        "training row over the same for real test rows (1 = as novel as new real "
        "data, 0 = copies).",
        "",
        "| data set | regime | CAS | FD (floor) | precision | recall | density "
        "| coverage | DCR ratio | copies | fit (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = _by_regime(quality)
    for (ds, regime), qs in groups.items():

        def m(key, scale=1.0, fmt=".2f", qs=qs):
            v = np.array([q[key] for q in qs], dtype=float) * scale
            return f"{v.mean():{fmt}} ± {v.std(ddof=1) if len(v) > 1 else 0:{fmt}}"

        floor = np.mean([q["fd_floor_train_vs_test"] for q in qs])
        copies = sum(q["exact_copies"] for q in qs)
        fit_s = np.mean([q["fit_seconds"] for q in qs])
        out.append(
            f"| {ds} | {regime} | {m('cas', 100, '.1f')} | {m('fd', 1, '.1f')} "
            f"({floor:.1f}) | {m('precision')} | {m('recall')} | {m('density')} "
            f"| {m('coverage')} | {m('dcr_ratio')} | {copies} | {fit_s:.0f} |"
        )
    return out + [""]


def plot_gains(result: dict, out_dir: Path) -> list[Path]:
    """One PNG per (data set, regime): gain over real-only per method and
    classifier, with 95% CI error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summarise(result["runs"])
    groups = _by_regime(rows)
    paths = []
    for (ds, regime), grp in groups.items():
        clfs = list(dict.fromkeys(r["classifier"] for r in grp))
        methods = [m for m in dict.fromkeys(r["method"] for r in grp) if m != "real"]
        cell = {(r["method"], r["classifier"]): r for r in grp}
        fig, ax = plt.subplots(figsize=(1.3 * len(clfs) + 3, 4))
        width = 0.8 / max(1, len(methods))
        for i, m in enumerate(methods):
            cis = [cell[(m, c)].get("vs_real") for c in clfs]
            means = [100 * ci["mean"] for ci in cis]
            err = [
                0 if np.isnan(ci["lo"]) else 100 * (ci["hi"] - ci["mean"]) for ci in cis
            ]
            xs = np.arange(len(clfs)) + (i - (len(methods) - 1) / 2) * width
            ax.bar(xs, means, width, yerr=err, capsize=2, label=m)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(np.arange(len(clfs)), clfs)
        ax.set_ylabel("balanced accuracy gain over real only (points)")
        ax.set_title(f"{ds} — {regime}")
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        path = out_dir / f"gain_{ds}_{regime}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def plot_sample_grids(result: dict, out_dir: Path) -> list[Path]:
    """Real vs synthetic samples per class for image data sets (seed 0)."""
    from ..plotting import save_class_grid

    paths = []
    for (ds, regime), (X_tr, y_tr, aug) in result.get("_samples", {}).items():
        shape = X_tr.shape[1:]
        if len(shape) == 1:
            side = int(round(np.sqrt(shape[0])))
            if side * side != shape[0]:
                continue  # a table, not an image
            shape = (side, side)
        X_syn, y_syn = aug.sample(8 * len(aug.classes_), random_state=0)
        rows = []
        for c in aug.classes_:
            real = X_tr[y_tr == c][:4].reshape((-1, *shape))
            fake = np.asarray(X_syn)[np.asarray(y_syn) == c][:8].reshape((-1, *shape))
            rows.append(np.concatenate([real, fake]))
        path = out_dir / f"samples_{ds}_{regime}.png"
        save_class_grid(rows, path, scale=4)
        paths.append(path)
    return paths


def summary_table(result: dict) -> str:
    """Compact table for the README: mean over classifiers per method and
    regime (points), with the paired difference to SMOTE and its 95% CI."""
    rows = [r for r in summarise(result["runs"]) if r["classifier"] == "mean"]
    regimes = list(dict.fromkeys((r["dataset"], r["regime"]) for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    cell = {(r["dataset"], r["regime"], r["method"]): r for r in rows}
    head = "| method | " + " | ".join(f"{d} {g}" for d, g in regimes) + " |"
    out = [head, "|---" * (len(regimes) + 1) + "|"]
    for m in methods:
        vals = []
        for d, g in regimes:
            r = cell.get((d, g, m))
            if r is None:
                vals.append("—")
                continue
            ci = r.get("vs_smote")
            vs = f" ({_fmt_ci(ci)} vs SMOTE)" if ci and m != "smote" else ""
            vals.append(f"{100 * r['mean']:.1f}{vs}")
        out.append(f"| {m} | " + " | ".join(vals) + " |")
    return "\n".join(out) + "\n"


def write_all(result: dict, out_dir: str | Path) -> dict[str, Any]:
    from .runner import save_json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_json(result, out / "runs.json")
    md = markdown(result)
    (out / "results.md").write_text(md)
    (out / "summary.md").write_text(summary_table(result))
    files = {"json": out / "runs.json", "markdown": out / "results.md"}
    files["gains"] = plot_gains(result, out)
    files["grids"] = plot_sample_grids(result, out)
    return files
