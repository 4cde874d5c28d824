"""``ganaug fit``, ``ganaug sample`` and ``ganaug resample``: the estimator
for people who live in files.

Tables are read and written with pandas: CSV, or Parquet (pyarrow) by the
``.parquet``/``.pq`` extension.  Anything the user can fix (a missing file or
column, a bad label, a model file that is not one) ends the command with one
line on stderr, ``ganaug <command>: error: ...``, and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .augmenter import GanAugmenter
from .labels import plain, split_counts
from .training import TrainingDivergedError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# GanAugmenter parameters that have a flag of their own: (args attribute, flag)
_FLAGS = {
    "steps": ("steps", "--steps"),
    "random_state": ("seed", "--seed"),
    "device": ("device", "--device"),
    "sampling_strategy": ("sampling_strategy", "--sampling-strategy"),
}


class CommandError(Exception):
    """Something the user can fix: one line on stderr, exit status 2."""


# ------------------------------------------------------------ argument types
def positive_int(value: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer; got {value!r}"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {n}")
    return n


def steps(value: str) -> int | str:
    """argparse type: ``"auto"`` or a positive integer."""
    if value == "auto":
        return value
    try:
        return positive_int(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or a positive integer; got {value!r}"
        ) from None


# ------------------------------------------------------------------ parsers
def add_commands(sub: Any) -> None:
    """Register ``fit``, ``sample`` and ``resample`` on ``sub`` (the object
    ``ArgumentParser.add_subparsers`` returns)."""
    fit = sub.add_parser(
        "fit",
        help="fit on a CSV/Parquet table and save the model",
        description="Fit a GanAugmenter on a table: --target is y, every other "
        "column is X. Writes a model file for 'ganaug sample'.",
    )
    _add_input(fit)
    fit.add_argument("-o", "--output", required=True, help="model file to write")
    _add_fit_options(fit)
    fit.set_defaults(run=run_fit)

    sample = sub.add_parser(
        "sample",
        help="write synthetic rows from a saved model to CSV/Parquet",
        description="Load a model written by 'ganaug fit' and write N synthetic "
        "rows: the feature columns, then the target.",
    )
    sample.add_argument("model", help="model file written by 'ganaug fit'")
    sample.add_argument(
        "-n", type=positive_int, required=True, help="number of rows to write"
    )
    sample.add_argument(
        "-o", "--output", required=True, help="table to write (.csv, .parquet, .pq)"
    )
    sample.add_argument(
        "--class",
        dest="classes",
        metavar="LABEL",
        nargs="+",
        action="extend",
        help="sample only these classes, N split equally over them "
        "(repeat the flag or list several labels)",
    )
    sample.add_argument(
        "--class-prior",
        choices=("uniform", "fitted"),
        default=None,
        help="without --class: equal rows per class ('uniform', the default) or "
        "the class frequencies seen in fit ('fitted')",
    )
    sample.add_argument(
        "--seed", type=int, default=None, help="default: the model's own stream"
    )
    sample.set_defaults(run=run_sample)

    resample = sub.add_parser(
        "resample",
        help="fit, then write the table with synthetic rows added (fit_resample)",
        description="imbalanced-learn's fit_resample on a table: the real rows, "
        "then synthetic ones, in the input's column order.",
    )
    _add_input(resample)
    resample.add_argument(
        "-o", "--output", required=True, help="table to write (.csv, .parquet, .pq)"
    )
    resample.add_argument(
        "--sampling-strategy",
        default=None,
        help="'auto' (default), 'minority', 'not minority', 'not majority', "
        "'all', a float ratio (two classes) or a JSON object "
        '{"label": rows_after, ...}',
    )
    _add_fit_options(resample)
    resample.set_defaults(run=run_resample)


def _add_input(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="input table (.csv, .parquet, .pq)")
    parser.add_argument("--target", required=True, help="column holding the labels")


def _add_fit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--steps", type=steps, default=None, help="GAN steps or 'auto' (default)"
    )
    parser.add_argument("--seed", type=int, default=None, help="default: random")
    parser.add_argument(
        "--device", default=None, help="'auto' (default), 'cpu', 'cuda', 'mps'"
    )
    parser.add_argument(
        "--params",
        default="{}",
        help="JSON of other GanAugmenter parameters, e.g. '{\"batch_size\": 128}'",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run a file command; ``CommandError`` becomes one line and status 2."""
    prog = f"ganaug {args.command}"
    try:
        with _warnings_as_lines(prog):
            args.run(args)
    except CommandError as err:
        print(f"{prog}: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    return 0


# ----------------------------------------------------------------- commands
def run_fit(args: argparse.Namespace) -> None:
    _check_output(args.output, args.data, table=False)
    aug = _estimator(args)
    X, y = _split_target(_read_table(args.data), args.target, args.data)
    start = time.perf_counter()
    with _errors_of("fit"):
        aug.fit(X, y)
    seconds = time.perf_counter() - start
    with _errors_of("save"):
        aug.save(args.output)
    print(
        f"wrote {args.output}: {len(aug.classes_)} classes, {len(X)} rows, "
        f"{X.shape[1]} features, {aug.n_steps_} steps in {seconds:.1f} s"
    )


def run_sample(args: argparse.Namespace) -> None:
    _check_output(args.output, args.model, table=True)
    if args.classes and args.class_prior is not None:
        raise CommandError("--class-prior applies only without --class")
    _check_input(args.model)
    try:
        aug = GanAugmenter.load(args.model)
    except (ValueError, TypeError) as err:  # names the path itself
        raise CommandError(_one_line(err)) from None
    except OSError as err:
        raise CommandError(f"cannot read {args.model}: {_one_line(err)}") from None
    if args.classes:
        labels = match_labels(args.classes, aug.classes_, what="class")
        y = np.repeat(labels, split_counts(args.n, np.ones(len(labels))))
        with _errors_of("sample"):
            X_new, y_new = aug.sample(y=y, random_state=args.seed)
    else:
        with _errors_of("sample"):
            X_new, y_new = aug.sample(
                args.n,
                class_prior=args.class_prior or "uniform",
                random_state=args.seed,
            )
    frame = _as_frame(X_new, y_new, aug, args.model)
    _write_table(frame, args.output)
    print(f"wrote {args.output}: {len(frame)} rows ({_counts(y_new)})")


def run_resample(args: argparse.Namespace) -> None:
    _check_output(args.output, args.data, table=True)
    aug = _estimator(args)
    frame = _read_table(args.data)
    X, y = _split_target(frame, args.target, args.data)
    if args.sampling_strategy is not None:
        aug.set_params(sampling_strategy=_strategy(args.sampling_strategy, y))
    with _errors_of("fit"):
        X_res, y_res = aug.fit_resample(X, y)
    out = X_res.reset_index(drop=True)
    out[args.target] = y_res.reset_index(drop=True)
    out = out[list(frame.columns)]
    _write_table(out, args.output)
    added = len(out) - len(frame)
    print(
        f"wrote {args.output}: {len(out)} rows ({len(frame)} real + {added} "
        f"synthetic; {_counts(y_res)})"
    )


# ----------------------------------------------------------------- the model
def _estimator(args: argparse.Namespace) -> GanAugmenter:
    """A ``GanAugmenter`` from --params and the flags, its parameters checked
    before any data is read (``--sampling-strategy`` is set once the labels
    are known)."""
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as err:
        raise CommandError(
            f"--params is not valid JSON ({err}): {args.params!r}"
        ) from None
    if not isinstance(params, dict):
        raise CommandError(
            f"--params must be a JSON object; got {type(params).__name__}"
        )
    flags = {
        key: getattr(args, attr)
        for key, (attr, _) in _FLAGS.items()
        if getattr(args, attr, None) is not None
    }
    both = sorted(set(flags) & set(params))
    if both:
        raise CommandError(
            f"--params sets {both[0]!r} and so does {_FLAGS[both[0]][1]}; give it once"
        )
    flags.pop("sampling_strategy", None)
    kwargs = {"verbose": 1, **params, **flags}
    if args.quiet:
        kwargs["verbose"] = 0
    try:
        aug = GanAugmenter(**kwargs)
    except TypeError as err:  # an unknown parameter name
        raise CommandError(f"--params: {_one_line(err)}") from None
    with _errors_of("check parameters"):
        aug._validate_params()  # scikit-learn's _parameter_constraints
    return aug


def _strategy(value: str, y: Any) -> Any:
    """``--sampling-strategy``: a string passed through, a number as a float
    ratio, a JSON object with its keys matched to the labels of ``y``."""
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        if value.lstrip().startswith("{"):
            raise CommandError(
                f"--sampling-strategy is not valid JSON: {value!r}"
            ) from None
        return value
    if isinstance(parsed, bool) or not isinstance(parsed, (int, float, dict)):
        raise CommandError(
            f"--sampling-strategy must be a name such as 'auto', a float ratio or "
            f"a JSON object {{label: rows_after}}; got {value!r}"
        )
    if not isinstance(parsed, dict):
        return float(parsed)
    classes = np.asarray(sorted(set(y.tolist()), key=str), dtype=object)
    labels = match_labels(list(parsed), classes, what="--sampling-strategy label")
    return dict(zip(labels, parsed.values(), strict=True))


def match_labels(names: list[str], classes: np.ndarray, *, what: str) -> list:
    """The model's labels for labels typed on the command line, matched by
    ``str(label)`` (so ``3`` finds the integer class 3); duplicates dropped.

    >>> match_labels(["3", "1", "3"], np.array([1, 2, 3]), what="class")
    [3, 1]
    """
    by_name: dict[str, Any] = {}
    for c in classes:
        by_name.setdefault(str(c), plain(c))
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(repr(str(c)) for c in classes)
        raise CommandError(
            f"unknown {what} {', '.join(map(repr, unknown))}; the model's classes "
            f"are {known}"
        )
    return [by_name[n] for n in dict.fromkeys(names)]


@contextlib.contextmanager
def _errors_of(step: str) -> Iterator[None]:
    """The estimator's errors the user can act on (bad data or labels, a
    diverged training) as one line; anything else is a bug and keeps its
    traceback."""
    try:
        yield
    except (ValueError, TypeError, TrainingDivergedError) as err:
        raise CommandError(_one_line(err)) from None
    except OSError as err:
        raise CommandError(f"{step} failed: {_one_line(err)}") from None


# ------------------------------------------------------------------- tables
def _table_format(path: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CommandError(
            f"{path}: unknown file extension {Path(path).suffix or '(none)'!r}; "
            f"expected {', '.join(FORMATS)}"
        )
    return fmt


def _check_output(output: str, source: str, *, table: bool) -> None:
    """Refuse, before any work, an output that would overwrite the input,
    has an unknown extension or lives in a folder that does not exist."""
    if table:
        _table_format(output)
    out, src = Path(output), Path(source)
    if out.resolve() == src.resolve() or (
        out.exists() and src.exists() and out.samefile(src)
    ):
        raise CommandError(f"-o {output} is the input file; choose another output path")
    if not out.parent.is_dir():
        raise CommandError(f"-o {output}: folder {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise CommandError(f"-o {output} is a folder; expected a file path")


def _check_input(path: str) -> None:
    if not Path(path).exists():
        raise CommandError(f"{path}: no such file")
    if not Path(path).is_file():
        raise CommandError(f"{path}: not a file")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise CommandError("reading tables needs pandas: pip install pandas") from None
    return pd


def _pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise CommandError("Parquet files need pyarrow: pip install pyarrow") from None


def _read_table(path: str) -> Any:
    fmt = _table_format(path)
    _check_input(path)
    pd = _pandas()
    if fmt == "parquet":
        _pyarrow()
    try:
        if fmt == "csv":
            frame = pd.read_csv(path)
        else:
            frame = pd.read_parquet(path, engine="pyarrow")
    except pd.errors.EmptyDataError:
        raise CommandError(f"{path} is empty; expected a header and rows") from None
    except (ValueError, OSError, UnicodeDecodeError) as err:
        # pandas' ParserError is a ValueError; pyarrow's errors subclass these
        raise CommandError(f"cannot read {path}: {_one_line(err)}") from None
    if frame.shape[1] == 0:
        raise CommandError(f"{path} has no columns")
    if len(frame) == 0:
        raise CommandError(f"{path} has no rows (only the header)")
    return frame


def _split_target(frame: Any, target: str, path: str) -> tuple[Any, Any]:
    """``(X, y)``: the DataFrame without ``target``, and ``target`` as a
    Series (whose name the model keeps for ``ganaug sample``)."""
    if target not in frame.columns:
        names = ", ".join(repr(str(c)) for c in frame.columns)
        raise CommandError(
            f"{path} has no column {target!r} (--target); its columns are {names}"
        )
    y = frame[target]
    if isinstance(y, type(frame)):
        raise CommandError(f"{path} has {y.shape[1]} columns named {target!r}")
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise CommandError(f"{path} has no columns besides the target {target!r}")
    missing = int(y.isna().sum())
    if missing:
        raise CommandError(
            f"target column {target!r} has {missing} missing value(s); drop or "
            "fill those rows first"
        )
    classes = y.unique()
    if len(classes) < 2:
        raise CommandError(
            f"target column {target!r} has a single class ({str(classes[0])!r}); "
            "expected at least 2 classes"
        )
    return X, y


def _write_table(frame: Any, path: str) -> None:
    fmt = _table_format(path)
    if fmt == "parquet":
        _pyarrow()
    frame.columns = [str(c) for c in frame.columns]
    try:
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False, engine="pyarrow")
    except OSError as err:
        raise CommandError(f"cannot write {path}: {_one_line(err)}") from None


def _as_frame(X: Any, y: Any, aug: Any, model: str) -> Any:
    """Samples and labels as one table: the feature columns, then the target
    (named as the column ``ganaug fit`` read it from)."""
    pd = _pandas()
    spec = aug.spec_
    if spec.is_image:
        raise CommandError(
            f"{model} was fitted on images; 'ganaug sample' writes tables. Use "
            "GanAugmenter.load(...).sample(n) in Python"
        )
    if isinstance(X, pd.DataFrame):
        frame = X.reset_index(drop=True)
    else:
        arr = np.asarray(X.cpu() if hasattr(X, "cpu") else X)
        columns = spec.columns or [f"x{j}" for j in range(arr.shape[1])]
        frame = pd.DataFrame(arr, columns=columns)
    name = spec.y_name
    if name is None or name in frame.columns:
        name = next(n for n in ("target", "y", "_target") if n not in frame.columns)
    frame[name] = np.asarray(y.cpu() if hasattr(y, "cpu") else y)
    return frame


# ------------------------------------------------------------------ helpers
def _one_line(err: BaseException | str) -> str:
    """The first line of a message, whitespace collapsed."""
    lines = str(err).strip().splitlines() or [type(err).__name__]
    return " ".join(lines[0].split())


def _counts(y: Any) -> str:
    """Rows per label, in order of first appearance: ``"a: 3, b: 2"``."""
    counts: dict[str, int] = {}
    for label in np.asarray(y).tolist():
        counts[str(label)] = counts.get(str(label), 0) + 1
    return ", ".join(f"{label}: {n}" for label, n in counts.items())


@contextlib.contextmanager
def _warnings_as_lines(prog: str) -> Iterator[None]:
    """Warnings (e.g. ``CollapseWarning``) as ``prog: warning: ...`` lines
    instead of a source location and code line."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{prog}: warning: {_one_line(str(message))}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
