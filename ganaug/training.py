"""The adversarial training loop: a D step, a G step, a step loop, a history.

The whole training set lives on the training device as one tensor; batches
are class-balanced index draws, so there is no DataLoader and, on a GPU, no
step waits on a host copy.  Data larger than memory comes instead from any
:class:`RealBatches` source (:class:`ganaug.streaming.StreamBatches` reads a
torch dataset through a DataLoader); the loop only asks a source for the
next real batch and for labels.  Every random draw comes from an explicit
``torch.Generator``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import torch
from torch import nn
from tqdm.auto import tqdm

from .diffaug import diff_augment
from .losses import (
    Loss,
    gradient_penalty,
    lecam_penalty,
    mode_seeking_penalty,
    r1_penalty,
)

if TYPE_CHECKING:
    from .distributed import Distributed


@dataclass(kw_only=True)
class TrainConfig:
    """Everything the loop needs besides the models and the data.

    Every field the estimator sets is required: the estimator's documented
    defaults are the only defaults, so the two cannot disagree.  Only
    ``betas`` and ``gp_weight``, which the estimator does not expose, have
    defaults here.
    """

    steps: int
    batch_size: int
    loss: Loss
    lr_g: float
    lr_d: float
    n_critic: int
    ema_decay: float
    diffaugment: tuple[str, ...]
    r1_weight: float
    lecam_weight: float
    diversity_weight: float
    class_balanced: bool
    amp: bool
    verbose: int
    betas: tuple[float, float] = (0.5, 0.999)
    # 1, not the literature's 10: our critic has spectral norm, which keeps its
    # gradient norm near 0.1-0.2, so a two-sided penalty at 10 dominates the
    # critic loss and it never learns the classes (tests/test_training.py).
    gp_weight: float = 1.0
    # The MLP pair sees images as flat rows; DiffAugment needs them as
    # (c, h, w), so its batches are viewed with this shape (None: the batches
    # already are images, or there is no policy).
    diffaugment_shape: tuple[int, ...] | None = None


class TrainingDivergedError(RuntimeError):
    """A loss or the generator's weights became NaN or infinite in training.

    Attributes
    ----------
    step : int or None
        The 1-based step at which the first non-finite value appeared.
    what : str or None
        ``"discriminator loss"``, ``"generator loss"`` or ``"generator weights"``.
    """

    def __init__(
        self, message: str, *, step: int | None = None, what: str | None = None
    ) -> None:
        super().__init__(message)
        self.step = step
        self.what = what


# Steps between two finiteness checks at most (each is one host sync); an
# epoch shorter than this is checked at its end, with the history.
_CHECK_EVERY = 100


class RealBatches(Protocol):
    """Where the loop gets real data: :class:`BatchSampler` for a tensor in
    memory, :class:`ganaug.streaming.StreamBatches` for a dataset read batch
    by batch."""

    device: torch.device
    n_rows: int  # rows in the data set (an epoch is n_rows / batch_size steps)

    def next_batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` real rows in model space and their class codes, on ``device``
        (a discriminator step)."""

    def labels(self, n: int) -> torch.Tensor:
        """``n`` class codes for generated rows, on ``device`` (a generator
        step), drawn as :meth:`next_batch` draws its classes."""


class BatchSampler:
    """Draw batches of (x, y) with labels uniform over classes, or uniform rows.

    Rows are sorted by class once, so a class-balanced draw is two tensor ops:
    pick a class for each row of the batch, then a random offset inside it.
    A :class:`RealBatches` source.
    """

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        n_classes: int,
        generator: torch.Generator,
        class_balanced: bool = True,
    ) -> None:
        order = torch.argsort(y, stable=True)
        self.x, self.y = x[order], y[order]
        counts = torch.bincount(self.y, minlength=n_classes)
        self.counts = counts.to(x.device)
        self.starts = (torch.cumsum(counts, 0) - counts).to(x.device)
        self.present = torch.nonzero(counts > 0).flatten().to(x.device)
        self.g = generator
        self.class_balanced = class_balanced
        self.device = x.device
        self.n_rows = len(x)

    def next_batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` labels (:meth:`labels`) and a real row of each (:meth:`real`)."""
        y = self.labels(n)
        return self.real(y), y

    def labels(self, n: int) -> torch.Tensor:
        """Class labels for a batch (uniform over classes, or by frequency)."""
        if self.class_balanced:
            pick = torch.randint(
                len(self.present), (n,), device=self.x.device, generator=self.g
            )
            return self.present[pick]
        rows = torch.randint(len(self.y), (n,), device=self.x.device, generator=self.g)
        return self.y[rows]

    def real(self, y: torch.Tensor) -> torch.Tensor:
        """One random real row of each requested class."""
        offset = (
            torch.rand(y.shape, device=y.device, generator=self.g) * self.counts[y]
        ).long()
        return self.x[self.starts[y] + offset]


@dataclass
class EarlyStopping:
    """Stop when the samples stop getting better, and keep the best snapshot.

    Every ``every`` steps ``evaluate(ema)`` scores the EMA generator (lower is
    better).  The EMA weights with the best score are kept; training stops
    once ``patience`` evaluations in a row improved the best score by less
    than ``min_delta`` (relative), but not before ``min_steps``.
    """

    evaluate: Callable[[nn.Module], float]
    every: int = 200
    patience: int = 4
    min_steps: int = 600
    min_delta: float = 0.01


class Monitor(Protocol):
    """Where the loop reports progress besides ``history``, e.g. TensorBoard
    (:class:`ganaug.monitoring.TensorBoardLog`)."""

    def scalars(self, step: int, values: dict[str, float]) -> None:
        """Called with every history entry's mean losses and every quality
        score, under the tags ``loss/discriminator``, ``loss/generator`` and
        ``quality``."""

    def samples(self, step: int, ema: nn.Module) -> None:
        """Called with the EMA generator at every quality evaluation and after
        the last step."""


# The defaults of ``steps="auto"`` and ``lr_g="auto"`` per model kind.  The
# MLP pair's were chosen on the KEEL quick subset and digits
# (benchmarks/results/speed.md): at twice the usual Adam rate it reaches the
# same downstream accuracy in about a third of the steps.  The conv pair keeps
# the usual GAN rate and the earlier, longer schedule (not re-tuned: one
# 28x28 fit takes minutes on a CPU).
AUTO_LR = {"mlp": 4e-4, "conv": 2e-4}
STOPPING = {
    "mlp": {"every": 100, "patience": 3, "min_steps": 400, "min_delta": 0.03},
    "conv": {"every": 200, "patience": 4, "min_steps": 600, "min_delta": 0.01},
}


def default_steps(n_samples: int, model_kind: str = "mlp") -> int:
    """Most steps ``steps="auto"`` may run; they grow with the data.

    MLP pair: 1,000 for small sets, 1,500 at most; conv pair: 2,000 to 4,000.
    """
    if model_kind == "conv":
        return int(min(4000, max(2000, 1000 + 2.5 * n_samples)))
    return int(min(1500, max(1000, 500 + n_samples)))


def train(
    gen: nn.Module,
    disc: nn.Module,
    x: torch.Tensor | RealBatches,
    y: torch.Tensor | None,
    n_classes: int,
    config: TrainConfig,
    generator: torch.Generator,
    early_stopping: EarlyStopping | None = None,
    *,
    dist: Distributed | None = None,
    monitor: Monitor | None = None,
) -> tuple[nn.Module, list[dict[str, float]]]:
    """Train ``gen`` against ``disc``; return the EMA generator and the history.

    ``x`` is ``(n, *shape)`` in [-1, 1] and ``y`` the class codes, both on the
    training device; or ``x`` is a :class:`RealBatches` source (data read
    batch by batch) and ``y`` is ``None``.  The history has one dict per
    epoch (``n / batch_size`` steps) with the mean discriminator and generator
    losses and, with ``early_stopping``, the latest quality score
    (``"quality"``).  With
    ``early_stopping``, ``config.steps`` is the most steps that may run, the
    returned EMA generator is the best-scored snapshot, and the last history
    entry says where training stopped (``"step"``) and which snapshot was
    kept (``"best_step"``).

    With ``dist`` (:mod:`ganaug.distributed`), this process is one of
    ``dist.world_size`` that train the same models, each on batches drawn
    from its own ``generator``: gradients are averaged by
    ``DistributedDataParallel``, the history holds losses averaged over
    processes, the quality score is rank 0's, and every process returns the
    same EMA generator.  ``monitor`` receives the losses, quality scores and
    EMA generator as they come (see :class:`Monitor`).

    Raises
    ------
    ValueError
        If ``x`` holds NaN or infinite values (a source checks its batches).
    TrainingDivergedError
        As soon as a loss is found non-finite (checked with the history, at
        least every 100 steps, so a GPU never waits on the host every step),
        or if the generator's weights are non-finite at the end.
    """
    if isinstance(x, torch.Tensor):
        if not torch.isfinite(x).all():
            raise ValueError(
                "x holds NaN or infinite values; the training data must be finite "
                "(values beyond float32's range, about 3.4e38, become infinite)."
            )
        sampler: RealBatches = BatchSampler(
            x, y, n_classes, generator, config.class_balanced
        )
    else:
        sampler = x
    device = sampler.device
    loss = config.loss
    # The modules whose forward passes build the graphs that update them.
    # Under DDP, exactly one forward of each wrapper per backward: the D
    # step's pass over real and fake and the G step's generator pass go
    # through the wrappers, and their backward averages the gradients.  The
    # gradient penalty's second pass and the G step's pass through D use the
    # bare modules: the penalty's gradient reaches D's parameters in the same
    # backward as the main pass (each parameter's gradient is accumulated
    # once, then averaged), and D's gradients from the G step are never used
    # (the next D step clears them; DDP ignores a backward it did not prepare
    # for).  R1's and the penalty's torch.autograd.grad calls differentiate
    # with respect to inputs only, so no parameter hook fires early.  Every
    # parameter gets a gradient in every step, so find_unused_parameters (a
    # graph walk per step) is not needed.
    gen_step, disc_step = gen, disc
    if dist is not None:
        gen_step, disc_step = dist.wrap(gen), dist.wrap(disc)
    ema = copy.deepcopy(gen).eval().requires_grad_(False)
    ema_update = _EMA(ema, gen, config.ema_decay)
    fused = device.type in ("cpu", "cuda")  # one kernel per Adam step
    opt_g = torch.optim.Adam(
        gen.parameters(), lr=config.lr_g, betas=config.betas, fused=fused
    )
    opt_d = torch.optim.Adam(
        disc.parameters(), lr=config.lr_d, betas=config.betas, fused=fused
    )
    autocast = (
        torch.autocast(device.type, dtype=torch.bfloat16)
        if config.amp and device.type == "cuda"
        else nullcontext()
    )
    noise_dim = gen.noise_dim
    bs = config.batch_size
    policy = config.diffaugment
    epoch_len = max(1, math.ceil(sampler.n_rows / bs))
    losses = torch.zeros(config.steps, 2, device=device)
    lecam_ema = torch.zeros(2, device=device)  # EMAs of D(real), D(fake)
    checked = 0  # steps [0, checked) are known to have finite losses
    history: list[dict[str, float]] = []

    shape = config.diffaugment_shape

    def augment(batch: torch.Tensor) -> torch.Tensor:
        if not policy:
            return batch
        if shape is None:
            return diff_augment(batch, policy, generator)
        images = batch.reshape(len(batch), *shape)
        return diff_augment(images, policy, generator).reshape(batch.shape)

    def noise(n: int) -> torch.Tensor:
        return torch.randn(n, noise_dim, device=device, generator=generator)

    bar = tqdm(
        total=config.steps, disable=not config.verbose, desc="ganaug", leave=False
    )
    stopper = _Stopper(early_stopping, dist)
    gen.train()
    disc.train()
    # disc.eval()/disc.train() walk the module tree on every call (about 8% of
    # a small CPU step); flipping the flags of a list made once is the same
    disc_modules = list(disc.modules())
    for step in range(config.steps):
        # --- discriminator -------------------------------------------------
        for _ in range(config.n_critic):
            real, yb = sampler.next_batch(bs)
            with torch.no_grad(), autocast:
                fake = gen(noise(bs), yb)
            real_in = augment(real)
            fake_in = augment(fake.float())
            if config.r1_weight:
                real_in = real_in.detach().requires_grad_(True)
            with autocast:  # one pass over real and fake: one power step, one call
                out = disc_step(torch.cat([real_in, fake_in]), torch.cat([yb, yb]))
                out_real, out_fake = out.float().chunk(2)
                d_loss = loss.d_loss(out_real, out_fake)
            if loss.gradient_penalty:
                d_loss = d_loss + config.gp_weight * gradient_penalty(
                    disc, real_in, fake_in, yb, generator
                )
            if config.r1_weight:
                d_loss = d_loss + config.r1_weight * r1_penalty(out_real, real_in)
            if config.lecam_weight:
                d_loss = d_loss + config.lecam_weight * lecam_penalty(
                    out_real, out_fake, lecam_ema[0], lecam_ema[1]
                )
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            if config.lecam_weight:
                means = torch.stack([out_real.mean(), out_fake.mean()]).detach()
                lecam_ema.lerp_(means, 0.01)

        # --- generator -----------------------------------------------------
        yb = sampler.labels(bs)
        _set_training(disc_modules, False)  # no spectral-norm power step in G step
        if config.diversity_weight:  # pairs of noise vectors for the same labels
            yb = torch.cat([yb[: bs // 2], yb[: bs // 2]])
        z = noise(len(yb))
        with autocast:
            fake = gen_step(z, yb)
            g_loss = loss.g_loss(disc(augment(fake.float()), yb).float())
            if config.diversity_weight:
                h = bs // 2
                g_loss = g_loss + config.diversity_weight * mode_seeking_penalty(
                    fake[:h].float(), fake[h:].float(), z[:h], z[h:]
                )
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        _set_training(disc_modules, True)
        ema_update.update(step)

        # --- history and divergence checks (the only host syncs) ----------
        losses[step, 0] = d_loss.detach()
        losses[step, 1] = g_loss.detach()
        stop = stopper.after_step(step + 1, ema, losses, checked, config)
        if stop or stopper.evaluated_at == step + 1:
            checked = step + 1  # the stopper checked the losses before scoring
            if monitor is not None:
                monitor.scalars(step + 1, stopper.report())
                monitor.samples(step + 1, ema)
        end_of_epoch = (step + 1) % epoch_len == 0 or step + 1 == config.steps or stop
        if end_of_epoch or step + 1 - checked >= _CHECK_EVERY:
            _check_losses(losses, checked, step + 1, config, dist)
            checked = step + 1
        if end_of_epoch:
            start = len(history) * epoch_len
            mean_t = losses[start : step + 1].mean(dim=0)
            if dist is not None:
                mean_t = dist.mean(mean_t)
            mean = mean_t.tolist()
            history.append(
                {
                    "epoch": len(history) + 1,
                    "step": step + 1,
                    "d_loss": mean[0],
                    "g_loss": mean[1],
                    **stopper.report(),
                }
            )
            if config.verbose:
                bar.set_postfix(
                    d_loss=f"{mean[0]:.3f}", g_loss=f"{mean[1]:.3f}", **stopper.report()
                )
            if monitor is not None:
                losses_now = {"loss/discriminator": mean[0], "loss/generator": mean[1]}
                monitor.scalars(step + 1, losses_now)
        bar.update(1)
        if stop:
            break
    bar.close()
    if monitor is not None and stopper.evaluated_at != history[-1]["step"]:
        monitor.samples(history[-1]["step"], ema)
    gen.eval()
    disc.eval()
    if stopper.best_state is not None:
        ema.load_state_dict(stopper.best_state)
        history[-1]["best_step"] = stopper.best_step
    _check_weights(ema, config)
    return ema, history


def _set_training(modules: list[nn.Module], mode: bool) -> None:
    for m in modules:  # not Module.__setattr__, which searches three dicts first
        m.__dict__["training"] = mode


class _Stopper:
    """The bookkeeping of :class:`EarlyStopping` inside the loop."""

    def __init__(
        self, rule: EarlyStopping | None, dist: Distributed | None = None
    ) -> None:
        self.rule = rule
        self.dist = dist
        self.best = math.inf
        self.best_state: dict[str, torch.Tensor] | None = None
        self.best_step = 0
        self.since_best = 0
        self.last: float | None = None
        self.evaluated_at = -1

    def after_step(
        self,
        step: int,
        ema: nn.Module,
        losses: torch.Tensor,
        checked: int,
        config: TrainConfig,
    ) -> bool:
        """Score the EMA generator when due; ``True`` means stop now."""
        rule = self.rule
        if rule is None or step % rule.every:
            return False
        _check_losses(losses, checked, step, config, self.dist)  # no NaN model
        self.evaluated_at = step
        if self.dist is None:
            self.last = float(rule.evaluate(ema))
        else:  # rank 0 scores, every process takes the same decision
            mine = float(rule.evaluate(ema)) if self.dist.is_main else math.nan
            self.last = self.dist.broadcast([mine])[0]
        if self.last < self.best * (1.0 - rule.min_delta):
            self.best, self.best_step, self.since_best = self.last, step, 0
            self.best_state = {
                k: v.detach().clone() for k, v in ema.state_dict().items()
            }
        else:
            self.since_best += 1
        return step >= rule.min_steps and self.since_best >= rule.patience

    def report(self) -> dict[str, float]:
        return {} if self.last is None else {"quality": self.last}


def _check_losses(
    losses: torch.Tensor,
    start: int,
    stop: int,
    config: TrainConfig,
    dist: Distributed | None = None,
) -> None:
    """Raise :class:`TrainingDivergedError` if ``losses[start:stop]`` has a
    non-finite value, naming the first one (one host sync when all is well).

    With ``dist``, every process raises if one process found a non-finite
    loss, so that none is left waiting for the others."""
    finite = torch.isfinite(losses[start:stop])
    if dist is None:
        if finite.all():
            return
    elif dist.all_true(finite.all()):
        return
    elif finite.all():
        raise TrainingDivergedError(
            f"Training diverged: a loss became non-finite on another process "
            f"between steps {start + 1} and {stop} of {config.steps}. "
            f"{_likely_causes(config)}",
            step=None,
            what=None,
        )
    bad = (~finite).nonzero()[0].tolist()  # first step; D before G in a step
    step, col = start + bad[0] + 1, bad[1]
    what = ("discriminator loss", "generator loss")[col]
    value = losses[start + bad[0], col].item()
    raise TrainingDivergedError(
        f"Training diverged: the {what} became {value} at step {step} of "
        f"{config.steps}. {_likely_causes(config)}",
        step=step,
        what=what,
    )


def _check_weights(model: nn.Module, config: TrainConfig) -> None:
    """Raise :class:`TrainingDivergedError` if a weight of ``model`` is non-finite."""
    params = [p.detach() for p in model.parameters()]
    if not params or torch.stack([torch.isfinite(p).all() for p in params]).all():
        return
    raise TrainingDivergedError(
        "Training diverged: the generator's weights hold NaN or infinite values "
        f"after {config.steps} steps. {_likely_causes(config)}",
        step=config.steps,
        what="generator weights",
    )


def _likely_causes(config: TrainConfig) -> str:
    weights = {
        "r1_weight": config.r1_weight,
        "lecam_weight": config.lecam_weight,
        "diversity_weight": config.diversity_weight,
    }
    if config.loss.gradient_penalty:
        weights["gp_weight"] = config.gp_weight
    bad = {k: v for k, v in weights.items() if not math.isfinite(v)}
    shown = ", ".join(f"{k}={v}" for k, v in (bad or weights).items())
    regulariser = (
        f"a regulariser weight that is not finite ({shown})"
        if bad
        else f"a regulariser weight too large ({shown})"
    )
    return (
        f"Likely causes: learning rates too high (lr_g={config.lr_g:g}, "
        f"lr_d={config.lr_d:g}; 2e-4 is typical, try 10 times lower), "
        f"{regulariser}, or training data beyond float32's range."
    )


class _EMA:
    """Move ``ema``'s weights towards ``model``'s after every step (one
    ``_foreach`` kernel; the tensor lists are made once)."""

    def __init__(self, ema: nn.Module, model: nn.Module, decay: float) -> None:
        self.decay = decay
        self.params = (list(ema.parameters()), list(model.parameters()))
        self.buffers = (list(ema.buffers()), list(model.buffers()))
        if len(self.buffers[0]) != len(self.buffers[1]):
            raise ValueError("the EMA copy and the model have different buffers")

    @torch.no_grad()
    def update(self, step: int) -> None:
        # Warm-up: average over the steps seen so far until ``decay`` takes
        # over, so the EMA is not dominated by the random initial weights.
        d = min(self.decay, (1 + step) / (10 + step))
        torch._foreach_lerp_(self.params[0], self.params[1], 1.0 - d)
        if self.buffers[0]:
            torch._foreach_copy_(self.buffers[0], self.buffers[1])
