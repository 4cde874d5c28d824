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
