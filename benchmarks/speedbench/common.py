"""Targets, settings, timing, GPU utilisation and machine facts."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

import ganaug
from ganaug import CollapseWarning, GanAugmenter

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO / "benchmarks"

# The targets: figure key -> (comparison, threshold, unit).
TARGETS: dict[str, tuple[str, float, str]] = {
    "digits_fit_seconds": ("<=", 10.0, "s"),
    "digits_cas": (">=", 0.93, ""),
    "keel_median_fit_seconds": ("<=", 3.0, "s"),
    "ctgan_rows_per_second_ratio": (">=", 10.0, "x CTGAN"),
    "sample_rows_per_second_ratio": (">=", 1.0, "x SMOTE"),
    "images_28_fit_seconds": ("<=", 90.0, "s"),
}


@dataclass
class Settings:
    """What one run measures (from the command line)."""

    quick: bool = False
    keel: str = "default"
    sample_rows: int = 200_000
    ctgan_epochs: int | None = None  # None: CTGAN's own default
    max_rows: int = 1_000_000
    scaling_steps: int = 300
    ddp_steps: str = "1000"
    ddp_baseline_steps: int = 200
    ddp_procs: tuple[int, ...] = (1, 2)

    @property
    def steps(self) -> int | str:
        """``steps=`` of the figures that use the default fit."""
        return QUICK_STEPS if self.quick else "auto"


# --quick: every default fit runs this many steps (a smoke test, not a figure)
QUICK_STEPS = 20


@dataclass
class Figure:
    """One row of the targets table.

    ``key`` names a target in :data:`TARGETS` (the verdict is computed from
    ``value``) or none (a figure reported without a target).
    """

    number: str
    name: str
    device: str
    value: float | None
    shown: str
    key: str | None = None
    baseline: str = ""
    note: str = ""
    judged: bool = True  # False: --quick, or the figure's setup is not the target's

    @property
    def target(self) -> str:
        if self.key is None:
            return "-"
        op, threshold, unit = TARGETS[self.key]
        return f"{'≤' if op == '<=' else '≥'} {threshold:g} {unit}".strip()

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        if self.key is None:
            return "reported"
        if not self.judged:
            return "not judged"
        op, threshold, _ = TARGETS[self.key]
        met = self.value <= threshold if op == "<=" else self.value >= threshold
        return "met" if met else "missed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "device": self.device,
            "value": self.value,
            "shown": self.shown,
            "target": self.target,
            "baseline": self.baseline,
            "verdict": self.verdict,
            "note": self.note,
        }


# ------------------------------------------------------------------ timing
def sync(device: str) -> None:
    """Wait for the GPU's queued work, so that a clock reads finished work."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fn: Callable[[], Any], device: str = "cpu") -> tuple[Any, float]:
    """``(fn(), seconds)``."""
    sync(device)
    start = time.perf_counter()
    out = fn()
    sync(device)
    return out, time.perf_counter() - start


def best_of(fn: Callable[[], Any], repeat: int = 3, device: str = "cpu") -> float:
    """The shortest of ``repeat`` timings of ``fn`` (the least disturbed)."""
    return min(timed(fn, device)[1] for _ in range(repeat))


@dataclass
class Fit:
    """A timed fit."""

    aug: GanAugmenter
    seconds: float
    collapse_warnings: int
    gpu: dict[str, Any] | None

    def summary(self, rows: int) -> dict[str, Any]:
        scores = [h["quality"] for h in self.aug.history_ if "quality" in h]
        return {
            "rows": rows,
            "fit_seconds": round(self.seconds, 3),
            "n_steps": self.aug.n_steps_,
            "ms_per_step_whole_fit": round(1000 * self.seconds / self.aug.n_steps_, 3),
            "best_quality": min(scores) if scores else None,
            "collapse_warnings": self.collapse_warnings,
            "device": str(self.aug.device_),
            **({"gpu_utilisation": self.gpu} if self.gpu else {}),
        }


def fit(X: Any, y: Any, device: str, **params: Any) -> Fit:
    """``GanAugmenter(random_state=0, device=device, **params).fit(X, y)``,
    timed, with the collapse warnings counted (not raised) and the GPU's
    utilisation polled; raises if the model did not land on ``device``."""
    aug = GanAugmenter(random_state=0, device=device, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CollapseWarning)
        with GpuUtilisation(device) as util:
            _, seconds = timed(lambda: aug.fit(X, y), device)
    check_device(aug, device)
    collapses = [w for w in caught if issubclass(w.category, CollapseWarning)]
    for w in caught:  # the others are shown as usual
        if w not in collapses:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return Fit(aug, seconds, len(collapses), util.summary())


def warm_up(device: str) -> float:
    """Seconds of a 2-step fit and a sample on 200 random rows: the
    first fit of a process pays one-time costs (lazy imports, thread pools,
    kernel selection) that no figure should carry."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 8)).astype(np.float32), np.arange(200) % 2
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CollapseWarning)
        aug = GanAugmenter(steps=2, random_state=0, device=device).fit(X, y)
    aug.sample(100)
    sync(device)
    return round(time.perf_counter() - start, 3)


def check_device(aug: GanAugmenter, device: str) -> None:
    """A GPU figure must come from the GPU: refuse anything else."""
    if aug.device_.type != torch.device(device).type:
        raise RuntimeError(f"asked for device={device!r}, but fit ran on {aug.device_}")


# ------------------------------------------------------------- GPU usage
class GpuUtilisation:
    """Poll the GPU's utilisation in a thread while the ``with`` block runs.

    NVML through ``torch.cuda.utilization`` (needs ``nvidia-ml-py``), else
    ``nvidia-smi``; on the CPU it does nothing and :meth:`summary` is
    ``None``.  NVML's figure is the share of the last sample period in which
    a kernel ran, so a value near 100 means the GPU was never idle, not that
    it was used fully.
    """

    def __init__(self, device: str, interval: float = 0.1) -> None:
        self.device = device
        self.interval = interval
        self.samples: list[float] = []
        self.source: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> GpuUtilisation:
        if not self.device.startswith("cuda"):
            return self
        index = torch.device(self.device).index or 0
        self._read = self._reader(index)
        if self._read is not None:
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _reader(self, index: int) -> Callable[[], float] | None:
        try:
            torch.cuda.utilization(index)
            self.source = "torch.cuda.utilization (NVML)"
            return lambda: float(torch.cuda.utilization(index))
        except Exception:  # no pynvml, or NVML refused
            pass
        if shutil.which("nvidia-smi") is None:
            self.source = "none: no NVML for torch and no nvidia-smi"
            return None
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")
        gpu_id = visible[index] if index < len(visible) and visible[index] else index
        cmd = [
            "nvidia-smi",
            "--query-gpu=utilization.gpu",
            "--format=csv,noheader,nounits",
            f"--id={gpu_id}",
        ]
        self.source = "nvidia-smi"
        return lambda: float(subprocess.run(cmd, capture_output=True, text=True).stdout)

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(self._read())
            except (RuntimeError, ValueError, OSError):
                pass
            self._stop.wait(self.interval)

    def summary(self) -> dict[str, Any] | None:
        if not self.device.startswith("cuda"):
            return None
        if not self.samples:
            return {"source": self.source, "samples": 0}
        return {
            "source": self.source,
            "samples": len(self.samples),
            "mean_percent": round(float(np.mean(self.samples)), 1),
            "max_percent": round(float(np.max(self.samples)), 1),
        }


# ---------------------------------------------------------------- machine
def matmul_seconds() -> float:
    """Best of 20 products of two 512x512 float64 matrices: a yardstick of
    how fast this machine was at that moment."""
    a = np.random.default_rng(0).normal(size=(512, 512))
    return round(best_of(lambda: a @ a, repeat=20), 5)


def machine() -> dict[str, Any]:
    """Facts about the machine and the software measured."""
    import imblearn
    import sklearn

    facts: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable_cpus(),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "omp_num_threads_env": os.environ.get("OMP_NUM_THREADS"),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "imbalanced-learn": imblearn.__version__,
        "ganaug": ganaug.__version__,
        "ganaug_path": str(Path(ganaug.__file__).resolve().parent),
        "ganaug_commit": git_commit(),
        "cuda_available": torch.cuda.is_available(),
    }
    if torch.cuda.is_available():
        facts["cuda_devices"] = [
            torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())
        ]
        facts["torch_cuda"] = torch.version.cuda
    return facts


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def git_commit() -> str | None:
    """The checkout's commit, with ``+dirty`` for uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this process's, with the ganaug
    measured here and ``benchmarks/`` first on ``PYTHONPATH``, so that the
    child measures the same code."""
    env = dict(os.environ)
    paths = [str(Path(ganaug.__file__).resolve().parents[1]), str(BENCHMARKS)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
