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


def test_version_has_one_source():
    """pyproject.toml reads the version from ``cocamonitor._version``; the installed metadata agrees."""
    import tomllib
    from importlib.metadata import version

    from cocamonitor._version import __version__

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "cocamonitor._version.__version__"
    assert version("cocamonitor") == __version__


def test_complexity_ceilings_are_on():
    """ruff checks C901 and PLR0915 with ceilings that a new function cannot pass unnoticed."""
    import tomllib

    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert {"C901", "PLR0915"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] <= 27 and lint["pylint"]["max-statements"] <= 130


def test_pre_commit_hooks_use_local_tools():
    """The pre-commit hooks run ruff, mypy and the duplicates listing from .venv (nothing downloaded)."""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff", "mypy", "duplicates"} <= set(hooks)
    assert all(repo["repo"] == "local" for repo in config["repos"])
    assert all(h["language"] == "system" for h in hooks.values())


def test_core_speaks_through_logging_not_stderr():
    """Below the edges (commands, cli, web), notes go through ``logging``: no module writes to stderr."""
    import ast

    edges = ("commands", "web")
    offenders = []
    for path in sorted((ROOT / "src" / "cocamonitor").rglob("*.py")):
        rel = path.relative_to(ROOT / "src" / "cocamonitor")
        if rel.parts[0] in edges or rel.name in {"cli.py", "_log.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "stderr" and getattr(node.value, "id", "") == "sys":
                offenders.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print":
                offenders.append(f"{rel}:{node.lineno} print()")
    assert not offenders, "use logging.getLogger(__name__) instead: " + ", ".join(offenders)


def test_no_blanket_warning_filter():
    """Warnings are silenced by category and message, never all at once (``simplefilter("ignore")``)."""
    import ast

    offenders = []
    for path in sorted((ROOT / "src" / "cocamonitor").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "simplefilter"
                    and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value == "ignore"
                    and len(node.args) == 1 and not node.keywords):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "filter the warning you expect (category, message): " + ", ".join(offenders)
