"""Compare ganaug variants with the committed keel-quick run on the same splits:

    python compare.py ../keel-quick/runs.json w256s800.json ...

Balanced accuracy of ganaug per (table, fold, classifier); per-table mean
differences to the first file's ganaug and SMOTE, then their mean over
tables; median GAN fit seconds.
"""

import json
import sys
from pathlib import Path

import numpy as np


def load(path: str, method: str = "ganaug") -> tuple[dict, list[float]]:
    scores, fit_seconds = {}, []
    for run in json.loads(Path(path).read_text())["runs"]:
        if run["method"] != method:
            continue
        key = (run["dataset"], run["seed"], run["classifier"])
        scores[key] = run["balanced_accuracy"]
        if run["classifier"] == "logreg":  # one fit per split
            fit_seconds.append(run["resample_seconds"])
    return scores, fit_seconds


def per_table(a: dict, b: dict) -> dict[str, float]:
    keys = sorted(set(a) & set(b))
    tables = sorted({k[0] for k in keys})
    return {t: float(np.mean([a[k] - b[k] for k in keys if k[0] == t])) for t in tables}


def main() -> None:
    base, _ = load(sys.argv[1])
    smote, _ = load(sys.argv[1], "smote")
    print(f"{'run':32s} {'mean BA':>8s} {'-base':>7s} {'-smote':>7s} {'fit s':>6s}")
    for path in sys.argv[1:]:
        scores, fit_seconds = load(path)
        vs_base, vs_smote = per_table(scores, base), per_table(scores, smote)
        print(
            f"{Path(path).stem:32s} {100 * np.mean(list(scores.values())):8.2f} "
            f"{100 * np.mean(list(vs_base.values())):+7.2f} "
            f"{100 * np.mean(list(vs_smote.values())):+7.2f} "
            f"{np.median(fit_seconds):6.1f}"
        )
        print(
            "    per table - base:",
            " ".join(f"{t[:8]}:{100 * v:+.1f}" for t, v in vs_base.items()),
        )


if __name__ == "__main__":
    main()
