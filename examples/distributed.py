"""Train one GanAugmenter on several processes with torchrun (PyTorch DDP).

    torchrun --nproc_per_node=2 examples/distributed.py
    torchrun --nproc_per_node=2 examples/distributed.py --steps 1000 --json ddp2.json
    python examples/distributed.py --steps 1000 --json ddp1.json   # one process
    torchrun --nproc_per_node=2 examples/distributed.py --steps 2000 \
        --baseline-steps 500

Every process runs this script with the same data and calls ``fit`` as a
single process would: ``fit`` finds torchrun's environment, joins the
process group (gloo on CPU, NCCL on GPUs, ``cuda:LOCAL_RANK`` each), and every
process draws its own class-balanced batches; gradients are averaged, so all
processes end with the same model.  Rank 0 saves it, prints how fast training
went and, with ``--json``, writes the figures (for the speed benchmark: fit
seconds, updates per second, rows seen per second per process).  With
``--baseline-steps K`` a fit of K steps runs first, and the per-step figures
are marginal, ``(steps - K) / (time - time of K)`` after a 2-step warm-up
fit: they leave out what a fit costs besides its steps (data preparation,
joining the process group, the final checks).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from torch import distributed as dist

from ganaug import GanAugmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="auto", help="int or 'auto'")
    parser.add_argument("--batch-size", type=int, default=64, help="per process")
    parser.add_argument("--out", default="digits_ddp.ganaug")
    parser.add_argument("--log-dir", default=None, help="TensorBoard logs (rank 0)")
    parser.add_argument("--json", default=None, help="write the timings there")
    parser.add_argument(
        "--baseline-steps", type=int, default=0, help="fit this many steps first"
    )
    args = parser.parse_args()
    steps = args.steps if args.steps == "auto" else int(args.steps)

    X, y = load_digits(return_X_y=True)  # the same data on every process

    def fit(steps: int | str) -> tuple[GanAugmenter, float]:
        aug = GanAugmenter(
            steps=steps,
            batch_size=args.batch_size,
            log_dir=args.log_dir,
            random_state=0,
            verbose=1,
        )
        start = time.perf_counter()
        aug.fit(X, y)
        return aug, time.perf_counter() - start

    base_steps, base_seconds = 0, 0.0
    if args.baseline_steps:
        fit(2)  # warm-up: joins the process group, loads what loads lazily
        base, base_seconds = fit(args.baseline_steps)
        base_steps = base.n_steps_
    aug, seconds = fit(steps)
    aug.save(args.out)  # rank 0 writes; the other ranks return at once

    distributed = dist.is_available() and dist.is_initialized()
    rank = dist.get_rank() if distributed else 0
    world_size = dist.get_world_size() if distributed else 1
    if rank != 0:
        return
    scores = [h["quality"] for h in aug.history_ if "quality" in h]
    rate = (aug.n_steps_ - base_steps) / (seconds - base_seconds)  # steps/s
    report = {
        "world_size": world_size,
        "device": str(aug.device_),
        "steps": aug.n_steps_,
        "batch_size_per_process": args.batch_size,
        "fit_seconds": round(seconds, 3),
        "per_step_figures": "marginal" if base_steps else "whole fit",
        "steps_per_second": round(rate, 2),
        "rows_per_second_per_process": round(rate * args.batch_size),
        "rows_per_second_total": round(rate * args.batch_size * world_size),
        "best_quality": min(scores) if scores else None,
        "d_loss_last_epoch": aug.history_[-1]["d_loss"],
    }
    X_new, y_new = aug.sample(100, random_state=0)
    print(f"saved {args.out}; sampled {X_new.shape}, labels {np.bincount(y_new)}")
    for key, value in report.items():
        print(f"{key:30s} {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
