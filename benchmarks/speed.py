"""Speed figures of ganaug against the issue's targets, on this machine.

    python benchmarks/speed.py                    # everything
    python benchmarks/speed.py --only digits --only sample
    python benchmarks/speed.py --quick            # smoke test, 2-4 min

On 2 CPU cores, everything takes about 8-10 minutes (12 KEEL tables; CTGAN
adds about 2); ``--keel all`` adds 15-25 minutes.  With CUDA every section
also runs on the GPU.

Run it on a quiet machine: every ratio below compares figures measured in
the same process, but a busy machine still slows the two sides unevenly.
Writes ``--out`` (JSON, default ``benchmarks/results/speed.json``) and a
Markdown table beside it (``speed.md``); ``--quick`` writes to the ignored
``benchmarks/results-quick/`` instead.  The JSON is rewritten after each
section, so an interrupted run keeps what it measured.

Figures (``--only`` picks sections; targets in ``speedbench.common.TARGETS``):

1. ``digits``: the default fit (``GanAugmenter(random_state=0)``) on all of
   digits: seconds (≤ 10 s), steps and ms/step; and the CAS of the default
   fit on a stratified 70/30 split (seed 0), tested on the real test rows
   (≥ 0.93; ``ganaug.metrics.classification_accuracy_score``).
2. ``keel``: median seconds of the default fit on fold 0's training rows of
   KEEL tables (≤ 3 s), SMOTE's ``fit_resample`` on the same rows beside it.
3. ``ctgan``: training rows processed per second (real rows shown to the
   discriminator / fit seconds), ganaug over CTGAN, on the digits train
   split (≥ 10x: the target's figure), and each library's time to fit with
   its defaults.  Only if ``import ctgan`` works (see below).
4. ``sample``: rows/s of ``sample`` over SMOTE's generated rows/s of
   ``fit_resample`` for as many rows (≥ 1x).
5. ``scaling``: synthetic tables of 10k, 100k and 1M rows x 50 float32
   columns, fixed ``steps``: fit and sample seconds, fixed cost and ms/step,
   and peak memory against the data's size, one fresh process per size.
6. ``ddp``: ``examples/distributed.py`` under ``torchrun --standalone`` with
   1 and 2 processes: updates/s and rows/s per process, and CAS.
7. With CUDA, every section runs on the CPU and on the GPU
   (``device="cuda"``), with the GPU's utilisation; without, "no GPU".
8. ``images``: ms/step of the pair the default picks for 1,000 images at
   8x8, 28x28 and 32x32x3 (and of the MLP pair at 28x28), and the default
   fit of 1,000 28x28 images projected from it (the target is 90 s).

CTGAN is not a dependency of ganaug, nor of its test or dev install, and
should not be installed into ganaug's environment: ``ctgan`` 0.12.1 pulls
``rdt`` 2.0.0, which would replace pandas 3 with pandas 2.3.3 (torch is
left alone).  Give it an environment of its own, with the torch of ganaug's
(so that figure 3's ganaug side matches the others), and run figure 3 there:

    TORCH=$(python -c "import torch; print(torch.__version__.split('+')[0])")
    python -m venv /tmp/ctgan-venv
    /tmp/ctgan-venv/bin/pip install "torch==$TORCH" -e . ctgan==0.12.1
    /tmp/ctgan-venv/bin/python benchmarks/speed.py --only ctgan \\
        --out benchmarks/results/speed-ctgan.json

(a CUDA build of torch comes from its own index: add its ``--index-url``).
"""

from __future__ import annotations

import argparse
import json
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from speedbench.common import (
    Figure,
    Settings,
    load_average,
    machine,
    matmul_seconds,
    warm_up,
)
from speedbench.figures import (
    section_ctgan,
    section_digits,
    section_images,
    section_keel,
    section_sample,
)
from speedbench.processes import section_ddp, section_scaling
from speedbench.report import markdown

SECTIONS = {
    "digits": section_digits,
    "keel": section_keel,
    "ctgan": section_ctgan,
    "sample": section_sample,
    "scaling": section_scaling,
    "ddp": section_ddp,
    "images": section_images,
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", action="append", choices=list(SECTIONS), default=None)
    p.add_argument("--quick", action="store_true", help="smoke test: tiny sizes")
    p.add_argument("--out", default=None, help="JSON path; Markdown beside it")
    p.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda"],
        default="auto",
        help="auto: the CPU, and the GPU too when CUDA is available",
    )
    p.add_argument(
        "--keel",
        default="default",
        help="default (12 tables), quick (keel.QUICK), all (100) or NAME,NAME",
    )
    p.add_argument("--sample-rows", type=int, default=200_000)
    p.add_argument("--ctgan-epochs", type=int, default=None, help="CTGAN's default")
    p.add_argument("--max-rows", type=int, default=1_000_000, help="scaling sizes")
    p.add_argument("--scaling-steps", type=int, default=300)
    p.add_argument("--ddp-steps", default="1000", help="int or auto")
    p.add_argument("--ddp-baseline-steps", type=int, default=200)
    return p.parse_args()


def devices(choice: str) -> list[str]:
    if choice == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: CUDA is not available here")
    if choice != "auto":
        return [choice]
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def run_section(name: str, settings: Settings, device: str) -> tuple[dict, list]:
    """A section's details and figures; a crash is recorded, not raised."""
    print(f"[{name} on {device}]", flush=True)
    try:
        return SECTIONS[name](settings, device)
    except Exception as exc:
        traceback.print_exc()
        error = f"{type(exc).__name__}: {exc}"
        return {"error": error}, [Figure(name, name, device, None, "-", note=error)]


def gpu_figure(devs: list[str], sections: dict[str, Any]) -> Figure:
    """Figure 7: whether the GPU ran, and its utilisation in the digits fit."""
    if "cuda" not in devs:
        why = (
            "--device cpu"
            if torch.cuda.is_available()
            else "torch.cuda.is_available() is False"
        )
        return Figure("7", "GPU figures", "-", None, "no GPU", note=why)
    util = sections.get("digits", {}).get("cuda", {}).get("full", {})
    util = util.get("gpu_utilisation") or {}
    shown = (
        f"mean {util['mean_percent']}%, max {util['max_percent']}%"
        if "mean_percent" in util
        else "see the cuda rows"
    )
    return Figure(
        "7",
        "GPU utilisation during the default digits fit",
        "cuda",
        util.get("mean_percent"),
        shown,
        note=f"source: {util.get('source')}" if util else "",
    )


def main() -> None:
    args = parse_args()
    settings = Settings(
        quick=args.quick,
        keel=args.keel,
        sample_rows=args.sample_rows,
        ctgan_epochs=args.ctgan_epochs,
        max_rows=args.max_rows,
        scaling_steps=args.scaling_steps,
        ddp_steps=args.ddp_steps,
        ddp_baseline_steps=args.ddp_baseline_steps,
    )
    default_out = "benchmarks/results-quick/speed.json" if args.quick else None
    out = Path(args.out or default_out or "benchmarks/results/speed.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    devs = devices(args.device)
    only = args.only or list(SECTIONS)
    start = time.perf_counter()
    result: dict[str, Any] = {
        "run": {
            "started": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "quick": args.quick,
            "only": only,
            "devices": devs,
            "settings": asdict(settings),
        },
        "machine": machine(),
        "yardstick": {
            "matmul512_seconds_start": matmul_seconds(),
            "load_average_start": load_average(),
        },
        "figures": [],
        "sections": {},
    }
    result["yardstick"]["warm_up_fit_seconds"] = {d: warm_up(d) for d in devs}
    figures: list[Figure] = []
    for name in only:
        for device in devs:
            details, new = run_section(name, settings, device)
            result["sections"].setdefault(name, {})[device] = details
            figures += new
            for f in new:
                print(f"  {f.number} {f.name} [{f.device}]: {f.shown} -> {f.verdict}")
            write(out, result, figures, start)
    figures.append(gpu_figure(devs, result["sections"]))
    result["yardstick"]["matmul512_seconds_end"] = matmul_seconds()
    result["yardstick"]["load_average_end"] = load_average()
    write(out, result, figures, start)
    print(f"wrote {out} and {out.with_suffix('.md')}")


def write(
    out: Path, result: dict[str, Any], figures: list[Figure], start: float
) -> None:
    """The JSON and the Markdown page of what was measured so far."""
    result["figures"] = [f.to_dict() for f in figures]
    result["run"]["seconds"] = round(time.perf_counter() - start, 1)
    result["yardstick"].setdefault("matmul512_seconds_end", None)
    out.write_text(json.dumps(result, indent=2, default=_plain) + "\n")
    out.with_suffix(".md").write_text(markdown(result))


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers; anything else as text."""
    return value.item() if hasattr(value, "item") else str(value)


if __name__ == "__main__":
    main()
