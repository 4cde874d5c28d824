"""The figures measured in this process: digits, KEEL, CTGAN, sampling.

Each ``section_*`` function takes the run's :class:`~.common.Settings` and a
device (``"cpu"`` or ``"cuda"``) and returns ``(details, figures)``: a JSON-
ready dict of everything measured, and the rows of the targets table.
"""

from __future__ import annotations

import inspect
import statistics
import warnings
from functools import cache
from typing import Any

import numpy as np
import torch
from imblearn.over_sampling import SMOTE
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ganaug.metrics import classification_accuracy_score
from ganaug.training import STOPPING, default_steps

from .common import QUICK_STEPS, Figure, Fit, Settings, best_of, fit, timed

Section = tuple[dict[str, Any], list[Figure]]

# KEEL tables fitted by default: keel.QUICK (8 small tables, 129 to 731
# rows) and 4 larger ones (846 to 5,472 rows, 7 to 19 columns).
KEEL_DEFAULT_EXTRA = ("vehicle0", "yeast4", "segment0", "page-blocks0")
# --quick: this many KEEL tables
KEEL_QUICK_TABLES = 2
# sampling: the model's training steps do not change its sampling cost
SAMPLE_FIT_STEPS = 100


# ------------------------------------------------------------------ digits
@cache
def digits_split() -> tuple[np.ndarray, ...]:
    """``X_train, X_test, y_train, y_test``: stratified 70/30, seed 0."""
    X, y = load_digits(return_X_y=True)
    return tuple(train_test_split(X, y, test_size=0.3, stratify=y, random_state=0))


_split_fits: dict[tuple[str, int | str], Fit] = {}


def digits_split_fit(device: str, steps: int | str) -> Fit:
    """The default fit on the digits training split (one per run and device:
    figure 1's CAS and figure 3's ganaug side are the same fit)."""
    if (device, steps) not in _split_fits:
        X_tr, _, y_tr, _ = digits_split()
        _split_fits[device, steps] = fit(X_tr, y_tr, device, steps=steps)
    return _split_fits[device, steps]


def section_digits(s: Settings, device: str) -> Section:
    """Figure 1: the default fit on all of digits (seconds, steps, ms/step),
    and the CAS of the default fit on the training split."""
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = digits_split()
    full = fit(X, y, device, steps=s.steps)
    fixed = fit(X, y, device, steps=1).seconds
    split = digits_split_fit(device, s.steps)
    X_syn, y_syn = split.aug.sample(len(X_tr), random_state=0)
    cas = classification_accuracy_score(X_syn, y_syn, X_te, y_te)
    cas_real = classification_accuracy_score(X_tr, y_tr, X_te, y_te)
    smote_s = best_of(lambda: SMOTE(random_state=0).fit_resample(X, y))
    steps = full.aug.n_steps_
    marginal = (full.seconds - fixed) / max(1, steps - 1)
    details = {
        "data": f"sklearn digits, {X.shape[0]} x {X.shape[1]}",
        "params": f"GanAugmenter(random_state=0, device={device!r}, steps={s.steps!r})",
        "full": full.summary(len(X)),
        "fixed_cost_seconds": round(fixed, 3),
        "fixed_cost": "a fit with steps=1: validation, scaling, the sort by class, "
        "the final checks",
        "ms_per_step_marginal": round(1000 * marginal, 3),
        "split": "stratified 70/30, random_state=0",
        "split_fit": split.summary(len(X_tr)),
        "cas": round(cas, 4),
        "cas_definition": (
            "ganaug.metrics.classification_accuracy_score: balanced accuracy on "
            f"the {len(X_te)} test rows of a standardised logistic regression "
            f"fitted on {len(X_syn)} synthetic rows only (uniform over classes)"
        ),
        "cas_of_real_train_rows": round(cas_real, 4),
        "baseline_smote_fit_resample_seconds": round(smote_s, 4),
    }
    figures = [
        Figure(
            "1a",
            "default fit, all of digits (1,797 x 64)",
            device,
            round(full.seconds, 2),
            f"{full.seconds:.1f} s ({steps} steps, {1000 * marginal:.2f} ms/step "
            f"+ {fixed:.2f} s fixed cost)",
            key="digits_fit_seconds",
            baseline=f"SMOTE fit_resample {smote_s * 1000:.0f} ms",
            note="ms/step: (fit - fixed cost) / (steps - 1), the quality "
            "evaluations of steps='auto' included; fixed cost: a fit with steps=1",
            judged=not s.quick,
        ),
        Figure(
            "1b",
            "CAS of the default fit on the digits train split (70/30)",
            device,
            round(cas, 4),
            f"{cas:.3f}",
            key="digits_cas",
            baseline=f"real train rows: {cas_real:.3f}",
            note=f"fit {split.seconds:.1f} s, {split.aug.n_steps_} steps",
            judged=not s.quick,
        ),
    ]
    return details, figures


# -------------------------------------------------------------------- KEEL
def keel_tables(choice: str, quick: bool) -> tuple[str, ...]:
    """``default``, ``quick`` (``keel.QUICK``), ``all`` or comma-separated
    names; ``--quick`` keeps the first two."""
    from ganaug.bench import keel

    if choice == "default":
        tables = keel.QUICK + KEEL_DEFAULT_EXTRA
    elif choice == "quick":
        tables = keel.QUICK
    elif choice == "all":
        tables = keel.names()
    else:
        tables = tuple(t.strip() for t in choice.split(",") if t.strip())
    return tables[:KEEL_QUICK_TABLES] if quick else tables


def section_keel(s: Settings, device: str) -> Section:
    """Figure 2: the default fit on fold 0's training rows of each table,
    SMOTE's ``fit_resample`` on the same rows as baseline."""
    from ganaug.bench import keel

    try:
        tables = keel_tables(s.keel, s.quick)
    except ModuleNotFoundError as exc:
        return {"status": f"not measured: {exc}"}, [
            Figure(
                "2",
                "median default fit, KEEL",
                device,
                None,
                "-",
                key="keel_median_fit_seconds",
                note=str(exc),
            )
        ]
    runs = [_keel_one(keel, name, device, s.steps) for name in tables]
    done = [r for r in runs if "error" not in r]
    median = statistics.median(r["fit_seconds"] for r in done) if done else None
    smote = (
        statistics.median(r["smote_seconds"] for r in done if r.get("smote_seconds"))
        if any(r.get("smote_seconds") for r in done)
        else None
    )
    details = {
        "tables": list(tables),
        "fold": "fold 0's training rows (ganaug.bench.keel.load)",
        "params": f"GanAugmenter(random_state=0, device={device!r}, steps={s.steps!r})",
        "runs": runs,
        "median_fit_seconds": median,
        "median_smote_seconds": smote,
        "failed": [r["table"] for r in runs if "error" in r],
    }
    steps = statistics.median(r["n_steps"] for r in done) if done else 0
    figure = Figure(
        "2",
        f"median default fit over {len(done)} KEEL tables (fold 0 train)",
        device,
        None if median is None else round(median, 3),
        "-" if median is None else f"{median:.2f} s (median {steps:.0f} steps)",
        key="keel_median_fit_seconds",
        baseline="" if smote is None else f"SMOTE median {smote * 1000:.1f} ms",
        note=f"{len(details['failed'])} table(s) failed" if details["failed"] else "",
        judged=not s.quick,
    )
    return details, [figure]


def _keel_one(keel: Any, name: str, device: str, steps: int | str) -> dict[str, Any]:
    run: dict[str, Any] = {"table": name}
    try:  # a benchmark records a failure and goes on
        X, y, folds = keel.load(name)
        X_tr, y_tr = X[folds[0][0]], y[folds[0][0]]
        run.update(columns=X.shape[1], rows=len(X_tr))
        run.update(fit(X_tr, y_tr, device, steps=steps).summary(len(X_tr)))
    except Exception as exc:
        print(f"  keel {name}: failed, {type(exc).__name__}: {exc}")
        return {**run, "error": f"{type(exc).__name__}: {exc}"}
    k = min(5, int(np.bincount(y_tr).min()) - 1)
    if k >= 1:
        smote = SMOTE(random_state=0, k_neighbors=k)
        run["smote_seconds"] = round(best_of(lambda: smote.fit_resample(X_tr, y_tr)), 5)
    print(f"  keel {name}: {run['fit_seconds']:.2f} s, {run['n_steps']} steps")
    return run


# ------------------------------------------------------------------- CTGAN
def section_ctgan(s: Settings, device: str) -> Section:
    """Figure 3: rows processed per second and time to fit with defaults,
    ganaug against CTGAN, on the digits train split (label: a discrete
    column for CTGAN)."""
    try:
        import ctgan
        from ctgan import CTGAN
    except ImportError as exc:
        note = "ctgan not installed: not measured"
        print(f"  {note} ({exc})")
        return {"status": note, "import_error": str(exc)}, [
            Figure(
                "3",
                "training rows/s, ganaug / CTGAN",
                device,
                None,
                "-",
                key="ctgan_rows_per_second_ratio",
                note=note,
            )
        ]
    import pandas as pd

    X_tr, _, y_tr, _ = digits_split()
    ours = digits_split_fit(device, s.steps)
    defaults = {
        k: p.default for k, p in inspect.signature(CTGAN.__init__).parameters.items()
    }
    epochs = s.ctgan_epochs or (1 if s.quick else defaults["epochs"])
    batch, d_steps = defaults["batch_size"], defaults["discriminator_steps"]
    frame = pd.DataFrame(X_tr, columns=[f"x{j}" for j in range(X_tr.shape[1])])
    frame["label"] = y_tr.astype(str)
    gpu = device.startswith("cuda")
    model = CTGAN(epochs=epochs, enable_gpu=gpu, verbose=False)
    model.set_random_state(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CTGAN's and rdt's FutureWarnings
        _, ctgan_s = timed(lambda: model.fit(frame, discrete_columns=["label"]), device)
    prep_s = _ctgan_preprocessing_seconds(frame)
    ctgan_device = str(getattr(model, "_device", "unknown"))
    if torch.device(device).type not in ctgan_device:
        raise RuntimeError(f"CTGAN asked for {device!r} but ran on {ctgan_device}")
    # real rows shown to the discriminator, as each trainer draws them
    ours_rows = ours.aug.n_steps_ * ours.aug.n_critic * ours.aug.batch_size
    ctgan_rows = epochs * max(len(frame) // batch, 1) * d_steps * batch
    ours_rps, ctgan_rps = ours_rows / ours.seconds, ctgan_rows / ctgan_s
    details = {
        "data": f"digits train split, {X_tr.shape[0]} x {X_tr.shape[1]} + label",
        "ctgan_version": getattr(ctgan, "__version__", "unknown"),
        "ctgan_params": f"CTGAN(epochs={epochs}, enable_gpu={gpu}), "
        f"batch_size={batch}, discriminator_steps={d_steps}; label discrete",
        "ctgan_device": ctgan_device,
        "definition": "training rows processed per second = real rows shown to the "
        "discriminator / whole fit seconds (ganaug: steps x n_critic x batch_size; "
        "CTGAN: epochs x max(n // batch_size, 1) x discriminator_steps x "
        "batch_size); the target's figure is the ratio of the two",
        "ganaug": {**ours.summary(len(X_tr)), "rows_processed": ours_rows},
        "ctgan": {
            "fit_seconds": round(ctgan_s, 3),
            "epochs": epochs,
            "rows_processed": ctgan_rows,
            "preprocessing_seconds": round(prep_s, 3),
            "preprocessing": "DataTransformer fit + transform of the same frame, "
            "timed apart (one mixture model per continuous column): part of CTGAN's "
            "fit seconds",
            "rows_per_second_without_preprocessing": round(
                ctgan_rows / max(ctgan_s - prep_s, 1e-9)
            ),
        },
        "ganaug_rows_per_second": round(ours_rps),
        "ctgan_rows_per_second": round(ctgan_rps),
        "ratio": round(ours_rps / ctgan_rps, 3),
    }
    figures = [
        Figure(
            "3a",
            "training rows/s, ganaug / CTGAN (digits train split)",
            device,
            round(ours_rps / ctgan_rps, 3),
            f"{ours_rps / ctgan_rps:.2f}x ({ours_rps:,.0f} rows/s)",
            key="ctgan_rows_per_second_ratio",
            baseline=f"CTGAN {ctgan_rps:,.0f} rows/s",
            note=f"the target's figure; CTGAN's fit includes {prep_s:.0f} s of "
            "preprocessing",
            judged=not s.quick,
        ),
        Figure(
            "3b",
            "time to fit with each library's defaults (digits train split)",
            device,
            round(ours.seconds, 2),
            f"{ours.seconds:.1f} s ({ours.aug.n_steps_} steps)",
            baseline=f"CTGAN {ctgan_s:.1f} s ({epochs} epochs)",
        ),
    ]
    return details, figures


def _ctgan_preprocessing_seconds(frame: Any) -> float:
    """Seconds of CTGAN's ``DataTransformer`` on ``frame`` (the first thing
    its ``fit`` does)."""
    from ctgan.data_transformer import DataTransformer

    def prepare() -> None:
        transformer = DataTransformer()
        transformer.fit(frame, ["label"])
        transformer.transform(frame)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return timed(prepare)[1]


# ---------------------------------------------------------------- sampling
def section_sample(s: Settings, device: str) -> Section:
    """Figure 4: rows/s of ``sample`` against SMOTE's generated rows per
    second of ``fit_resample`` (kNN fit included), the same number of
    rows, on all of digits."""
    X, y = load_digits(return_X_y=True)
    rows = 20_000 if s.quick else s.sample_rows
    steps = QUICK_STEPS if s.quick else SAMPLE_FIT_STEPS
    aug = fit(X, y, device, steps=steps).aug
    aug.sample(1000)  # warm-up
    ours_s = best_of(lambda: aug.sample(rows), repeat=3, device=device)
    counts = np.bincount(y)
    extra = np.full(len(counts), rows // len(counts))
    extra[: rows % len(counts)] += 1
    strategy = {c: int(counts[c] + extra[c]) for c in range(len(counts))}
    smote = SMOTE(sampling_strategy=strategy, random_state=0)
    generated = len(smote.fit_resample(X, y)[0]) - len(X)
    smote_s = best_of(lambda: smote.fit_resample(X, y))
    ours_rps, smote_rps = rows / ours_s, generated / smote_s
    details = {
        "data": "all of digits, 1,797 x 64",
        "ganaug": f"GanAugmenter(steps={steps}, random_state=0).fit(X, y), then "
        f"best of 3 sample({rows}) after a warm-up (steps do not change the "
        "cost of sampling)",
        "smote": "best of 3 SMOTE(sampling_strategy={c: count + share}, "
        "random_state=0).fit_resample(X, y): the same number of new rows, "
        "spread evenly over classes; its kNN fit is included",
        "rows": rows,
        "ganaug_seconds": round(ours_s, 4),
        "ganaug_rows_per_second": round(ours_rps),
        "smote_generated_rows": generated,
        "smote_seconds": round(smote_s, 4),
        "smote_rows_per_second": round(smote_rps),
        "ratio": round(ours_rps / smote_rps, 3),
    }
    figure = Figure(
        "4",
        f"sampling rows/s, ganaug / SMOTE ({rows:,} digits rows)",
        device,
        round(ours_rps / smote_rps, 3),
        f"{ours_rps / smote_rps:.2f}x ({ours_rps:,.0f} rows/s)",
        key="sample_rows_per_second_ratio",
        baseline=f"SMOTE {smote_rps:,.0f} rows/s",
        judged=not s.quick,
    )
    return details, [figure]


# ------------------------------------------------------------------ images
# (name, image shape, model) of figure 8; "auto" is what the default picks
IMAGE_CASES = (
    ("8x8 grayscale", (8, 8), "auto"),
    ("28x28 grayscale", (28, 28), "auto"),
    ("28x28 grayscale", (28, 28), "mlp"),
    ("32x32 RGB", (32, 32, 3), "auto"),
    ("32x32 RGB", (32, 32, 3), "conv"),
)
IMAGE_ROWS = 1000  # the "a 28x28 fit on 1,000 images"
IMAGE_STEPS = {"mlp": 201, "conv": 11}  # timed steps; ms/step is marginal


def section_images(s: Settings, device: str) -> Section:
    """Figure 8: ms/step of the pair the default picks at 8x8, 28x28 and
    32x32x3 (and of the MLP pair at 28x28), on 1,000 images of 10 classes,
    and what a default fit of 1,000 28x28 images would take at that rate
    (the 90 s target).  Pixels are uniform noise: a step costs the same
    whatever the images show, and ``steps`` is fixed."""
    rng = np.random.default_rng(0)
    y = np.arange(IMAGE_ROWS) % 10
    details: dict[str, Any] = {"rows": IMAGE_ROWS, "classes": 10, "cases": []}
    figures = []
    for name, shape, model in IMAGE_CASES:
        X = (rng.random((IMAGE_ROWS, *shape)) * 255).astype(np.uint8)
        one = fit(X, y, device, steps=1, model=model)
        kind = one.aug.model_
        steps = 3 if s.quick else IMAGE_STEPS[kind]
        run = fit(X, y, device, steps=steps, model=model)
        ms = 1000 * (run.seconds - one.seconds) / (steps - 1)
        most = default_steps(IMAGE_ROWS, kind)
        least = STOPPING[kind]["min_steps"]
        case = {
            "images": name,
            "shape": list(shape),
            "model": model,
            "pair": kind,
            "ms_per_step": round(ms, 2),
            "fixed_cost_seconds": round(one.seconds, 3),
            "timed_steps": steps,
            "default_steps_range": [least, most],
            "default_fit_seconds_range": [
                round(one.seconds + least * ms / 1000, 1),
                round(one.seconds + most * ms / 1000, 1),
            ],
        }
        details["cases"].append(case)
        lo, hi = case["default_fit_seconds_range"]
        figures.append(
            Figure(
                "8",
                f"ms/step, {name}, {kind} pair"
                + (" (the default)" if model == "auto" else " (forced)"),
                device,
                round(ms, 2),
                f"{ms:.1f} ms/step",
                baseline=f"fixed cost {one.seconds:.2f} s",
                note=f"steps='auto' runs {least}-{most} steps for {IMAGE_ROWS:,} "
                f"images: {lo:.0f}-{hi:.0f} s projected at this rate, not measured",
                judged=not s.quick,
            )
        )
    figures.append(_real_fit(s, device, details, "animal-mnist"))
    figures.append(_real_fit(s, device, details, "animal-mnist-rgb"))
    return details, figures


REAL_FITS = {  # data set: (figure name, details key, target key or None)
    "animal-mnist": (
        "default fit, 1,000 real 28x28 images (Animal-MNIST, 100 a class)",
        "real_28x28_fit", "images_28_fit_seconds",
    ),
    "animal-mnist-rgb": (
        "default fit, 1,000 real 32x32 RGB images (colourised Animal-MNIST)",
        "real_32x32x3_fit", None,
    ),
}  # fmt: skip


def _real_fit(
    s: Settings, device: str, details: dict[str, Any], dataset: str
) -> Figure:
    """A default fit (``steps="auto"``) of 1,000 real images, 100 of each
    class: 28x28 Animal-MNIST (the 90 s target itself) or its 32x32 RGB
    version (the benchmark package)."""
    name, detail_key, key = REAL_FITS[dataset]
    try:
        from ganaug.bench.data import load_dataset

        data = load_dataset(dataset)
    except (ImportError, ValueError) as err:  # the package is not installed
        return Figure("8", name, device, None, "-", note=f"skipped: {err}")
    rows = np.concatenate([np.flatnonzero(data.y == c)[:100] for c in range(10)])
    params = {"steps": 3} if s.quick else {}
    run = fit(data.X[rows], data.y[rows], device, **params)
    steps = int(run.aug.n_steps_)
    details[detail_key] = {
        "seconds": round(run.seconds, 2),
        "pair": run.aug.model_,
        "steps": steps,
    }
    return Figure(
        "8",
        name,
        device,
        round(run.seconds, 1),
        f"{run.seconds:.1f} s",
        key=key,
        note=f"{run.aug.model_} pair, {steps} steps",
        judged=not s.quick,
    )
