import dataclasses

import pytest
import torch

from ganaug import losses


def test_hinge_values():
    real, fake = torch.tensor([2.0, 0.0]), torch.tensor([-2.0, 0.5])
    # relu(1-2)=0, relu(1-0)=1 -> 0.5 ; relu(1-2)=0, relu(1+0.5)=1.5 -> 0.75
    assert losses.hinge_d(real, fake).item() == pytest.approx(1.25)
    assert losses.hinge_g(fake).item() == pytest.approx(0.75)


def test_bce_is_log_loss():
    real, fake = torch.tensor([0.0]), torch.tensor([0.0])
    assert losses.bce_d(real, fake).item() == pytest.approx(2 * 0.6931472, rel=1e-5)
    assert losses.bce_g(torch.tensor([100.0])).item() == pytest.approx(0.0, abs=1e-6)


def test_lsgan_and_wasserstein():
    real, fake = torch.tensor([1.0]), torch.tensor([0.0])
    assert losses.lsgan_d(real, fake).item() == 0.0
    assert losses.lsgan_g(fake).item() == pytest.approx(0.5)
    assert losses.wasserstein_d(torch.tensor([3.0]), torch.tensor([1.0])).item() == -2.0


def test_get_loss_rejects_unknown_names():
    assert set(losses.LOSSES) == {"hinge", "bce", "lsgan", "wgan-gp"}
    with pytest.raises(ValueError, match="loss must be one of"):
        losses.get_loss("wgan")


def test_gradient_penalty_zero_for_unit_slope_and_positive_otherwise():
    def disc_unit(x, y):  # |grad| == 1 everywhere
        return x[:, 0]

    def disc_steep(x, y):  # |grad| == 3
        return 3 * x[:, 0]

    real, fake = torch.randn(8, 4), torch.randn(8, 4)
    y = torch.zeros(8, dtype=torch.long)
    g = torch.Generator().manual_seed(0)
    assert losses.gradient_penalty(disc_unit, real, fake, y, g).item() == pytest.approx(
        0.0, abs=1e-6
    )
    assert losses.gradient_penalty(
        disc_steep, real, fake, y, g
    ).item() == pytest.approx(4.0)


def test_r1_and_lecam():
    x = torch.randn(5, 3, requires_grad=True)
    out = (2 * x).sum(dim=1)
    assert losses.r1_penalty(out, x).item() == pytest.approx(0.5 * 12)
    pen = losses.lecam_penalty(torch.tensor([1.0]), torch.tensor([-1.0]), 0.0, 0.0)
    assert pen.item() == pytest.approx(2.0)


def test_get_loss_returns_a_frozen_loss_object():
    for name in losses.LOSSES:
        loss = losses.get_loss(name)
        assert isinstance(loss, losses.Loss) and loss.name == name
        assert loss.gradient_penalty == (name == "wgan-gp")
    hinge = losses.get_loss("hinge")
    assert (hinge.d_loss, hinge.g_loss) == (losses.hinge_d, losses.hinge_g)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hinge.name = "bce"


def test_lecam_accepts_device_tensor_emas():
    real, fake = torch.tensor([1.0, 2.0]), torch.tensor([-1.0, 0.0])
    as_floats = losses.lecam_penalty(real, fake, 0.5, 0.25)
    as_tensors = losses.lecam_penalty(real, fake, torch.tensor(0.5), torch.tensor(0.25))
    # relu(real - 0.25)^2 -> (0.5625 + 3.0625) / 2 ; relu(0.5 - fake)^2 -> 1.25
    assert as_floats.item() == pytest.approx(1.8125 + 1.25)
    assert as_tensors.item() == pytest.approx(as_floats.item())
