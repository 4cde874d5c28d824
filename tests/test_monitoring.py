"""TensorBoard logs: losses, quality scores and samples, read back from the
event files; a clear error without the tensorboard package."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from test_training import make_config

from ganaug import GanAugmenter
from ganaug.models import build_models
from ganaug.monitoring import TensorBoardLog
from ganaug.training import EarlyStopping, train

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator"
)


def read_events(log_dir):
    acc = event_accumulator.EventAccumulator(
        str(log_dir), size_guidance={"scalars": 0, "images": 0, "histograms": 0}
    )
    acc.Reload()
    return acc


def test_fit_logs_every_history_entry_and_sample_grids(small_digits, tmp_path):
    X, y = small_digits
    aug = GanAugmenter(steps=30, random_state=0, log_dir=tmp_path).fit(
        X.reshape(-1, 8, 8), y
    )
    acc = read_events(tmp_path)
    tags = acc.Tags()
    assert {"loss/discriminator", "loss/generator"} <= set(tags["scalars"])
    d_loss = acc.Scalars("loss/discriminator")
    assert [e.step for e in d_loss] == [h["step"] for h in aug.history_]
    np.testing.assert_allclose(
        [e.value for e in d_loss], [h["d_loss"] for h in aug.history_], rtol=1e-6
    )
    assert tags["images"] == ["samples"]  # fixed steps: once, after the last step
    (grid,) = acc.Images("samples")
    assert grid.step == 30 and grid.height == 10 * 9 + 1 and grid.width == 8 * 9 + 1


def test_logging_does_not_change_the_model(small_digits, tmp_path):
    X, y = small_digits
    a = GanAugmenter(steps=20, random_state=0, log_dir=tmp_path).fit(X, y)
    b = GanAugmenter(steps=20, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.sample(40)[0], b.sample(40)[0])


def test_tables_get_a_histogram_per_feature_at_each_evaluation(tmp_path):
    g = torch.Generator().manual_seed(0)
    y = torch.arange(2).repeat_interleave(40)
    x = (
        torch.tensor([[-0.5, -0.5], [0.5, 0.5]])[y]
        + 0.1 * torch.randn(80, 2, generator=g)
    ).clamp(-1, 1)
    gen, disc = build_models(
        (2,), 2, noise_dim=8, width=16, generator=torch.Generator().manual_seed(0)
    )
    config = make_config(steps=45, batch_size=16, ema_decay=0.9)
    scores = iter([3.0, 2.0, 1.0, 0.5])
    log = TensorBoardLog(
        tmp_path,
        n_classes=2,
        noise_dim=8,
        device=torch.device("cpu"),
        seed=0,
        decode=lambda x: [x[:, 0] * 10, x[:, 1]],
        feature_names=["age", "dose"],
    )
    rule = EarlyStopping(lambda ema: next(scores), every=10, min_steps=10)
    _, history = train(gen, disc, x, y, 2, config, torch.Generator(), rule, monitor=log)
    log.close()
    acc = read_events(tmp_path)
    quality = acc.Scalars("quality")
    assert [(e.step, e.value) for e in quality] == [
        (10, 3.0),
        (20, 2.0),
        (30, 1.0),
        (40, 0.5),
    ]
    assert set(acc.Tags()["histograms"]) == {"features/age", "features/dose"}
    # at the 4 evaluations and after the last step (45)
    assert [e.step for e in acc.Histograms("features/age")] == [10, 20, 30, 40, 45]


def test_missing_tensorboard_is_a_clear_import_error(
    monkeypatch, small_digits, tmp_path
):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    X, y = small_digits
    with pytest.raises(ImportError, match="pip install tensorboard"):
        GanAugmenter(steps=2, log_dir=tmp_path).fit(X, y)
    assert not list(tmp_path.iterdir())  # failed before anything was written


def test_log_dir_is_saved_as_a_string(small_digits, tmp_path):
    X, y = small_digits
    aug = GanAugmenter(steps=2, random_state=0, log_dir=tmp_path / "tb").fit(X, y)
    aug.save(tmp_path / "m.ganaug")
    loaded = GanAugmenter.load(tmp_path / "m.ganaug")
    assert loaded.log_dir == str(tmp_path / "tb")
