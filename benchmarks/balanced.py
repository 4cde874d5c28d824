"""Balanced data: does adding ganaug's rows cost accuracy, and which lever
removes the cost?  (issue #9: "no harm by default, >= real only - 0.2")

    python benchmarks/balanced.py [--seeds 5] [--only NAME ...] [--resume]
    python benchmarks/balanced.py --held-out --out benchmarks/results/balanced/held-out

Every lever runs the benchmark harness (same splits, same target counts as
``ganaug bench``) in the full and low-data regimes with methods real / SMOTE
/ ganaug and the classifiers logreg, svc, knn, rf, and reports ganaug − real
only (mean over classifiers, 95% t-interval over seeds) per data set and
regime, and pooled over the tuning cells.  digits and breast_cancer are the
tuning data; wine and iris are held out (looked at after the choice; a
2-seed smoke test of this script did run wine with ``truncation=1.0``).

A lever is either GanAugmenter parameters (fidelity: ``truncation``,
``filter_k``) or the amount of synthetic data (``multiplier``: new rows per
real row, for every method alike).  Results:
``benchmarks/results/balanced/{results.md,runs.json}``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris

from ganaug.bench import BenchConfig, paired_ci, paired_diffs, run

TUNING = ["digits", "breast_cancer"]  # (--datasets overrides, e.g. for a smoke test)
HELD_OUT = ["wine", "iris"]  # iris: scikit-learn's, written to a .npz for the harness
REGIMES = ["full", "low-data"]

# name, GanAugmenter params, multiplier
LEVERS: list[tuple[str, dict, float]] = [
    ("defaults (one new row per real row)", {}, 1.0),
    ("truncation=1.5", {"truncation": 1.5}, 1.0),
    ("truncation=1.0", {"truncation": 1.0}, 1.0),
    ("truncation=0.5", {"truncation": 0.5}, 1.0),
    ("filter_k=4", {"filter_k": 4}, 1.0),
    ("filter_k='auto' (per class)", {"filter_k": "auto"}, 1.0),
    ("filter_k=4, truncation=1.0", {"filter_k": 4, "truncation": 1.0}, 1.0),
    ("half a new row per real row", {}, 0.5),
    ("a quarter of a new row per real row", {}, 0.25),
]


def _ci(c: dict) -> str:
    return f"{100 * c['mean']:+.1f} [{100 * c['lo']:+.1f}, {100 * c['hi']:+.1f}]"


def run_lever(name: str, params: dict, multiplier: float, datasets, seeds) -> dict:
    config = BenchConfig(
        datasets=list(datasets), regimes=REGIMES, seeds=seeds,
        methods=["real", "smote", "ganaug"],
        classifiers=["logreg", "svc", "knn", "rf"],
        multiplier=multiplier, ganaug_params=params, quality=False, verbose=0,
    )  # fmt: skip
    start = time.perf_counter()
    res = run(config)
    cells = {}
    for r in res["runs"]:
        cells.setdefault((r["dataset"], r["regime"]), None)
    out = {
        "lever": name,
        "params": params,
        "multiplier": multiplier,
        "seconds": time.perf_counter() - start,
        "cells": {},
        "runs": res["runs"],
    }
    for ds, regime in cells:
        out["cells"][f"{ds}/{regime}"] = {
            "vs_real": paired_ci(
                paired_diffs(res["runs"], ds, regime, "ganaug", "real")
            ),
            "smote_vs_real": paired_ci(
                paired_diffs(res["runs"], ds, regime, "smote", "real")
            ),
        }
    return out


def pooled(row: dict) -> dict:
    """ganaug − real over every (cell, seed) pair."""
    diffs = []
    for key in row["cells"]:
        ds, regime = key.split("/")
        diffs += paired_diffs(row["runs"], ds, regime, "ganaug", "real")
    return paired_ci(diffs)


def report(rows: list[dict], seeds: int) -> str:
    cells = list(rows[0]["cells"])
    lines = [
        "# Balanced data: the cost of adding ganaug's rows, and the levers (issue #9)",
        "",
        f"`python benchmarks/balanced.py --seeds {seeds}`, 2 CPU cores, no GPU, "
        "`OMP_NUM_THREADS=1`. Regimes full (70% of the data) and low-data (20 "
        "rows per class); every method gets the same target counts (one new row "
        "per real row unless the lever says otherwise, for every method). Cells: "
        "ganaug − real only in balanced-accuracy points, mean over logreg, svc, "
        "3-NN and rf, with a 95% t-interval over seeds; the target is ≥ −0.2. "
        f"Tuning data: {', '.join(TUNING)}; held out: {', '.join(HELD_OUT)} "
        "(not looked at while choosing).",
        "",
        "| lever | " + " | ".join(cells) + " | pooled | s |",
        "|---|" + "---|" * (len(cells) + 2),
    ]
    for r in rows:
        lines.append(
            f"| {r['lever']} | "
            + " | ".join(_ci(r["cells"][c]["vs_real"]) for c in cells)
            + f" | {_ci(pooled(r))} | {r['seconds']:.0f} |"
        )
    lines += [
        "",
        "SMOTE − real only in the same runs (defaults row):",
        "",
        "| " + " | ".join(cells) + " |",
        "|" + "---|" * len(cells),
        "| "
        + " | ".join(_ci(rows[0]["cells"][c]["smote_vs_real"]) for c in cells)
        + " |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="names of levers to run")
    parser.add_argument(
        "--held-out", action="store_true", help="run the held-out data (wine) instead"
    )
    parser.add_argument("--out", default="benchmarks/results/balanced")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--datasets", nargs="*", help="instead of the tuning data")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "runs.json"
    rows = json.loads(path.read_text()) if args.resume and path.exists() else []
    done = {r["lever"] for r in rows}
    datasets = args.datasets or (HELD_OUT if args.held_out else TUNING)
    if "iris" in datasets:  # not a built-in of the harness: hand it a file
        X, y = load_iris(return_X_y=True)
        np.savez(out / "iris.npz", X=X, y=y)
        datasets = [str(out / "iris.npz") if d == "iris" else d for d in datasets]
    for name, params, multiplier in LEVERS:
        if (args.only and name not in args.only) or name in done:
            continue
        row = run_lever(name, params, multiplier, datasets, args.seeds)
        rows.append(row)
        print(
            f"{name:40s} pooled {_ci(pooled(row))}  "
            + "  ".join(f"{c} {_ci(v['vs_real'])}" for c, v in row["cells"].items())
            + f"  {row['seconds']:.0f}s",
            flush=True,
        )
        path.write_text(json.dumps(rows) + "\n")
    (out / "results.md").write_text(report(rows, args.seeds))
    print(report(rows, args.seeds))


if __name__ == "__main__":
    main()
