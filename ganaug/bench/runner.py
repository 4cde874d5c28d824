"""Run the benchmark grid: data set x regime x seed x method x classifier."""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    recall_score,
    roc_auc_score,
)
from tqdm.auto import tqdm

from ..augmenter import GanAugmenter
from ..metrics import quality_report
from .classifiers import (
    CLASSIFIERS,
    fit_classifier,
    make_classifier,
    supports_sample_weight,
)
from .data import (
    KEEL_PREFIX,
    REGIMES,
    SCALES,
    Dataset,
    check_dataset,
    load_dataset,
    make_split,
    scale_split,
    target_counts,
)
from .methods import (
    CNN_ONLY,
    IMAGE_ONLY,
    METHODS,
    MIXUP_ALPHA,
    GanFit,
    fit_ganaug,
    resample,
)
from .report import jsonable


@dataclass
class BenchConfig:
    """What to run.  ``regimes=None``: per data set (KEEL: its folds; others:
    full, low-data, imbalanced).  ``k``, ``minority``, ``majority`` ``None``:
    per data set (:func:`ganaug.bench.data.sizes`)."""

    datasets: list[str] = field(default_factory=lambda: ["digits"])
    regimes: list[str] | None = None
    seeds: int = 5
    first_seed: int = 0  # seeds run are first_seed, ..., first_seed + seeds - 1
    methods: list[str] = field(default_factory=lambda: list(METHODS))
    classifiers: list[str] = field(default_factory=lambda: list(CLASSIFIERS))
    k: int | None = None
    minority: int | None = None
    majority: int | None = None
    multiplier: float = 1.0
    scale: str = "none"  # preprocessing of each split: none, minmax, standard
    cnn_steps: int = 600
    ganaug_params: dict = field(default_factory=dict)
    quality: bool = True
    verbose: int = 1
    checkpoint: str | None = None  # folder: one JSON per finished data set


def check_ganaug_params(params: Any) -> None:
    """Raise ``ValueError`` unless ``GanAugmenter(**params)`` is valid; fits
    nothing."""
    if not isinstance(params, dict):
        raise ValueError(
            f"ganaug params must be a JSON object; got {type(params).__name__}."
        )
    if "random_state" in params:
        raise ValueError("ganaug params: random_state is set per seed; drop it.")
    try:
        aug = GanAugmenter(**params)
    except TypeError as err:
        raise ValueError(f"ganaug params: {err}") from None
    # the estimator's own checks (scikit-learn's _parameter_constraints once
    # the core declares them; ganaug's hand-written checks until then)
    validate = getattr(aug, "_validate_params", None)
    if validate is not None:
        try:
            validate()
        except (TypeError, ValueError) as err:
            raise ValueError(f"ganaug params: {err}") from None


def validate_config(config: BenchConfig) -> None:
    """Raise ``ValueError`` for anything that would fail later; loads no data
    set and fits nothing."""

    def subset(what: str, got: list | None, allowed) -> None:
        if got is not None and (not got or not set(got) <= set(allowed)):
            bad = sorted(set(got) - set(allowed)) or got
            raise ValueError(f"{what} must be among {tuple(allowed)}; got {bad}.")

    subset("methods", config.methods, METHODS)
    subset("classifiers", config.classifiers, CLASSIFIERS)
    subset("regimes", config.regimes, REGIMES)
    if config.scale not in SCALES:
        raise ValueError(
            f"scale must be one of {', '.join(SCALES)}; got {config.scale!r}."
        )
    if not config.datasets:
        raise ValueError("datasets: give at least one data set.")
    if isinstance(config.seeds, bool) or not isinstance(config.seeds, int):
        raise ValueError(f"seeds must be a positive integer; got {config.seeds!r}.")
    if config.seeds < 1:
        raise ValueError(f"seeds must be a positive integer; got {config.seeds}.")
    if (
        isinstance(config.first_seed, bool)
        or not isinstance(config.first_seed, int)
        or config.first_seed < 0
    ):
        raise ValueError(
            f"first_seed must be a non-negative integer; got {config.first_seed!r}."
        )
    for name in ("k", "minority", "majority", "cnn_steps"):
        v = getattr(config, name)
        if v is not None and (not isinstance(v, int) or v < 1):
            raise ValueError(f"{name} must be a positive integer; got {v!r}.")
    if not (math.isfinite(config.multiplier) and config.multiplier >= 0):
        raise ValueError(f"multiplier must be >= 0; got {config.multiplier!r}.")
    for name in config.datasets:
        check_dataset(name)
    keel = [d for d in config.datasets if d.startswith(KEEL_PREFIX)]
    if config.regimes and "folds" in config.regimes:
        if len(keel) != len(config.datasets):
            raise ValueError(
                "regime 'folds' needs data sets with their own folds (keel:<name>)."
            )
    if keel and (config.regimes is None or "folds" in config.regimes):
        from .keel import N_FOLDS

        if config.first_seed + config.seeds > N_FOLDS:
            raise ValueError(
                f"seeds: KEEL data sets have {N_FOLDS} folds (seed i = fold i); "
                f"got seeds {config.first_seed}.."
                f"{config.first_seed + config.seeds - 1}."
            )
    check_ganaug_params(config.ganaug_params)


def score(y_true, y_pred, y_score=None, minority=None) -> dict[str, Any]:
    """Accuracy, balanced accuracy, macro F1, G-mean (geometric mean of the
    per-class recalls), and for two classes the F1 of ``minority`` and ROC AUC
    of ``y_score`` (a score for ``minority``); ``None`` where undefined."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(y_true)
    recalls = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    out: dict[str, Any] = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
        "g_mean": float(np.prod(recalls) ** (1 / len(recalls))),
        "f1_minority": None,
        "roc_auc": None,
    }
    if minority is not None and len(labels) == 2:
        out["f1_minority"] = float(
            f1_score(y_true, y_pred, labels=[minority], average=None, zero_division=0)[
                0
            ]
        )
        if y_score is not None:
            out["roc_auc"] = float(roc_auc_score(y_true == minority, y_score))
    return out


def minority_score(clf, X, minority) -> np.ndarray | None:
    """A score for ``minority`` from ``predict_proba`` or
    ``decision_function`` (binary only), or ``None``."""
    classes = list(getattr(clf, "classes_", []))
    if len(classes) != 2 or minority not in classes:
        return None
    if hasattr(clf, "predict_proba"):
        return clf.predict_proba(X)[:, classes.index(minority)]
    if hasattr(clf, "decision_function"):
        s = np.asarray(clf.decision_function(X)).reshape(-1)
        return s if classes.index(minority) == 1 else -s
    return None


def _digest(idx: np.ndarray) -> str:
    return hashlib.sha1(np.asarray(idx, dtype=np.int64).tobytes()).hexdigest()[:12]


def _grid_arrays(X_tr, y_tr, gan: GanFit, seed: int) -> dict[str, np.ndarray] | None:
    """Plain arrays for the sample-grid PNG (images, or square flat rows)."""
    d = int(np.prod(X_tr.shape[1:]))
    if X_tr.ndim == 2 and (d < 64 or round(d**0.5) ** 2 != d):
        return None
    classes = gan.augmenter.classes_
    X_syn, y_syn = gan.augmenter.sample(8 * len(classes), random_state=seed)
    keep = np.concatenate([np.flatnonzero(y_tr == c)[:4] for c in classes])
    return {
        "X_real": np.asarray(X_tr[keep]),
        "y_real": np.asarray(y_tr[keep]),
        "X_syn": np.asarray(X_syn),
        "y_syn": np.asarray(y_syn),
    }


def _quality(gan, data, regime, seed, X_tr, y_tr, X_te, y_te) -> dict:
    aug = gan.augmenter
    X_q, y_q = aug.sample(100 * len(aug.classes_), random_state=seed)
    rep = quality_report(X_q, y_q, X_tr, y_tr, X_te, y_te, random_state=seed)
    return {"dataset": data.name, "regime": regime, "seed": seed,
            "fit_seconds": gan.fit_seconds, "steps": aug.n_steps_, **rep}  # fmt: skip


def _pairs(config: BenchConfig, data: Dataset) -> list[tuple[str, str]]:
    """(method, classifier) pairs that make sense for ``data``."""
    clfs = [c for c in config.classifiers if c != "cnn" or data.is_image]
    methods = [m for m in config.methods if m not in IMAGE_ONLY or data.is_image]
    return [(m, c) for m in methods for c in clfs if m not in CNN_ONLY or c == "cnn"]


def _fit_and_score(
    method, clf_name, res, seed, X_te, y_te, minority, cnn_steps=600
) -> dict:
    mixup = MIXUP_ALPHA if method == "mixup" else 0.0
    clf = make_classifier(clf_name, seed, mixup=mixup, cnn_steps=cnn_steps)
    flat = clf_name != "cnn"
    X_fit = res.X.reshape(len(res.X), -1) if flat else res.X
    X_eval = X_te.reshape(len(X_te), -1) if flat else X_te
    extra: dict[str, Any] = {}
    weight = res.sample_weight
    if weight is not None:
        extra["weights_used"] = supports_sample_weight(clf)
        if not extra["weights_used"]:
            weight = None
            extra["note"] = (
                f"{method}: {clf_name} takes no sample_weight, so it was trained "
                "on the real rows unweighted (weights_used: false)"
            )
    t0 = time.perf_counter()
    fit_classifier(clf, X_fit, res.y, weight)
    pred = clf.predict(X_eval)
    seconds = time.perf_counter() - t0
    scores = score(y_te, pred, minority_score(clf, X_eval, minority), minority)
    return {"classifier_seconds": seconds, **extra, **scores}


def source_digest() -> str:
    """SHA-256 of every ``.py`` file of the installed ganaug package: any code
    change makes earlier checkpoints stale."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _checkpoint_key(config: BenchConfig) -> str:
    """What must match for a checkpoint to be reused: every setting that
    changes the runs, and the code (:func:`source_digest`)."""
    fields = {k: v for k, v in config.__dict__.items() if k not in ("verbose",)}
    fields.pop("checkpoint", None)
    fields.pop("datasets", None)
    text = json.dumps({"config": fields, "code": source_digest()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _checkpoint_path(config: BenchConfig, name: str) -> Path | None:
    if config.checkpoint is None:
        return None
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return Path(config.checkpoint) / f"{safe}.json"


def _load_checkpoint(config: BenchConfig, name: str) -> dict | None:
    path = _checkpoint_path(config, name)
    if path is None or not path.is_file():
        return None
    saved = json.loads(path.read_text())
    return saved if saved.get("key") == _checkpoint_key(config) else None


def _save_checkpoint(
    config: BenchConfig, name: str, runs: list[dict], quality: list[dict]
) -> None:
    path = _checkpoint_path(config, name)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"key": _checkpoint_key(config), "runs": runs, "quality": quality}
    path.write_text(json.dumps(data, default=jsonable) + "\n")


def run(config: BenchConfig) -> dict[str, Any]:
    """Every run as a dict (``runs``), generator quality per split
    (``quality``), plain arrays for the sample grids (``sample_grids``) and the
    total wall time.  The config is validated before anything is fitted."""
    validate_config(config)
    runs: list[dict] = []
    quality: list[dict] = []
    grids: dict = {}
    t_start = time.perf_counter()
    for name in config.datasets:
        cached = _load_checkpoint(config, name)
        if cached is not None:  # finished by an earlier, interrupted run
            runs += cached["runs"]
            quality += cached["quality"]
            continue
        n_runs, n_quality = len(runs), len(quality)
        data = load_dataset(name)
        size = {k: getattr(config, k) for k in ("k", "minority", "majority")}
        pairs = _pairs(config, data)
        methods = list(dict.fromkeys(m for m, _ in pairs))
        for regime in config.regimes or data.default_regimes:
            for seed in range(config.first_seed, config.first_seed + config.seeds):
                split = make_split(data, regime, seed, **size)
                X_tr, y_tr = data.X[split.train], data.y[split.train]
                X_te, y_te = data.X[split.test], data.y[split.test]
                X_tr, X_te = scale_split(X_tr, X_te, config.scale)
                target = target_counts(y_tr, regime, config.multiplier)
                classes, counts = np.unique(y_tr, return_counts=True)
                minority = classes[np.argmin(counts)].item()
                gan = None
                if any(m.startswith("ganaug") for m in methods):
                    gan = fit_ganaug(X_tr, y_tr, seed, config.ganaug_params)
                    if config.quality:
                        quality.append(
                            _quality(gan, data, regime, seed, X_tr, y_tr, X_te, y_te)
                        )
                    first = seed == config.first_seed
                    if first and (g := _grid_arrays(X_tr, y_tr, gan, seed)):
                        grids[(data.name, regime)] = g
                desc = f"{data.name}/{regime}/seed {seed}"
                bar = tqdm(methods, desc=desc, disable=not config.verbose, leave=False)
                for method in bar:
                    res = resample(method, X_tr, y_tr, target, seed, gan)
                    for m, clf_name in pairs:
                        if m != method:
                            continue
                        row = {
                            "dataset": data.name, "regime": regime, "seed": seed,
                            "method": method, "classifier": clf_name,
                            "train_digest": _digest(split.train),
                            "test_digest": _digest(split.test),
                            "n_train_real": int(len(y_tr)), "n_train": int(len(res.y)),
                            "class_counts": res.class_counts(),
                            "minority": minority,
                            "resample_seconds": res.seconds,
                        }  # fmt: skip
                        if res.note:
                            row["note"] = res.note
                        row.update(
                            _fit_and_score(
                                method,
                                clf_name,
                                res,
                                seed,
                                X_te,
                                y_te,
                                minority,
                                config.cnn_steps,
                            )
                        )
                        runs.append(row)
        _save_checkpoint(config, name, runs[n_runs:], quality[n_quality:])
    return {
        "config": dict(config.__dict__),
        "runs": runs,
        "quality": quality,
        "total_seconds": time.perf_counter() - t_start,
        "sample_grids": grids,
    }
