"""One model on several processes: PyTorch DistributedDataParallel under torchrun.

Every process runs the user's script and calls ``fit`` with the same data;
:func:`setup` decides whether that fit is distributed:

* ``distributed=False``: never; each process fits its own model.
* ``distributed="auto"`` (the default): if ``torch.distributed`` is already
  initialised, its default group is used; if not, but the environment says
  ``WORLD_SIZE`` > 1 (as ``torchrun`` sets it), the default group is
  initialised from the environment (``env://``: ``MASTER_ADDR``,
  ``MASTER_PORT``, ``RANK``, ``WORLD_SIZE``) with the ``nccl`` backend for a
  CUDA device and ``gloo`` otherwise, and destroyed when the process exits.
  A world of one process is a plain fit.
* ``distributed=True``: like ``"auto"``, but a fit outside any distributed
  environment is an error instead of a plain fit.

In a distributed fit, ``device="auto"`` (or ``"cuda"``) means
``cuda:LOCAL_RANK`` when CUDA is available and the CPU otherwise (no
collective backend handles MPS tensors).

What each process does (:func:`ganaug.training.train`): the generator and
the discriminator are wrapped in ``DistributedDataParallel``, which averages
their gradients; each process draws its own class-balanced batches from its
own seed; the weights, and hence the EMA generator, stay identical on every
process because every process applies the same averaged gradients to the
same starting weights.  Early stopping scores the EMA generator on rank 0 and
broadcasts the score, the divergence checks agree through one all-reduce, and
the history holds the losses averaged over processes.  ``batch_size`` is per
process (an update sees ``world_size * batch_size`` rows), learning rates are
not rescaled, and ``steps`` counts updates.  LeCam's anchors (moving averages
of the discriminator's outputs) are kept per process, from its own batches.
No collective runs per step besides DDP's gradient all-reduce.
"""

from __future__ import annotations

import atexit
import hashlib
import inspect
import os
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import distributed as dist
from torch import nn

from .runtime import resolve_device

__all__ = ["Distributed", "process_rank", "setup"]

# DDP warns once that the gradient of a weight with a leading dimension of
# size 1 (the projection head's (1, width) weight) has strides (1, 1) where
# its bucket has (width, 1): the same memory layout, so no copy is slowed
# down.  Only that exact case is silenced.
_SIZE_ONE_STRIDES = (
    r"Grad strides do not match bucket view strides[\s\S]*"
    r"grad\.sizes\(\) = \[1, \d+\], strides\(\) = \[1, 1\]"
)


@dataclass(frozen=True)
class Distributed:
    """The default process group as one fit uses it.

    Every collective below runs on ``device`` tensors, so the same code works
    with ``gloo`` on CPUs and ``nccl`` on GPUs.
    """

    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def wrap(self, module: nn.Module) -> nn.Module:
        """``module`` in ``DistributedDataParallel``.

        Buffers are not broadcast before each forward (an extra collective per
        step): the only buffers are the spectral-norm power-iteration vectors,
        a deterministic function of the weights, which are identical on every
        process, and of their own previous values, identical from the start.
        """
        from torch.nn.parallel import DistributedDataParallel as DDP

        warnings.filterwarnings("ignore", _SIZE_ONE_STRIDES, UserWarning)
        cuda = self.device.type == "cuda"
        kwargs = {"device_ids": [self.device.index] if cuda else None}
        if "forward_sync_buffers" in inspect.signature(DDP.__init__).parameters:
            kwargs["forward_sync_buffers"] = False  # torch >= 2.13
        else:
            kwargs["broadcast_buffers"] = False
        return DDP(module, **kwargs)

    def broadcast(self, values: list[float]) -> list[float]:
        """Rank 0's ``values`` on every process (float64, so ints < 2**53
        come back exact)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.broadcast(t, src=0)
        return t.tolist()

    def all_true(self, flag: torch.Tensor) -> bool:
        """Whether ``flag`` (a 0-d bool tensor) is true on every process."""
        t = flag.to(device=self.device, dtype=torch.int32).reshape(1)
        dist.all_reduce(t, op=dist.ReduceOp.MIN)
        return bool(t.item())

    def mean(self, values: torch.Tensor) -> torch.Tensor:
        """The average of ``values`` over processes."""
        t = values.to(self.device, torch.float64)
        dist.all_reduce(t)
        return t / self.world_size

    def check_same_data(
        self, x: np.ndarray, codes: np.ndarray, description: str
    ) -> None:
        """Raise on every process if the processes were given different data.

        ``x`` is the data in model space, ``codes`` the class codes and
        ``description`` a text that describes the rest (the classes, the
        features' types and ranges in the caller's units): the processes must
        agree on all three.  Each process prepares its own copy of the data,
        and a model trained on different copies would mean different things
        on different processes.
        """
        x64 = x.reshape(len(x), -1).astype(np.float64, copy=False)
        digest = hashlib.sha256(description.encode()).hexdigest()
        mine = torch.tensor(
            [
                x64.shape[0],
                x64.shape[1],
                x64.sum(),
                np.square(x64).sum(),
                codes.sum(),
                np.bincount(codes).max(initial=0),
                int(digest[:12], 16),  # 48 bits: exact in float64
            ],
            dtype=torch.float64,
            device=self.device,
        )
        both = torch.cat([mine, -mine])
        dist.all_reduce(both, op=dist.ReduceOp.MAX)
        if not torch.equal(both[: len(mine)], -both[len(mine) :]):
            raise ValueError(
                f"Distributed fit over {self.world_size} processes: the processes "
                "called fit with different X or y. Every process must pass the "
                "same data (each draws its own batches from it); use "
                "distributed=False to fit one model per process."
            )


def setup(distributed: bool | str, device: str | torch.device) -> Distributed | None:
    """The distributed context of a fit, or ``None`` for a plain fit.

    Initialises the default process group from the environment when
    ``distributed`` allows it, none is initialised yet and ``WORLD_SIZE`` > 1
    (see the module docstring).
    """
    if distributed is False or not dist.is_available():
        if distributed is True:
            raise ValueError(
                "distributed=True, but this build of torch has no torch.distributed."
            )
        return None
    if dist.is_initialized():
        world_size = dist.get_world_size()
        local_rank = _env_int("LOCAL_RANK", dist.get_rank())
    else:
        world_size = _env_int("WORLD_SIZE", 1)
        local_rank = _env_int("LOCAL_RANK", _env_int("RANK", 0))
        if distributed is True and "WORLD_SIZE" not in os.environ:
            raise ValueError(
                "distributed=True, but torch.distributed is not initialised and "
                "WORLD_SIZE is not set; launch the script with torchrun (e.g. "
                "`torchrun --nproc_per_node=2 script.py`) or use "
                "distributed='auto'."
            )
    dev = _process_device(device, local_rank)
    if world_size <= 1:
        return None
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if dev.type == "cuda" else "gloo")
        atexit.register(_destroy)
    if dev.type != "cuda" and dist.get_backend() == "nccl":
        raise ValueError(
            f"The process group uses the nccl backend, which needs CUDA tensors, "
            f"but device={device!r} resolved to {dev}; initialise the group with "
            "backend='gloo' for CPU training, or train on CUDA."
        )
    return Distributed(rank=dist.get_rank(), world_size=world_size, device=dev)


def process_rank() -> int:
    """This process's rank in the initialised default group, else 0."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return 0


def _process_device(device: str | torch.device, local_rank: int) -> torch.device:
    if isinstance(device, str) and device == "auto":
        if not torch.cuda.is_available():
            return torch.device("cpu")
        device = "cuda"
    dev = resolve_device(device)
    if dev.type == "cuda" and dev.index is None:
        return torch.device("cuda", local_rank)
    return dev


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"The environment variable {name}={value!r} must be an integer "
            "(torchrun sets it)."
        ) from None


def _destroy() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()
