"""``GanAugmenter``: the scikit-learn / imbalanced-learn face of the model.

The estimator holds no training, scaling or file-format detail: it validates
parameters, hands the data to :mod:`~ganaug.prepare`, the networks to
:mod:`~ganaug.training`, and builds its fitted state in one place
(:meth:`GanAugmenter._set_fitted`), used by :meth:`fit` and :meth:`load`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .columns import Table, read_table
from .diagnostics import CollapseWarning, check_samples, sliced_distance
from .diffaug import parse_policy
from .distributed import Distributed
from .distributed import setup as setup_distributed
from .filtering import ConfidenceFilter, candidates_per_row, max_candidates
from .labels import (
    check_y,
    encode_labels,
    is_label,
    label_array,
    lookup_label,
    lookup_labels,
    sortable,
    split_counts,
)
from .layout import LAYOUTS
from .losses import LOSSES, get_loss
from .mixed import decode as decode_table
from .mixed import fit_spec as fit_table_spec
from .mixed import to_model_space as table_to_model_space
from .models import build_models, net_shape
from .prepare import (
    DataSpec,
    assemble,
    decode_features,
    features,
    fit_spec,
    to_model_space,
    wrap_X,
    wrap_y,
)
from .runtime import (
    derived_seed,
    process_seed,
    resolve_device,
    resolve_seed,
    sampling_noise,
    torch_rng,
)
from .serialization import FittedParts
from .support import TRANSFORMS
from .training import (
    AUTO_LR,
    STOPPING,
    EarlyStopping,
    TrainConfig,
    default_steps,
    train,
)
from .validation import check_n, check_X, check_X_columns, container_of

if TYPE_CHECKING:
    from .streaming import Stream

_SAMPLE_BATCH = 16384
# model="auto": the MLP pair for images of at most this many values (32x32 RGB).
_MLP_MAX_IMAGE_VALUES = 3072
_BIG = float(np.finfo(np.float64).max)  # finite upper bound: refuses inf and NaN


def _positive_int() -> Interval:
    return Interval(Integral, 1, None, closed="left")


def _finite(left: float, closed: str) -> Interval:
    return Interval(Real, left, _BIG, closed=closed)


class GanAugmenter(BaseOverSampler):
    """Conditional GAN that learns every class of a labelled data set.

    One generator and one discriminator are shared by all classes, so rare
    classes borrow strength from common ones.  Vectors get an MLP pair,
    images a convolutional pair; the discriminator uses projection
    conditioning with spectral norm and the samples come from an exponential
    moving average of the generator's weights.

    Parameters
    ----------
    steps : int or "auto", default="auto"
        Generator updates.  An int runs exactly that many.  ``"auto"`` stops
        on quality: the EMA generator is scored by the class-conditional
        sliced Wasserstein distance of its samples to the training rows; the
        best snapshot is kept and training stops on a plateau.  The MLP pair
        is scored every 100 steps and stops once 3 scores in a row fail to
        improve the best by 3% (after at least 400 steps), or at
        ``min(1500, max(1000, 500 + n_samples))`` steps; the conv pair is
        scored every 200 steps and stops after 4 scores without a 1% gain
        (at least 600 steps), or at ``min(4000, max(2000, 1000 + 2.5 *
        n_samples))``.  ``history_`` records the scores (``"quality"``).
    batch_size : int, default=64
        Rows per discriminator and generator batch.
    loss : {"hinge", "bce", "lsgan", "wgan-gp"}, default="hinge"
        Adversarial loss (``"bce"`` is the non-saturating form).
    noise_dim : int, default=64
        Size of the generator's noise vector.
    width : int or None, default=None
        Hidden width of the MLPs (default 256) or base channel count of the
        conv nets (default 32).
    lr_g, lr_d : float or "auto", default="auto"
        Adam learning rates of the generator and the discriminator.
        ``"auto"`` is 4e-4 for the MLP pair (it reaches the quality of 2e-4
        in about half the steps; ``benchmarks/results/schedule/``) and 2e-4
        for the conv pair.
    n_critic : int, default=1
        Discriminator steps per generator step.
    ema_decay : float, default=0.999
        Decay of the moving average of generator weights used for sampling.
    diffaugment : str, None or "auto", default="auto"
        DiffAugment policy, a comma-separated subset of
        ``"color,translation,cutout"``, applied to real and fake images
        before the discriminator.  ``"auto"`` is ``"translation,cutout"`` for
        the conv pair and nothing for the MLP pair; images the MLP pair learns
        (small ones, or ``model="mlp"``) may name a policy, and their flat rows
        are viewed as images for it.  ``None`` or ``""`` turns it off; a
        table refuses a policy.
    r1 : float, default=0.0
        Weight of the R1 gradient penalty on real data (0 turns it off).
    lecam : float, default=0.0
        Weight of the LeCam regulariser (0 turns it off).
    diversity : float, default=0.1
        Weight of the mode-seeking regulariser (Mao et al. 2019), which
        rewards different samples for different noise within a class.  0
        turns it off; without it samples collapse towards a few prototypes
        per class (see the ablation in ``benchmarks/results/``).
    class_balanced : bool, default=True
        Draw training batches uniformly over classes rather than rows.
    model : {"auto", "mlp", "conv"}, default="auto"
        Network pair.  ``"auto"``: MLPs for tables and for images of at
        most 3,072 values (up to 32x32 RGB or 55x55 grayscale); conv nets
        for larger images.  On 28x28 Animal-MNIST the MLP pair scored
        higher than the conv pair, and on its 32x32 RGB version the same,
        at a fifth or less of its CPU time
        (``benchmarks/results/animal-mnist/space/``,
        ``benchmarks/results/animal-mnist-rgb/``); neither beats SMOTE
        there yet.
    filter_k : int or "auto", default="auto"
        Best-of-k quality filter: for a requested sample, generate
        ``filter_k`` candidates of the requested class and keep the one a
        logistic regression trained on the real data (model space) finds
        most confidently of that class.  ``1`` turns it off.  ``"auto"``
        filters (best of 4) the samples of a class asked for at most as many
        samples, in one call, as it has training rows, and leaves a class
        asked for more unfiltered: extra rows for a well-represented class
        stay typical of it (on balanced data one new row per real row then
        costs about 0.1 points instead of 0.4), while a rare class blown up
        keeps the generator's full spread, which the filter would cost it
        (``benchmarks/results/balanced/``).  The rule reads the counts of
        each call (``sample``, ``fit_resample``).
    truncation : float or None, default=None
        Draw the sampling noise from a standard normal truncated to
        ``[-truncation, truncation]`` (the truncation trick of BigGAN): a
        smaller value trades diversity for fidelity.  ``None`` draws from the
        full normal, as in training.  Read at sampling time.
    feature_transform : {"auto", "quantile", "minmax"}, default="auto"
        How a table column is mapped to the model's [-1, 1].  ``"quantile"``:
        by its rank (empirical CDF), so skewed and multi-modal columns become
        uniform and a point mass (a share of exact zeros) comes back exact;
        ``"minmax"``: a straight line from the column's minimum to its
        maximum; ``"auto"``: a straight line for columns with few distinct
        values (see ``snap``), quantiles for the rest.
        All three are invariant to the scaling users apply first
        (``MinMaxScaler``, ``StandardScaler``).  Image channels are always
        scaled linearly.
    categorical_features : array-like or None, default=None
        Which columns are categorical, as imbalanced-learn's ``SMOTENC``
        takes them: column indices, one bool per column, or (DataFrames)
        column names.  ``None`` decides from a DataFrame's dtypes
        (``category``, ``object`` and string columns are categorical, except
        ``object`` columns holding only numbers) and treats the columns of a
        numpy array as numbers.  Each categorical column is a one-hot block
        the generator emits through a straight-through Gumbel-softmax: a
        sample holds one category, one seen in ``fit`` for its class.
    missing : {"keep", "complete"}, default="keep"
        Tables with missing values (NaN, None, ``pd.NA``): ``"keep"``
        generates them at each column's rate in each class (a missingness
        indicator per column is part of the model); ``"complete"`` generates
        complete rows (a value where the class had one, else one seen in the
        column).  Read at sampling time.
    snap : bool, default=True
        Samples land on each feature's support as seen in ``fit``: a feature
        with few distinct values (flags, codes, grades) comes back on that
        set, one whose values lie on a lattice (whole numbers, ``k / 16``,
        pixel intensities ``k / 255``, a standardised count) on the lattice,
        whatever the units.  Without it, an exact 0 background comes back as
        0.02, and tree models learn to tell synthetic rows from real ones by
        it.
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
        ``1`` shows a progress bar with the losses (on rank 0 only in a
        distributed fit).
    log_dir : str, path or None, default=None
        Write TensorBoard logs of the fit there: the losses of every history
        entry (``loss/discriminator``, ``loss/generator``), every quality
        score (``quality``), and the EMA generator's samples at every quality
        evaluation and after the last step (a grid per class for images, a
        histogram per feature for tables).  Needs ``pip install
        tensorboard``.  Only rank 0 writes in a distributed fit.
    distributed : "auto" or bool, default="auto"
        Train one model on several processes or machines with PyTorch
        DistributedDataParallel when the script runs under ``torchrun``.
        ``"auto"``: if ``torch.distributed`` is initialised, its default
        group is used; otherwise, if the environment has ``WORLD_SIZE`` > 1
        (``torchrun`` sets it), the group is initialised from the environment
        with backend ``nccl`` for CUDA and ``gloo`` for the CPU; a world of
        one process is a plain fit.  Every process must call ``fit`` with the
        same data; each draws its own batches (``batch_size`` rows per
        process), gradients are averaged, and every process ends with the
        same model (only rank 0 writes in :meth:`save`).  ``device="auto"``
        means ``cuda:LOCAL_RANK``, else the CPU.  ``False``: every process
        fits on its own.  ``True``: like ``"auto"``, but a fit outside a
        distributed environment is an error.
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
        Column names, when ``X`` was a pandas DataFrame whose column names
        are all strings (scikit-learn's rule).
    generator_ : torch.nn.Module
        The EMA generator used for sampling.
    history_ : list of dict
        Mean discriminator and generator loss for each epoch of ``n /
        batch_size`` steps.
    sampling_strategy_ : dict
        Rows :meth:`fit_resample` generated per class (set by it).
    n_steps_ : int
        Generator updates made.
    model_ : {"mlp", "conv"}
        The network pair used.

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

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "steps": [_positive_int(), StrOptions({"auto"})],
        "batch_size": [_positive_int()],
        "loss": [StrOptions(set(LOSSES))],
        "noise_dim": [_positive_int()],
        "width": [_positive_int(), None],
        "lr_g": [_finite(0.0, "right"), StrOptions({"auto"})],
        "lr_d": [_finite(0.0, "right"), StrOptions({"auto"})],
        "n_critic": [_positive_int()],
        "ema_decay": [Interval(Real, 0.0, 1.0, closed="left")],
        "diffaugment": [StrOptions({"auto"}), str, None],
        "r1": [_finite(0.0, "both")],
        "lecam": [_finite(0.0, "both")],
        "diversity": [_finite(0.0, "both")],
        "class_balanced": ["boolean"],
        "model": [StrOptions({"auto", "mlp", "conv"})],
        "filter_k": [_positive_int(), StrOptions({"auto"})],
        "truncation": [_finite(0.0, "neither"), None],
        "feature_transform": [StrOptions(set(TRANSFORMS))],
        "categorical_features": ["array-like", None],
        "missing": [StrOptions({"keep", "complete"})],
        "snap": ["boolean"],
        "layout": [StrOptions({"auto", *LAYOUTS})],
        "device": [str, torch.device],
        "amp": ["boolean"],
        "verbose": ["verbose"],
        "log_dir": [str, os.PathLike, None],
        "distributed": [StrOptions({"auto"}), "boolean"],
        "random_state": ["random_state", np.random.Generator],
    }

    def __init__(
        self,
        *,
        steps: int | str = "auto",
        batch_size: int = 64,
        loss: str = "hinge",
        noise_dim: int = 64,
        width: int | None = None,
        lr_g: float | str = "auto",
        lr_d: float | str = "auto",
        n_critic: int = 1,
        ema_decay: float = 0.999,
        diffaugment: str | None = "auto",
        r1: float = 0.0,
        lecam: float = 0.0,
        diversity: float = 0.1,
        class_balanced: bool = True,
        model: str = "auto",
        filter_k: int | str = "auto",
        truncation: float | None = None,
        feature_transform: str = "auto",
        categorical_features: Any = None,
        missing: str = "keep",
        snap: bool = True,
        sampling_strategy: Any = "auto",
        layout: str = "auto",
        device: str = "auto",
        amp: bool = True,
        verbose: int = 0,
        log_dir: str | os.PathLike | None = None,
        distributed: bool | str = "auto",
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
        self.truncation = truncation
        self.feature_transform = feature_transform
        self.categorical_features = categorical_features
        self.missing = missing
        self.snap = snap
        self.sampling_strategy = sampling_strategy
        self.layout = layout
        self.device = device
        self.amp = amp
        self.verbose = verbose
        self.log_dir = log_dir
        self.distributed = distributed
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any) -> GanAugmenter:
        """Train the conditional GAN on ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n, d), (n, h, w), (n, h, w, c) or (n, c, h, w)
            numpy array, torch tensor or pandas DataFrame; float or integer.
            Tables (a DataFrame, a 2-D numpy array) may also hold
            categorical columns (strings, ``category``, booleans, see
            ``categorical_features``) and missing values.
        y : array-like of shape (n,)
            Labels of any hashable type.

        Returns
        -------
        self : GanAugmenter
        """
        self._fit(X, y)
        return self

    def _fit(self, X: Any, y: Any) -> tuple[np.ndarray | None, list[np.ndarray] | None]:
        """:meth:`fit`'s work; returns the validated array and DataFrame
        columns (a mixed table's columns, and no array) so that
        :meth:`_fit_resample` does not read ``X`` again."""
        dist = self._start_fit()
        table = read_table(X, self.categorical_features)
        if table is None:
            arr, layout, columns = check_X_columns(X, layout=self.layout)
        else:
            arr, layout, columns = None, "tabular", table.raw
        y_arr = check_y(y, len(columns[0]) if arr is None else arr.shape[0])
        _refuse_continuous(y_arr)
        classes, codes = encode_labels(y_arr)
        if table is None:
            spec = fit_spec(X, arr, layout, y, columns, self.feature_transform)
        else:
            spec = fit_table_spec(
                X, table, y, codes, len(classes), self.feature_transform
            )

        def rows(seed: int) -> np.ndarray:
            return _model_space(arr, table, spec, columns, codes, derived_seed(seed, 1))

        self._fit_model(spec, classes, codes, rows, dist)
        return arr, columns

    def _start_fit(self) -> Distributed | None:
        """Check the parameters and join the distributed group, if any."""
        self._validate_params()
        if self.log_dir is not None:  # on every process, before any collective
            from .monitoring import summary_writer_class

            summary_writer_class()
        return setup_distributed(self.distributed, self.device)

    def _fit_seed(self, dist: Distributed | None) -> int:
        seed = resolve_seed(self.random_state)
        if dist is not None:  # random_state=None: rank 0's fresh seed for all
            seed = int(dist.broadcast([seed])[0])
        return seed

    def _fit_model(
        self,
        spec: DataSpec,
        classes: np.ndarray,
        codes: np.ndarray,
        rows: Callable[[int], np.ndarray],
        dist: Distributed | None,
        *,
        seed: int | None = None,
        stream: Stream | None = None,
    ) -> None:
        """Build the networks, train them and set the fitted state.

        ``rows(seed)`` gives rows in model space, ``codes`` their classes:
        all the training data, or with ``stream`` (a dataset read batch by
        batch, :mod:`ganaug.streaming`) the sample of it that the quality
        filter, early stopping and the collapse check use."""
        model_kind = self._model_kind(spec)
        policy = self._policy(model_kind, spec.is_image)
        device = resolve_device(self.device) if dist is None else dist.device
        if seed is None:
            seed = self._fit_seed(dist)
        shape = net_shape(spec.model_shape, model_kind)
        x_np = rows(seed)
        gen, disc = build_models(
            shape,
            len(classes),
            noise_dim=self.noise_dim,
            width=self.width,
            generator=torch.Generator().manual_seed(seed),
            blocks=spec.mixed.one_hot_blocks() if spec.mixed else None,
        )
        filters = self.filter_k == "auto" or self.filter_k > 1
        filter_state = (
            ConfidenceFilter().fit(x_np, codes, derived_seed(seed, 2)).state
            if filters
            else None
        )
        auto = self.steps == "auto"
        n_rows = len(x_np) if stream is None else stream.n_rows
        steps = default_steps(n_rows, model_kind) if auto else int(self.steps)
        if dist is not None:
            dist.check_same_data(x_np, codes, repr((classes.tolist(), spec)))
        config = self._train_config(steps, policy, model_kind)
        if policy and model_kind == "mlp":  # flat rows of images
            config.diffaugment_shape = tuple(spec.model_shape)
        rank = 0 if dist is None else dist.rank
        if rank:
            config.verbose = 0  # one progress bar, rank 0's
        if stream is None:
            data = torch.from_numpy(x_np.reshape((len(x_np), *shape))).to(device)
            labels = torch.from_numpy(codes).to(device)
        else:
            data = stream.batches(
                spec,
                shape,
                n_classes=len(classes),
                batch_size=self.batch_size,
                n_batches=steps * self.n_critic,
                class_balanced=self.class_balanced,
                device=device,
                seed=seed,
                rank=rank,
            )
            labels = None
        monitor = self._monitor(spec, len(classes), device, seed, dist)
        try:
            ema, history = train(
                gen.to(device),
                disc.to(device),
                data,
                labels,
                len(classes),
                config,
                torch.Generator(device).manual_seed(process_seed(seed, rank)),
                self._early_stopping(
                    x_np, codes, len(classes), device, seed, gen, model_kind
                )
                if auto
                else None,
                dist=dist,
                monitor=monitor,
            )
        finally:
            if monitor is not None:
                monitor.close()
            if stream is not None:
                data.close()
        all_codes = codes if stream is None else stream.codes
        self._set_fitted(
            FittedParts(
                classes=classes,
                class_counts=np.bincount(all_codes, minlength=len(classes)),
                spec=spec,
                model_kind=model_kind,
                seed=seed,
                n_steps=history[-1]["step"] if history else steps,
                history=history,
                generator=ema.state_dict(),
                filter_state=filter_state,
            ),
            device,
        )
        self._dist_rank = None if dist is None else dist.rank
        if not self._dist_rank:  # once, on rank 0, in a distributed fit
            self._warn_if_collapsed(x_np, codes)

    def _monitor(
        self,
        spec: DataSpec,
        n_classes: int,
        device: torch.device,
        seed: int,
        dist: Distributed | None,
    ) -> Any:
        """The TensorBoard log of ``log_dir``, on rank 0 only; else ``None``."""
        if self.log_dir is None or (dist is not None and not dist.is_main):
            return None
        from .monitoring import TensorBoardLog

        shape = spec.model_shape

        def decode(x: np.ndarray) -> list[np.ndarray]:
            return decode_features(x.reshape(len(x), *shape), spec, self.snap)

        return TensorBoardLog(
            self.log_dir,
            n_classes=n_classes,
            noise_dim=self.noise_dim,
            device=device,
            seed=seed,
            image_shape=shape if spec.is_image else None,
            decode=None if spec.is_image else decode,
            feature_names=spec.columns,
        )

    def _warn_if_collapsed(self, x_real: np.ndarray, codes: np.ndarray) -> None:
        """Samples piled at the bounds or without spread within a class: warn
        (a diverged loss has already raised in training)."""
        per_class = np.full(len(self.classes_), 64)
        fake_codes = np.repeat(np.arange(len(self.classes_)), per_class)
        rng = torch.Generator().manual_seed(self.seed_ + 3)
        with torch.no_grad():
            z = torch.randn(len(fake_codes), self.generator_.noise_dim, generator=rng)
            fake = self.generator_(
                z.to(self.device_), torch.from_numpy(fake_codes).to(self.device_)
            )
        problems = check_samples(
            fake.float().cpu().numpy().reshape(len(fake_codes), -1),
            fake_codes,
            x_real.reshape(len(x_real), -1),
            codes,
            class_names=self.classes_,
        )
        if problems:
            warnings.warn(
                "The generator looks collapsed: "
                + "; ".join(problems)
                + ". Samples will be poor; try lower learning rates (lr_g, lr_d), "
                "more steps, or the default loss and diversity.",
                CollapseWarning,
                stacklevel=3,
            )

    def _early_stopping(
        self,
        x_real: np.ndarray,
        codes: np.ndarray,
        n_classes: int,
        device: torch.device,
        seed: int,
        gen: torch.nn.Module,
        model_kind: str,
    ) -> EarlyStopping:
        """``steps="auto"``: score the EMA generator every few hundred steps by the
        class-conditional sliced Wasserstein distance between 64 samples per
        class (fixed noise) and the class's training rows (at most 512), in
        model space; keep the best snapshot, stop on a plateau."""
        rng = np.random.default_rng(seed)
        keep = np.concatenate(
            [
                rng.permutation(np.flatnonzero(codes == c))[:512]
                for c in range(n_classes)
            ]
        )
        real, real_codes = x_real[keep].reshape(len(keep), -1), codes[keep]
        fake_codes = np.repeat(np.arange(n_classes), 64)
        g = torch.Generator().manual_seed(seed + 4)
        z = torch.randn(len(fake_codes), gen.noise_dim, generator=g).to(device)
        y = torch.from_numpy(fake_codes).to(device)

        @torch.no_grad()
        def evaluate(ema: torch.nn.Module) -> float:
            fake = ema(z, y).float().cpu().numpy()
            return sliced_distance(fake, fake_codes, real, real_codes, seed=seed)

        return EarlyStopping(evaluate, **STOPPING[model_kind])

    def _train_config(
        self, steps: int, policy: tuple[str, ...], model_kind: str
    ) -> TrainConfig:
        auto_lr = AUTO_LR[model_kind]
        return TrainConfig(
            steps=steps,
            batch_size=self.batch_size,
            loss=get_loss(self.loss),
            lr_g=auto_lr if self.lr_g == "auto" else self.lr_g,
            lr_d=auto_lr if self.lr_d == "auto" else self.lr_d,
            n_critic=self.n_critic,
            ema_decay=self.ema_decay,
            diffaugment=policy,
            r1_weight=self.r1,
            lecam_weight=self.lecam,
            diversity_weight=self.diversity,
            class_balanced=self.class_balanced,
            amp=self.amp,
            verbose=self.verbose,
        )

    def _set_fitted(self, parts: FittedParts, device: torch.device) -> None:
        """The one place that builds the fitted state, from :meth:`fit`'s
        results or from a saved file; a refit leaves nothing stale behind."""
        for stale in ("filter_", "feature_names_in_", "_dist_rank"):
            self.__dict__.pop(stale, None)
        spec = parts.spec
        self.classes_ = parts.classes
        self.class_counts_ = np.asarray(parts.class_counts, dtype=np.int64)
        self.spec_ = spec
        self.n_features_in_ = spec.n_values
        if spec.columns is not None and all(isinstance(c, str) for c in spec.columns):
            self.feature_names_in_ = np.asarray(spec.columns, dtype=object)
        self.model_ = parts.model_kind
        self.device_ = device
        self.seed_ = int(parts.seed)
        self.n_steps_ = int(parts.n_steps)
        self.history_ = list(parts.history)
        gen = parts.build_generator(self.noise_dim, self.width)
        self.generator_ = gen.to(device).eval().requires_grad_(False)
        if parts.filter_state is not None:
            self.filter_ = ConfidenceFilter.from_state(parts.filter_state)
        # a stream of its own: no sample(random_state=k) reproduces it
        self._sample_rng = torch.Generator().manual_seed(
            derived_seed(self.seed_, 2, name="seed")
        )
        if parts.sample_rng_state is not None:
            self._sample_rng.set_state(parts.sample_rng_state)

    def _parts(self) -> FittedParts:
        check_is_fitted(self)
        return FittedParts(
            classes=self.classes_,
            class_counts=self.class_counts_,
            spec=self.spec_,
            model_kind=self.model_,
            seed=self.seed_,
            n_steps=self.n_steps_,
            history=self.history_,
            generator={
                k: v.detach().cpu() for k, v in self.generator_.state_dict().items()
            },
            filter_state=self.filter_.state if hasattr(self, "filter_") else None,
            sample_rng_state=self._sample_rng.get_state(),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "generator_")

    def fit_dataset(
        self,
        dataset: Any,
        *,
        max_samples: int | None = None,
        stream: bool | str = "auto",
        num_workers: int = 0,
    ) -> GanAugmenter:
        """Fit from a map-style torch dataset of ``(sample, target)`` pairs.

        PIL images become uint8 arrays ``(h, w[, c])``, tensors and arrays are
        read as they come, so that :class:`~ganaug.torch.AugmentedDataset`
        can hand back synthetic items of the same form.  Give the dataset
        without random transforms.

        In memory (``stream=False``) the items are stacked into arrays and
        passed to :meth:`fit`; a torchvision dataset with ``data``/``targets``
        and no transform is read without decoding each item.

        Streaming (``stream=True``), for data larger than memory, never
        stacks the dataset.  One pass through a ``DataLoader`` reads every
        item once, records its class (one integer per row) and keeps a
        seeded uniform sample of at most 50,000 rows (and at most 256 MiB as
        float32, but at least 2,000 rows), from which each feature's support
        and transform, the early-stopping reference rows and the quality
        filter are learned as :meth:`fit` learns them from all rows.  Values
        outside the sample's range are clipped to it.  Training then reads
        class-balanced batches of ``batch_size`` items through a
        ``DataLoader`` with a seeded batch sampler (``steps * n_critic``
        batches) and maps each to the model's space as it arrives; only the
        sample and the batches in flight are in memory.  The same
        ``random_state`` gives the same model whatever ``num_workers`` is.
        Samples must be numeric (PIL images, tensors or arrays of one shape
        and dtype); tables with categorical columns or missing values are
        fitted in memory.  ``steps="auto"`` counts ``len(dataset)`` rows.

        Parameters
        ----------
        dataset : Dataset
            e.g. ``torchvision.datasets.MNIST(root)``, an ``ImageFolder``
            (resized to one size), a ``TensorDataset``.
        max_samples : int, optional
            Use only the first ``max_samples`` items.
        stream : bool or "auto", default="auto"
            ``True`` streams, ``False`` stacks.  ``"auto"`` reads
            ``dataset[0]`` and streams when the items would take more than
            1 GiB stacked: ``len(dataset)`` (at most ``max_samples``) times
            the first sample's size in bytes as a numpy array (uint8 pixels
            count one byte each).
        num_workers : int, default=0
            Worker processes of the ``DataLoader`` that reads the dataset
            when streaming (0 reads in the main process); not used when
            stacking.

        Returns
        -------
        self : GanAugmenter

        Examples
        --------
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> from ganaug import GanAugmenter
        >>> g = torch.Generator().manual_seed(0)
        >>> y = torch.arange(600) % 3
        >>> ds = TensorDataset(torch.randn(600, 4, generator=g) + y[:, None], y)
        >>> aug = GanAugmenter(steps=10, random_state=0).fit_dataset(ds, stream=True)
        >>> X_new, y_new = aug.sample(6)
        >>> X_new.shape, X_new.dtype, y_new.tolist()
        ((6, 4), dtype('float32'), [0, 0, 1, 1, 2, 2])
        """
        from .streaming import check_stream_args, wants_stream
        from .torchdata import ArrayPairs, dataset_length, dataset_to_arrays

        check_stream_args(stream, num_workers, max_samples)
        if isinstance(dataset, (tuple, list)) and len(dataset) == 2:  # (X, y)
            if stream is not True:  # arrays already in memory
                return self.fit(*dataset_to_arrays(dataset, max_samples))
            dataset = ArrayPairs(*dataset, name="dataset")
        n = dataset_length(dataset, max_samples)
        if not wants_stream(stream, dataset, n):
            return self.fit(*dataset_to_arrays(dataset, max_samples))
        return self._fit_stream(dataset, n, num_workers)

    def _fit_stream(self, dataset: Any, n: int, num_workers: int) -> GanAugmenter:
        """:meth:`fit_dataset` with ``stream=True`` (:mod:`ganaug.streaming`)."""
        from .streaming import Stream, scan_dataset

        dist = self._start_fit()
        seed = self._fit_seed(dist)
        scan = scan_dataset(
            dataset,
            n,
            batch_size=self.batch_size,
            num_workers=num_workers,
            seed=derived_seed(seed, 10),
            verbose=self.verbose if dist is None or dist.is_main else 0,
        )
        _refuse_continuous(scan.classes)
        arr, layout, _ = check_X_columns(
            scan.sample, name="dataset samples", layout=self.layout
        )
        labels = scan.sample_labels
        spec = fit_spec(arr, arr, layout, labels, None, self.feature_transform)
        codes = scan.sample_codes

        def rows(seed: int) -> np.ndarray:
            return _model_space(arr, None, spec, None, codes, derived_seed(seed, 1))

        self._fit_model(
            spec,
            scan.classes,
            codes,
            rows,
            dist,
            seed=seed,
            stream=Stream(dataset, scan.codes, num_workers),
        )
        return self

    def _model_kind(self, spec: DataSpec) -> str:
        if self.model == "conv" and not spec.is_image:
            raise ValueError("model='conv' needs images, but X was read as a table.")
        if self.model != "auto":
            return self.model
        small = int(np.prod(spec.model_shape)) <= _MLP_MAX_IMAGE_VALUES
        return "conv" if spec.is_image and not small else "mlp"

    def _policy(self, model_kind: str, is_image: bool) -> tuple[str, ...]:
        if self.diffaugment == "auto":
            return ("translation", "cutout") if model_kind == "conv" else ()
        policy = parse_policy(self.diffaugment)
        if policy and not is_image:
            raise ValueError(
                f"diffaugment={self.diffaugment!r} applies to images, but X was "
                "read as a table; use diffaugment=None."
            )
        return policy

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
            A single label (a tuple counts as one label): ``n`` samples of
            that class.  A sequence: one sample of each listed label, in that
            order.
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
        codes, feats = self._sample_features(n, y, class_prior, random_state)
        return wrap_X(feats, self.spec_), wrap_y(self.classes_[codes], self.spec_)

    def sample_arrays(
        self,
        n: int | None = None,
        y: Any = None,
        *,
        class_prior: str = "uniform",
        random_state: Any = None,
        channels_first: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`sample`, but always numpy arrays in the fitted dtype and
        value range, images as ``(n, c, h, w)`` when ``channels_first``
        (the form the PyTorch face converts from).

        Returns
        -------
        X_new : ndarray of shape (n, d) or (n, c, h, w)
        labels : ndarray of labels
        """
        codes, feats = self._sample_features(n, y, class_prior, random_state)
        if self.spec_.is_image and channels_first:
            x = np.stack(feats, axis=1).astype(self.spec_.dtype, copy=False)
        else:
            x = assemble(feats, self.spec_)
        return x, self.classes_[codes]

    def _sample_features(
        self, n: Any, y: Any, class_prior: str, random_state: Any
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        check_is_fitted(self)
        codes = self._codes_for(n, y, class_prior)
        rng = self._sample_rng if random_state is None else torch_rng(random_state)
        return codes, self._generate(codes, rng)

    def _codes_for(self, n: Any, y: Any, class_prior: str) -> np.ndarray:
        per_sample = self.spec_.n_values * self._max_candidates()
        if y is not None and not is_label(y):
            labels = label_array(y, name="y")
            if labels.ndim != 1:
                raise ValueError(
                    f"y must be a label or a 1-D sequence of labels; got shape "
                    f"{labels.shape}."
                )
            if len(labels) == 0:
                raise ValueError("y is an empty sequence; expected at least one label.")
            check_n(len(labels), name="len(y)", values_per_sample=per_sample)
            codes = lookup_labels(self.classes_, labels, name="y")
            if n is not None and check_n(n) != len(codes):
                raise ValueError(
                    f"n={n!r} does not match the {len(codes)} labels given in y; "
                    "pass n=None or n=len(y)."
                )
            return codes
        if n is None:
            raise ValueError("n is required unless y is a sequence of labels.")
        n = check_n(n, values_per_sample=per_sample)
        if y is not None:
            return np.full(n, lookup_label(self.classes_, y), dtype=np.int64)
        if class_prior == "uniform":
            weights = np.ones(len(self.classes_))
        elif class_prior == "fitted":
            weights = self.class_counts_.astype(float)
        else:
            raise ValueError(
                f"class_prior must be 'uniform' or 'fitted'; got {class_prior!r}."
            )
        counts = split_counts(n, weights)
        return np.repeat(np.arange(len(self.classes_)), counts)

    def _max_candidates(self) -> int:
        """The most candidates :meth:`_generate` may draw per sample."""
        if not hasattr(self, "filter_"):
            return 1
        return max_candidates(self.filter_k)

    @torch.no_grad()
    def _generate(self, codes: np.ndarray, rng: torch.Generator) -> list[np.ndarray]:
        """Samples for ``codes``, one array per feature in the caller's dtype."""
        gen = self.generator_
        k = (
            candidates_per_row(codes, self.filter_k, self.class_counts_)
            if hasattr(self, "filter_")
            else np.ones(len(codes), dtype=np.int64)
        )
        wanted = np.repeat(codes, k)
        mixed = self.spec_.mixed is not None
        complete = {"complete": True} if mixed and self.missing == "complete" else {}
        out = []
        for start in range(0, len(wanted), _SAMPLE_BATCH):
            yb = torch.from_numpy(wanted[start : start + _SAMPLE_BATCH])
            z = sampling_noise(len(yb), gen.noise_dim, rng, self.truncation)
            x = gen(z.to(self.device_), yb.to(self.device_), **complete)
            out.append(x.float().cpu().numpy())
        x = np.concatenate(out) if out else np.empty((0, *self.spec_.model_shape))
        if len(k) and k.max() > 1:
            x = self.filter_.best_of(x, codes, k)
        x = x.reshape((len(x), *self.spec_.model_shape))
        if self.spec_.mixed is not None:
            return decode_table(x, self.spec_, self.snap)
        return decode_features(x, self.spec_, self.snap)

    # -------------------------------------------------------- fit_resample
    def fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[Any, Any]:
        """Fit, then return the original rows followed by synthetic ones.

        imbalanced-learn's own ``fit_resample`` runs: it checks the target,
        turns ``sampling_strategy`` into ``sampling_strategy_`` (rows to
        generate per class) and puts the output back into the containers of
        ``X`` and ``y`` (DataFrame with its column dtypes, Series, list,
        one-hot labels); torch tensors come back as tensors.

        Returns
        -------
        X_resampled, y_resampled : in the containers of ``X`` and ``y``.
        """
        if y is not None and not is_label(y):
            _check_resample_labels(y)
        X_res, y_res = super().fit_resample(X, y, **params)
        self.spec_.y_container = container_of(y)
        self.spec_.y_name = (
            getattr(y, "name", None) if container_of(y) == "pandas" else None
        )
        if container_of(y) == "torch" and np.asarray(y_res).dtype.kind in "iufb":
            y_res = torch.as_tensor(np.asarray(y_res))
        return X_res, y_res

    def _check_X_y(self, X: Any, y: Any, accept_sparse: Any = None) -> tuple:
        """imbalanced-learn's hook: check ``y`` as it does, ``X`` as we do
        (images, tables, tensors); ``X`` is handed on as given so that
        :meth:`_fit_resample` can read its container and column dtypes."""
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        table = read_table(X, self.categorical_features)
        if table is not None:
            return X, check_y(y, table.n_rows), binarize_y
        arr, _ = check_X(X, layout=self.layout)
        return X, check_y(y, arr.shape[0]), binarize_y

    def _fit_resample(self, X: Any, y: np.ndarray) -> tuple[Any, np.ndarray]:
        arr, columns = self._fit(X, y)
        codes = np.concatenate(
            [np.empty(0, dtype=np.int64)]
            + [
                np.full(int(k), lookup_label(self.classes_, label), dtype=np.int64)
                for label, k in self.sampling_strategy_.items()
            ]
        )
        check_n(max(1, len(codes)), values_per_sample=self.spec_.n_values)
        real = columns if columns is not None else features(arr, self.spec_)
        new = self._generate(codes, self._sample_rng)
        both = [
            np.concatenate([r, g.astype(r.dtype)])
            for r, g in zip(real, new, strict=True)
        ]
        y_all = np.concatenate([y, self.classes_[codes].astype(y.dtype, copy=False)])
        return wrap_X(both, self.spec_), y_all

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True  # tables; images refuse NaN
        return tags

    # ------------------------------------------------------------ save/load
    def save(self, path: Any) -> None:
        """Write weights, parameters and data description to ``path``.

        The file is a ``safetensors`` file: tensors plus a JSON header, with a
        SHA-256 digest of both.  :meth:`load` checks the digest, the
        parameters and every tensor shape before it builds anything; reading
        a file never executes code from it.

        A model fitted by several processes together (``distributed``) is
        written once, by rank 0: on the other ranks ``save`` writes nothing
        and returns at once (it does not wait for rank 0, so calling it on
        rank 0 alone is fine too; call ``torch.distributed.barrier()`` before
        another rank reads the file).  Any other model is written by the
        process that calls ``save``.
        """
        from .serialization import save

        if getattr(self, "_dist_rank", None):
            check_is_fitted(self)
            return
        save(self._parts(), self.get_params(), path)

    @classmethod
    def load(cls, path: Any, *, device: str = "auto") -> GanAugmenter:
        """Read an augmenter written by :meth:`save`."""
        from .serialization import load

        params, parts = load(path)
        unknown = sorted(set(params) - set(cls().get_params()))
        if unknown:
            raise ValueError(
                f"path {path!r} holds the unknown parameter(s) {unknown}; expected "
                f"parameters of {cls.__name__} (a file from another version?)."
            )
        aug = cls(**{**params, "device": device})
        aug._validate_params()
        parts.check_generator(aug.noise_dim, aug.width)
        aug._set_fitted(parts, resolve_device(device))
        return aug


def _model_space(
    arr: np.ndarray | None,
    table: Table | None,
    spec: DataSpec,
    columns: list[np.ndarray] | None,
    codes: np.ndarray,
    seed: int,
) -> np.ndarray:
    """The training data in model space (dequantisation and the fill of
    missing numeric values drawn from ``seed``)."""
    rng = np.random.default_rng(seed)
    if table is None:
        return to_model_space(arr, spec, columns, rng)
    return table_to_model_space(table, spec, codes, rng)


def _refuse_continuous(y: np.ndarray) -> None:
    if y.dtype.kind != "f":
        return
    kind = type_of_target(y)
    if kind.startswith("continuous"):
        raise ValueError(
            f"y looks like a continuous target (type_of_target: {kind!r}, e.g. "
            f"{y[:3].tolist()}); expected class labels. ganaug learns classes, "
            "not regression targets."
        )


def _check_resample_labels(y: Any) -> None:
    """Labels that imbalanced-learn cannot order get a clear error here
    instead of a raw ``TypeError`` inside its checks."""
    arr = label_array(y, name="y")
    if arr.dtype != object or arr.ndim != 1:
        return
    kinds = sorted({type(v).__name__ for v in arr})
    if any(isinstance(v, tuple) for v in arr) or not sortable(arr):
        raise ValueError(
            f"y holds labels of types {kinds}, which imbalanced-learn's "
            "fit_resample cannot handle (it needs numbers or strings of one type); "
            "encode them, e.g. with LabelEncoder, or use fit and sample, which "
            "accept any hashable labels."
        )
