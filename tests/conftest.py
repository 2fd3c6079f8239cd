"""Shared fixtures: a CLI runner that returns (exit code, stdout, stderr)."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest

# A store named in the environment would record every CLI test's runs: tests name their own.
os.environ.pop("COCAMONITOR_STORE", None)
# Imported datasets in the user's own data folder would change every result: tests start empty.
os.environ["COCAMONITOR_DATA_DIR"] = tempfile.mkdtemp(prefix="cocamonitor-test-data-")


@pytest.fixture(autouse=True)
def _no_data_dir_left_over():
    """A test's ``--data-dir`` must not stay the default for the tests after it."""
    yield
    from cocamonitor import userdata

    userdata.set_default(None)


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch) -> Callable[..., CliResult]:
    """Run ``cocamonitor`` in-process with the given arguments and capture its streams."""
    from cocamonitor.cli import main

    def _run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        try:
            code = main(list(args))
        finally:
            monkeypatch.undo()
        return CliResult(code, out.getvalue(), err.getvalue())

    return _run
