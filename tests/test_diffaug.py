import pytest
import torch

from ganaug import diffaug


def test_translation_shifts_content_and_fills_with_minus_one():
    x = -torch.ones(64, 1, 8, 8)
    x[:, :, 3, 3] = 1.0
    out = diffaug.translation(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    # every image still has its one bright pixel, possibly moved by <= 1 pixel
    assert torch.all(out.flatten(1).eq(1.0).sum(dim=1) == 1)
    pos = out[:, 0].flatten(1).argmax(dim=1)
    rows, cols = pos // 8, pos % 8
    assert (rows - 3).abs().max() <= 1 and (cols - 3).abs().max() <= 1
    assert len(set(pos.tolist())) > 1  # it does move


def test_cutout_blanks_a_square():
    x = torch.ones(16, 3, 16, 16)
    out = diffaug.cutout(x, torch.Generator().manual_seed(0))
    blank = (out == -1).all(dim=1).flatten(1).sum(dim=1)
    assert torch.all(blank > 0) and torch.all(blank <= 8 * 8)
    assert (blank == 64).any()  # a square fully inside the image is exactly 8x8


def test_color_is_differentiable_and_seeded():
    x = torch.rand(4, 3, 8, 8, requires_grad=True)
    a = diffaug.color(x, torch.Generator().manual_seed(1))
    b = diffaug.color(x, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    a.sum().backward()
    assert x.grad is not None


def test_parse_policy():
    assert diffaug.parse_policy("translation, cutout") == ("translation", "cutout")
    assert diffaug.parse_policy(None) == ()
    with pytest.raises(ValueError, match="diffaugment must be"):
        diffaug.parse_policy("translation,flip")


def test_the_mlp_pair_views_flat_image_rows_as_images_for_diffaugment(monkeypatch):
    """Images the MLP pair learns may name a policy: its flat batches reach
    DiffAugment as (n, c, h, w) and go back to the discriminator flat; a
    table refuses one."""
    import numpy as np

    from ganaug import GanAugmenter, training

    seen = []
    real = training.diff_augment

    def spy(x, policy, generator):
        seen.append((tuple(x.shape[1:]), policy))
        return real(x, policy, generator)

    monkeypatch.setattr(training, "diff_augment", spy)
    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, (40, 8, 8, 3), dtype=np.uint8), np.arange(40) % 2
    aug = GanAugmenter(steps=3, diffaugment="translation", random_state=0)
    aug.fit(X, y)
    assert aug.model_ == "mlp"  # 8 x 8 x 3 = 192 values: the MLP pair
    assert seen and all(s == ((3, 8, 8), ("translation",)) for s in seen)
    seen.clear()
    GanAugmenter(steps=3, random_state=0).fit(X[..., 0], y)  # "auto": none
    assert not seen
    with pytest.raises(ValueError, match="applies to images, but X was read as a"):
        GanAugmenter(steps=3, diffaugment="cutout").fit(X.reshape(40, -1), y)
