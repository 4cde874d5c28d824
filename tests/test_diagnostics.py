"""check_samples flags saturated or collapsed samples, and only those."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_training import make_config

from ganaug import prepare, validation
from ganaug.diagnostics import CollapseWarning, check_samples
from ganaug.losses import get_loss
from ganaug.models import build_models
from ganaug.training import train


@pytest.fixture(scope="module")
def digits_model_space(digits):
    """Digits scaled as the estimator scales them: a 0 background becomes -1."""
    X, y = digits
    arr, layout = validation.check_X(X)
    spec = prepare.fit_spec(X, arr, layout, y)
    return prepare.to_model_space(arr, spec), y


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    codes = np.repeat([0, 1, 2], 60)
    x = np.array([[-0.5, 0.0], [0.0, 0.5], [0.5, 0.0]])[codes]
    return np.clip(x + 0.15 * rng.standard_normal(x.shape), -1, 1), codes


def test_real_like_samples_raise_nothing(blobs):
    x, codes = blobs
    assert check_samples(x[1::2], codes[1::2], x[::2], codes[::2]) == []


def test_exact_minus_one_background_is_not_piling(digits_model_space):
    x, y = digits_model_space
    assert (x == -1.0).mean() > 0.4  # most pixels are background
    real, fake = x[::2], x[1::2]
    assert check_samples(fake, y[1::2], real, y[::2]) == []
    # nor when a healthy tanh output lands just short of the background value
    soft = np.where(fake == -1.0, -0.9995, fake)
    assert check_samples(soft, y[1::2], real, y[::2]) == []


def test_samples_at_the_bounds_are_flagged(blobs):
    x, codes = blobs
    rng = np.random.default_rng(1)
    fake = rng.choice([-1.0, 1.0], size=x.shape)  # spread, but all at +-1
    problems = check_samples(fake, codes, x, codes)
    assert len(problems) == 1
    assert "pile at the bounds" in problems[0] and "0, 1, 2" in problems[0]
    assert "100%" in problems[0] and "lr_g" in problems[0]


def test_bounds_are_flagged_even_where_real_data_touches_them(digits_model_space):
    x, y = digits_model_space
    fake = np.where(x[1::2] > -1.0, 1.0, -1.0)  # every pixel saturated
    problems = check_samples(fake, y[1::2], x[::2], y[::2])
    assert any("pile at the bounds" in p for p in problems)


def test_one_prototype_per_class_is_flagged(blobs):
    x, codes = blobs
    rng = np.random.default_rng(2)
    means = np.stack([x[codes == c].mean(0) for c in range(3)])
    fake = means[codes] + 1e-3 * rng.standard_normal(x.shape)
    problems = check_samples(fake, codes, x, codes, class_names=["a", "b", "c"])
    assert len(problems) == 1
    assert "barely vary" in problems[0] and "a, b, c" in problems[0]


def test_only_the_collapsed_class_is_named(blobs):
    x, codes = blobs
    fake = x.copy()
    fake[codes == 1] = x[codes == 1].mean(0)
    (problem,) = check_samples(fake, codes, x, codes, class_names=["a", "b", "c"])
    assert "within class(es) b:" in problem


def test_a_class_with_one_real_row_is_not_judged_on_spread(blobs):
    x, codes = blobs
    real_codes = codes.copy()
    real_codes[np.flatnonzero(codes == 2)[1:]] = 0  # class 2 has one real row
    fake = x.copy()
    fake[codes == 2] = x[codes == 2][0]
    assert check_samples(fake, codes, x, real_codes) == []


def test_non_finite_samples_and_images(digits_model_space):
    x, y = digits_model_space
    images = x.reshape(-1, 1, 8, 8)
    fake = images[1::2].copy()
    fake[:10] = np.nan
    (problem,) = check_samples(fake, y[1::2], images[::2], y[::2])
    assert "NaN or infinite" in problem


def test_bad_shapes_are_named(blobs):
    x, codes = blobs
    with pytest.raises(ValueError, match="fake has 3 values per sample"):
        check_samples(np.zeros((4, 3)), codes[:4], x, codes)
    with pytest.raises(ValueError, match="fake_codes has 3 entries for 4"):
        check_samples(x[:4], codes[:3], x, codes)


def test_collapse_warning_is_a_user_warning():
    assert issubclass(CollapseWarning, UserWarning)


@pytest.mark.parametrize("loss", ["hinge", "wgan-gp"])
def test_learning_rate_10_saturates_and_is_flagged(loss):
    """lr_g = lr_d = 10 gives no NaN (Adam's steps stay bounded and the nets
    are normalised): every sample ends at the bounds with no spread.  The loop
    does not raise; check_samples flags both problems."""
    g = torch.Generator().manual_seed(0)
    codes = torch.arange(2).repeat_interleave(40)
    x = (
        torch.tensor([[-0.5, -0.5], [0.5, 0.5]])[codes]
        + 0.15 * torch.randn(80, 2, generator=g)
    ).clamp(-1, 1)
    gen, disc = build_models((2,), 2, noise_dim=16, width=32, generator=g)
    config = make_config(loss=get_loss(loss), lr_g=10.0, lr_d=10.0)
    ema, history = train(gen, disc, x, codes, 2, config, g)
    assert np.isfinite([h["g_loss"] for h in history]).all()
    fake_codes = torch.arange(2).repeat_interleave(100)
    with torch.no_grad():
        fake = ema(torch.randn(200, 16, generator=g), fake_codes).numpy()
    problems = check_samples(fake, fake_codes.numpy(), x.numpy(), codes.numpy())
    assert len(problems) == 2
    assert "pile at the bounds" in problems[0] and "barely vary" in problems[1]
