import pytest
import torch

from ganaug.models import build_models
from ganaug.models.layers import SpectralNorm


@pytest.mark.parametrize(
    "shape", [(64,), (1, 8, 8), (3, 8, 8), (1, 28, 28), (3, 32, 32), (1, 12, 20)]
)
def test_generator_and_discriminator_shapes(shape):
    g = torch.Generator().manual_seed(0)
    gen, disc = build_models(shape, 4, noise_dim=16, width=16, generator=g)
    y = torch.tensor([0, 1, 2, 3])
    x = gen(torch.randn(4, 16, generator=g), y)
    assert x.shape == (4, *shape)
    assert x.abs().max() <= 1.0
    assert disc(x, y).shape == (4,)


def test_spectral_norm_makes_largest_singular_value_one():
    g = torch.Generator().manual_seed(0)
    _, disc = build_models((32,), 3, noise_dim=8, width=64, generator=g)
    disc.train()
    layer = disc.body[0]
    for _ in range(30):  # power iteration converges over forward passes
        layer(torch.zeros(1, 32))
    sigma = torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item()
    assert sigma == pytest.approx(1.0, rel=0.02)
    assert any(isinstance(m, SpectralNorm) for m in disc.modules())


def test_build_models_is_seeded_and_leaves_global_rng_alone():
    state = torch.random.get_rng_state()
    a = build_models(
        (10,), 2, noise_dim=4, width=8, generator=torch.Generator().manual_seed(3)
    )
    b = build_models(
        (10,), 2, noise_dim=4, width=8, generator=torch.Generator().manual_seed(3)
    )
    assert torch.equal(torch.random.get_rng_state(), state)
    for pa, pb in zip(
        a[0].state_dict().values(), b[0].state_dict().values(), strict=True
    ):
        assert torch.equal(pa, pb)
    for pa, pb in zip(
        a[1].state_dict().values(), b[1].state_dict().values(), strict=True
    ):
        assert torch.equal(pa, pb)
