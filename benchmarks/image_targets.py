"""Issue #10's image targets from a ``ganaug bench --dataset animal-mnist`` run:

    python benchmarks/image_targets.py benchmarks/results/animal-mnist/runs.json

Per regime, balanced accuracy in points with a 95% t-interval over seeds of
the paired difference: ganaug − SMOTE (mean over the flat classifiers:
logreg, svc, knn, rf), ganaug − random oversampling (the same), and with the
CNN ganaug+classical − classical, ganaug − mixup, ganaug − real.  Prints
Markdown.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from ganaug.bench.stats import paired_ci

FLAT = ("logreg", "svc", "knn", "rf")
PAIRS = (
    ("flat", "ganaug", "smote"),
    ("flat", "ganaug", "random-oversampling"),
    ("flat", "ganaug", "real"),
    ("cnn", "ganaug+classical", "classical"),
    ("cnn", "ganaug", "classical"),
    ("cnn", "ganaug", "mixup"),
    ("cnn", "ganaug", "real"),
)


def score(runs, regime, seed, method, group) -> float | None:
    names = FLAT if group == "flat" else ("cnn",)
    vals = [
        r["balanced_accuracy"]
        for r in runs
        if r["regime"] == regime
        and r["seed"] == seed
        and r["method"] == method
        and r["classifier"] in names
    ]
    return float(np.mean(vals)) if len(vals) == len(names) else None


def main() -> None:
    runs = json.loads(open(sys.argv[1]).read())["runs"]
    print("| regime | classifiers | comparison | points, 95% interval over seeds |")
    print("|---|---|---|---|")
    for regime in sorted({r["regime"] for r in runs}):
        seeds = sorted({r["seed"] for r in runs if r["regime"] == regime})
        for group, a, b in PAIRS:
            diffs = []
            for s in seeds:
                x, y = (score(runs, regime, s, m, group) for m in (a, b))
                if x is not None and y is not None:
                    diffs.append(100 * (x - y))
            if not diffs:
                continue
            ci = paired_ci(diffs)
            print(
                f"| {regime} | {'flat (mean of 4)' if group == 'flat' else 'CNN'} "
                f"| {a} − {b} | {ci['mean']:+.1f} [{ci['lo']:+.1f}, {ci['hi']:+.1f}] "
                f"({len(diffs)} seeds) |"
            )


if __name__ == "__main__":
    main()
