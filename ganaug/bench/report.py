"""Write a benchmark result to a folder: runs.json, results.md, summary.md
and PNG plots.  Numbers come from :mod:`.stats`, text from :mod:`.markdown`,
figures from :mod:`.plots`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .markdown import DETAIL_LIMIT, markdown, summary_table
from .plots import plot_gains, plot_sample_grids, plot_suite

NOT_SAVED = ("sample_grids",)  # arrays for the PNG grids, not JSON
SEED_KEYS = ("seeds", "first_seed", "verbose", "checkpoint")  # may differ in merge


def save_json(result: dict, path: Path) -> None:
    out = {k: v for k, v in result.items() if k not in NOT_SAVED}
    path.write_text(json.dumps(out, indent=1, default=jsonable) + "\n")


def jsonable(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def write_all(result: dict, out_dir: str | Path) -> dict[str, Any]:
    """Write every file; returns their paths by kind."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_json(result, out / "runs.json")
    (out / "results.md").write_text(markdown(result))
    (out / "summary.md").write_text(summary_table(result))
    files: dict[str, Any] = {"json": out / "runs.json", "markdown": out / "results.md"}
    n_groups = len({(r["dataset"], r["regime"]) for r in result["runs"]})
    files["gains"] = plot_gains(result, out) if n_groups <= DETAIL_LIMIT else []
    files["grids"] = plot_sample_grids(result, out)
    files["suite"] = plot_suite(result, out)
    return files


def merge_results(results: list[dict]) -> dict:
    """One result from several made with the same settings but different
    seeds (``ganaug bench --first-seed``), e.g. seeds 0-2 and 3-4.

    Raises ``ValueError`` when the configs differ in anything but their seeds
    (data sets, regimes, methods, classifiers, sizes, scaling, ganaug
    parameters) or when a (data set, regime, seed) appears twice.  Sample
    grids are not kept in ``runs.json``, so the merged result has none.
    """
    if not results:
        raise ValueError("results: give at least one benchmark result.")

    def setting(r: dict) -> dict:
        return {k: v for k, v in r["config"].items() if k not in SEED_KEYS}

    base = setting(results[0])
    for i, r in enumerate(results[1:], 1):
        other = setting(r)
        if other != base:
            diff = sorted(k for k in base.keys() | other.keys()
                          if base.get(k) != other.get(k))  # fmt: skip
            raise ValueError(
                f"results[{i}] was run with other settings than results[0]: {diff}."
            )
    seen: set = set()
    runs: list[dict] = []
    quality: list[dict] = []
    for r in results:
        keys = {(x["dataset"], x["regime"], x["seed"]) for x in r["runs"]}
        if keys & seen:
            raise ValueError(
                f"(data set, regime, seed) in two results: {sorted(keys & seen)}."
            )
        seen |= keys
        runs += r["runs"]
        quality += r.get("quality", [])
    seeds = sorted({x["seed"] for x in runs})
    config = dict(results[0]["config"], seeds=len(seeds), first_seed=seeds[0])
    config["seed_list"] = seeds
    return {
        "config": config,
        "runs": runs,
        "quality": quality,
        "total_seconds": sum(r.get("total_seconds", 0.0) for r in results),
    }
