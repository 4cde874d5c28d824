"""The ``ganaug`` console script: ``ganaug demo`` and ``ganaug bench``."""

from __future__ import annotations

import argparse
import sys


def _steps(value: str):
    return value if value == "auto" else int(value)


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
        default=["digits"],
        help="digits (images), digits-flat, breast_cancer, wine, "
        "a .npz file with X and y, or an ImageFolder directory",
    )
    bench.add_argument(
        "--regime", nargs="+", default=None, choices=["full", "low-data", "imbalanced"]
    )
    bench.add_argument(
        "--seeds", type=int, default=None, help="default 5 (2 with --quick)"
    )
    bench.add_argument("--methods", nargs="+", default=None)
    bench.add_argument("--classifiers", nargs="+", default=None)
    bench.add_argument("--k", type=int, default=20, help="rows per class in low-data")
    bench.add_argument("--minority", type=int, default=10)
    bench.add_argument("--majority", type=int, default=100)
    bench.add_argument(
        "--multiplier",
        type=float,
        default=1.0,
        help="new rows per real row in full/low-data",
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
        help="2 seeds, low-data and imbalanced, logreg/svc/knn: minutes",
    )
    bench.add_argument("--out", default="benchmarks/results")
    bench.add_argument("--quiet", action="store_true")  # fmt: skip

    args = parser.parse_args(argv)
    if args.command == "bench":
        return _bench(args)
    if args.command == "demo":
        from .demo import run_demo

        run_demo(
            args.out, steps=args.steps, seed=args.seed, verbose=0 if args.quiet else 1
        )
    return 0


def _bench(args: argparse.Namespace) -> int:
    import json

    from .bench import BenchConfig, run, write_all

    quick = args.quick
    config = BenchConfig(
        datasets=args.dataset,
        regimes=args.regime or (["low-data", "imbalanced"] if quick else
                                ["full", "low-data", "imbalanced"]),
        seeds=args.seeds or (2 if quick else 5),
        k=args.k,
        minority=args.minority,
        majority=args.majority,
        multiplier=args.multiplier,
        ganaug_params=json.loads(args.ganaug_params),
        quality=not args.no_quality,
        verbose=0 if args.quiet else 1,
    )  # fmt: skip
    if args.methods:
        config.methods = args.methods
    if args.classifiers:
        config.classifiers = args.classifiers
    elif quick:
        config.classifiers = ["logreg", "svc", "knn"]
    result = run(config)
    files = write_all(result, args.out)
    print(files["markdown"].read_text())
    print(f"wrote {', '.join(str(p) for p in [files['json'], files['markdown']])} "
          f"and {len(files['gains']) + len(files['grids'])} PNG files "
          f"in {result['total_seconds']:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
