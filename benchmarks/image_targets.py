"""Issue #10's image targets from a ``ganaug bench --dataset animal-mnist`` run:

    python benchmarks/image_targets.py benchmarks/results/animal-mnist/runs.json

Per regime, balanced accuracy in points with a 95% t-interval over seeds of
the paired difference: ganaug − SMOTE (mean over the flat classifiers:
logreg, svc, knn, rf), ganaug − random oversampling (the same), and with the
CNN ganaug+classical − classical, ganaug − mixup, ganaug − real; then the
copy check per regime from the run's generator quality: the median distance
of a sample to its closest training image over that of a real test image
(``dcr_ratio``, the target: at least 1), exact copies, and the share of
samples and of real test images within 1e-6 of a training image after
standardising (``copy_share_*``).  Prints Markdown.
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


def copy_table(quality: list[dict]) -> None:
    print()
    print("| regime | DCR ratio (samples / real test), 95% interval | exact copies "
          "| copy share: samples / real test |")  # fmt: skip
    print("|---|---|---|---|")
    for regime in sorted({q["regime"] for q in quality}):
        qs = [q for q in quality if q["regime"] == regime]
        ci = paired_ci([q["dcr_ratio"] for q in qs])
        copies = sum(int(q["exact_copies"]) for q in qs)
        syn = np.mean([q["copy_share_synthetic"] for q in qs])
        real = np.mean([q["copy_share_real_test"] for q in qs])
        print(
            f"| {regime} | {ci['mean']:.2f} [{ci['lo']:.2f}, {ci['hi']:.2f}] "
            f"({len(qs)} seeds) | {copies} | {syn:.3f} / {real:.3f} |"
        )


def main() -> None:
    result = json.loads(open(sys.argv[1]).read())
    runs = result["runs"]
    datasets = sorted({r["dataset"] for r in runs})
    if len(datasets) != 1:  # every figure below is pooled by regime
        sys.exit(f"{sys.argv[1]}: give a result of one data set; got {datasets}.")
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
    if result.get("quality"):
        copy_table(result["quality"])


if __name__ == "__main__":
    main()
