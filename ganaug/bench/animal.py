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
