"""Thin wrapper around ``ganaug bench`` (same arguments).

python benchmarks/compare_classifiers.py --quick
"""

import sys

from ganaug.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
