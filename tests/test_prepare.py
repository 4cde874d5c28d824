import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from ganaug import labels, prepare, validation


@pytest.mark.parametrize(
    "shape, layout",
    [
        ((5, 3), "tabular"),
        ((5, 8, 8), "hw"),
        ((5, 8, 8, 3), "hwc"),
        ((5, 3, 8, 8), "chw"),
        ((5, 16, 12, 1), "hwc"),
        ((5, 1, 16, 12), "chw"),
    ],
)
def test_detect_layout(shape, layout):
    assert validation.check_X(np.zeros(shape))[1] == layout


def test_ambiguous_layout_asks_for_layout_argument():
    with pytest.raises(ValueError, match="layout='hwc'"):
        validation.check_X(np.zeros((4, 3, 3, 3)))
    # and the explicit argument resolves it only when the image is big enough
    with pytest.raises(ValueError, match="at least 8x8"):
        validation.check_X(np.zeros((4, 3, 3, 3)), layout="hwc")


@pytest.mark.parametrize(
    "X, exc, words",
    [
        (np.array([[1.0, np.nan]]), ValueError, "NaN"),
        (np.array([[1.0, np.inf]]), ValueError, "infinite"),
        (np.zeros((0, 3)), ValueError, "empty"),
        (np.zeros(5), ValueError, "1 dimension"),
        (np.zeros((2, 8, 8, 1, 1)), ValueError, "5 dimension"),
        (np.array([["a", "b"]]), TypeError, "dtype <U1"),
        (np.array([[object(), 1]], dtype=object), TypeError, "dtype object"),
        (sp.csr_matrix(np.eye(3)), TypeError, "sparse"),
        (np.zeros((3, 4, 4)), ValueError, "at least 8x8"),
        (np.zeros((3, 8, 8, 2)), ValueError, "ambiguous|1 or 3 channels"),
    ],
)
def test_bad_X_gets_a_clear_error(X, exc, words):
    with pytest.raises(exc, match=words) as info:
        validation.check_X(X)
    assert "X" in str(info.value)


def test_scaling_round_trip_float_table():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4)) * [1, 10, 100, 0] + [0, 5, -3, 7]
    arr, layout = validation.check_X(X)
    spec = prepare.fit_spec(X, arr, layout, np.zeros(50))
    z = prepare.to_model_space(arr, spec)
    assert z.min() >= -1 and z.max() <= 1 and z.dtype == np.float32
    back = prepare.from_model_space(z, spec)
    np.testing.assert_allclose(back, X, rtol=1e-4, atol=1e-3)
    # the constant column comes back as its constant
    np.testing.assert_allclose(back[:, 3], 7.0)


@pytest.mark.parametrize("shape", [(6, 10, 9), (6, 10, 9, 3), (6, 3, 10, 9)])
def test_scaling_round_trip_uint8_images(shape):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=shape, dtype=np.uint8)
    arr, layout = validation.check_X(X)
    spec = prepare.fit_spec(X, arr, layout, np.zeros(6))
    z = prepare.to_model_space(arr, spec)
    assert z.shape[1:] == spec.model_shape and z.shape[1] in (1, 3)
    back = prepare.from_model_space(z, spec)
    assert back.dtype == np.uint8 and back.shape == shape
    np.testing.assert_array_equal(back, X)


def test_from_model_space_clips_to_the_fitted_range():
    X = np.array([[0.0, 1.0], [2.0, 3.0]])
    arr, layout = validation.check_X(X)
    spec = prepare.fit_spec(X, arr, layout, np.zeros(2))
    out = prepare.from_model_space(np.array([[5.0, -5.0]], dtype=np.float32), spec)
    np.testing.assert_allclose(out, [[2.0, 1.0]])


def test_containers_are_recorded_and_rebuilt():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    y = pd.Series([0, 1], name="target")
    arr, layout = validation.check_X(df)
    spec = prepare.fit_spec(df, arr, layout, y)
    out = prepare.wrap_X(prepare.features(arr, spec), spec)
    assert list(out.columns) == ["a", "b"]
    assert prepare.wrap_y(np.array([1, 0]), spec).name == "target"
    t = torch.zeros(3, 8, 8)
    arr, layout = validation.check_X(t)
    spec = prepare.fit_spec(t, arr, layout, torch.zeros(3))
    assert isinstance(prepare.wrap_X(prepare.features(arr, spec), spec), torch.Tensor)


def test_check_X_does_not_modify_input():
    X = np.arange(12, dtype=np.float64).reshape(4, 3)
    before = X.copy()
    arr, layout = validation.check_X(X)
    spec = prepare.fit_spec(X, arr, layout, np.zeros(4))
    prepare.to_model_space(arr, spec)
    np.testing.assert_array_equal(X, before)


def test_check_y_errors():
    with pytest.raises(ValueError, match="different lengths.*3 samples.*2 labels"):
        labels.check_y([0, 1], 3)
    with pytest.raises(ValueError, match="1-D"):
        labels.check_y(np.zeros((3, 2)), 3)
    with pytest.raises(ValueError, match="None"):
        labels.check_y(["a", None, "b"], 3)


def test_encode_labels_keeps_any_hashable_labels():
    classes, codes = labels.encode_labels(np.array(["cat", "dog", "cat"]))
    assert list(classes) == ["cat", "dog"] and list(codes) == [0, 1, 0]
    mixed = np.empty(3, dtype=object)
    mixed[:] = [1, "a", 1]
    classes, codes = labels.encode_labels(mixed)
    assert list(classes) == [1, "a"] and list(codes) == [0, 1, 0]
    with pytest.raises(ValueError, match="'zebra'.*not seen in fit"):
        labels.lookup_labels(classes, ["zebra"])


@pytest.mark.parametrize("n", [0, -1, 2.5, "3", True, None])
def test_check_n(n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        validation.check_n(n)
