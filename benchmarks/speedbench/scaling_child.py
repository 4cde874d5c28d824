"""One size of the scaling table, in a process of its own (run by
:func:`speedbench.processes.section_scaling`; prints one JSON line).

    python -m speedbench.scaling_child --rows 10000 --steps 300 --device cpu

A Gaussian mixture of ``--classes`` classes (weights 0.4, 0.3, 0.2, 0.1 for
four) in ``--cols`` float32 columns is made in blocks, so that making it
leaves no peak above the table itself.  After a warm-up fit on 200 rows (one-
time costs: thread pools, lazy imports), the process's peak resident memory
(``ru_maxrss``) is the baseline; the fit's peak is the rise of ``ru_maxrss``
over it during ``fit(steps=--steps)``; ``ru_maxrss`` only rises, so after
``sample(--rows)`` it shows the sample's peak only where that is higher.  A
last ``fit(steps=1)`` gives the fixed cost of a fit (validation, scaling,
the sort by class, the final checks), from which the per-step cost follows.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys

import numpy as np
import torch

from ganaug import GanAugmenter
from speedbench.common import GpuUtilisation, check_device, timed

BLOCK = 65_536


def make_table(
    rows: int, cols: int, n_classes: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A float32 Gaussian mixture, one class per centre, built block by block."""
    rng = np.random.default_rng(seed)
    weights = np.arange(n_classes, 0, -1, dtype=np.float64)
    y = rng.choice(n_classes, size=rows, p=weights / weights.sum())
    centres = rng.normal(0.0, 2.0, size=(n_classes, cols)).astype(np.float32)
    X = rng.standard_normal((rows, cols), dtype=np.float32)
    for start in range(0, rows, BLOCK):
        X[start : start + BLOCK] += centres[y[start : start + BLOCK]]
    return X, y


def peak_mb() -> float:
    """The peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6  # B / KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = args.device

    def augmenter(steps: int) -> GanAugmenter:
        return GanAugmenter(steps=steps, random_state=0, device=device)

    warm_X, warm_y = make_table(200, args.cols, args.classes, seed=1)
    augmenter(2).fit(warm_X, warm_y).sample(100)
    X, y = make_table(args.rows, args.cols, args.classes)
    data_mb = (X.nbytes + y.nbytes) / 1e6
    del warm_X, warm_y
    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    base = peak_mb()

    aug = augmenter(args.steps)
    with GpuUtilisation(device) as fit_util:
        _, fit_s = timed(lambda: aug.fit(X, y), device)
    check_device(aug, device)
    fit_peak = peak_mb()
    with GpuUtilisation(device) as sample_util:
        _, sample_s = timed(lambda: aug.sample(args.rows, random_state=0), device)
    sample_peak = peak_mb()
    gpu_peak = (
        torch.cuda.max_memory_allocated() / 1e6 if device.startswith("cuda") else None
    )
    _, fixed_s = timed(lambda: augmenter(1).fit(X, y), device)

    out = {
        "rows": args.rows,
        "cols": args.cols,
        "classes": args.classes,
        "device": str(aug.device_),
        "steps": aug.n_steps_,
        "data_mb": round(data_mb, 2),
        "baseline_peak_rss_mb": round(base, 1),
        "fit_seconds": round(fit_s, 3),
        "fit_peak_extra_mb": round(fit_peak - base, 1),
        "fit_peak_over_data": round((fit_peak - base) / data_mb, 2),
        "sample_rows": args.rows,
        "sample_seconds": round(sample_s, 3),
        "sample_rows_per_second": round(args.rows / sample_s),
        "peak_extra_after_sample_mb": round(sample_peak - base, 1),
        "fixed_cost_seconds": round(fixed_s, 3),
        "ms_per_step": round(1000 * (fit_s - fixed_s) / max(1, aug.n_steps_ - 1), 3),
        "gpu_peak_allocated_mb": None if gpu_peak is None else round(gpu_peak, 1),
        "gpu_utilisation_fit": fit_util.summary(),
        "gpu_utilisation_sample": sample_util.summary(),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
