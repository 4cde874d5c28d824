"""Fit time and sampling throughput on digits, on this machine.

    python benchmarks/speed.py [--out benchmarks/results/speed.json]

Reports the default fit on the full digits set (1,797 rows, 64 features),
sampling throughput in rows/s for digits-sized vectors, and, as a baseline
measured in the same process, the time of one SMOTE ``fit_resample`` and of a
plain numpy matrix product, so that results from noisy machines can be
compared as ratios.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from imblearn.over_sampling import SMOTE
from sklearn.datasets import load_digits

from ganaug import GanAugmenter, __version__


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="benchmarks/results/speed.json")
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)

    a = np.random.default_rng(0).normal(size=(512, 512))
    matmul_s = _best(lambda: a @ a, repeat=20)
    smote_s = _best(lambda: SMOTE(random_state=0).fit_resample(X, y))

    t0 = time.perf_counter()
    aug = GanAugmenter(random_state=0).fit(X, y)
    fit_s = time.perf_counter() - t0
    aug.sample(1000)  # warm-up
    sample_s = _best(lambda: aug.sample(args.rows), repeat=3)

    result = {
        "ganaug": __version__,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpu_threads": torch.get_num_threads(),
        "device": str(aug.device_),
        "torch": torch.__version__,
        "fit_steps": aug.n_steps_,
        "fit_seconds": round(fit_s, 2),
        "fit_ms_per_step": round(1000 * fit_s / aug.n_steps_, 2),
        "sample_rows": args.rows,
        "sample_rows_per_second": round(args.rows / sample_s),
        "baseline_smote_fit_resample_seconds": round(smote_s, 4),
        "baseline_matmul512_seconds": round(matmul_s, 5),
        "fit_over_smote_ratio": round(fit_s / smote_s, 1),
        "targets": {"fit_seconds_max": 30, "sample_rows_per_second_min": 200_000},
    }
    result["meets_targets"] = bool(
        fit_s <= 30 and result["sample_rows_per_second"] >= 200_000
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    for k, v in result.items():
        print(f"{k:40s} {v}")


if __name__ == "__main__":
    main()
