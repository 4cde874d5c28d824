"""The benchmark: do classifiers get better with ganaug than without it, or
than with class weights, SMOTE and its variants, or classical augmentation?
See :func:`run` and ``ganaug bench --help``."""

from .classifiers import CLASSIFIERS
from .data import (
    BUILTIN,
    REGIMES,
    SUITES,
    load_dataset,
    make_split,
    suite_datasets,
    target_counts,
)
from .markdown import markdown
from .methods import METHODS
from .report import merge_results, replace_methods, write_all
from .runner import BenchConfig, run, score, validate_config
from .stats import (
    compare_over_datasets,
    mean_ranks,
    paired_ci,
    paired_diffs,
    rank_block,
    suite_ranks,
    summarise,
    wins_ties_losses,
)

__all__ = [
    "BUILTIN", "CLASSIFIERS", "METHODS", "REGIMES", "SUITES", "BenchConfig",
    "compare_over_datasets", "load_dataset", "make_split", "markdown",
    "mean_ranks", "merge_results", "paired_ci", "paired_diffs", "rank_block",
    "replace_methods",
    "run", "score",
    "suite_datasets", "suite_ranks", "summarise", "target_counts",
    "validate_config", "wins_ties_losses", "write_all",
]  # fmt: skip
