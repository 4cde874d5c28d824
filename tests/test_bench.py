"""The benchmark harness on tiny settings."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ganaug.bench import (
    METHODS,
    BenchConfig,
    load_dataset,
    make_split,
    markdown,
    merge_results,
    paired_ci,
    replace_methods,
    run,
    score,
    summarise,
    target_counts,
    write_all,
)
from ganaug.bench.report import save_json


@pytest.fixture(scope="module")
def tiny_result():
    config = BenchConfig(
        datasets=["digits"], regimes=["imbalanced"], seeds=2,
        classifiers=["logreg", "knn", "cnn"], minority=5, majority=20,
        ganaug_params={"steps": 20}, cnn_steps=10, quality=False, verbose=0,
    )  # fmt: skip
    return run(config)


def test_splits_are_identical_across_methods(tiny_result):
    runs = tiny_result["runs"]
    for seed in (0, 1):
        digests = {
            (r["train_digest"], r["test_digest"]) for r in runs if r["seed"] == seed
        }
        assert len(digests) == 1
    assert {r["method"] for r in runs} == set(METHODS)
    assert {r["classifier"] for r in runs if r["method"] == "mixup"} == {"cnn"}


def test_class_weights_are_used_or_marked(tiny_result):
    cw = [r for r in tiny_result["runs"] if r["method"] == "class-weights"]
    used = {r["classifier"]: r["weights_used"] for r in cw}
    assert used == {"logreg": True, "knn": False, "cnn": True}
    knn = next(r for r in cw if r["classifier"] == "knn")
    assert "no sample_weight" in knn["note"]
    real = {
        (r["seed"], r["classifier"]): r["balanced_accuracy"]
        for r in tiny_result["runs"]
        if r["method"] == "real"
    }
    # k-NN falls back to the real rows: same score as 'real'
    assert all(r["balanced_accuracy"] == real[(r["seed"], "knn")] for r in cw
               if r["classifier"] == "knn")  # fmt: skip


def test_sample_grids_are_plain_arrays(tiny_result):
    grids = tiny_result["sample_grids"]
    assert set(grids) == {("digits", "imbalanced")}
    g = grids[("digits", "imbalanced")]
    assert all(isinstance(v, np.ndarray) for v in g.values())
    assert g["X_syn"].shape[1:] == (8, 8) and len(g["X_syn"]) == 80
    assert "_samples" not in tiny_result


def test_class_counts_are_equal_across_methods(tiny_result):
    for seed in (0, 1):
        counts = {
            r["method"]: r["class_counts"]
            for r in tiny_result["runs"]
            if r["seed"] == seed and r["method"] != "real"
        }
        assert len(counts) == len(METHODS) - 1  # class weights: weighted counts
        values = list(counts.values())
        assert all(v == values[0] for v in values)
        assert len(set(values[0].values())) == 1  # imbalanced: all up to the majority
        real = next(r for r in tiny_result["runs"] if r["method"] == "real")
        assert sorted(real["class_counts"].values())[0] == 5


def test_quality_is_reported_per_split():
    config = BenchConfig(
        datasets=["digits"], regimes=["imbalanced"], seeds=1, methods=["ganaug"],
        classifiers=["logreg"], minority=5, majority=20,
        ganaug_params={"steps": 10}, verbose=0,
    )  # fmt: skip
    q = run(config)["quality"]
    assert len(q) == 1 and {"cas", "fd", "precision", "dcr_ratio", "per_class"} <= set(
        q[0]
    )


def test_first_seed_runs_later_seeds_and_merges_with_an_earlier_run(
    tiny_result, tmp_path
):
    """Seeds 0-1 in one run equal seed 0 and seed 1 run apart and merged."""
    cfg = dict(tiny_result["config"])
    later = run(BenchConfig(**dict(cfg, seeds=1, first_seed=1)))
    assert {r["seed"] for r in later["runs"]} == {1}
    first = run(BenchConfig(**dict(cfg, seeds=1, first_seed=0)))
    saved = []  # as runs.json holds them
    for i, r in enumerate((first, later)):
        save_json(r, tmp_path / f"{i}.json")
        saved.append(json.loads((tmp_path / f"{i}.json").read_text()))
    merged = merge_results(saved)
    key = ("seed", "method", "classifier", "train_digest", "balanced_accuracy")

    def rows(result):
        return sorted(tuple(r[k] for k in key) for r in result["runs"])

    assert rows(merged) == rows(tiny_result)
    assert merged["config"]["seed_list"] == [0, 1]
    summarise(merged["runs"])  # the report's statistics take the joined runs
    with pytest.raises(ValueError, match="in two results"):
        merge_results([first, first])
    other = dict(first, config=dict(first["config"], minority=6))
    with pytest.raises(ValueError, match=r"other settings.*minority"):
        merge_results([other, later])
    with pytest.raises(ValueError, match="at least one"):
        merge_results([])


def test_regimes_and_target_counts():
    data = load_dataset("digits")
    low = make_split(data, "low-data", 0, k=7)
    assert np.bincount(data.y[low.train]).tolist() == [7] * 10
    assert make_split(data, "low-data", 0).train.size == 200  # default k=20
    imb = make_split(data, "imbalanced", 3, minority=4, majority=30)
    counts = np.bincount(data.y[imb.train])
    assert sorted(counts.tolist()) == [4] * 5 + [30] * 5
    full = make_split(data, "full", 0)
    assert len(set(full.train) & set(full.test)) == 0
    assert len(full.train) + len(full.test) == len(data.y)
    assert set(full.test) == set(low.test)  # same test split per seed
    assert set(imb.test) == set(make_split(data, "full", 3).test)
    assert target_counts(data.y[imb.train], "imbalanced") == dict.fromkeys(
        range(10), 30
    )
    assert target_counts(np.array([0, 0, 1]), "low-data") == {0: 4, 1: 2}
    with pytest.raises(ValueError, match="regime must be one of"):
        make_split(data, "tiny", 0)
    with pytest.raises(ValueError, match="needs a data set with folds"):
        make_split(data, "folds", 0)


def test_score_and_paired_ci_hand_made():
    s = score([0, 0, 1, 1], [0, 1, 1, 1])
    assert s["accuracy"] == 0.75 and s["balanced_accuracy"] == 0.75
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert s["f1_minority"] is None and s["roc_auc"] is None  # no minority given
    # recalls 1/2 and 1: G-mean sqrt(1/2); minority class 1: F1 = 2*1*(2/3)/(5/3)
    s = score([0, 0, 1, 1], [0, 1, 1, 1], y_score=[0.1, 0.6, 0.4, 0.9], minority=1)
    assert s["g_mean"] == pytest.approx(np.sqrt(0.5))
    assert s["f1_minority"] == pytest.approx(0.8)
    assert s["roc_auc"] == pytest.approx(0.75)  # 3 of 4 pairs ordered
    s = score([0, 1, 2, 2], [0, 1, 2, 0], minority=0)  # three classes
    assert s["g_mean"] == pytest.approx(0.5 ** (1 / 3))
    assert s["f1_minority"] is None and s["roc_auc"] is None
    ci = paired_ci([0.01, 0.03, 0.02])
    # mean 0.02, sd 0.01, t(0.975, 2) = 4.303
    assert ci["mean"] == pytest.approx(0.02)
    assert ci["hi"] - ci["mean"] == pytest.approx(4.3027 * 0.01 / np.sqrt(3), rel=1e-3)


def test_summary_and_markdown_say_plainly_who_won(tiny_result, tmp_path):
    rows = summarise(tiny_result["runs"])
    mean_rows = [r for r in rows if r["classifier"] == "mean"]
    assert {r["method"] for r in mean_rows} >= {"ganaug", "smote", "real"}
    md = markdown(tiny_result)
    assert "## digits — imbalanced" in md and "ganaug vs SMOTE" in md
    assert any(w in md for w in ("**better**", "**worse**", "**no clear difference**"))
    files = write_all(tiny_result, tmp_path)
    saved = json.loads(files["json"].read_text())
    assert len(saved["runs"]) == len(tiny_result["runs"])
    assert "sample_grids" not in saved
    assert {"g_mean", "f1_minority", "roc_auc"} <= set(saved["runs"][0])
    assert files["gains"] and files["grids"]
    for p in files["gains"] + files["grids"]:
        assert p.read_bytes()[:4] == b"\x89PNG"


def test_cli_bench_on_a_npz_table(tmp_path):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 4)), rng.normal(2, 1, (60, 4))])
    y = np.repeat(["a", "b"], 60)
    np.savez(tmp_path / "toy.npz", X=X, y=y)
    exe = Path(sys.executable).with_name("ganaug")
    out = subprocess.run(
        [str(exe), "bench", "--dataset", str(tmp_path / "toy.npz"), "--regime",
         "imbalanced", "--seeds", "2", "--minority", "6", "--majority", "30",
         "--classifiers", "logreg", "knn", "--ganaug-params", '{"steps": 10}',
         "--out", str(tmp_path / "res"), "--quiet"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "## toy — imbalanced" in out.stdout
    assert (tmp_path / "res" / "results.md").exists()
    assert "classical" not in out.stdout.split("## Generator")[0]  # images only


def test_replace_methods_puts_a_rerun_in_place_of_a_method_rows(tiny_result):
    cfg = dict(tiny_result["config"])
    one = "smote"
    rerun = run(BenchConfig(**dict(cfg, methods=[one], quality=False)))
    # mark the rerun's rows, so that the test sees where they went
    for r in rerun["runs"]:
        r["balanced_accuracy"] = -1.0
    out = replace_methods(tiny_result, rerun, "fixed the baseline")
    assert len(out["runs"]) == len(tiny_result["runs"])
    for new, old in zip(out["runs"], tiny_result["runs"], strict=True):
        assert (new["method"], new["seed"]) == (old["method"], old["seed"])
        assert (new["balanced_accuracy"] == -1.0) == (old["method"] == one)
    assert out["config"]["reruns"] == [{"methods": [one], "note": "fixed the baseline"}]
    assert "fixed the baseline" in markdown(out)
    assert "reruns" not in tiny_result["config"]  # the input is not changed
    with pytest.raises(ValueError, match="note"):
        replace_methods(tiny_result, rerun, " ")
    other = dict(rerun, config=dict(rerun["config"], minority=6))
    with pytest.raises(ValueError, match=r"other settings.*minority"):
        replace_methods(tiny_result, other, "x")
    short = dict(rerun, runs=rerun["runs"][1:])
    with pytest.raises(ValueError, match="exactly base's rows"):
        replace_methods(tiny_result, short, "x")
    moved = dict(rerun, runs=[dict(r, test_digest="0") for r in rerun["runs"]])
    with pytest.raises(ValueError, match="test split differs"):
        replace_methods(tiny_result, moved, "x")
    alien = dict(rerun, runs=[dict(r, classifier="svc") for r in rerun["runs"]])
    with pytest.raises(ValueError, match="lacks"):
        replace_methods(tiny_result, alien, "x")
    # the error names the rows that differ
    with pytest.raises(ValueError, match=r"missing \[\('digits'"):
        replace_methods(tiny_result, short, "x")
    # a replaced result can take a second rerun, and still merge with more seeds
    twice = replace_methods(out, rerun, "and again")
    assert [x["note"] for x in twice["config"]["reruns"]] == [
        "fixed the baseline", "and again"]  # fmt: skip
    later = dict(tiny_result, config=dict(tiny_result["config"], seeds=1, first_seed=9),
                 runs=[dict(r, seed=9) for r in tiny_result["runs"]],
                 quality=[])  # fmt: skip
    merged = merge_results([twice, later])
    assert merged["config"]["seed_list"] == [0, 1, 9]
    assert len(merged["config"]["reruns"]) == 2
    again = dict(later, runs=[dict(r, seed=10) for r in later["runs"]])
    assert merge_results([merged, again])["config"]["seed_list"] == [0, 1, 9, 10]
