"""Markdown for a benchmark result: per-data-set tables with a plain verdict,
a suite summary (mean ranks, ganaug vs SMOTE / class weights over data sets),
the generator-quality table and the README summary table."""

from __future__ import annotations

from collections import Counter

import numpy as np

from .stats import (
    METRIC,
    TIE_TOL,
    compare_over_datasets,
    group_by_regime,
    paired_ci,
    paired_diffs,
    resample_times,
    suite_ranks,
    summarise,
)

DETAIL_LIMIT = 12  # more (data set, regime) groups than this: one compact table
SUITE_METRICS = ("balanced_accuracy", "g_mean", "f1_minority", "roc_auc")


def pm(mean: float, std: float) -> str:
    return f"{100 * mean:.1f} ± {100 * std:.1f}"


def fmt_ci(ci: dict | None) -> str:
    if not ci:
        return "—"
    if np.isnan(ci["lo"]):
        return f"{100 * ci['mean']:+.1f}"
    return f"{100 * ci['mean']:+.1f} [{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}]"


def verdict(ci: dict | None, name: str, ref: str, unit: str = "seed") -> str:
    if not ci:
        return ""
    pts = f"{100 * ci['mean']:+.1f} points"
    if np.isnan(ci["lo"]):
        return f"{name} vs {ref}: {pts} (one {unit}: no confidence interval)"
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
    groups = group_by_regime(rows)
    seeds = result["config"].get("seeds")
    out = [
        "# ganaug benchmark",
        "",
        f"Balanced accuracy on the untouched real test split, mean ± std over "
        f"{seeds} seeds (KEEL: folds), in points (×100). "
        "Every method gets the same split and the same per-class target counts. "
        "Δ columns: paired difference of the mean-over-classifiers score, with a "
        "95% t-interval over seeds. Time: resampling wall time per split (ganaug "
        "includes fitting the GAN). Sample grids (`samples_*.png`): per class, 4 "
        "real rows then 8 generated ones.",
        "",
    ]
    scale = result["config"].get("scale", "none")
    if scale != "none":
        out += [
            f"Features preprocessed with `--scale {scale}` (fitted on each "
            "split's training rows) before any method ran.",
            "",
        ]
    for rerun in result["config"].get("reruns", []):
        names = ", ".join(rerun["methods"])
        out += [f"Rerun later and put in place of the first run's rows: {names}. "
                f"{rerun['note']}", ""]  # fmt: skip
    out += notes_section(runs)
    if len(groups) > 1 and any(r["method"] == "ganaug" for r in runs):
        out += suite_section(result)
    if len(groups) <= DETAIL_LIMIT:
        times = resample_times(runs)
        for (ds, regime), grp in groups.items():
            out += _group_section(runs, ds, regime, grp, times)
    if quality:
        out += quality_table(quality)
    total = result.get("total_seconds")
    if total is not None:
        out += [f"Total run time: {total:.0f} s.", ""]
    return "\n".join(out) + "\n"


def notes_section(runs: list[dict], limit: int = 8) -> list[str]:
    """Distinct run notes (fallbacks, count fixes), most frequent first."""
    counts = Counter(
        (r["dataset"], r["seed"], r["method"], r["note"]) for r in runs if r.get("note")
    )
    per_note = Counter(note for (_, _, _, note) in counts)
    if not per_note:
        return []
    out = ["Notes from the runs (number of splits):", ""]
    out += [f"* {n} ({k})" for n, k in per_note.most_common(limit)]
    if len(per_note) > limit:
        out.append(f"* … and {len(per_note) - limit} other notes in runs.json")
    return out + [""]


def _group_section(runs, ds, regime, grp, times) -> list[str]:
    clfs = [c for c in dict.fromkeys(r["classifier"] for r in grp) if c != "mean"]
    methods = list(dict.fromkeys(r["method"] for r in grp))
    cell = {(r["method"], r["classifier"]): r for r in grp}
    out = [f"## {ds} — {regime}", ""]
    out.append(
        "| method | " + " | ".join(clfs) + " | Δ vs real | Δ vs SMOTE | time (s) |"
    )
    out.append("|---" * (len(clfs) + 4) + "|")
    for m in methods:
        vals = [
            pm(cell[(m, c)]["mean"], cell[(m, c)]["std"]) if (m, c) in cell else "—"
            for c in clfs
        ]
        mean_row = cell[(m, "mean")]
        out.append(
            f"| {m} | "
            + " | ".join(vals)
            + f" | {fmt_ci(mean_row.get('vs_real'))}"
            + f" | {fmt_ci(mean_row.get('vs_smote'))}"
            + f" | {times.get((ds, regime, m), 0.0):.1f} |"
        )
    out.append("")
    for ref_key, ref in (("vs_real", "real only"), ("vs_smote", "SMOTE")):
        for m in ("ganaug", "ganaug+classical"):
            if (m, "mean") in cell:
                out.append(f"* {verdict(cell[(m, 'mean')].get(ref_key), m, ref)}")
    for ref_m in ("class-weights", "random-oversampling", "classical"):
        if ("ganaug", "mean") in cell and (ref_m, "mean") in cell:
            diffs = paired_diffs(runs, ds, regime, "ganaug", ref_m)
            out.append(f"* {verdict(paired_ci(diffs), 'ganaug', ref_m)}")
    for ref_m in ("classical", "mixup"):
        if ("ganaug+classical", "cnn") in cell and (ref_m, "cnn") in cell:
            diffs = paired_diffs(runs, ds, regime, "ganaug+classical", ref_m, "cnn")
            v = verdict(paired_ci(diffs), "ganaug+classical", ref_m)
            out.append(f"* CNN: {v}")
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
    return out + [""]


def suite_section(
    result: dict, metric: str = METRIC, n_worst: int = 5, per_dataset: bool = True
) -> list[str]:
    """Mean ranks, ganaug vs SMOTE and vs class weights over data sets, the
    worst data sets for ganaug, and fit times per data set."""
    runs = result["runs"]
    ranks = suite_ranks(runs, metric)
    clfs = [c for c in ranks if c != "all"]
    methods = list(ranks["all"])
    n_groups = len({(r["dataset"], r["regime"]) for r in runs})
    out = [
        f"## Over {n_groups} data sets",
        "",
        f"Mean rank of each method ({metric}; 1 = best). Ranks are computed per "
        "data set × classifier on the mean over seeds/folds, ties get the average "
        "rank; 'all' averages over every data set × classifier block. A method "
        "limited to some classifiers (mixup: CNN) is ranked only where it ran.",
        "",
        "| method | all | " + " | ".join(clfs) + " |",
        "|---" * (len(clfs) + 2) + "|",
    ]
    for m in methods:
        vals = [f"{ranks[c][m]:.2f}" if m in ranks[c] else "—" for c in clfs]
        out.append(f"| {m} | {ranks['all'][m]:.2f} | " + " | ".join(vals) + " |")
    other = [
        k
        for k in SUITE_METRICS
        if k != metric and any(r.get(k) is not None for r in runs)
    ]
    if other:
        out += ["", "Overall mean rank by other metrics:", "",
                "| method | " + " | ".join(other) + " |",
                "|---" * (len(other) + 1) + "|"]  # fmt: skip
        other_ranks = {k: suite_ranks(runs, k)["all"] for k in other}
        for m in methods:
            vals = [f"{other_ranks[k].get(m, float('nan')):.2f}" for k in other]
            out.append(f"| {m} | " + " | ".join(vals) + " |")
    out.append("")
    comps = {}
    for ref in ("smote", "class-weights", "real"):
        if ref in methods and "ganaug" in methods:
            comps[ref] = compare_over_datasets(runs, "ganaug", ref, metric)
            c = comps[ref]
            out.append(
                f"* {verdict(c['ci'], 'ganaug', ref, unit='data set')} "
                f"(mean over classifiers of the fold-mean difference, t-interval "
                f"over {c['ci']['n']} data sets); wins/ties/losses "
                f"{c['wins']}/{c['ties']}/{c['losses']} (tie: |Δ| ≤ "
                f"{100 * TIE_TOL:.1f} points)"
            )
    if "smote" in comps:
        worst = sorted(comps["smote"]["per_dataset"].items(), key=lambda t: t[1])
        worst = [(k, d) for k, d in worst[:n_worst] if d < 0]
        if worst:
            out.append(
                "* data sets where ganaug loses most to SMOTE: "
                + ", ".join(
                    f"{ds}{'' if rg == 'folds' else ' ' + rg} ({100 * d:+.1f})"
                    for (ds, rg), d in worst
                )
            )
    out.append("")
    if per_dataset:
        out += _per_dataset_table(runs, metric, methods)
    return out


def _per_dataset_table(runs: list[dict], metric: str, methods: list[str]) -> list[str]:
    times = resample_times(runs)
    show = [m for m in ("real", "class-weights", "smote", "ganaug") if m in methods]
    rows = [r for r in summarise(runs, metric) if r["classifier"] == "mean"]
    cell = {(r["dataset"], r["regime"], r["method"]): r for r in rows}
    groups = list(dict.fromkeys((r["dataset"], r["regime"]) for r in rows))
    out = [
        f"Per data set: {metric} (points, mean over classifiers and seeds), "
        "resampling seconds per split (ganaug: GAN fit + sampling).",
        "",
        "| data set | regime | " + " | ".join(show)
        + " | ganaug − SMOTE | ganaug s | SMOTE s |",
        "|---" * (len(show) + 5) + "|",
    ]  # fmt: skip
    for ds, regime in groups:
        vals = [
            f"{100 * cell[(ds, regime, m)]['mean']:.1f}"
            if (ds, regime, m) in cell else "—"
            for m in show
        ]  # fmt: skip
        g, s = cell.get((ds, regime, "ganaug")), cell.get((ds, regime, "smote"))
        diff = f"{100 * (g['mean'] - s['mean']):+.1f}" if g and s else "—"
        out.append(
            f"| {ds} | {regime} | " + " | ".join(vals) + f" | {diff} | "
            f"{times.get((ds, regime, 'ganaug'), float('nan')):.1f} | "
            f"{times.get((ds, regime, 'smote'), float('nan')):.2f} |"
        )
    return out + [""]


def _share(qs: list[dict], key: str) -> str:
    """Mean share in percent; runs from before the key existed give "–"."""
    v = [q[key] for q in qs if key in q]
    return f"{100 * np.mean(v):.1f}" if v else "–"


def quality_table(quality: list[dict]) -> list[str]:
    out = [
        "## Generator quality (ganaug, 100 samples per class)",
        "",
        "CAS: balanced accuracy of logistic regression trained on synthetic only, "
        "tested on real. FD: Fréchet distance to the real test split in the hidden "
        "layer of an MLP trained on the real training split; floor = the same for "
        "real train vs real test. P/R/D/C: k-NN (k=5) precision, recall, density, "
        "coverage in that space. DCR: median distance of samples to their closest "
        "training row over the same for real test rows (1 = as novel as new real "
        "data, 0 = copies; NaN where most real test rows repeat a training row). "
        "Copies: share of samples equal to a training row, beside the same share "
        "of real test rows (on tables of codes and flags fresh rows repeat "
        "training rows too).",
        "",
        "| data set | regime | CAS | FD (floor) | precision | recall | density "
        "| coverage | DCR ratio | copies % (real test %) | fit (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (ds, regime), qs in group_by_regime(quality).items():

        def m(key, scale=1.0, fmt=".2f", qs=qs):
            v = np.array([q[key] for q in qs], dtype=float) * scale
            v = v[np.isfinite(v)]
            if not len(v):
                return "–"
            return f"{v.mean():{fmt}} ± {v.std(ddof=1) if len(v) > 1 else 0:{fmt}}"

        floor = np.mean([q["fd_floor_train_vs_test"] for q in qs])
        copies = _share(qs, "copy_share_synthetic")
        copies += f" ({_share(qs, 'copy_share_real_test')})"
        if copies.startswith("–"):  # runs from before the shares: the count
            copies = f"{sum(q['exact_copies'] for q in qs)} samples (–)"
        fit_s = np.mean([q["fit_seconds"] for q in qs])
        out.append(
            f"| {ds} | {regime} | {m('cas', 100, '.1f')} | {m('fd', 1, '.1f')} "
            f"({floor:.1f}) | {m('precision')} | {m('recall')} | {m('density')} "
            f"| {m('coverage')} | {m('dcr_ratio')} | {copies} | {fit_s:.0f} |"
        )
    return out + [""]


def summary_table(result: dict) -> str:
    """Compact table for the README: mean over classifiers per method and
    regime (points), with the paired difference to SMOTE and its 95% CI."""
    rows = [r for r in summarise(result["runs"]) if r["classifier"] == "mean"]
    regimes = list(dict.fromkeys((r["dataset"], r["regime"]) for r in rows))
    if len(regimes) > DETAIL_LIMIT:  # a suite: ranks, not a 100-column table
        return "\n".join(suite_section(result, per_dataset=False)) + "\n"
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
            vs = f" ({fmt_ci(ci)} vs SMOTE)" if ci and m != "smote" else ""
            vals.append(f"{100 * r['mean']:.1f}{vs}")
        out.append(f"| {m} | " + " | ".join(vals) + " |")
    return "\n".join(out) + "\n"
