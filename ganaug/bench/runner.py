"""Run the benchmark grid: data set x regime x seed x method x classifier."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
from tqdm.auto import tqdm

from ..metrics import quality_report
from .classifiers import CLASSIFIERS, make_classifier
from .data import REGIMES, load_dataset, make_split, target_counts
from .methods import IMAGE_ONLY, METHODS, fit_ganaug, resample


@dataclass
class BenchConfig:
    datasets: list[str] = field(default_factory=lambda: ["digits"])
    regimes: list[str] = field(default_factory=lambda: list(REGIMES))
    seeds: int = 5
    methods: list[str] = field(default_factory=lambda: list(METHODS))
    classifiers: list[str] = field(default_factory=lambda: list(CLASSIFIERS))
    k: int = 20
    minority: int = 10
    majority: int = 100
    multiplier: float = 1.0
    ganaug_params: dict = field(default_factory=dict)
    quality: bool = True
    verbose: int = 1


def score(y_true, y_pred) -> dict[str, float]:
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
    }


def _digest(idx: np.ndarray) -> str:
    return hashlib.sha1(np.asarray(idx, dtype=np.int64).tobytes()).hexdigest()[:12]


def run(config: BenchConfig) -> dict[str, Any]:
    """Every run as a dict; also the resampled class counts per method."""
    runs: list[dict] = []
    quality: list[dict] = []
    samples: dict = {}
    t_start = time.perf_counter()
    for name in config.datasets:
        data = load_dataset(name)
        classifiers = [c for c in config.classifiers if c != "cnn" or data.is_image]
        methods = [m for m in config.methods if m not in IMAGE_ONLY or data.is_image]
        for regime in config.regimes:
            for seed in range(config.seeds):
                split = make_split(
                    data,
                    regime,
                    seed,
                    k=config.k,
                    minority=config.minority,
                    majority=config.majority,
                )
                X_tr, y_tr = data.X[split.train], data.y[split.train]
                X_te, y_te = data.X[split.test], data.y[split.test]
                target = target_counts(y_tr, regime, config.multiplier)
                gan = None
                if any(m.startswith("ganaug") for m in methods):
                    gan = fit_ganaug(X_tr, y_tr, seed, config.ganaug_params)
                    if config.quality:
                        X_q, y_q = gan.augmenter.sample(
                            100 * len(gan.augmenter.classes_), random_state=seed
                        )
                        rep = quality_report(
                            X_q, y_q, X_tr, y_tr, X_te, y_te, random_state=seed
                        )
                        quality.append(
                            {
                                "dataset": data.name,
                                "regime": regime,
                                "seed": seed,
                                "fit_seconds": gan.fit_seconds,
                                "steps": gan.augmenter.n_steps_,
                                **rep,
                            }
                        )
                    if seed == 0:
                        samples[(data.name, regime)] = (X_tr, y_tr, gan.augmenter)
                desc = f"{data.name}/{regime}/seed {seed}"
                bar = tqdm(methods, desc=desc, disable=not config.verbose, leave=False)
                for method in bar:
                    X_res, y_res, seconds = resample(
                        method, X_tr, y_tr, target, seed, gan
                    )
                    counts = {
                        str(k): int(v)
                        for k, v in zip(
                            *np.unique(y_res, return_counts=True), strict=True
                        )
                    }
                    for clf_name in classifiers:
                        clf = make_classifier(clf_name, seed)
                        flat = clf_name != "cnn"
                        t0 = time.perf_counter()
                        clf.fit(X_res.reshape(len(X_res), -1) if flat else X_res, y_res)
                        pred = clf.predict(
                            X_te.reshape(len(X_te), -1) if flat else X_te
                        )
                        runs.append({
                            "dataset": data.name, "regime": regime, "seed": seed,
                            "method": method, "classifier": clf_name,
                            "train_digest": _digest(split.train),
                            "test_digest": _digest(split.test),
                            "n_train_real": int(len(y_tr)), "n_train": int(len(y_res)),
                            "class_counts": counts,
                            "resample_seconds": seconds,
                            "classifier_seconds": time.perf_counter() - t0,
                            **score(y_te, pred),
                        })  # fmt: skip
    return {
        "config": config.__dict__,
        "runs": runs,
        "quality": quality,
        "total_seconds": time.perf_counter() - t_start,
        "_samples": samples,
    }


def save_json(result: dict, path: Path) -> None:
    out = {k: v for k, v in result.items() if not k.startswith("_")}
    path.write_text(json.dumps(out, indent=1, default=_jsonable) + "\n")


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)
