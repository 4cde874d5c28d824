"""The figures measured in child processes: scaling (peak memory needs a
fresh process per size) and DDP (``torchrun`` starts the processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch
from sklearn.datasets import load_digits

from ganaug import GanAugmenter
from ganaug.metrics import classification_accuracy_score

from .common import (
    QUICK_STEPS,
    REPO,
    Figure,
    Settings,
    child_env,
    tail,
    usable_cpus,
)
from .figures import Section

SCALING_ROWS = (10_000, 100_000, 1_000_000)
SCALING_COLS = 50
QUICK_MAX_ROWS = 20_000
CHILD_TIMEOUT_S = 3600


# ----------------------------------------------------------------- scaling
def scaling_sizes(max_rows: int) -> list[int]:
    """The sizes up to ``max_rows``, and ``max_rows`` itself (``--max-rows
    20000``: 10k and 20k)."""
    sizes = [n for n in SCALING_ROWS if n <= max_rows]
    if max_rows not in sizes and max_rows > 0:
        sizes.append(max_rows)
    return sizes


def section_scaling(s: Settings, device: str) -> Section:
    """Figure 5: fit and sample seconds and peak memory for synthetic tables
    of growing size and fixed ``steps``, one fresh process per size."""
    max_rows = min(s.max_rows, QUICK_MAX_ROWS) if s.quick else s.max_rows
    steps = QUICK_STEPS if s.quick else s.scaling_steps
    runs = []
    for rows in scaling_sizes(max_rows):
        cmd = [
            sys.executable,
            "-m",
            "speedbench.scaling_child",
            f"--rows={rows}",
            f"--cols={SCALING_COLS}",
            f"--steps={steps}",
            f"--device={device}",
        ]
        runs.append(_run_json(cmd, {"rows": rows}))
        r = runs[-1]
        if "error" not in r:
            print(
                f"  scaling {rows:,} rows: fit {r['fit_seconds']:.1f} s, "
                f"peak +{r['fit_peak_extra_mb']:.0f} MB ({r['fit_peak_over_data']}x "
                f"data), sample {r['sample_seconds']:.1f} s"
            )
    done = [r for r in runs if "error" not in r]
    details = {
        "data": f"Gaussian mixture, 4 classes, {SCALING_COLS} float32 columns",
        "params": f"GanAugmenter(steps={steps}, random_state=0, device={device!r})",
        "memory": "fit peak = rise of ru_maxrss during fit over its value after "
        "imports, a warm-up fit and making the data (fresh process per size)",
        "runs": runs,
    }
    if not done:
        return details, [Figure("5", "scaling", device, None, "-", note="failed")]
    big = done[-1]
    figure = Figure(
        "5",
        f"fit {big['rows']:,} x {SCALING_COLS}, steps={steps}",
        device,
        big["fit_seconds"],
        f"{big['fit_seconds']:.1f} s fit, peak +{big['fit_peak_extra_mb']:.0f} MB = "
        f"{big['fit_peak_over_data']}x the data ({big['data_mb']:.0f} MB); "
        f"sample {big['rows']:,} rows {big['sample_seconds']:.1f} s",
        baseline=f"fixed cost (steps=1) {big['fixed_cost_seconds']:.1f} s, "
        f"{big['ms_per_step']:.1f} ms/step",
        note="all sizes in the scaling table",
    )
    return details, [figure]


# --------------------------------------------------------------------- DDP
def section_ddp(s: Settings, device: str) -> Section:
    """Figure 6: ``examples/distributed.py`` under ``torchrun --standalone``
    with 1 and 2 processes: updates/s and rows/s per process (marginal, after
    a baseline fit), and the CAS of each run's saved model."""
    cuda = device.startswith("cuda")
    cpus = usable_cpus()
    steps = str(QUICK_STEPS) if s.quick else s.ddp_steps
    base = 4 if s.quick else s.ddp_baseline_steps
    X, y = load_digits(return_X_y=True)
    runs, figures = [], []
    for n in s.ddp_procs:
        if cuda and torch.cuda.device_count() < n:
            note = f"needs {n} GPUs, {torch.cuda.device_count()} here"
            runs.append({"processes": n, "error": note})
            figures.append(_ddp_figure(runs[-1], n, device, cpus))
            continue
        threads = max(1, cpus // n)
        run = _ddp_run(n, steps, base, threads, cuda, X, y)
        runs.append(run)
        figures.append(_ddp_figure(run, n, device, cpus))
    details = {
        "script": "examples/distributed.py (digits, all 1,797 rows, batch 64 per "
        "process), under python -m torch.distributed.run --standalone",
        "steps": steps,
        "baseline_steps": base,
        "per_step_figures": "marginal: (steps - baseline) / (time - baseline "
        "time), after a 2-step warm-up fit"
        if base
        else "whole fit",
        "quality": "CAS of the saved model: 1,797 samples, classifier tested on all "
        "of digits, which the example also trains on (compares 1 and 2 processes; "
        "not a held-out score)",
        "threads": "OMP_NUM_THREADS = usable CPUs // processes",
        "runs": runs,
    }
    return details, figures


def _ddp_run(
    n: int, steps: str, base: int, threads: int, cuda: bool, X: Any, y: Any
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        report, model = Path(tmp, "report.json"), Path(tmp, "model.ganaug")
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={n}",
            str(REPO / "examples" / "distributed.py"),
            f"--steps={steps}",
            f"--baseline-steps={base}",
            f"--json={report}",
            f"--out={model}",
        ]
        env = {"OMP_NUM_THREADS": str(threads)}
        if not cuda:
            env["CUDA_VISIBLE_DEVICES"] = ""  # gloo on the CPU
        run: dict[str, Any] = {"processes": n, "threads_per_process": threads}
        _, failed = _run(cmd, child_env(**env), cwd=tmp)
        if failed or not report.exists():
            return {**run, "error": failed or "no report written"}
        run.update(json.loads(report.read_text()))
        if run["device"].split(":")[0] != ("cuda" if cuda else "cpu"):
            return {**run, "error": f"ran on {run['device']}"}
        aug = GanAugmenter.load(str(model), device="cpu")
        X_syn, y_syn = aug.sample(len(X), random_state=0)
        run["cas_in_sample"] = round(
            classification_accuracy_score(X_syn, y_syn, X, y), 4
        )
    print(
        f"  ddp {n} process(es): {run['rows_per_second_per_process']:,} rows/s "
        f"per process, CAS {run['cas_in_sample']:.3f}"
    )
    return run


def _ddp_figure(run: dict[str, Any], n: int, device: str, cpus: int) -> Figure:
    name = f"DDP on digits, {n} process{'es' if n > 1 else ''}"
    if "error" in run:
        return Figure(f"6.{n}", name, device, None, "-", note=run["error"][-200:])
    note = ""
    if device == "cpu":
        note = f"{n} x {run['threads_per_process']} thread(s) on {cpus} CPU(s)"
        if n > 1:
            note += f"; the {n} processes share the cores 1 process had to itself"
    return Figure(
        f"6.{n}",
        name,
        device,
        run["rows_per_second_per_process"],
        f"{run['rows_per_second_per_process']:,} rows/s per process "
        f"({run['steps_per_second']} updates/s, "
        f"{run['rows_per_second_total']:,} rows/s in all)",
        baseline=f"CAS {run['cas_in_sample']:.3f} (in-sample)",
        note=note,
    )


# ------------------------------------------------------------------ helpers
def _run(
    cmd: list[str], env: dict[str, str], cwd: str | None = None
) -> tuple[str, str | None]:
    """Run a child process: ``(stdout, None)``, or ``(stdout, why it
    failed)`` with the end of its output."""
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return "", f"timed out after {CHILD_TIMEOUT_S} s"
    if proc.returncode != 0:
        return proc.stdout, f"exit {proc.returncode}: " + tail(
            proc.stderr or proc.stdout
        )
    return proc.stdout, None


def _run_json(cmd: list[str], run: dict[str, Any]) -> dict[str, Any]:
    """Run a child that prints one JSON line last: that dict, or ``run``
    with the error."""
    stdout, failed = _run(cmd, child_env())
    if failed:
        return {**run, "error": failed}
    return json.loads(stdout.strip().splitlines()[-1])
