"""KEEL suite results over subsets: all tables, the development tables and
the tables never used for tuning.

    python benchmarks/keel_subsets.py benchmarks/results/keel/runs.json

The development tables are the 8 of ``ganaug.bench.keel.QUICK`` (where the
defaults were chosen) and the first 40 of the suite in alphabetical order
(abalone-17_vs_7-8-9-10 to glass1), which earlier sessions looked at while
choosing defaults.  Prints Markdown: mean ranks (balanced accuracy, and
ganaug's by classifier), ganaug − SMOTE and ganaug − class weights with 95%
t-intervals over data sets, and wins/ties/losses.
"""

from __future__ import annotations

import json
import sys

from ganaug.bench import keel
from ganaug.bench.stats import compare_over_datasets, suite_ranks


def development() -> set[str]:
    return set(keel.QUICK) | set(keel.names()[:40])


def report(runs: list[dict], title: str) -> list[str]:
    tables = sorted({r["dataset"] for r in runs})
    if not tables:
        return [f"### {title}: no tables in these results", ""]
    ranks = suite_ranks(runs)
    lines = [f"### {title} ({len(tables)} tables)", ""]
    lines += [
        "| method | mean rank | logreg | svc | knn | rf | hgb |",
        "|---|---|---|---|---|---|---|",
    ]
    for m, r in ranks["all"].items():
        per = [ranks.get(c, {}).get(m) for c in ("logreg", "svc", "knn", "rf", "hgb")]
        cells = " | ".join("—" if v is None else f"{v:.2f}" for v in per)
        lines.append(f"| {m} | {r:.2f} | {cells} |")
    lines.append("")
    for other in ("smote", "class-weights", "adasyn", "real"):
        c = compare_over_datasets(runs, "ganaug", other)
        ci = c["ci"]
        lines.append(
            f"* ganaug − {other}: {100 * ci['mean']:+.1f} "
            f"[{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}] points, "
            f"W/T/L {c['wins']}/{c['ties']}/{c['losses']}"
        )
        if other == "smote":
            worst = sorted(c["per_dataset"].items(), key=lambda t: t[1])[:5]
            lines.append(
                "  (worst: "
                + ", ".join(f"{k[0]} {100 * v:+.1f}" for k, v in worst)
                + ")"
            )
    for metric in ("f1_minority", "g_mean", "roc_auc"):
        r = suite_ranks(runs, metric)["all"]
        lines.append(
            f"* mean rank by {metric}: "
            + ", ".join(f"{m} {v:.2f}" for m, v in list(r.items()))
        )
    return lines + [""]


def main() -> None:
    runs = json.load(open(sys.argv[1]))["runs"]
    dev = development()
    out = report(runs, "All tables")
    out += report([r for r in runs if r["dataset"] not in dev], "Never used for tuning")
    out += report([r for r in runs if r["dataset"] in dev], "Development tables")
    print("\n".join(out))


if __name__ == "__main__":
    main()
