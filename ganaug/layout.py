"""Tables and the three image layouts: detection and conversion, in one place.

The model sees a table row as a vector ``(d,)`` and an image as ``(c, h, w)``
("chw").  Callers hand in tables ``(n, d)`` or images ``(n, h, w)`` ("hw"),
``(n, h, w, c)`` ("hwc") or ``(n, c, h, w)`` ("chw").  Every module that must
tell these apart or convert between them does it through this module.
"""

from __future__ import annotations

import numpy as np

LAYOUTS = ("tabular", "hw", "hwc", "chw")
MIN_IMAGE_SIZE = 8
_NDIM = {"tabular": 2, "hw": 3, "hwc": 4, "chw": 4}


def detect_layout(shape: tuple[int, ...], layout: str = "auto") -> str:
    """Tell a table from the three image layouts by the shape of a batch.

    >>> detect_layout((10, 8, 8, 3)), detect_layout((10, 3, 8, 8))
    ('hwc', 'chw')
    """
    ndim = len(shape)
    if layout != "auto":
        if layout not in LAYOUTS:
            raise ValueError(
                f"layout must be 'auto' or one of {LAYOUTS}; got {layout!r}."
            )
        if ndim != _NDIM[layout]:
            raise ValueError(
                f"layout={layout!r} expects X with {_NDIM[layout]} dimensions; got "
                f"X with shape {tuple(shape)}."
            )
        return layout
    if ndim == 2:
        return "tabular"
    if ndim == 3:
        return "hw"
    c_first, c_last = shape[1] in (1, 3), shape[3] in (1, 3)
    if c_last and not c_first:
        return "hwc"
    if c_first and not c_last:
        return "chw"
    raise ValueError(
        f"X has shape {tuple(shape)}, which is ambiguous between (n, h, w, c) and "
        "(n, c, h, w) images with 1 or 3 channels. Pass layout='hwc' or "
        "layout='chw'."
    )


def guess_layout(shape: tuple[int, ...]) -> str:
    """Like :func:`detect_layout`, but an ambiguous 4-D batch is read as
    channels-first (torchvision's convention) instead of raising."""
    if len(shape) == 4 and shape[1] in (1, 3) and shape[3] in (1, 3):
        return "chw"
    return detect_layout(shape)


def item_layout(shape: tuple[int, ...], *, pil: bool = False) -> str:
    """The layout of ONE sample (no batch axis): a PIL image is ``hw`` or
    ``hwc``; an array or tensor ``(c, h, w)`` with 1 or 3 leading channels is
    ``chw``, ``(h, w, c)`` is ``hwc``."""
    if len(shape) == 1:
        return "tabular"
    if len(shape) == 2:
        return "hw"
    if pil:
        return "hwc"
    if shape[0] in (1, 3) and shape[-1] not in (1, 3):
        return "chw"
    return "hwc" if shape[-1] in (1, 3) else "chw"


def model_shape(layout: str, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape of one sample as the model sees it: ``(d,)`` or ``(c, h, w)``."""
    s = tuple(int(v) for v in sample_shape)
    if layout == "tabular":
        return s
    if layout == "hw":
        return (1, s[0], s[1])
    if layout == "hwc":
        return (s[2], s[0], s[1])
    return s


def sample_shape(layout: str, chw: tuple[int, ...]) -> tuple[int, ...]:
    """Inverse of :func:`model_shape`: one sample's shape in ``layout``."""
    if layout == "tabular" or len(chw) == 1:
        return tuple(chw)
    c, h, w = chw
    return {"hw": (h, w), "hwc": (h, w, c), "chw": (c, h, w)}[layout]


def to_chw(x: np.ndarray, layout: str) -> np.ndarray:
    """A batch in ``layout`` -> ``(n, c, h, w)`` (tables unchanged)."""
    if layout == "hw":
        return x[:, None]
    if layout == "hwc":
        return x.transpose(0, 3, 1, 2)
    return x


def from_chw(x: np.ndarray, layout: str) -> np.ndarray:
    """``(n, c, h, w)`` -> a batch in ``layout`` (tables unchanged)."""
    if layout == "hw":
        return x[:, 0]
    if layout == "hwc":
        return x.transpose(0, 2, 3, 1)
    return x


def image_hw_c(shape: tuple[int, ...], layout: str) -> tuple[int, int, int]:
    """``(h, w, c)`` of a batch of images in ``layout``."""
    c, h, w = model_shape(layout, shape[1:])
    return h, w, c
