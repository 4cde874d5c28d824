"""The installed console script, not just the module."""

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest


def _script() -> str:
    exe = Path(sys.executable).with_name("ganaug")
    found = str(exe) if exe.exists() else shutil.which("ganaug")
    if found is None:
        pytest.fail("the 'ganaug' console script is not installed (pip install -e .)")
    return found


def test_entry_point_help():
    out = subprocess.run(
        [_script(), "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in out.stdout


def test_demo_runs_and_writes_a_grid(tmp_path):
    out = subprocess.run(
        [_script(), "demo", "--out", str(tmp_path), "--steps", "20", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "synthetic only (CAS)" in out.stdout and "SMOTE" in out.stdout
    png = tmp_path / "digits_grid.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


BAD_BENCH_ARGS = [
    (["--ganaug-params", "{bad json"], "not valid JSON"),
    (["--ganaug-params", '{"steps": 0}'], "'steps' parameter"),
    (["--ganaug-params", '{"no_such": 1}'], "unexpected keyword"),
    (["--ganaug-params", "[1]"], "JSON object"),
    (["--dataset", "nosuchdataset"], "dataset must be one of"),
    (["--dataset", "keel:nosuch"], "unknown KEEL data set"),
    (["--seeds", "-1"], "positive integer"),
    (["--seeds", "two"], "positive integer"),
    (["--suite", "keel", "--seeds", "6"], "5 folds"),
    (["--methods", "real", "magic"], "methods must be among"),
    (["--classifiers", "xgboost"], "classifiers must be among"),
    (["--suite", "uci"], "suite must be one of"),
    (["--regime", "tiny"], "regimes must be among"),
    (["--regime", "folds"], "needs data sets with their own folds"),
    (["--minority", "0"], "positive integer"),
]


@pytest.mark.parametrize(("args", "message"), BAD_BENCH_ARGS)
def test_bad_bench_arguments_exit_2_with_one_line(args, message, tmp_path, capsys,
                                                  monkeypatch):  # fmt: skip
    from ganaug import cli

    def boom(*a, **k):
        raise AssertionError("nothing may run")

    monkeypatch.setattr("ganaug.bench.run", boom)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench", *args, "--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ganaug bench: error:") and message in err[-1]
    assert "Traceback" not in "\n".join(err)
    assert not out.exists()


def test_bad_bench_argument_through_the_script(tmp_path):
    out = subprocess.run(
        [_script(), "bench", "--ganaug-params", '{"steps": 0}', "--out",
         str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("ganaug bench: error:")
    assert out.stdout == "" and not (tmp_path / "out").exists()


# ---------------------------------------------- fit / sample / resample on files
COUNTS = {"x": 40, "y": 15, "z": 5}
FAST = ["--steps", "60", "--seed", "0", "--quiet"]


def _table(n_per_class: dict, seed: int = 0):
    """Three numeric columns and a label, the label second (not last)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = sum(n_per_class.values())
    return pd.DataFrame(
        {
            "a": rng.normal(0.0, 1.0, n).round(3),
            "label": np.repeat(list(n_per_class), list(n_per_class.values())),
            "b": rng.integers(0, 10, n),
            "c": rng.uniform(5.0, 6.0, n).round(3),
        }
    )


def _cli(args: list[str], capsys) -> tuple[int, str, list[str]]:
    """``ganaug ARGS`` in this process: (exit status, stdout, stderr lines)."""
    from ganaug import cli

    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err.strip().splitlines()


def _ok(capsys, *args) -> str:
    """``ganaug ARGS`` must succeed without a word on stderr; its stdout."""
    code, out, err = _cli(list(args), capsys)
    assert (code, err) == (0, []), err
    return out


def _labels(path) -> dict:
    import pandas as pd

    return pd.read_csv(path)["label"].value_counts().to_dict()


def _in_range(frame, real) -> None:
    for col in ("a", "b", "c"):
        assert frame[col].between(real[col].min(), real[col].max()).all(), col
    assert (frame["b"] == frame["b"].round()).all()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A CSV and a model fitted on it by ``ganaug fit``, shared by the tests
    that only read them."""
    pytest.importorskip("pandas")
    from ganaug import cli

    folder = tmp_path_factory.mktemp("files")
    data, model = folder / "data.csv", folder / "model.ganaug"
    _table(COUNTS).to_csv(data, index=False)
    args = ["fit", data, "--target", "label", "-o", model, *FAST]
    assert cli.main([str(a) for a in args]) == 0
    return data, model


def test_fit_writes_a_model_that_remembers_the_target(files):
    from ganaug import GanAugmenter

    data, model = files
    aug = GanAugmenter.load(model)
    assert aug.classes_.tolist() == ["x", "y", "z"]
    assert aug.class_counts_.tolist() == [40, 15, 5]
    assert aug.n_steps_ == 60 and aug.verbose == 0
    assert aug.feature_names_in_.tolist() == ["a", "b", "c"]
    assert aug.spec_.y_name == "label"


def test_fit_reports_and_shows_the_progress_bar(files, tmp_path, capsys):
    data, _ = files
    code, out, err = _cli(
        ["fit", data, "--target", "label", "-o", tmp_path / "m", "--steps", "60",
         "--params", '{"batch_size": 32}'],
        capsys,
    )  # fmt: skip
    assert code == 0
    assert out.startswith(f"wrote {tmp_path / 'm'}: 3 classes, 60 rows, 3 features")
    assert "59/60 [" in "\n".join(err)  # the estimator's tqdm bar (verbose=1)


def test_sample_writes_features_then_target(files, tmp_path, capsys):
    import pandas as pd

    data, model = files
    out = tmp_path / "synthetic.csv"
    stdout = _ok(capsys, "sample", model, "-n", "31", "-o", out)
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["a", "b", "c", "label"]
    assert frame["label"].value_counts().to_dict() == {"x": 11, "y": 10, "z": 10}
    assert frame["b"].dtype.kind == "i"
    _in_range(frame, pd.read_csv(data))
    assert "31 rows (x: 11, y: 10, z: 10)" in stdout


def test_sample_only_the_given_classes(files, tmp_path, capsys):
    import pandas as pd

    _, model = files
    repeated, listed = tmp_path / "r.csv", tmp_path / "l.csv"
    base = ["sample", model, "-n", "9", "--seed", "3"]
    _ok(capsys, *base, "-o", repeated, "--class", "z", "--class", "y")
    _ok(capsys, *base, "-o", listed, "--class", "z", "y")
    frame = pd.read_csv(repeated)
    assert frame["label"].tolist() == ["z"] * 5 + ["y"] * 4
    assert frame.equals(pd.read_csv(listed))
    _ok(capsys, *base, "-o", listed, "--class", "y", "--class", "y")
    assert pd.read_csv(listed)["label"].tolist() == ["y"] * 9


def test_sample_class_prior_fitted(files, tmp_path, capsys):
    out = tmp_path / "s.csv"
    _ok(capsys, "sample", files[1], "-n", "12", "--class-prior", "fitted", "-o", out)
    assert _labels(out) == {"x": 8, "y": 3, "z": 1}


def test_sample_seed(files, tmp_path, capsys):
    """A seed fixes the rows; without one the model file's own stream runs,
    from the same point on every call."""
    seeds = [["--seed", "1"], ["--seed", "1"], ["--seed", "5"], [], []]
    texts = []
    for i, seed in enumerate(seeds):
        _ok(capsys, "sample", files[1], "-n", "6", "-o", tmp_path / f"{i}.csv", *seed)
        texts.append((tmp_path / f"{i}.csv").read_text())
    assert texts[0] == texts[1] != texts[2] != texts[3] == texts[4]


def test_resample_balances_and_keeps_the_input_columns(files, tmp_path, capsys):
    import pandas as pd

    data, _ = files
    out = tmp_path / "balanced.csv"
    stdout = _ok(capsys, "resample", data, "--target", "label", "-o", out, *FAST)
    real, frame = pd.read_csv(data), pd.read_csv(out)
    assert list(frame.columns) == ["a", "label", "b", "c"]  # the input's order
    assert frame["label"].value_counts().to_dict() == {"x": 40, "y": 40, "z": 40}
    assert frame.iloc[:60].equals(real)  # real rows first, unchanged
    _in_range(frame.iloc[60:], real)
    assert "120 rows (60 real + 60 synthetic; x: 40, y: 40, z: 40)" in stdout


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("minority", {"x": 40, "y": 15, "z": 40}),
        ('{"z": 20}', {"x": 40, "y": 15, "z": 20}),
    ],
)
def test_resample_sampling_strategy(files, tmp_path, capsys, strategy, expected):
    out = tmp_path / "r.csv"
    args = ["resample", files[0], "--target", "label", "-o", out, *FAST]
    _ok(capsys, *args, "--sampling-strategy", strategy)
    assert _labels(out) == expected


def test_integer_labels_are_matched_by_their_text(tmp_path, capsys):
    import pandas as pd

    data, model, out = tmp_path / "d.csv", tmp_path / "m.ganaug", tmp_path / "o.csv"
    table = _table({10: 30, 2: 10})
    table.to_csv(data, index=False)
    _ok(capsys, "fit", data, "--target", "label", "-o", model, *FAST)
    _ok(capsys, "sample", model, "-n", "4", "--class", "2", "-o", out)
    assert pd.read_csv(out)["label"].tolist() == [2, 2, 2, 2]
    args = ["resample", data, "--target", "label", "-o", out, *FAST]
    _ok(capsys, *args, "--sampling-strategy", '{"2": 25}')
    assert _labels(out) == {10: 30, 2: 25}


def test_parquet_in_and_out(files, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    import pandas as pd

    data, model = files
    src = tmp_path / "data.parquet"
    pd.read_csv(data).to_parquet(src, index=False)
    out = tmp_path / "balanced.pq"
    _ok(capsys, "resample", src, "--target", "label", "-o", out, *FAST)
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["a", "label", "b", "c"] and len(frame) == 120
    assert frame.iloc[:60].equals(pd.read_csv(data))
    _ok(capsys, "sample", model, "-n", "5", "-o", tmp_path / "s.parquet")
    frame = pd.read_parquet(tmp_path / "s.parquet")
    assert list(frame.columns) == ["a", "b", "c", "label"] and len(frame) == 5


def test_warnings_become_one_line(files, tmp_path, capsys, monkeypatch):
    from ganaug import GanAugmenter

    def fit(self, X, y):
        warnings.warn("samples look\ncollapsed", UserWarning, stacklevel=1)
        vars(self).update(vars(GanAugmenter.load(files[1])))  # fitted, no training
        return self

    monkeypatch.setattr(GanAugmenter, "fit", fit)
    code, _, err = _cli(
        ["fit", files[0], "--target", "label", "-o", tmp_path / "m", "--quiet"], capsys
    )
    assert code == 0 and err == ["ganaug fit: warning: samples look"]


def test_strings_and_missing_values_from_a_csv(tmp_path, capsys):
    """A string column and empty cells: fit, sample and resample keep the
    column, its values and its holes."""
    import pandas as pd

    rng = np.random.default_rng(0)
    table = _table({"x": 40, "y": 20})
    table["city"] = np.where(table["label"] == "x", "Oslo", "Lima")
    table.loc[::5, "city"] = None
    table.loc[::7, "a"] = np.nan
    table["b"] = table["b"].where(rng.random(len(table)) > 0.2)  # integers, holes
    data, model = tmp_path / "d.csv", tmp_path / "m.ganaug"
    table.to_csv(data, index=False)
    _ok(capsys, "fit", data, "--target", "label", "-o", model, *FAST)
    out = tmp_path / "s.csv"
    _ok(capsys, "sample", model, "-n", "300", "-o", out, "--seed", "1")
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["a", "b", "c", "city", "label"]
    cities = frame.groupby("label")["city"].agg(lambda c: set(c.dropna()))
    assert cities.to_dict() == {"x": {"Oslo"}, "y": {"Lima"}}
    assert frame["city"].isna().any() and frame["a"].isna().any()
    assert frame["b"].dropna().isin(set(table["b"].dropna())).all()
    out = tmp_path / "r.csv"
    _ok(capsys, "resample", data, "--target", "label", "-o", out, *FAST)
    frame = pd.read_csv(out)
    assert frame["label"].value_counts().to_dict() == {"x": 40, "y": 40}
    assert frame.iloc[:60].equals(pd.read_csv(data))


def test_sample_through_the_script(files, tmp_path):
    out = tmp_path / "s.csv"
    done = subprocess.run(
        [_script(), "sample", str(files[1]), "-n", "4", "-o", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert out.read_text().splitlines()[0] == "a,b,c,label"
    assert done.stdout.startswith(f"wrote {out}: 4 rows")


def _variants(folder: Path, data: Path, model: Path) -> None:
    """The broken inputs the error tests name, written into ``folder``."""
    real = _table(COUNTS)
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("a,label,b,c\n")
    (folder / "data.txt").write_text(data.read_text())
    (folder / "folder.csv").mkdir()
    (folder / "data.csv").write_text(data.read_text())
    real.assign(label="x").to_csv(folder / "one_class.csv", index=False)
    real.assign(label=real["label"].where(real.index != 3)).to_csv(
        folder / "no_label.csv", index=False
    )
    real.assign(e=np.nan).to_csv(folder / "empty_column.csv", index=False)
    real[["label"]].to_csv(folder / "only_target.csv", index=False)
    real.assign(label=real["a"] * 1.37).to_csv(folder / "continuous.csv", index=False)
    (folder / "model.csv").write_bytes(model.read_bytes())


FIT = ["fit", "{dir}/data.csv", "--target", "label", "-o", "{dir}/out.ganaug"]
SAMPLE = ["sample", "{model}", "-n", "5", "-o", "{dir}/out.csv"]
RESAMPLE = ["resample", "{dir}/data.csv", "--target", "label", "-o", "{dir}/out.csv"]


def _with(args: list[str], **changes: str) -> list[str]:
    """``args`` with the value after each flag (or the positional ``data``) replaced."""
    args = list(args)
    for flag, value in changes.items():
        if flag in ("data", "model"):
            args[1] = value
        elif f"-{flag}" in args:
            args[args.index(f"-{flag}") + 1] = value
        else:
            args += [f"--{flag.replace('_', '-')}", value]
    return args


BAD_FILE_ARGS = [
    (_with(FIT, data="{dir}/nope.csv"), "nope.csv: no such file"),
    (_with(FIT, data="{dir}/folder.csv"), "folder.csv: not a file"),
    (_with(FIT, data="{dir}/empty.csv"), "empty.csv is empty"),
    (_with(FIT, data="{dir}/header.csv"), "header.csv has no rows"),
    (_with(FIT, data="{dir}/data.txt"), "unknown file extension '.txt'"),
    (_with(FIT, target="lab"),
     "no column 'lab' (--target); its columns are 'a', 'label', 'b', 'c'"),
    (_with(FIT, data="{dir}/one_class.csv"), "'label' has a single class ('x')"),
    (_with(FIT, data="{dir}/no_label.csv"), "'label' has 1 missing value"),
    (_with(FIT, data="{dir}/empty_column.csv"),
     "X column 'e' has no values: all 60 are missing"),
    (_with(FIT, data="{dir}/only_target.csv"), "no columns besides the target 'label'"),
    (_with(FIT, data="{dir}/continuous.csv"), "continuous target"),
    (_with(FIT, o="{dir}/data.csv"), "-o {dir}/data.csv is the input file"),
    (_with(FIT, o="{dir}/no/such/m.ganaug"), "folder '{dir}/no/such' does not exist"),
    (_with(FIT, params="{bad"), "--params is not valid JSON"),
    (_with(FIT, params="[1]"), "--params must be a JSON object"),
    (_with(FIT, params='{"no_such": 1}'), "unexpected keyword argument 'no_such'"),
    (_with(FIT, params='{"steps": 0}'), "'steps' parameter"),
    (_with(FIT, params='{"steps": 5}', steps="5"),
     "--params sets 'steps' and so does --steps"),
    (_with(SAMPLE, model="{dir}/data.csv"), "is not a ganaug model file"),
    (_with(SAMPLE, model="{dir}/nope.ganaug"), "nope.ganaug: no such file"),
    (_with(SAMPLE, o="{dir}/out.xlsx"), "unknown file extension '.xlsx'"),
    (_with(SAMPLE, model="{dir}/model.csv", o="{dir}/model.csv"), "is the input file"),
    (_with(SAMPLE, **{"class": "w"}),
     "unknown class 'w'; the model's classes are 'x', 'y', 'z'"),
    (_with(SAMPLE, n="10000000000000"), "would need about"),
    (_with(SAMPLE, **{"class": "x", "class_prior": "fitted"}),
     "--class-prior applies only without --class"),
    (_with(RESAMPLE, o="{dir}/data.csv"), "-o {dir}/data.csv is the input file"),
    (_with(RESAMPLE, target="lab"), "no column 'lab'"),
    (_with(RESAMPLE, sampling_strategy="most"), "'sampling_strategy' parameter"),
    (_with(RESAMPLE, sampling_strategy='{"w": 3}'),
     "unknown --sampling-strategy label 'w'; the model's classes are 'x', 'y', 'z'"),
    (_with(RESAMPLE, sampling_strategy="[1]"), "--sampling-strategy must be a name"),
    (_with(RESAMPLE, sampling_strategy="all", params='{"sampling_strategy": "all"}'),
     "--params sets 'sampling_strategy' and so does --sampling-strategy"),
]  # fmt: skip


def _expand(args: list[str], folder: Path, model: Path) -> list[str]:
    names = {"{dir}": str(folder), "{model}": str(model)}
    for key, value in names.items():
        args = [a.replace(key, value) for a in args]
    return args


@pytest.mark.parametrize(("args", "message"), BAD_FILE_ARGS)
def test_bad_file_commands_exit_2_with_one_line(args, message, files, tmp_path,
                                                 capsys, monkeypatch):  # fmt: skip
    def no_training(*a, **k):
        raise AssertionError("the error must come before any training")

    monkeypatch.setattr("ganaug.augmenter.train", no_training)
    _variants(tmp_path, *files)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = _cli(_expand(args, tmp_path, files[1]), capsys)
    assert code == 2 and out == ""
    assert len(err) == 1 and err[0].startswith(f"ganaug {args[0]}: error: ")
    assert message.replace("{dir}", str(tmp_path)) in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "argument -n: expected a positive integer; got 0"),
        (["-n", "-3"], "argument -n: expected a positive integer; got -3"),
        (["-n", "two"], "argument -n: expected a positive integer; got 'two'"),
        (["-n", "1.5"], "argument -n: expected a positive integer; got '1.5'"),
        (["--steps", "0"], "argument --steps: expected 'auto' or a positive"),
    ],
)
def test_argument_errors_exit_2_as_argparse_reports_them(args, message, files,
                                                        tmp_path, capsys):  # fmt: skip
    """Syntax errors come from argparse: its usage line, then one error line."""
    out = tmp_path / "out.csv"
    command = "fit" if "--steps" in args else "sample"
    first = [files[0], "--target", "label"] if command == "fit" else [files[1]]
    code, stdout, err = _cli([command, *first, *args, "-o", out], capsys)
    assert code == 2 and stdout == "" and not out.exists()
    assert err[0].startswith(f"usage: ganaug {command}")
    assert err[-1].startswith(f"ganaug {command}: error: {message}")
    assert "Traceback" not in "\n".join(err)


def test_parquet_without_pyarrow_says_what_to_install(files, tmp_path, capsys,
                                                     monkeypatch):  # fmt: skip
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow fails
    src = tmp_path / "data.parquet"
    src.write_bytes(b"PAR1")
    code, _, err = _cli(["fit", src, "--target", "label", "-o", tmp_path / "m"],
                        capsys)  # fmt: skip
    assert code == 2 and len(err) == 1 and "pip install pyarrow" in err[0]
    code, _, err = _cli(["sample", files[1], "-n", "3", "-o", tmp_path / "s.pq"],
                        capsys)  # fmt: skip
    assert code == 2 and len(err) == 1 and "pip install pyarrow" in err[0]
    assert not (tmp_path / "s.pq").exists()
