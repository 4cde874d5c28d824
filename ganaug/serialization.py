"""Save and load a fitted augmenter as a ``safetensors`` file.

A model file is tensors plus a JSON header, nothing else: the format cannot
carry code, so reading a file never executes any (``pickle`` and
``torch.load`` are not used).  Before anything is built, :func:`load` checks

* the SHA-256 digest of the header and of every tensor's bytes, so a flipped
  byte is refused rather than silently changing the samples;
* that every entry is present and of the right type, and the parameters are
  known ones (the estimator then validates their values);
* that every generator tensor has exactly the shape the parameters imply,
  by building the network on PyTorch's ``meta`` device, which allocates
  nothing: a file claiming ``width=10**6`` is refused, not allocated;
* for a mixed table, its layout (:func:`ganaug.mixed.check_layout`): each
  column's kind, its categories (strings, finite numbers, booleans, kept
  with their JSON types), and per class the rows at each level, which must
  add up to the class's count (the class masks of the generator come from
  them).

``format`` is bumped whenever the layout of the header changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .labels import plain
from .mixed import MixedLayout, check_layout
from .models import build_generator, net_shape
from .prepare import DataSpec
from .support import TRANSFORMS, check_knots, check_rule

FORMAT_VERSION = 4
_LIBRARY = "ganaug"
_GEN, _FILTER, _RNG, _KNOTS = "generator.", "filter.", "sample_rng", "support.knots"


@dataclass
class FittedParts:
    """Everything a fitted augmenter is made of, besides its parameters."""

    classes: np.ndarray
    class_counts: np.ndarray
    spec: DataSpec
    model_kind: str
    seed: int
    n_steps: int
    history: list[dict]
    generator: dict[str, torch.Tensor]
    filter_state: dict[str, np.ndarray] | None = None
    sample_rng_state: torch.Tensor | None = None
    extra: dict = field(default_factory=dict)

    def _shape(self) -> tuple[int, ...]:
        return net_shape(self.spec.model_shape, self.model_kind)

    def _blocks(self) -> Any:
        mixed = self.spec.mixed
        return mixed.one_hot_blocks() if mixed is not None else None

    def check_generator(self, noise_dim: int, width: int | None) -> None:
        """Refuse weights whose names or shapes differ from what the
        parameters imply (checked on the meta device: nothing is allocated)."""
        meta = build_generator(
            self._shape(),
            len(self.classes),
            noise_dim=noise_dim,
            width=width,
            device="meta",
            blocks=self._blocks(),
        )
        expected = {k: tuple(v.shape) for k, v in meta.state_dict().items()}
        found = {k: tuple(v.shape) for k, v in self.generator.items()}
        if expected != found:
            diff = sorted(set(expected.items()) ^ set(found.items()))[:3]
            raise ValueError(
                f"the generator weights do not match the parameters "
                f"(noise_dim={noise_dim}, width={width}, {len(self.classes)} "
                f"classes, model {self.model_kind!r}); differing entries "
                f"(name, shape): {diff}. The file is damaged or was not written "
                "by GanAugmenter.save."
            )

    def build_generator(self, noise_dim: int, width: int | None) -> nn.Module:
        """The generator with these weights (shapes checked first)."""
        self.check_generator(noise_dim, width)
        gen = build_generator(
            self._shape(),
            len(self.classes),
            noise_dim=noise_dim,
            width=width,
            blocks=self._blocks(),
        )
        gen.load_state_dict(self.generator)
        return gen


# ----------------------------------------------------------------- writing
def save(parts: FittedParts, params: dict[str, Any], path: str | os.PathLike) -> None:
    """Write ``parts`` and the estimator's ``params`` to ``path``."""
    from safetensors.torch import save_file

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"path {path!r} cannot be written: the folder {folder!r} does not "
            "exist; create it first."
        )
    header = {
        "params": _encode_params(params, parts.seed),
        "classes": [_encode_label(c) for c in parts.classes],
        "classes_dtype": str(parts.classes.dtype),
        "class_counts": [int(c) for c in parts.class_counts],
        "spec": _encode_spec(parts.spec),
        "model_kind": parts.model_kind,
        "seed": int(parts.seed),
        "n_steps": int(parts.n_steps),
        "history": parts.history,
    }
    tensors = {
        _GEN + k: v.detach().cpu().contiguous() for k, v in parts.generator.items()
    }
    for k, v in (parts.filter_state or {}).items():
        tensors[_FILTER + k] = torch.from_numpy(np.ascontiguousarray(v))
    if parts.sample_rng_state is not None:
        tensors[_RNG] = parts.sample_rng_state.clone()
    tensors[_KNOTS] = torch.from_numpy(np.ascontiguousarray(parts.spec.knots))
    text = json.dumps(header, sort_keys=True, allow_nan=False)
    metadata = {
        "library": _LIBRARY,
        "format": str(FORMAT_VERSION),
        "header": text,
        "digest": _digest(text, tensors),
    }
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        save_file(tensors, tmp, metadata=metadata)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _encode_params(params: dict[str, Any], seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name == "random_state" and not (value is None or isinstance(value, int)):
            value = int(seed)  # a RandomState/Generator: keep the seed it gave
        elif name == "device":
            value = str(value)
        elif name == "log_dir" and value is not None:
            value = os.fspath(value)
        elif name == "sampling_strategy" and isinstance(value, dict):
            value = {"dict": [[_encode_label(k), int(v)] for k, v in value.items()]}
        elif callable(value):
            raise TypeError(
                f"{name} is a callable ({value!r}), which cannot be saved without "
                "pickle; set a string, number or dict before saving, e.g. "
                f"aug.set_params({name}='auto')."
            )
        out[name] = plain(value)
    return out


def _encode_label(v: Any) -> Any:
    v = plain(v)
    if isinstance(v, tuple):
        return {"tuple": [_encode_label(x) for x in v]}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    raise TypeError(
        f"Cannot save the label or column name {v!r} of type {type(v).__name__}; "
        "save supports str, int, float, bool and tuples of them."
    )


def _encode_spec(spec: DataSpec) -> dict[str, Any]:
    d = spec.to_dict()
    for key in ("columns", "y_name"):
        value = d[key]
        if isinstance(value, list):
            d[key] = [_encode_label(c) for c in value]
        elif value is not None:
            d[key] = _encode_label(value)
    return d


def _digest(text: str, tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256(text.encode())
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


# ----------------------------------------------------------------- reading
def load(path: str | os.PathLike) -> tuple[dict[str, Any], FittedParts]:
    """``(params, parts)`` from a file written by :func:`save`, checked."""
    from safetensors import safe_open

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"path {path!r} does not exist or is not a file.")
    try:
        with safe_open(path, framework="pt") as f:
            metadata = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:  # safetensors raises several types for foreign files
        raise ValueError(
            f"path {path!r} is not a ganaug model file ({type(exc).__name__}: "
            f"{exc}); expected a file written by GanAugmenter.save."
        ) from None
    if metadata.get("library") != _LIBRARY:
        raise ValueError(f"path {path!r} is not a file written by GanAugmenter.save.")
    if metadata.get("format") != str(FORMAT_VERSION):
        raise ValueError(
            f"path {path!r} has ganaug format {metadata.get('format')!r}; this "
            f"version reads format {FORMAT_VERSION} (re-save the model with the "
            "version that wrote it is not possible: refit it)."
        )
    text = metadata.get("header", "")
    if metadata.get("digest") != _digest(text, tensors):
        raise ValueError(
            f"path {path!r} fails its SHA-256 check: its weights or header were "
            "changed after it was saved (damaged or tampered file)."
        )
    return _decode(path, json.loads(text), tensors)


_REQUIRED = {
    "params": dict,
    "classes": list,
    "classes_dtype": str,
    "class_counts": list,
    "spec": dict,
    "model_kind": str,
    "seed": int,
    "n_steps": int,
    "history": list,
}


def _decode(path: str, header: Any, tensors: dict) -> tuple[dict, FittedParts]:
    if not isinstance(header, dict):
        raise ValueError(f"path {path!r} has a header that is not a JSON object.")
    for key, kind in _REQUIRED.items():
        if key not in header:
            raise ValueError(f"path {path!r} is missing the entry {key!r}.")
        if not isinstance(header[key], kind):
            raise ValueError(
                f"path {path!r} has entry {key!r} of type "
                f"{type(header[key]).__name__}; expected {kind.__name__}."
            )
    if header["model_kind"] not in ("mlp", "conv"):
        raise ValueError(
            f"path {path!r} names the model {header['model_kind']!r}; expected "
            "'mlp' or 'conv'."
        )
    params = dict(header["params"])
    strategy = params.get("sampling_strategy")
    if isinstance(strategy, dict) and set(strategy) == {"dict"}:
        params["sampling_strategy"] = {_decode_label(k): v for k, v in strategy["dict"]}
    classes = _classes([_decode_label(c) for c in header["classes"]], header)
    counts = np.asarray(header["class_counts"], dtype=np.int64)
    if len(counts) != len(classes) or len(classes) == 0:
        raise ValueError(
            f"path {path!r} has {len(classes)} classes but {len(counts)} class "
            "counts; expected one count per class."
        )
    spec = _spec(path, header["spec"], tensors.get(_KNOTS), counts)
    parts = FittedParts(
        classes=classes,
        class_counts=counts,
        spec=spec,
        model_kind=header["model_kind"],
        seed=header["seed"],
        n_steps=header["n_steps"],
        history=header["history"],
        generator={k[len(_GEN) :]: v for k, v in tensors.items() if k.startswith(_GEN)},
        filter_state={
            k[len(_FILTER) :]: v.numpy()
            for k, v in tensors.items()
            if k.startswith(_FILTER)
        }
        or None,
        sample_rng_state=tensors.get(_RNG),
    )
    if parts.sample_rng_state is not None:
        try:
            torch.Generator().set_state(parts.sample_rng_state)
        except (RuntimeError, TypeError):
            raise ValueError(
                f"path {path!r} has an invalid sampling RNG state."
            ) from None
    return params, parts


def _spec(
    path: str, d: dict, knots: torch.Tensor | None, class_counts: np.ndarray
) -> DataSpec:
    d = dict(d)
    if isinstance(d.get("columns"), list):
        d["columns"] = [_decode_label(c) for c in d["columns"]]
    if d.get("y_name") is not None:
        d["y_name"] = _decode_label(d["y_name"])
    mixed = d.pop("mixed", None)
    try:
        spec = DataSpec.from_dict(d)
        if mixed is not None:
            _check_mixed(path, spec, mixed, class_counts)
            spec.mixed = MixedLayout.from_dict(mixed)
        n_features = spec.n_features
        for dt in spec.feature_dtypes:
            np.dtype(dt)
    except (TypeError, KeyError, ValueError, IndexError) as exc:
        if str(exc).startswith(f"path {path!r}"):
            raise
        raise ValueError(
            f"path {path!r} has an invalid data description ({type(exc).__name__}: "
            f"{exc})."
        ) from None
    lists = (spec.feature_dtypes, spec.lo, spec.hi, spec.snap)
    if any(len(v) != n_features for v in lists):
        raise ValueError(
            f"path {path!r} describes {n_features} features but has "
            f"{[len(v) for v in lists]} dtypes/bounds/rules; expected one per "
            "feature."
        )
    if spec.transform not in TRANSFORMS:
        raise ValueError(
            f"path {path!r} names the feature transform {spec.transform!r}; "
            f"expected one of {TRANSFORMS}."
        )
    spec.knots = knots.numpy() if knots is not None else None
    problems = [check_knots(spec.knots, n_features)]
    problems += [check_rule(rule) for rule in spec.snap]
    problem = next((p for p in problems if p is not None), None)
    if problem is not None:
        raise ValueError(f"path {path!r} has an invalid feature support: {problem}.")
    return spec


def _check_mixed(path: str, spec: DataSpec, d: Any, class_counts: np.ndarray) -> None:
    if spec.layout != "tabular" or len(spec.sample_shape) != 1:
        raise ValueError(
            f"path {path!r} describes categorical columns or missing values for "
            f"data of layout {spec.layout!r}; expected a table."
        )
    problem = check_layout(d, spec.sample_shape[0], class_counts)
    if problem is not None:
        raise ValueError(f"path {path!r} has an invalid mixed-table layout: {problem}.")


def _decode_label(v: Any) -> Any:
    if isinstance(v, dict) and set(v) == {"tuple"}:
        return tuple(_decode_label(x) for x in v["tuple"])
    if isinstance(v, list):  # a tuple written by an older encoder
        return tuple(_decode_label(x) for x in v)
    return v


def _classes(labels: list, header: dict) -> np.ndarray:
    dtype = header["classes_dtype"]
    if dtype == "object":
        arr = np.empty(len(labels), dtype=object)
        arr[:] = labels
        return arr
    try:
        return np.asarray(labels, dtype=np.dtype(dtype))
    except (TypeError, ValueError):
        raise ValueError(f"classes_dtype {dtype!r} does not fit the classes.") from None
