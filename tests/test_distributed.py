"""Distributed training: two gloo processes under torchrun train one model.

One ``torchrun --nproc_per_node=2`` run of ``tests/ddp_worker.py`` (20 to
30 s on two busy cores) does every distributed fit; the tests compare what
the two ranks saw.  A world of one process must be a plain fit, bit for bit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from ddp_worker import blobs
from torch import distributed as dist

from ganaug import GanAugmenter

ROOT = Path(__file__).resolve().parents[1]
KW = {"steps": 100, "width": 32, "noise_dim": 16, "random_state": 0}

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with gloo is not available",
)


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """Run the worker on two processes; ``(rank 0's, rank 1's, out dir)``."""
    out = tmp_path_factory.mktemp("ddp")
    path = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else ""),
    }
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        str(ROOT / "tests" / "ddp_worker.py"),
        str(out),
    ]
    # A new session, so that a hung run can be killed with its workers.
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        log, _ = proc.communicate()
        pytest.fail(f"the two-process run hung:\n{log[-3000:]}")
    assert proc.returncode == 0, log[-3000:]
    # no warning from ganaug, nor DDP's about gradient layouts
    assert not re.search(r"ganaug/\S+\.py:\d+: \w*Warning|Grad strides", log), log
    seen = [torch.load(out / f"rank{r}.pt", weights_only=False) for r in (0, 1)]
    return seen[0], seen[1], out


@contextmanager
def one_thread():
    """Run torch on one thread, as torchrun's workers do.

    A CPU matrix product splits its sums by thread, so fits on one and on two
    threads differ in the last bits; bit-for-bit comparisons need the same count.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="module")
def plain():
    """Samples of a plain single-process fit with the workers' parameters."""
    with one_thread():
        return GanAugmenter(**KW).fit(*blobs()).sample(60, random_state=3)


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_both_ranks_end_with_the_same_model(ranks):
    r0, r1, _ = ranks
    assert r0["world_size"] == r1["world_size"] == 2
    assert same_weights(r0["gen_a"], r1["gen_a"])
    assert same_weights(r0["gen_conv"], r1["gen_conv"])  # conv, DiffAugment
    # the discriminator too, with spectral-norm buffers never broadcast
    assert same_weights(r0["disc"], r1["disc"])
    assert r0["history_a"] == r1["history_a"]  # losses averaged over ranks
    np.testing.assert_array_equal(r0["samples_a"][0], r1["samples_a"][0])


def test_same_seed_and_world_size_give_the_same_model(ranks):
    r0, r1, _ = ranks
    assert same_weights(r0["gen_a"], r0["gen_b"])
    assert same_weights(r1["gen_a"], r1["gen_b"])


def test_ranks_draw_different_batches_from_a_plain_fit(ranks, plain):
    r0, _, _ = ranks
    assert not np.array_equal(plain[0], r0["samples_a"][0])


def test_averaged_gradients_are_exact_through_every_regulariser(ranks):
    # Both ranks drew the same batches: DDP's average of two equal gradients
    # is the single-process gradient, through gradient penalty, R1, LeCam,
    # mode seeking and two critic steps.
    r0, r1, _ = ranks
    assert r0["same_as_single"] and r1["same_as_single"]


def test_rank0_saves_and_a_reload_samples_what_rank0_samples(ranks):
    r0, _, out = ranks
    assert not (out / "model_rank1.ganaug").exists()  # rank 1 wrote nothing
    loaded = GanAugmenter.load(out / "model_rank0.ganaug")
    np.testing.assert_array_equal(
        loaded.sample(60, random_state=3)[0], r0["samples_a"][0]
    )
    np.testing.assert_array_equal(
        loaded.sample(60, random_state=3)[1], r0["samples_a"][1]
    )


def test_early_stopping_takes_rank0s_decision_on_every_rank(ranks):
    r0, r1, _ = ranks
    # rank 0's scores stop at step 50 keeping step 20; rank 1's never would
    assert r0["stopped"] == r1["stopped"] == (50, 20)
    assert r0["qualities"] == r1["qualities"]


def test_a_nan_loss_on_one_rank_stops_every_rank(ranks):
    r0, r1, _ = ranks
    assert "diversity_weight=nan" in r1["diverged"]
    assert "Training diverged" in r0["diverged"]


def test_different_data_on_the_ranks_is_refused(ranks):
    r0, r1, _ = ranks
    for seen in (r0, r1):
        assert "different X or y" in seen["different_data"]


def test_only_rank0_writes_tensorboard_logs(ranks):
    _, _, out = ranks
    (events,) = (out / "tb").iterdir()
    assert events.name.startswith("events.out.tfevents")


def test_distributed_false_under_torchrun_is_a_plain_fit(ranks, plain):
    r0, r1, _ = ranks
    for seen in (r0, r1):
        np.testing.assert_array_equal(seen["alone"][0], plain[0])


def test_a_world_of_one_process_is_a_plain_fit(tmp_path, monkeypatch, plain):
    monkeypatch.setenv("WORLD_SIZE", "1")  # as torchrun --nproc_per_node=1
    store = f"file://{tmp_path / 'store'}"
    with one_thread():
        alone = GanAugmenter(**KW).fit(*blobs()).sample(60, random_state=3)
        dist.init_process_group("gloo", init_method=store, rank=0, world_size=1)
        try:
            grouped = GanAugmenter(**KW).fit(*blobs()).sample(60, random_state=3)
        finally:
            dist.destroy_process_group()
    for other in (alone, grouped):
        np.testing.assert_array_equal(other[0], plain[0])
        np.testing.assert_array_equal(other[1], plain[1])


def test_distributed_true_outside_torchrun_is_an_error(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with pytest.raises(ValueError, match="torchrun --nproc_per_node=2"):
        GanAugmenter(steps=2, distributed=True).fit(*blobs())
