"""Animal-MNIST, read from the ``animal-mnist`` package without running code.

The package (0.4) ships ``animal_mnist/data/Animal_MNIST/`` with two gzipped
*pickles* of numpy arrays: ``animal_data_version_3.gz`` (uint8
``(10000, 28, 28)``) and ``animal_label_version_3.gz`` (int64 ``(10000,)``,
classes 0–9, 1000 images each).  Its own loader imports tensorflow and calls
``pickle.load``, which can run any code a file names.  Here a restricted
unpickler rebuilds plain ndarrays only: ``find_class`` returns numpy's own
``_reconstruct``, ``ndarray`` and ``dtype`` and refuses every other global,
and the decoded arrays must match :data:`SHA256`.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import pickle
from functools import cache
from pathlib import Path

import numpy as np

SHA256 = "2b65899fedda56e61671579ad3c98e10aeff05566f552447114e1bc424b032a4"
FILES = ("animal_data_version_3.gz", "animal_label_version_3.gz")
INSTALL_HINT = (
    "the 'animal-mnist' data set needs the 'animal-mnist' package: "
    "python -m pip install --no-deps animal-mnist==0.4"
)
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): np.ndarray((0,)).__reduce__()[0],
    ("numpy._core.multiarray", "_reconstruct"): np.ndarray((0,)).__reduce__()[0],
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class ArrayUnpickler(pickle.Unpickler):
    """Unpickles plain numpy arrays and nothing else."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: only plain numpy arrays are "
                "allowed in Animal-MNIST's files"
            ) from None


def safe_load_array(raw: bytes) -> np.ndarray:
    """Unpickle ``raw`` (a pickle of one ndarray) with :class:`ArrayUnpickler`."""
    obj = ArrayUnpickler(io.BytesIO(raw)).load()
    if not isinstance(obj, np.ndarray) or obj.dtype.hasobject:
        raise pickle.UnpicklingError(
            f"expected a numeric ndarray; got {type(obj).__name__}"
        )
    return obj


def digest(X: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of the decoded arrays (dtype, shape and bytes of both)."""
    h = hashlib.sha256()
    for a in (X, y):
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def data_dir() -> Path:
    spec = importlib.util.find_spec("animal_mnist")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(INSTALL_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "Animal_MNIST"


@cache
def _load() -> tuple[np.ndarray, np.ndarray]:
    folder = data_dir()
    arrays = []
    for name in FILES:
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; {INSTALL_HINT}")
        with gzip.open(path, "rb") as f:
            arrays.append(safe_load_array(f.read()))
    X, y = np.asarray(arrays[0], dtype=np.uint8), np.asarray(arrays[1], np.int64)
    got = digest(X, y)
    if got != SHA256:
        raise ValueError(
            f"Animal-MNIST arrays in {folder} have SHA-256 {got}, expected "
            f"{SHA256}: a different or corrupted package version ({INSTALL_HINT})."
        )
    return X, y


def load() -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: uint8 images ``(10000, 28, 28)`` and labels 0–9.

    >>> X, y = load()  # doctest: +SKIP
    >>> X.shape, X.dtype, np.bincount(y).tolist()  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'), [1000, 1000, ..., 1000])
    """
    X, y = _load()
    return X.copy(), y.copy()


RGB_SEED = 2026  # the colourisation's own seed, fixed: one data set, not one per split
HUE_SD = 0.08  # a class's foreground hue spread; classes' mean hues are 0.1 apart


def hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``(..., 3)`` RGB in [0, 1] from hue, saturation and value in [0, 1]
    (the hexcone formula of :func:`colorsys.hsv_to_rgb`, vectorised)."""
    h6 = (np.asarray(h) % 1.0) * 6.0
    i = np.floor(h6).astype(int) % 6
    f = h6 - np.floor(h6)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    table = np.stack(
        [
            np.stack([v, t, p], -1), np.stack([q, v, p], -1),
            np.stack([p, v, t], -1), np.stack([p, q, v], -1),
            np.stack([t, p, v], -1), np.stack([v, p, q], -1),
        ]
    )  # fmt: skip
    return np.take_along_axis(table, i[None, ..., None], 0)[0]


def colourise(X: np.ndarray, y: np.ndarray, seed: int = RGB_SEED) -> np.ndarray:
    """32x32 RGB images ``(n, 32, 32, 3)`` uint8 from 28x28 grayscale ones.

    Each image is padded by 2 black pixels a side and its grey level read as
    the share ``a`` of a foreground colour over a background colour:
    ``pixel = (1 - a) * background + a * foreground``.  Per image, with one
    fixed seed (so the data set is the same everywhere):

    * foreground: hue ``N(y / 10, 0.08)`` on the hue circle (per-class colour
      statistics: neighbouring classes' hues overlap, so colour tells a class
      only in part and shape still matters), saturation ``U(0.6, 1)``, value
      ``U(0.7, 1)``;
    * background: a dark colour from one distribution for every class
      (hue ``U(0, 1)``, saturation ``U(0, 0.5)``, value ``U(0, 0.3)``).
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    fg = hsv_to_rgb(
        y / 10.0 + rng.normal(0.0, HUE_SD, n), rng.uniform(0.6, 1.0, n),
        rng.uniform(0.7, 1.0, n),
    )  # fmt: skip
    bg = hsv_to_rgb(
        rng.uniform(0.0, 1.0, n), rng.uniform(0.0, 0.5, n), rng.uniform(0.0, 0.3, n)
    )
    a = np.pad(X.astype(np.float64) / 255.0, ((0, 0), (2, 2), (2, 2)))[..., None]
    out = (1 - a) * bg[:, None, None, :] + a * fg[:, None, None, :]
    return np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)


def load_rgb() -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: :func:`colourise` of :func:`load`, ``(10000, 32, 32, 3)``."""
    X, y = _load()
    return colourise(X, y), y.copy()
