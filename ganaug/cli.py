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

    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        run_demo(
            args.out, steps=args.steps, seed=args.seed, verbose=0 if args.quiet else 1
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
