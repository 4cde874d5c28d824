"""PNG plots of a benchmark result (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .stats import METRIC, dataset_diffs, group_by_regime, suite_ranks, summarise


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_gains(result: dict, out_dir: Path) -> list[Path]:
    """One PNG per (data set, regime): gain over real-only per method and
    classifier, with 95% CI error bars."""
    plt = _pyplot()
    paths = []
    for (ds, regime), grp in group_by_regime(summarise(result["runs"])).items():
        clfs = list(dict.fromkeys(r["classifier"] for r in grp))
        methods = [m for m in dict.fromkeys(r["method"] for r in grp) if m != "real"]
        cell = {(r["method"], r["classifier"]): r for r in grp}
        fig, ax = plt.subplots(figsize=(1.3 * len(clfs) + 3, 4))
        width = 0.8 / max(1, len(methods))
        for i, m in enumerate(methods):
            cis = [cell.get((m, c), {}).get("vs_real") for c in clfs]
            means = [100 * ci["mean"] if ci else 0.0 for ci in cis]
            err = [
                0 if not ci or np.isnan(ci["lo"]) else 100 * (ci["hi"] - ci["mean"])
                for ci in cis
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
    """Real vs synthetic samples per class for image data sets, from the plain
    arrays in ``result["sample_grids"]`` (4 real, 8 synthetic per class)."""
    from ..plotting import save_class_grid

    paths = []
    for (ds, regime), g in result.get("sample_grids", {}).items():
        shape = g["X_real"].shape[1:]
        if len(shape) == 1:
            side = int(round(np.sqrt(shape[0])))
            if side * side != shape[0]:
                continue  # a table, not an image
            shape = (side, side)
        rows = []
        for c in np.unique(g["y_real"]):
            real = g["X_real"][g["y_real"] == c][:4].reshape((-1, *shape))
            fake = g["X_syn"][g["y_syn"] == c][:8].reshape((-1, *shape))
            rows.append(np.concatenate([real, fake.astype(real.dtype)]))
        path = out_dir / f"samples_{ds}_{regime}.png"
        save_class_grid(rows, path, scale=4)
        paths.append(path)
    return paths


def plot_suite(result: dict, out_dir: Path, metric: str = METRIC) -> list[Path]:
    """For several data sets: mean rank per method, and ganaug − SMOTE per
    data set, sorted (one bar per data set)."""
    runs = result["runs"]
    if len({(r["dataset"], r["regime"]) for r in runs}) < 2:
        return []
    plt = _pyplot()
    paths = []
    ranks = suite_ranks(runs, metric)["all"]
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(ranks) + 1.2))
    ax.barh(list(ranks)[::-1], list(ranks.values())[::-1])
    ax.set_xlabel(f"mean rank ({metric}; 1 = best)")
    fig.tight_layout()
    paths.append(out_dir / "suite_ranks.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    if any(r["method"] == "smote" for r in runs) and "ganaug" in ranks:
        d = sorted(dataset_diffs(runs, "ganaug", "smote", metric).items(),
                   key=lambda t: t[1])  # fmt: skip
        fig, ax = plt.subplots(figsize=(max(6, 0.12 * len(d) + 2), 4))
        vals = [100 * v for _, v in d]
        ax.bar(range(len(d)), vals, color=["C3" if v < 0 else "C2" for v in vals])
        ax.axhline(0, color="black", lw=0.8)
        if len(d) <= 30:
            ax.set_xticks(range(len(d)), [k[0] for k, _ in d], rotation=90, fontsize=6)
        ax.set_ylabel(f"ganaug − SMOTE, {metric} (points)")
        ax.set_xlabel("data set (sorted)")
        fig.tight_layout()
        paths.append(out_dir / "suite_ganaug_vs_smote.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths
