"""Save and load a fitted :class:`~ganaug.GanAugmenter` without pickle.

The file is a ``torch.save`` archive holding only a dict of strings, numbers,
lists and tensors, so ``torch.load(weights_only=True)`` reads it and loading
never executes code from the file.  ``format`` is bumped whenever the layout of
the dict changes; :func:`load` refuses versions it does not know.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from .filtering import ConfidenceFilter
from .models import build_models
from .prepare import DataSpec

FORMAT_VERSION = 1
_JSONABLE = (str, int, float, bool, type(None))


def save(aug: Any, path: str | os.PathLike) -> None:
    """Write ``aug`` (fitted) to ``path``."""
    params = {k: v for k, v in aug.get_params().items() if isinstance(v, _JSONABLE)}
    if not isinstance(aug.sampling_strategy, _JSONABLE):
        params.pop("sampling_strategy", None)
    classes = aug.classes_
    labels = [c.item() if isinstance(c, np.generic) else c for c in classes]
    for label in labels:
        if not isinstance(label, (*_JSONABLE, tuple)):
            raise TypeError(
                f"Cannot save labels of type {type(label).__name__} ({label!r}); "
                "save supports str, int, float, bool and tuple labels."
            )
    state = {
        "format": FORMAT_VERSION,
        "library": "ganaug",
        "params": params,
        "classes": labels,
        "classes_dtype": str(classes.dtype),
        "class_counts": aug.class_counts_.tolist(),
        "spec": aug.spec_.to_dict(),
        "seed": aug.seed_,
        "n_steps": aug.n_steps_,
        "history": aug.history_,
        "generator": {
            k: v.detach().cpu() for k, v in aug.generator_.state_dict().items()
        },
        "sample_rng": aug._sample_rng.get_state(),
        "model_kind": aug.model_,
    }
    if hasattr(aug, "filter_"):
        state["filter"] = {k: torch.from_numpy(v) for k, v in aug.filter_.state.items()}
    torch.save(state, os.fspath(path))


def load(cls: type, path: str | os.PathLike, *, device: str = "auto") -> Any:
    """Read a file written by :func:`save` into a new ``cls`` instance."""
    from .augmenter import resolve_device

    try:
        state = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # torch raises several types for foreign files
        raise ValueError(
            f"path {os.fspath(path)!r} is not a ganaug file that can be read "
            f"safely ({type(exc).__name__}: {exc})."
        ) from None
    if not isinstance(state, dict) or state.get("library") != "ganaug":
        raise ValueError(
            f"path {os.fspath(path)!r} is not a file written by GanAugmenter.save."
        )
    if state.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"path {os.fspath(path)!r} has ganaug format {state.get('format')!r}; "
            f"this version reads format {FORMAT_VERSION}."
        )
    params = dict(state["params"])
    params["device"] = device
    aug = cls(**params)
    aug.classes_ = _classes(state["classes"], state["classes_dtype"])
    aug.class_counts_ = np.asarray(state["class_counts"], dtype=np.int64)
    aug.spec_ = DataSpec.from_dict(state["spec"])
    aug.n_features_in_ = int(np.prod(aug.spec_.sample_shape))
    if aug.spec_.columns is not None:
        aug.feature_names_in_ = np.asarray([str(c) for c in aug.spec_.columns])
    aug.seed_ = state["seed"]
    aug.n_steps_ = state["n_steps"]
    aug.history_ = state["history"]
    aug.device_ = resolve_device(device)
    aug.model_ = state["model_kind"]
    if "filter" in state:
        aug.filter_ = ConfidenceFilter.from_state(
            {k: v.numpy() for k, v in state["filter"].items()}
        )
    gen, _ = build_models(
        aug._net_shape(),
        len(aug.classes_),
        noise_dim=aug.noise_dim,
        width=aug.width,
        generator=torch.Generator().manual_seed(0),
    )
    gen.load_state_dict(state["generator"])
    aug.generator_ = gen.to(aug.device_).eval().requires_grad_(False)
    aug._sample_rng = torch.Generator()
    aug._sample_rng.set_state(state["sample_rng"])
    return aug


def _classes(labels: list, dtype: str) -> np.ndarray:
    if dtype == "object":
        arr = np.empty(len(labels), dtype=object)
        arr[:] = labels
        return arr
    return np.asarray(labels, dtype=dtype)
