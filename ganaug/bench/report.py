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
# may differ between results that are merged: the seeds, how they were run,
# and what earlier merges and reruns wrote
SEED_KEYS = ("seeds", "first_seed", "verbose", "checkpoint", "seed_list", "reruns")


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
    reruns = [x for r in results for x in r["config"].get("reruns", [])]
    config.pop("reruns", None)
    if reruns:
        config["reruns"] = reruns
    return {
        "config": config,
        "runs": runs,
        "quality": quality,
        "total_seconds": sum(r.get("total_seconds", 0.0) for r in results),
    }


# settings a method rerun may differ in from the result it goes into
RERUN_KEYS = (*SEED_KEYS, "methods", "classifiers", "quality")


def replace_methods(base: dict, rerun: dict, note: str) -> dict:
    """``base`` with every row of ``rerun``'s methods replaced by ``rerun``'s.

    For a method whose code changed (a fixed baseline, say) without paying
    again for every other method.  ``rerun`` must have the same settings
    (data sets, regimes, sizes, scaling, ganaug parameters), the same seeds,
    only methods and classifiers ``base`` has, and the same test split for
    each (data set, regime, seed); ``base`` must hold each of those rows
    once.  ``note`` is kept in the config under ``"reruns"``.  Generator
    quality rows (ganaug's) are replaced by the rerun's where it has them, for
    the same (data set, regime, seed), and kept otherwise.
    """
    if not note.strip():
        raise ValueError("note: say why the methods were run again (got '').")

    def setting(r: dict) -> dict:
        return {k: v for k, v in r["config"].items() if k not in RERUN_KEYS}

    if setting(base) != setting(rerun):
        diff = sorted(k for k in setting(base).keys() | setting(rerun).keys()
                      if setting(base).get(k) != setting(rerun).get(k))  # fmt: skip
        raise ValueError(f"rerun was made with other settings than base: {diff}.")
    methods = sorted({r["method"] for r in rerun["runs"]})
    extra = set(methods) - set(base["config"]["methods"])
    extra |= {r["classifier"] for r in rerun["runs"]} - set(
        base["config"]["classifiers"]
    )
    if extra:
        raise ValueError(
            f"rerun has methods or classifiers base lacks: {sorted(extra)}."
        )

    def split(r: dict) -> tuple:
        return r["dataset"], r["regime"], r["seed"]

    def row(r: dict) -> tuple:
        return (*split(r), r["method"], r["classifier"])

    tests = {split(r): r["test_digest"] for r in base["runs"]}
    old = [r for r in base["runs"] if r["method"] in methods]
    if sorted(map(row, old)) != sorted(map(row, rerun["runs"])):
        missing = sorted(set(map(row, old)) - set(map(row, rerun["runs"])))
        surplus = sorted(set(map(row, rerun["runs"])) - set(map(row, old)))
        raise ValueError(
            "rerun must hold exactly base's rows of its methods: "
            f"{len(rerun['runs'])} rows against {len(old)}; missing {missing[:3]}"
            f"{' ...' if len(missing) > 3 else ''}, not in base {surplus[:3]}"
            f"{' ...' if len(surplus) > 3 else ''}."
        )
    if len(set(map(row, old))) != len(old):
        raise ValueError("base holds some rows of the rerun's methods twice.")
    for r in rerun["runs"]:
        if tests.get(split(r)) != r["test_digest"]:
            raise ValueError(f"rerun's test split differs for {split(r)}.")
    new = {row(r): r for r in rerun["runs"]}
    runs = [new[row(r)] if r["method"] in methods else r for r in base["runs"]]
    config = dict(base["config"])
    config["reruns"] = [*config.get("reruns", []), {"methods": methods, "note": note}]
    seconds = base.get("total_seconds", 0.0) + rerun.get("total_seconds", 0.0)
    fresh = {split(q): q for q in rerun.get("quality", [])}
    quality = [fresh.pop(split(q), q) for q in base.get("quality", [])]
    quality += list(fresh.values())
    return dict(base, config=config, runs=runs, quality=quality, total_seconds=seconds)
