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
