"""The installed console script, not just the module."""

import shutil
import subprocess
import sys
from pathlib import Path

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
