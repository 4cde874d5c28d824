import numpy as np
import pandas as pd
import pytest
import torch

from ganaug import GanAugmenter
from ganaug.serialization import FORMAT_VERSION


def test_load_samples_exactly_what_the_saved_model_did(fitted, tmp_path):
    path = tmp_path / "digits.ganaug"
    fitted.save(path)
    loaded = GanAugmenter.load(path)
    a, ya = fitted.sample(25, random_state=7)
    b, yb = loaded.sample(25, random_state=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert loaded.get_params()["steps"] == fitted.steps
    np.testing.assert_array_equal(loaded.classes_, fitted.classes_)
    assert loaded.history_ == fitted.history_


def test_load_continues_the_saved_sampling_stream(small_digits, tmp_path):
    X, y = small_digits
    aug = GanAugmenter(steps=5, random_state=0).fit(X, y)
    aug.save(tmp_path / "m.ganaug")
    expected, _ = aug.sample(10)
    got, _ = GanAugmenter.load(tmp_path / "m.ganaug").sample(10)
    np.testing.assert_array_equal(expected, got)


def test_file_is_readable_without_executing_code(fitted, tmp_path):
    path = tmp_path / "m.ganaug"
    fitted.save(path)
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:  # tensors + JSON, no pickle
        meta = f.metadata()
        names = list(f.keys())
    assert meta["format"] == str(FORMAT_VERSION) and meta["library"] == "ganaug"
    assert any(n.startswith("generator.") for n in names)


def test_images_strings_and_pandas_survive_a_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(12, 8, 8, 3), dtype=np.uint8)
    y = np.array(["cat", "dog", "emu"] * 4)
    aug = GanAugmenter(steps=2, random_state=0).fit(X, y)
    aug.save(tmp_path / "img.ganaug")
    loaded = GanAugmenter.load(tmp_path / "img.ganaug")
    a, ya = loaded.sample(3, y="emu", random_state=0)
    b, _ = aug.sample(3, y="emu", random_state=0)
    assert a.dtype == np.uint8 and a.shape == (3, 8, 8, 3) and list(ya) == ["emu"] * 3
    np.testing.assert_array_equal(a, b)

    df = pd.DataFrame(rng.normal(size=(10, 3)), columns=["a", "b", "c"])
    aug = GanAugmenter(steps=2, random_state=0).fit(df, pd.Series([0, 1] * 5, name="t"))
    aug.save(tmp_path / "df.ganaug")
    X_new, y_new = GanAugmenter.load(tmp_path / "df.ganaug").sample(4)
    assert list(X_new.columns) == ["a", "b", "c"] and y_new.name == "t"


def test_bad_files_get_clear_errors(tmp_path, fitted):
    junk = tmp_path / "junk.ganaug"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a ganaug model file"):
        GanAugmenter.load(junk)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(ValueError, match="written by GanAugmenter.save"):
        GanAugmenter.load(other)
    from safetensors import safe_open
    from safetensors.torch import save_file

    fitted.save(tmp_path / "m.ganaug")
    with safe_open(str(tmp_path / "m.ganaug"), framework="pt") as f:
        meta = dict(f.metadata())
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    meta["format"] = str(FORMAT_VERSION + 1)
    save_file(tensors, str(tmp_path / "future.ganaug"), metadata=meta)
    with pytest.raises(ValueError, match="format"):
        GanAugmenter.load(tmp_path / "future.ganaug")
    with pytest.raises(FileNotFoundError):
        GanAugmenter.load(tmp_path / "missing.ganaug")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GanAugmenter().save(tmp_path / "x.ganaug")


def test_filter_and_conv_model_survive_a_round_trip(small_digits, tmp_path):
    X, y = small_digits
    aug = GanAugmenter(steps=3, filter_k=3, random_state=0).fit(X, y)
    aug.save(tmp_path / "f.ganaug")
    a, _ = aug.sample(12, random_state=2)
    b, _ = GanAugmenter.load(tmp_path / "f.ganaug").sample(12, random_state=2)
    np.testing.assert_array_equal(a, b)
    conv = GanAugmenter(steps=2, model="conv", random_state=0).fit(
        X[:40].reshape(-1, 8, 8), y[:40]
    )
    conv.save(tmp_path / "c.ganaug")
    loaded = GanAugmenter.load(tmp_path / "c.ganaug")
    assert loaded.model_ == "conv"
    np.testing.assert_array_equal(
        conv.sample(4, random_state=1)[0], loaded.sample(4, random_state=1)[0]
    )
