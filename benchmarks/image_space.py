"""Animal-MNIST imbalanced: in which space should the GAN learn 28x28 images?

A screen for issue #10.  The MLP pair on raw pixels draws each class's mean
silhouette (recall near 0) and the conv pair is slow on a CPU; this script
compares, on the benchmark's own splits, classifiers and targets:

* ``real``, ``smote`` (pixels), as in ``ganaug bench``;
* ``pixels``: the default tabular GAN on the flattened pixels (MLP pair);
* ``images``: the GAN on the images as images (the conv pair by default);
* ``pca-K``: the GAN fitted on the first ``K`` principal components of the
  training images (a linear map fitted on the training split only), its
  samples mapped back to pixels, clipped to the training range and rounded
  to the pixel dtype.

Run: ``OMP_NUM_THREADS=1 python benchmarks/image_space.py --seeds 0 1 2``
(about a minute a fit).  Writes ``benchmarks/results/animal-mnist/space/``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import balanced_accuracy_score

from ganaug import GanAugmenter
from ganaug.bench.classifiers import fit_classifier, make_classifier
from ganaug.bench.data import load_dataset, make_split, target_counts
from ganaug.bench.methods import classical_samples, needed, random_oversampling, smote
from ganaug.metrics import distance_to_closest_record

CLASSIFIERS = ("logreg", "svc", "knn", "rf")


def gan_rows(Z, y, need, seed, params):
    aug = GanAugmenter(random_state=seed, verbose=0, **params).fit(Z, y)
    labels = [c for c, n in need.items() for _ in range(n)]
    Zn, yn = aug.sample(y=labels, random_state=0)
    return np.asarray(Zn), np.asarray(yn)


def method_rows(method, X, y, need, target, seed, params):
    """New rows (flat pixels, the training dtype) and labels."""
    flat = X.reshape(len(X), -1)
    if method in ("smote", "random-oversampling"):
        fn = smote if method == "smote" else random_oversampling
        Xr, yr = fn(flat, y, target, seed)
        return Xr[len(X) :], yr[len(X) :]
    if method == "pixels":
        return gan_rows(flat, y, need, seed, params)
    if method == "images":  # the (n, 28, 28) images: the conv pair by default
        Xn, yn = gan_rows(X, y, need, seed, params)
        return Xn.reshape(len(Xn), -1), yn
    if method.startswith("expanded-"):  # GAN fitted on real + (K-1) classical copies
        k = int(method.split("-")[1])
        classes, counts = np.unique(y, return_counts=True)
        grow = {c: int(n) * (k - 1) for c, n in zip(classes, counts, strict=True)}
        Xc, yc = classical_samples(X, y, grow, seed)
        Xe, ye = np.concatenate([X, Xc]), np.concatenate([y, yc])
        return gan_rows(Xe.reshape(len(Xe), -1), ye, need, seed, params)
    if method == "anchored":  # DAGAN-style: each sample starts from a real image
        from anchored import fit_anchored, sample_anchored

        model = fit_anchored(X, y, seed, params)
        return sample_anchored(model, need, seed, X.dtype)
    if method == "warp":  # deformation GAN: each sample a learned warp of a real image
        from warp import fit_warp, sample_warp

        model = fit_warp(X, y, seed, params)
        return sample_warp(model, need, seed, X.dtype)
    if method == "classical":
        Xc, yc = classical_samples(X, y, need, seed)
        return Xc.reshape(len(Xc), -1), yc
    if method.startswith("pca-"):
        k = int(method.split("-")[1])
        pca = PCA(k, random_state=seed).fit(flat.astype(np.float64))
        Zn, yn = gan_rows(pca.transform(flat.astype(np.float64)), y, need, seed, params)
        back = pca.inverse_transform(Zn)
        back = np.clip(np.rint(back), flat.min(), flat.max()).astype(X.dtype)
        return back, yn
    raise ValueError(method)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--methods", nargs="+",
                    default=["real", "smote", "pca-32", "pca-64"])  # fmt: skip
    ap.add_argument("--dataset", default="animal-mnist",
                    choices=["animal-mnist", "animal-mnist-rgb"])  # fmt: skip
    ap.add_argument("--params", default="{}", help="GanAugmenter parameters (JSON)")
    ap.add_argument("--out", default="benchmarks/results/animal-mnist/space")
    args = ap.parse_args()
    params = json.loads(args.params)
    data = load_dataset(args.dataset)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    for seed in args.seeds:
        split = make_split(data, "imbalanced", seed)
        X, y = data.X[split.train], data.y[split.train]
        Xte = data.X[split.test].reshape(len(split.test), -1)
        yte = data.y[split.test]
        target = target_counts(y, "imbalanced")
        need = needed(y, target)
        for method in args.methods:
            t0 = time.perf_counter()
            if method == "real":
                Xn = np.empty((0, Xte.shape[1]), X.dtype)
                yn = y[:0]
            else:
                Xn, yn = method_rows(method, X, y, need, target, seed, params)
            secs = time.perf_counter() - t0
            Xtr = np.concatenate([X.reshape(len(X), -1), Xn.astype(X.dtype)])
            ytr = np.concatenate([y, yn.astype(y.dtype)])
            scores = {}
            for name in CLASSIFIERS:
                clf = fit_classifier(make_classifier(name, seed), Xtr, ytr)
                pred = clf.predict(Xte)
                scores[name] = 100 * balanced_accuracy_score(yte, pred)
            mean = float(np.mean(list(scores.values())))
            run = {"seed": seed, "method": method, "params": params,
                   "seconds": secs, "scores": scores, "mean": mean}  # fmt: skip
            if len(Xn):  # copies: samples' distance to the closest training image
                dcr = distance_to_closest_record(Xn, X.reshape(len(X), -1), Xte)
                run["dcr_ratio"] = dcr["dcr_ratio"]
                run["exact_copies"] = dcr["exact_copies"]
            runs.append(run)
            print(json.dumps(run), flush=True)
            if method.startswith(("pca", "expanded")) or method in (
                "pixels", "images", "anchored", "warp"):  # fmt: skip
                ptag = "_".join(f"{k}{v}" for k, v in params.items())
                name = f"samples_{method}{'_' + ptag if ptag else ''}_seed{seed}.npy"
                np.save(out / name.replace(" ", ""), Xn[::40])
    tag = "_".join(f"{k}{v}" for k, v in params.items()) or "defaults"
    tag += "_" + "-".join(args.methods) + "_seeds" + "-".join(map(str, args.seeds))
    (out / f"runs_{tag}.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
