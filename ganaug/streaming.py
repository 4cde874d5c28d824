"""Fit from a map-style torch dataset larger than memory, without stacking it.

:meth:`GanAugmenter.fit_dataset` with ``stream=True`` reads the dataset in two
ways, both through a ``torch.utils.data.DataLoader`` (batched, with the
caller's ``num_workers``), and holds no more of it than a bounded sample and
the batches in flight:

1. **One pass** (:func:`scan_dataset`) in index order reads every item once:
   it records each row's class code (one int per row) and keeps a uniform
   random sample of the rows, at most :data:`SAMPLE_ROWS` of them and no more
   than :data:`SAMPLE_BYTES` as float32 (at least :data:`MIN_SAMPLE_ROWS`).
   The sample's rows are chosen (seeded) before the pass, which a map-style
   dataset allows because its length is known.  Each feature's support and
   transform (:func:`ganaug.prepare.fit_spec`), the early-stopping reference
   rows, the quality filter and the collapse check are learned from the
   sample, exactly as :meth:`~GanAugmenter.fit` learns them from all rows.
2. **Training batches** (:class:`StreamBatches`, a
   :class:`ganaug.training.RealBatches` source): a seeded batch sampler
   (:class:`ClassBatches`) draws row indices as
   :class:`~ganaug.training.BatchSampler` draws rows in memory (a class
   uniform over classes, then a uniform row of it), the DataLoader reads
   them, and each batch is mapped to model space
   (:func:`ganaug.prepare.to_model_space`) as it arrives.

The indices are drawn in the main process and the DataLoader returns batches
in order, so a seed gives the same model whatever ``num_workers`` is.  Items
must be numeric: PIL images, tensors or arrays of one shape and dtype.
Mixed tables (categorical columns, missing values) are fitted in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler
from tqdm.auto import tqdm

from .labels import check_y, encode_labels, label_array
from .prepare import DataSpec, to_model_space
from .runtime import derived_seed
from .torchdata import check_pair, target_value, to_array

# stream="auto" streams when len(dataset) x the first sample's size in bytes
# (as a numpy array) exceeds this.
STREAM_BYTES = 2**30
# The sample kept from the pass: at most this many rows ...
SAMPLE_ROWS = 50_000
# ... and no more than this many bytes as float32 (the model-space copy) ...
SAMPLE_BYTES = 2**28
# ... but at least this many rows (when the dataset has them).
MIN_SAMPLE_ROWS = 2_000


def check_stream_args(stream: Any, num_workers: Any, max_samples: Any) -> None:
    """Refuse bad ``fit_dataset`` arguments, naming them."""
    if not (isinstance(stream, (bool, np.bool_)) or _is_auto(stream)):
        raise ValueError(f"stream must be True, False or 'auto'; got {stream!r}.")
    if not _is_int(num_workers) or num_workers < 0:
        raise ValueError(
            f"num_workers must be an integer >= 0 (0 reads in the main process); "
            f"got {num_workers!r}."
        )
    if max_samples is not None and (not _is_int(max_samples) or max_samples < 1):
        raise ValueError(
            f"max_samples must be a positive integer or None; got {max_samples!r}."
        )


def _is_auto(stream: Any) -> bool:
    return isinstance(stream, str) and stream == "auto"


def _is_int(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, (bool, np.bool_))


def wants_stream(stream: bool | str, dataset: Any, n: int) -> bool:
    """``stream="auto"``: stream when ``n`` items of the first sample's size
    would exceed :data:`STREAM_BYTES` stacked (reads ``dataset[0]`` once)."""
    if not _is_auto(stream):
        return bool(stream)
    sample, _ = check_pair(dataset[0], 0)
    return n * to_array(sample).nbytes > STREAM_BYTES


def sample_rows(n: int, values_per_row: int) -> int:
    """Rows the pass keeps: all of ``n`` up to the bounds in the module doc."""
    fit_bytes = SAMPLE_BYTES // (4 * max(1, values_per_row))
    return int(min(n, SAMPLE_ROWS, max(MIN_SAMPLE_ROWS, fit_bytes)))


# ------------------------------------------------------------- reading items
class _Indexed:
    """``dataset[i]`` as ``(i, dataset[i])`` for the first ``n`` items, so a
    batch knows its rows (and their class codes)."""

    def __init__(self, dataset: Any, n: int) -> None:
        self.dataset, self.n = dataset, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[int, Any]:
        return i, self.dataset[i]


def collate_items(
    batch: list[tuple[int, Any]],
) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """A DataLoader batch -> ``(indices, samples stacked, targets)``.

    Runs in the workers.  Samples become numpy arrays (PIL images as uint8,
    tensors as they are); they must be finite numbers and share one shape and
    dtype.
    """
    index = np.fromiter((i for i, _ in batch), dtype=np.int64, count=len(batch))
    arrays, targets = [], []
    for i, item in batch:
        sample, target = check_pair(item, i)
        arrays.append(_numeric(to_array(sample), i))
        targets.append(target_value(target))
    first = arrays[0]
    for i, a in zip(index, arrays, strict=True):
        if a.shape != first.shape or a.dtype != first.dtype:
            raise ValueError(_mismatch(int(index[0]), first, int(i), a))
    x = np.stack(arrays)
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        bad = index[~np.isfinite(x.reshape(len(x), -1)).all(axis=1)]
        raise ValueError(
            f"dataset[{bad[0]}] holds NaN or infinite values; expected finite "
            "numbers. Impute or drop them first."
        )
    return index, x, targets


def _numeric(a: np.ndarray, i: int) -> np.ndarray:
    if a.dtype.kind not in "fiub":
        raise TypeError(
            f"dataset[{i}] has a sample of dtype {a.dtype}; streaming needs numeric "
            "samples (PIL images, tensors or arrays of numbers). Fit tables with "
            "categorical columns or missing values in memory: fit(X, y) or "
            "fit_dataset(dataset, stream=False)."
        )
    return a


def _mismatch(i: int, a: np.ndarray, j: int, b: np.ndarray) -> str:
    return (
        f"dataset samples differ: dataset[{i}] has shape {a.shape} and dtype "
        f"{a.dtype}, dataset[{j}] has shape {b.shape} and dtype {b.dtype}; expected "
        "one shape and dtype for all samples (resize images to one size first, "
        "e.g. with transforms.Resize)."
    )


def _loader(dataset: Any, n: int, num_workers: int, seed: int, **kw: Any):
    # the loader's own generator: it draws the workers' base seed, which would
    # otherwise come from torch's global RNG
    return DataLoader(
        _Indexed(dataset, n),
        num_workers=num_workers,
        collate_fn=collate_items,
        generator=torch.Generator().manual_seed(seed),
        **kw,
    )


# ------------------------------------------------------------------ the pass
@dataclass
class Scan:
    """What the pass over a dataset keeps."""

    sample: np.ndarray  # the rows kept, stacked in index order
    sample_index: np.ndarray  # their indices in the dataset
    codes: np.ndarray  # the class code of every row (int64)
    classes: np.ndarray  # the labels, sorted when they can be

    @property
    def sample_codes(self) -> np.ndarray:
        return self.codes[self.sample_index]

    @property
    def sample_labels(self) -> np.ndarray:
        return self.classes[self.sample_codes]


def scan_dataset(
    dataset: Any,
    n: int,
    *,
    batch_size: int,
    num_workers: int,
    seed: int,
    verbose: int = 0,
) -> Scan:
    """Read items ``0 .. n - 1`` once, in order: every row's class, and a
    seeded uniform sample of :func:`sample_rows` rows (a progress bar with
    ``verbose``)."""
    loader = _loader(dataset, n, num_workers, seed + 1, batch_size=batch_size)
    batches = tqdm(
        loader, disable=not verbose, desc="ganaug: reading", unit="batch", leave=False
    )
    provisional = np.empty(n, dtype=np.int64)
    seen: dict[Any, int] = {}
    sample: np.ndarray | None = None
    keep = np.empty(0, dtype=np.int64)
    first: np.ndarray | None = None
    for index, x, targets in batches:
        if sample is None:
            first = x[0]
            keep = _choose(n, sample_rows(n, first.size), seed)
            sample = np.empty((len(keep), *first.shape), dtype=first.dtype)
        elif x.shape[1:] != first.shape or x.dtype != first.dtype:
            raise ValueError(_mismatch(0, first, int(index[0]), x[0]))
        for i, t in zip(index.tolist(), targets, strict=True):
            provisional[i] = _code(seen, t, i)
        # batches come in index order: rows index[0] .. index[-1]
        lo, hi = np.searchsorted(keep, [index[0], index[-1] + 1])
        sample[lo:hi] = x[keep[lo:hi] - index[0]]
    assert sample is not None  # n >= 1
    distinct = check_y(label_array(list(seen)), len(seen), name="dataset targets")
    classes, remap = encode_labels(distinct)
    return Scan(sample, keep, remap[provisional], classes)


def _choose(n: int, k: int, seed: int) -> np.ndarray:
    """``k`` of ``range(n)`` without replacement, sorted (all when k == n)."""
    if k >= n:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64)


def _code(seen: dict[Any, int], target: Any, i: int) -> int:
    try:
        return seen.setdefault(target, len(seen))
    except TypeError:
        raise TypeError(
            f"dataset[{i}] has the unhashable target {target!r:.60}; expected a "
            "class label (a number, string or other hashable value)."
        ) from None


# ------------------------------------------------------------ training batches
class ClassBatches(Sampler[list[int]]):
    """``n_batches`` batches of dataset indices drawn like
    :class:`~ganaug.training.BatchSampler` draws rows: a class uniform over the
    classes present, then a uniform row of it (``class_balanced``), or a
    uniform row.  Seeded: every iteration yields the same batches."""

    def __init__(
        self,
        codes: np.ndarray,
        n_classes: int,
        batch_size: int,
        n_batches: int,
        class_balanced: bool,
        seed: int,
    ) -> None:
        counts = np.bincount(codes, minlength=n_classes)
        self.order = torch.from_numpy(np.argsort(codes, kind="stable"))
        self.counts = torch.from_numpy(counts)
        self.starts = torch.from_numpy(np.cumsum(counts) - counts)
        self.present = torch.from_numpy(np.flatnonzero(counts))
        self.batch_size, self.n_batches = batch_size, n_batches
        self.class_balanced, self.seed = class_balanced, seed

    def __len__(self) -> int:
        return self.n_batches

    def __iter__(self) -> Iterator[list[int]]:
        g = torch.Generator().manual_seed(self.seed)
        bs = self.batch_size
        for _ in range(self.n_batches):
            if not self.class_balanced:
                yield torch.randint(len(self.order), (bs,), generator=g).tolist()
                continue
            c = self.present[torch.randint(len(self.present), (bs,), generator=g)]
            offset = (torch.rand(bs, generator=g) * self.counts[c]).long()
            yield self.order[self.starts[c] + offset].tolist()


class StreamBatches:
    """Real batches read from a dataset through a DataLoader, mapped to model
    space on the fly: a :class:`ganaug.training.RealBatches` source.

    Parameters
    ----------
    dataset : Dataset
        Map-style ``(sample, target)`` dataset; its first ``len(codes)``
        items are used.
    codes : ndarray of int64
        Every row's class code (:func:`scan_dataset`).
    spec : DataSpec
        Fitted on the sample; maps each batch to model space.
    shape : tuple of int
        Shape of a row as the networks take it.
    n_batches : int
        Batches :meth:`next_batch` can return (steps x ``n_critic``).
    seed : int
        Seeds the indices, the generator-step labels and the
        dequantisation of each batch.
    """

    def __init__(
        self,
        dataset: Any,
        codes: np.ndarray,
        n_classes: int,
        spec: DataSpec,
        *,
        shape: tuple[int, ...],
        batch_size: int,
        n_batches: int,
        class_balanced: bool,
        num_workers: int,
        seed: int,
        device: torch.device,
    ) -> None:
        sampler = ClassBatches(
            codes, n_classes, batch_size, n_batches, class_balanced, seed
        )
        self.loader = _loader(
            dataset, len(codes), num_workers, seed + 1, batch_sampler=sampler
        )
        self.codes, self.spec, self.shape = codes, spec, tuple(shape)
        self.batch_size, self.class_balanced = batch_size, class_balanced
        self.device, self.n_rows = device, len(codes)
        counts = torch.from_numpy(np.bincount(codes, minlength=n_classes))
        self.present = torch.nonzero(counts > 0).flatten().to(device)
        self.freq = counts.double().to(device)
        self.g = torch.Generator(device).manual_seed(seed + 2)
        self.rng = np.random.default_rng(seed + 3)  # dequantisation
        self._batches: Iterator | None = None

    def labels(self, n: int) -> torch.Tensor:
        """Class codes for a generator step, drawn as the batches draw them."""
        if self.class_balanced:
            pick = torch.randint(
                len(self.present), (n,), device=self.device, generator=self.g
            )
            return self.present[pick]
        return torch.multinomial(self.freq, n, replacement=True, generator=self.g)

    def next_batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The next batch from the DataLoader in model space, and its codes."""
        if n != self.batch_size:
            raise ValueError(
                f"this source reads batches of {self.batch_size} rows; got n={n}."
            )
        if self._batches is None:
            self._batches = iter(self.loader)
        index, x, _ = next(self._batches)
        spec = self.spec
        if x.shape[1:] != spec.sample_shape or str(x.dtype) != spec.dtype:
            raise ValueError(
                f"dataset[{index[0]}] has a sample of shape {x.shape[1:]} and dtype "
                f"{x.dtype}; the pass over the dataset found shape "
                f"{spec.sample_shape} and dtype {spec.dtype}. Give the dataset "
                "without random transforms."
            )
        rows = to_model_space(x, spec, None, self.rng).reshape(len(x), *self.shape)
        y = torch.from_numpy(self.codes[index])
        return torch.from_numpy(rows).to(self.device), y.to(self.device)

    def close(self) -> None:
        """Stop the DataLoader's workers (when training stops early)."""
        self._batches = None


@dataclass
class Stream:
    """A dataset to train from batch by batch, and what the pass learned."""

    dataset: Any
    codes: np.ndarray  # every row's class code
    num_workers: int

    @property
    def n_rows(self) -> int:
        return len(self.codes)

    def batches(
        self,
        spec: DataSpec,
        shape: tuple[int, ...],
        *,
        n_classes: int,
        batch_size: int,
        n_batches: int,
        class_balanced: bool,
        device: torch.device,
        seed: int,
        rank: int = 0,
    ) -> StreamBatches:
        """The training batches of process ``rank`` (each rank its own)."""
        return StreamBatches(
            self.dataset,
            self.codes,
            n_classes,
            spec,
            shape=shape,
            batch_size=batch_size,
            n_batches=n_batches,
            class_balanced=class_balanced,
            num_workers=self.num_workers,
            seed=derived_seed(seed, 11, rank),
            device=device,
        )
