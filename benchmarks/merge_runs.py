"""Join benchmark runs made with different seeds into one result folder.

``ganaug bench --first-seed 3 --seeds 2 ...`` adds seeds 3 and 4 to an
earlier run of seeds 0-2 with the same settings;
:func:`ganaug.bench.merge_results` checks that the runs agree on everything
but their seeds and that no (data set, regime, seed) appears twice, and this
writes the joined ``runs.json``, ``results.md``, ``summary.md`` and plots.
Sample grids are drawn only by a live run (their arrays are not saved in
``runs.json``), so a folder's existing grid PNGs are left as they are.

Run: ``python benchmarks/merge_runs.py A/runs.json B/runs.json --out A``

``--replace R/runs.json --note "why"`` then puts the rows of a later run of
some methods (``ganaug bench --methods smote ...`` with the same settings)
in place of theirs (:func:`ganaug.bench.replace_methods`), e.g. after a
baseline was fixed; ``results.md`` says which methods and why.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ganaug.bench import merge_results, replace_methods, write_all


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="runs.json files")
    ap.add_argument("--replace", help="runs.json of a later run of some methods")
    ap.add_argument("--note", default="", help="why those methods were rerun")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    merged = merge_results([json.loads(Path(p).read_text()) for p in args.runs])
    if args.replace:
        rerun = json.loads(Path(args.replace).read_text())
        merged = replace_methods(merged, rerun, args.note)
    write_all(merged, args.out)
    seeds = merged["config"]["seed_list"]
    print(f"{len(merged['runs'])} runs, seeds {seeds} -> {args.out}")


if __name__ == "__main__":
    main()
