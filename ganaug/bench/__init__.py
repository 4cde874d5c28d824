"""The benchmark: do classifiers get better with ganaug than without it, or
than with SMOTE or classical augmentation?  See :func:`run` and
``ganaug bench --help``."""

from .classifiers import CLASSIFIERS
from .data import BUILTIN, REGIMES, load_dataset, make_split, target_counts
from .methods import METHODS
from .report import markdown, paired_ci, summarise, write_all
from .runner import BenchConfig, run, score

__all__ = [
    "BUILTIN", "CLASSIFIERS", "METHODS", "REGIMES", "BenchConfig", "load_dataset",
    "make_split", "markdown", "paired_ci", "run", "score", "summarise",
    "target_counts", "write_all",
]  # fmt: skip
