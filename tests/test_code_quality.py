"""The package type-checks with mypy and passes ruff, as configured in pyproject.toml.

Run by ``make test`` (and so by CI) so that neither can regress unnoticed; ``make lint`` runs
the same two tools directly.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (it is in the dev extra: pip install -e '.[dev]')")
    return found


def test_mypy_finds_no_type_errors(tmp_path):
    run = subprocess.run(
        [_tool("mypy"), "src/cocamonitor", "--cache-dir", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Success: no issues found" in run.stdout


def test_ruff_finds_nothing():
    run = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "src", "tests", "scripts", "benchmarks"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
