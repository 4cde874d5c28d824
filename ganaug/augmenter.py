"""``GanAugmenter``: the scikit-learn / imbalanced-learn face of the model."""

from __future__ import annotations

from collections.abc import Hashable
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from imblearn.utils import check_sampling_strategy
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from . import prepare
from .diffaug import parse_policy
from .filtering import ConfidenceFilter
from .losses import LOSSES, get_loss
from .models import build_models
from .training import TrainConfig, default_steps, train

_SAMPLE_BATCH = 16384


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA, then MPS, then CPU; anything else is checked."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device must be 'auto' or a torch device such as 'cpu' or 'cuda:0'; "
            f"got {device!r}."
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was asked for, but CUDA is not available.")
    return dev


class GanAugmenter(BaseEstimator):
    """Conditional GAN that learns every class of a labelled data set.

    One generator and one discriminator are shared by all classes, so rare
    classes borrow strength from common ones.  Vectors get an MLP pair,
    images a convolutional pair; the discriminator uses projection
    conditioning with spectral norm and the samples come from an exponential
    moving average of the generator's weights.

    Parameters
    ----------
    steps : int or "auto", default="auto"
        Generator updates.  ``"auto"`` grows with the data set:
        ``min(4000, max(2000, 1000 + 2.5 * n_samples))``.
    batch_size : int, default=64
        Rows per discriminator and generator batch.
    loss : {"hinge", "bce", "lsgan", "wgan-gp"}, default="hinge"
        Adversarial loss (``"bce"`` is the non-saturating form).
    noise_dim : int, default=64
        Size of the generator's noise vector.
    width : int or None, default=None
        Hidden width of the MLPs (default 256) or base channel count of the
        conv nets (default 32).
    lr_g, lr_d : float, default=2e-4
        Adam learning rates of the generator and the discriminator.
    n_critic : int, default=1
        Discriminator steps per generator step.
    ema_decay : float, default=0.999
        Decay of the moving average of generator weights used for sampling.
    diffaugment : str, None or "auto", default="auto"
        DiffAugment policy, a comma-separated subset of
        ``"color,translation,cutout"``, applied to real and fake images
        before the discriminator.  ``"auto"`` is ``"translation,cutout"`` for
        images and nothing for vectors; ``None`` or ``""`` turns it off.
    r1 : float, default=0.0
        Weight of the R1 gradient penalty on real data (0 turns it off).
    lecam : float, default=0.0
        Weight of the LeCam regulariser (0 turns it off).
    diversity : float, default=0.1
        Weight of the mode-seeking regulariser (Mao et al. 2019), which
        rewards different samples for different noise within a class.  0
        turns it off; without it samples collapse towards a few prototypes
        per class (k-NN recall 0.03 vs 0.81 on imbalanced digits).
    class_balanced : bool, default=True
        Draw training batches uniformly over classes rather than rows.
    model : {"auto", "mlp", "conv"}, default="auto"
        Network pair.  ``"auto"``: MLPs for tables and for small images
        (at most 256 values, e.g. 8x8 or 16x16 grayscale), where they beat
        the conv pair on digits at a quarter of the time; conv nets for
        larger images.
    filter_k : int, default=1
        Best-of-k quality filter: for every requested sample, generate
        ``filter_k`` candidates of the requested class and keep the one a
        logistic regression trained on the real data finds most confidently
        of that class.  ``1`` turns it off.
    round_integers : bool, default=True
        Float features (or image channels) whose training values are all
        whole numbers (pixel intensities, counts, flags, codes) get
        whole-number samples.  Without it, values such as an exact 0
        background come back as 0.02, and tree models learn to tell synthetic
        rows from real ones by it (random forest on imbalanced digits: 80.3
        without, 92.4 with).
    sampling_strategy : float, str, dict or callable, default="auto"
        What :meth:`fit_resample` generates, with imbalanced-learn's meaning
        for over-samplers (``"auto"``, ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"``, a float ratio for two classes, a dict
        ``{label: n_samples_after}`` or a callable).
    layout : {"auto", "tabular", "hw", "hwc", "chw"}, default="auto"
        How to read ``X``; ``"auto"`` decides from the number of dimensions
        and, for 4-D data, from which axis has 1 or 3 channels.
    device : str, default="auto"
        ``"auto"`` picks CUDA, then MPS, then CPU.
    amp : bool, default=True
        bfloat16 autocast on CUDA (ignored elsewhere).
    verbose : int, default=0
        ``1`` shows a progress bar with the losses.
    random_state : int, numpy RandomState or None, default=None
        Seeds weights, batches and noise; on CPU the same seed gives the same
        model and samples.  The global RNGs are never touched.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in :meth:`fit`.
    class_counts_ : ndarray of shape (n_classes,)
        Training rows per class.
    n_features_in_ : int
        Values per sample (pixels times channels for images).
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a pandas DataFrame.
    generator_ : torch.nn.Module
        The EMA generator used for sampling.
    history_ : list of dict
        Mean discriminator and generator loss for each epoch of ``n /
        batch_size`` steps.
    sampling_strategy_ : dict
        Rows :meth:`fit_resample` generated per class.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from ganaug import GanAugmenter
    >>> X, y = load_digits(return_X_y=True)
    >>> aug = GanAugmenter(steps=20, random_state=0).fit(X, y)
    >>> X_new, y_new = aug.sample(30)
    >>> X_new.shape, sorted(set(y_new.tolist())) == list(range(10))
    ((30, 64), True)
    >>> X_res, y_res = aug.fit_resample(X[:300], y[:300])
    >>> X_res.shape[0] > 300
    True
    """

    def __init__(
        self,
        *,
        steps: int | str = "auto",
        batch_size: int = 64,
        loss: str = "hinge",
        noise_dim: int = 64,
        width: int | None = None,
        lr_g: float = 2e-4,
        lr_d: float = 2e-4,
        n_critic: int = 1,
        ema_decay: float = 0.999,
        diffaugment: str | None = "auto",
        r1: float = 0.0,
        lecam: float = 0.0,
        diversity: float = 0.1,
        class_balanced: bool = True,
        model: str = "auto",
        filter_k: int = 1,
        round_integers: bool = True,
        sampling_strategy: Any = "auto",
        layout: str = "auto",
        device: str = "auto",
        amp: bool = True,
        verbose: int = 0,
        random_state: Any = None,
    ) -> None:
        self.steps = steps
        self.batch_size = batch_size
        self.loss = loss
        self.noise_dim = noise_dim
        self.width = width
        self.lr_g = lr_g
        self.lr_d = lr_d
        self.n_critic = n_critic
        self.ema_decay = ema_decay
        self.diffaugment = diffaugment
        self.r1 = r1
        self.lecam = lecam
        self.diversity = diversity
        self.class_balanced = class_balanced
        self.model = model
        self.filter_k = filter_k
        self.round_integers = round_integers
        self.sampling_strategy = sampling_strategy
        self.layout = layout
        self.device = device
        self.amp = amp
        self.verbose = verbose
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any) -> GanAugmenter:
        """Train the conditional GAN on ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n, d), (n, h, w), (n, h, w, c) or (n, c, h, w)
            numpy array, torch tensor or pandas DataFrame; float or integer.
        y : array-like of shape (n,)
            Labels of any hashable type.

        Returns
        -------
        self : GanAugmenter
        """
        self._validate_params()
        arr, layout = prepare.check_X(X, layout=self.layout)
        y_arr = prepare.check_y(y, arr.shape[0])
        self.classes_, codes = prepare.encode_labels(y_arr)
        self.class_counts_ = np.bincount(codes, minlength=len(self.classes_))
        self.spec_ = prepare.fit_spec(X, arr, layout, y)
        self.n_features_in_ = int(np.prod(arr.shape[1:]))
        if self.spec_.columns is not None:
            self.feature_names_in_ = np.asarray([str(c) for c in self.spec_.columns])
        self.device_ = resolve_device(self.device)
        self.seed_ = _resolve_seed(self.random_state)

        init_gen = torch.Generator().manual_seed(self.seed_)
        self.model_ = self._model_kind()
        gen, disc = build_models(
            self._net_shape(),
            len(self.classes_),
            noise_dim=self.noise_dim,
            width=self.width,
            generator=init_gen,
        )
        x_np = prepare.to_model_space(arr, self.spec_)
        if self.filter_k > 1:
            self.filter_ = ConfidenceFilter().fit(x_np, codes)
        x_t = torch.from_numpy(x_np.reshape((len(x_np), *self._net_shape())))
        x_t = x_t.to(self.device_)
        y_t = torch.from_numpy(codes).to(self.device_)
        steps = default_steps(len(arr)) if self.steps == "auto" else self.steps
        config = TrainConfig(
            steps=int(steps),
            batch_size=self.batch_size,
            loss=get_loss(self.loss),
            loss_name=self.loss,
            lr_g=self.lr_g,
            lr_d=self.lr_d,
            n_critic=self.n_critic,
            ema_decay=self.ema_decay,
            diffaugment=self._policy(),
            r1_weight=self.r1,
            lecam_weight=self.lecam,
            diversity_weight=self.diversity,
            class_balanced=self.class_balanced,
            amp=self.amp,
            verbose=self.verbose,
        )
        train_gen = torch.Generator(self.device_).manual_seed(self.seed_ + 1)
        self.generator_, self.history_ = train(
            gen.to(self.device_),
            disc.to(self.device_),
            x_t,
            y_t,
            len(self.classes_),
            config,
            train_gen,
        )
        self.n_steps_ = config.steps
        self._sample_rng = torch.Generator().manual_seed(self.seed_ + 2)
        return self

    def fit_dataset(
        self, dataset: Any, *, max_samples: int | None = None
    ) -> GanAugmenter:
        """Fit from a map-style torch dataset of ``(sample, target)`` pairs.

        PIL images become uint8 arrays ``(n, h, w[, c])``, tensors are stacked
        as they come, so that :class:`~ganaug.torch.AugmentedDataset` can hand
        back synthetic items of the same form.  Give the dataset without
        random transforms.  A torchvision dataset with ``data``/``targets``
        and no transform is read without decoding each item.

        Parameters
        ----------
        dataset : Dataset
            e.g. ``torchvision.datasets.MNIST(root)``, an ``ImageFolder``
            (resized to one size), a ``TensorDataset``.
        max_samples : int, optional
            Use only the first ``max_samples`` items.
        """
        from .torch.items import dataset_to_arrays

        X, y = dataset_to_arrays(dataset, max_samples)
        return self.fit(X, y)

    def _model_kind(self) -> str:
        if self.model not in ("auto", "mlp", "conv"):
            raise ValueError(
                f"model must be 'auto', 'mlp' or 'conv'; got {self.model!r}."
            )
        if self.model == "conv" and not self.spec_.is_image:
            raise ValueError("model='conv' needs images, but X was read as a table.")
        if self.model != "auto":
            return self.model
        small = int(np.prod(self.spec_.model_shape)) <= 256
        return "conv" if self.spec_.is_image and not small else "mlp"

    def _net_shape(self) -> tuple[int, ...]:
        """``(d,)`` for the MLP pair (images are flattened), else ``(c, h, w)``."""
        shape = tuple(self.spec_.model_shape)
        return shape if self.model_ == "conv" else (int(np.prod(shape)),)

    def _policy(self) -> tuple[str, ...]:
        if self.diffaugment == "auto":
            return ("translation", "cutout") if self.model_ == "conv" else ()
        policy = parse_policy(self.diffaugment)
        if policy and self.model_ != "conv":
            raise ValueError(
                f"diffaugment={self.diffaugment!r} applies to images seen by the "
                "conv model, but this model is an MLP; use diffaugment=None or "
                "model='conv'."
            )
        return policy

    def _validate_params(self) -> None:
        if not (self.steps == "auto" or _is_pos_int(self.steps)):
            raise ValueError(
                f"steps must be 'auto' or a positive integer; got {self.steps!r}."
            )
        for name in ("batch_size", "noise_dim", "n_critic", "filter_k"):
            if not _is_pos_int(getattr(self, name)):
                raise ValueError(
                    f"{name} must be a positive integer; got {getattr(self, name)!r}."
                )
        if self.width is not None and not _is_pos_int(self.width):
            raise ValueError(
                f"width must be None or a positive integer; got {self.width!r}."
            )
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {self.loss!r}.")
        for name in ("lr_g", "lr_d"):
            v = getattr(self, name)
            if not isinstance(v, Real) or not v > 0:
                raise ValueError(f"{name} must be a positive number; got {v!r}.")
        if not isinstance(self.ema_decay, Real) or not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1); got {self.ema_decay!r}.")
        for name in ("r1", "lecam", "diversity"):
            v = getattr(self, name)
            if not isinstance(v, Real) or v < 0:
                raise ValueError(f"{name} must be a number >= 0; got {v!r}.")
        if self.diffaugment not in ("auto", None):
            parse_policy(self.diffaugment)

    # --------------------------------------------------------------- sample
    def sample(
        self,
        n: int | None = None,
        y: Any = None,
        *,
        class_prior: str = "uniform",
        random_state: Any = None,
    ) -> tuple[Any, Any]:
        """Generate labelled samples.

        Parameters
        ----------
        n : int
            Number of samples.  May be left out when ``y`` is a sequence.
        y : label, sequence of labels or None
            ``None``: ``n`` samples spread over classes by ``class_prior``.
            A single label: ``n`` samples of that class.  A sequence: one
            sample of each listed label, in that order.
        class_prior : {"uniform", "fitted"}, default="uniform"
            With ``y=None``: ``"uniform"`` splits ``n`` equally over classes
            (any remainder goes to the first classes); ``"fitted"`` follows the
            class frequencies seen in :meth:`fit`.
        random_state : int or None
            Seed for this call.  ``None`` continues the augmenter's own stream,
            so repeated calls give new samples.

        Returns
        -------
        X_new : samples in the layout, dtype, value range and container of
            the ``X`` given to :meth:`fit`.
        y_new : ndarray of labels (a Series when ``y`` was a Series).
        """
        self._check_fitted()
        codes = self._codes_for(n, y, class_prior)
        rng = self._sample_rng if random_state is None else _torch_rng(random_state)
        x = self._generate(codes, rng)
        return prepare.wrap_X(x, self.spec_), self._labels(codes)

    def _codes_for(self, n: Any, y: Any, class_prior: str) -> np.ndarray:
        if y is not None and not _is_label(y):
            codes = prepare.lookup_labels(self.classes_, _as_label_array(y), name="y")
            if n is not None and prepare.check_n(n) != len(codes):
                raise ValueError(
                    f"n={n!r} does not match the {len(codes)} labels given in y; "
                    "pass n=None or n=len(y)."
                )
            if len(codes) == 0:
                raise ValueError("y is an empty sequence; expected at least one label.")
            return codes
        if n is None:
            raise ValueError("n is required unless y is a sequence of labels.")
        n = prepare.check_n(n)
        if y is not None:
            code = prepare.lookup_labels(self.classes_, [y], name="y")[0]
            return np.full(n, code, dtype=np.int64)
        if class_prior == "uniform":
            weights = np.ones(len(self.classes_))
        elif class_prior == "fitted":
            weights = self.class_counts_.astype(float)
        else:
            raise ValueError(
                f"class_prior must be 'uniform' or 'fitted'; got {class_prior!r}."
            )
        counts = prepare.split_counts(n, weights)
        return np.repeat(np.arange(len(self.classes_)), counts)

    @torch.no_grad()
    def _generate(self, codes: np.ndarray, rng: torch.Generator) -> np.ndarray:
        """Model-space samples for ``codes`` -> caller's layout (numpy)."""
        gen = self.generator_
        k = self.filter_k if hasattr(self, "filter_") else 1
        wanted = np.repeat(codes, k)
        out = []
        for start in range(0, len(wanted), _SAMPLE_BATCH):
            yb = torch.from_numpy(wanted[start : start + _SAMPLE_BATCH])
            z = torch.randn(len(yb), gen.noise_dim, generator=rng)
            out.append(
                gen(z.to(self.device_), yb.to(self.device_)).float().cpu().numpy()
            )
        x = np.concatenate(out)
        if k > 1:
            x = self.filter_.best_of(x, codes, k)
        x = x.reshape((len(x), *self.spec_.model_shape))
        return prepare.from_model_space(x, self.spec_, self.round_integers)

    def _labels(self, codes: np.ndarray) -> Any:
        return prepare.wrap_y(self.classes_[codes], self.spec_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "generator_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with appropriate arguments before using this estimator."
            )

    # -------------------------------------------------------- fit_resample
    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Fit, then return the original rows followed by synthetic ones.

        The number of synthetic rows per class follows ``sampling_strategy``
        exactly as imbalanced-learn's over-samplers do, so the augmenter runs
        inside :class:`imblearn.pipeline.Pipeline`.

        Returns
        -------
        X_resampled, y_resampled : in the containers of ``X`` and ``y``.
        """
        arr, _ = prepare.check_X(X, layout=self.layout)
        y_arr = prepare.check_y(y, arr.shape[0])
        target = check_sampling_strategy(self.sampling_strategy, y_arr, "over-sampling")
        self.fit(X, y)
        self.sampling_strategy_ = {prepare.plain(k): int(v) for k, v in target.items()}
        codes = np.concatenate(
            [
                np.full(
                    int(k),
                    prepare.lookup_labels(self.classes_, [label])[0],
                    dtype=np.int64,
                )
                for label, k in target.items()
            ]
            or [np.empty(0, dtype=np.int64)]
        )
        x_new = self._generate(codes, self._sample_rng) if len(codes) else arr[:0]
        x_all = np.concatenate([arr, x_new.astype(arr.dtype, copy=False)])
        y_all = np.concatenate(
            [y_arr, self.classes_[codes].astype(y_arr.dtype, copy=False)]
        )
        return prepare.wrap_X(x_all, self.spec_), prepare.wrap_y(y_all, self.spec_)

    # ------------------------------------------------------------ save/load
    def save(self, path: Any) -> None:
        """Write weights, parameters and data description to ``path``.

        The file is a ``torch.save`` archive of tensors, numbers and strings
        only, which :meth:`load` reads with ``weights_only=True``: loading
        never executes code from the file.
        """
        from .serialization import save

        self._check_fitted()
        save(self, path)

    @classmethod
    def load(cls, path: Any, *, device: str = "auto") -> GanAugmenter:
        """Read an augmenter written by :meth:`save`."""
        from .serialization import load

        return load(cls, path, device=device)


def _is_pos_int(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool) and v > 0


def _is_label(y: Any) -> bool:
    """A single label (hashable scalar or tuple), not a sequence of labels."""
    if isinstance(y, (str, bytes, np.generic, tuple)):
        return True
    if isinstance(y, (np.ndarray, list)) or hasattr(y, "__array__"):
        return getattr(y, "ndim", 1) == 0
    return isinstance(y, Hashable)


def _as_label_array(y: Any) -> np.ndarray:
    arr = (
        prepare.to_numpy(y, "y")
        if not isinstance(y, list)
        else prepare._list_to_array(y)
    )
    if arr.ndim != 1:
        raise ValueError(
            f"y must be a label or a 1-D sequence of labels; got shape {arr.shape}."
        )
    return arr


def _resolve_seed(random_state: Any) -> int:
    """An int seed from ``random_state`` without touching global RNG state."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] >> 1)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    if _is_pos_int(random_state) or random_state == 0:
        return int(random_state) % (2**31 - 1)
    raise ValueError(
        f"random_state must be None, a non-negative int, a numpy RandomState or "
        f"Generator; got {random_state!r}."
    )


def _torch_rng(random_state: Any) -> torch.Generator:
    return torch.Generator().manual_seed(_resolve_seed(random_state))
