"""The training loop: losses and regularisers learn, divergence stops, sampler
and EMA do what they say."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from torch import nn

from ganaug.losses import Loss, get_loss, hinge_d
from ganaug.models import build_models
from ganaug.training import (
    _EMA,
    BatchSampler,
    EarlyStopping,
    TrainConfig,
    TrainingDivergedError,
    train,
)

MEANS = torch.tensor([[-0.5, -0.5], [0.5, 0.5]])  # 1.41 apart


def blobs(counts=(40, 40), seed=0):
    """Two Gaussian blobs in 2-D (std 0.15), inside [-1, 1]."""
    g = torch.Generator().manual_seed(seed)
    y = torch.repeat_interleave(torch.arange(2), torch.tensor(counts))
    x = MEANS[y] + 0.15 * torch.randn(len(y), 2, generator=g)
    return x.clamp(-1, 1), y


def make_config(**over) -> TrainConfig:
    kw = {
        "steps": 300,
        "batch_size": 32,
        "loss": get_loss("hinge"),
        "lr_g": 1e-3,
        "lr_d": 1e-3,
        "n_critic": 1,
        "ema_decay": 0.99,
        "diffaugment": (),
        "r1_weight": 0.0,
        "lecam_weight": 0.0,
        "diversity_weight": 0.1,
        "class_balanced": True,
        "amp": False,
        "verbose": 0,
    }
    kw.update(over)
    return TrainConfig(**kw)


def fit(x, y, seed=0, early_stopping=None, **over):
    gen, disc = build_models(
        (2,), 2, noise_dim=16, width=32, generator=torch.Generator().manual_seed(seed)
    )
    return train(
        gen,
        disc,
        x,
        y,
        2,
        make_config(**over),
        torch.Generator().manual_seed(1),
        early_stopping,
    )


def class_mean_margin(ema, x, y) -> float:
    """min over classes of (distance of the generated class mean to the other
    class's real mean) - (distance to its own real mean): 1.41 is perfect, <= 0
    means a class's samples look like the other class's."""
    codes = torch.arange(2).repeat_interleave(200)
    with torch.no_grad():
        s = ema(torch.randn(400, 16, generator=torch.Generator().manual_seed(2)), codes)
    fake = [s[codes == c].mean(0) for c in range(2)]
    real = [x[y == c].mean(0) for c in range(2)]
    return min(
        ((fake[c] - real[1 - c]).norm() - (fake[c] - real[c]).norm()).item()
        for c in range(2)
    )


# --------------------------------------------------------------- quality ----
# Measured margins at seed 0 (300 steps): 0.6 (lsgan) to 1.3; an untrained
# generator scores below 0.3 (test_margin_can_fail).
@pytest.mark.parametrize(
    "over",
    [
        {},
        {"loss": get_loss("bce")},
        {"loss": get_loss("lsgan")},
        {"loss": get_loss("wgan-gp"), "gp_weight": 1.0},
        {"r1_weight": 1.0},
        {"lecam_weight": 0.1},
        {"n_critic": 2},
        {"diversity_weight": 0.0},
    ],
    ids=["hinge", "bce", "lsgan", "wgan-gp", "r1", "lecam", "n_critic2", "no-div"],
)
def test_each_loss_and_regulariser_learns_class_means(over):
    x, y = blobs()
    ema, history = fit(x, y, **over)
    assert class_mean_margin(ema, x, y) > 0.3
    assert len(history) == 100  # 80 rows / batch 32 -> 3 steps an epoch
    assert all(
        math.isfinite(h["d_loss"]) and math.isfinite(h["g_loss"]) for h in history
    )


def test_class_balanced_false_learns_imbalanced_classes():
    x, y = blobs(counts=(60, 12))
    ema, _ = fit(x, y, class_balanced=False)
    assert class_mean_margin(ema, x, y) > 0.3


def test_margin_can_fail():
    x, y = blobs()
    ema, _ = fit(x, y, steps=1)
    assert class_mean_margin(ema, x, y) < 0.3


def test_wgan_gp_at_default_gp_weight_learns_class_means():
    x, y = blobs()
    ema, _ = fit(x, y, loss=get_loss("wgan-gp"))
    assert class_mean_margin(ema, x, y) > 0.3


def test_training_is_deterministic_and_leaves_global_rng_alone():
    x, y = blobs()
    state = torch.random.get_rng_state()
    a, _ = fit(x, y, steps=20, lecam_weight=0.1, r1_weight=1.0)
    b, _ = fit(x, y, steps=20, lecam_weight=0.1, r1_weight=1.0)
    assert torch.equal(torch.random.get_rng_state(), state)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)


# ----------------------------------------------------------- divergence ----
def counting(loss: Loss) -> tuple[Loss, list[int]]:
    calls = [0]

    def g_loss(fake):
        calls[0] += 1
        return loss.g_loss(fake)

    return dataclasses.replace(loss, g_loss=g_loss), calls


def test_nan_regulariser_weight_stops_training_at_once():
    x, y = blobs()
    loss, calls = counting(get_loss("hinge"))
    with pytest.raises(TrainingDivergedError) as info:
        fit(x, y, steps=5000, loss=loss, diversity_weight=float("nan"))
    err = info.value
    assert (err.step, err.what) == (1, "generator loss")
    assert calls[0] == 3  # detected at the end of the first 3-step epoch
    msg = str(err)
    for part in ("step 1 of 5000", "generator loss", "nan", "diversity_weight=nan"):
        assert part in msg
    assert "lr_g=0.001" in msg and "lr_d=0.001" in msg and "float32" in msg


def test_infinite_r1_weight_names_the_discriminator_loss():
    x, y = blobs()
    with pytest.raises(TrainingDivergedError, match="r1_weight=inf") as info:
        fit(x, y, steps=50, r1_weight=float("inf"))
    assert (info.value.step, info.value.what) == (1, "discriminator loss")
    assert isinstance(info.value, RuntimeError)


def test_long_epochs_are_checked_every_100_steps():
    x, y = blobs(counts=(4000, 4000))  # 250 steps an epoch
    loss, calls = counting(get_loss("hinge"))
    with pytest.raises(TrainingDivergedError):
        fit(x, y, steps=1000, loss=loss, diversity_weight=float("nan"))
    assert calls[0] == 100


def test_non_finite_generator_weights_after_the_last_step_raise():
    # A finite loss (0) whose gradient is NaN (d sqrt(u) at u = 0): the loss
    # checks pass, the weights do not.
    nan_grad = Loss(
        "nan-grad", hinge_d, lambda out: (out - out.detach()).pow(2).sum().sqrt()
    )
    x, y = blobs()
    with pytest.raises(TrainingDivergedError, match="weights") as info:
        fit(x, y, steps=1, loss=nan_grad, diversity_weight=0.0)
    assert info.value.what == "generator weights"


def test_non_finite_data_is_rejected():
    x, y = blobs()
    x[3, 1] = float("inf")
    with pytest.raises(ValueError, match="x holds NaN or infinite"):
        fit(x, y, steps=2)


# --------------------------------------------------------------- config ----
def test_config_has_no_defaults_for_what_the_estimator_sets():
    required = {
        f.name
        for f in dataclasses.fields(TrainConfig)
        if f.default is dataclasses.MISSING
    }
    assert required == {
        "steps",
        "batch_size",
        "loss",
        "lr_g",
        "lr_d",
        "n_critic",
        "ema_decay",
        "diffaugment",
        "r1_weight",
        "lecam_weight",
        "diversity_weight",
        "class_balanced",
        "amp",
        "verbose",
    }
    with pytest.raises(TypeError):
        TrainConfig(steps=10)


# ------------------------------------------------------------- sampler ----
def make_sampler(counts, n_classes=None, class_balanced=True, seed=0):
    y = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(9))
    y = y[perm]
    x = (y * 1000 + torch.arange(len(y))).float()[:, None]  # class in the value
    n_classes = n_classes or len(counts)
    g = torch.Generator().manual_seed(seed)
    return BatchSampler(x, y, n_classes, g, class_balanced), x, y


def test_class_balanced_labels_are_uniform_even_for_a_one_row_class():
    sampler, _, _ = make_sampler([100, 1, 10, 0], n_classes=4)
    labels = sampler.labels(30_000)
    freq = torch.bincount(labels, minlength=4).float() / len(labels)
    assert freq[3] == 0  # an absent class is never drawn
    assert torch.allclose(freq[:3], torch.full((3,), 1 / 3), atol=0.015)


def test_unbalanced_labels_follow_class_frequencies():
    sampler, _, _ = make_sampler([100, 1, 10], class_balanced=False)
    labels = sampler.labels(30_000)
    freq = torch.bincount(labels, minlength=3).float() / len(labels)
    expected = torch.tensor([100, 1, 10]) / 111
    assert torch.allclose(freq, expected, atol=0.015)


def test_real_rows_are_of_the_requested_class_and_cover_it():
    sampler, x, y = make_sampler([100, 1, 10])
    for c in range(3):
        rows = sampler.real(torch.full((2000,), c))
        assert torch.all(torch.div(rows[:, 0], 1000, rounding_mode="floor") == c)
        assert set(rows[:, 0].tolist()) == set(x[y == c, 0].tolist())


# ----------------------------------------------------------------- EMA ----
@pytest.fixture
def nets():
    g = torch.Generator().manual_seed(0)

    def make():
        net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
        with torch.no_grad():
            for p in net.parameters():
                p.copy_(torch.randn(p.shape, generator=g))
        return net

    return make(), make()


@pytest.mark.parametrize(
    ("decay", "step", "d"),
    [(0.9, 1000, 0.9), (0.999, 0, 0.1), (0.999, 5, 0.4), (0.3, 5, 0.3)],
)
def test_ema_is_a_lerp_with_warm_up(nets, decay, step, d):
    ema, model = nets
    before = [p.clone() for p in ema.parameters()]
    _EMA(ema, model, decay).update(step)  # d = min(decay, (1 + step) / (10 + step))
    for e, b, m in zip(ema.parameters(), before, model.parameters(), strict=True):
        torch.testing.assert_close(e, d * b + (1 - d) * m)


def test_ema_copies_buffers(nets):
    ema, model = nets
    model[1].running_mean.fill_(3.0)
    model[1].num_batches_tracked.fill_(7)
    _EMA(ema, model, 0.999).update(100)
    assert torch.equal(ema[1].running_mean, torch.full((4,), 3.0))
    assert ema[1].num_batches_tracked.item() == 7


def test_train_returns_a_frozen_ema_copy():
    x, y = blobs()
    gen, disc = build_models(
        (2,), 2, noise_dim=16, width=32, generator=torch.Generator().manual_seed(0)
    )
    ema, _ = train(gen, disc, x, y, 2, make_config(steps=5), torch.Generator())
    assert ema is not gen and not ema.training
    assert not any(p.requires_grad for p in ema.parameters())
    assert any(
        not torch.equal(a, b)
        for a, b in zip(ema.parameters(), gen.parameters(), strict=True)
    )


# ------------------------------------------------------------ early stopping
def _scripted(scores):
    """An evaluate() that returns the given scores in turn and records the
    EMA weights it saw."""
    seen = []

    def evaluate(ema):
        seen.append({k: v.clone() for k, v in ema.state_dict().items()})
        return scores[len(seen) - 1]

    return evaluate, seen


def test_early_stopping_stops_on_a_plateau_and_keeps_the_best_snapshot():
    x, y = blobs()
    # improves at evaluation 2 (step 20), then flat: stop after 3 more
    evaluate, seen = _scripted([1.0, 0.5, 0.5, 0.6, 0.55, 0.1, 0.1])
    rule = EarlyStopping(evaluate, every=10, patience=3, min_steps=30)
    ema, history = fit(x, y, steps=500, early_stopping=rule)
    assert history[-1]["step"] == 50  # evaluations at 10..50, 3 without gain
    assert history[-1]["best_step"] == 20
    assert len(seen) == 5
    for k, v in ema.state_dict().items():
        assert torch.equal(v, seen[1][k])  # the snapshot scored 0.5
    assert [h["quality"] for h in history if "quality" in h][-1] == 0.55


def test_early_stopping_respects_min_steps():
    x, y = blobs()
    evaluate, seen = _scripted([1.0] * 20)
    rule = EarlyStopping(evaluate, every=10, patience=1, min_steps=80)
    _, history = fit(x, y, steps=500, early_stopping=rule)
    assert history[-1]["step"] == 80


def test_fixed_steps_run_exactly_that_many():
    from ganaug import GanAugmenter

    x, y = blobs()
    aug = GanAugmenter(steps=37, random_state=0).fit(x.numpy(), y.numpy())
    assert aug.n_steps_ == 37 and aug.history_[-1]["step"] == 37
    assert "quality" not in aug.history_[-1]


def test_auto_steps_record_quality_and_improve_it():
    from ganaug import GanAugmenter

    x, y = blobs(counts=(60, 60))
    aug = GanAugmenter(random_state=0, width=32).fit(x.numpy(), y.numpy())
    scores = [h["quality"] for h in aug.history_ if "quality" in h]
    assert len(scores) >= 3 and min(scores) < 0.5 * scores[0]
    assert aug.n_steps_ <= 2000


@pytest.mark.parametrize(
    ("model", "shape", "lr", "every"),
    [("mlp", (40, 6), 4e-4, 100), ("conv", (40, 16, 16), 2e-4, 200)],
)
def test_auto_learning_rate_and_schedule_follow_the_model(
    monkeypatch, model, shape, lr, every
):
    from ganaug import GanAugmenter, augmenter

    seen = {}

    def spy(*args, **kwargs):
        seen["config"], seen["rule"] = args[5], args[7]
        raise StopIteration  # the test needs the arguments, not a fit

    monkeypatch.setattr(augmenter, "train", spy)
    x = torch.rand(*shape).numpy()
    y = [0, 1] * (shape[0] // 2)
    with pytest.raises(StopIteration):
        GanAugmenter(model=model, random_state=0).fit(x, y)
    assert seen["config"].lr_g == seen["config"].lr_d == lr
    assert seen["rule"].every == every
    with pytest.raises(StopIteration):
        GanAugmenter(model=model, lr_g=1e-3, lr_d=5e-4).fit(x, y)
    assert (seen["config"].lr_g, seen["config"].lr_d) == (1e-3, 5e-4)
