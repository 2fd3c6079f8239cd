"""Every command line shown in the README exists, and every option it uses is in its --help."""

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
GROUPS = {"data", "territory", "territories", "area", "production", "trend", "grid", "simulate", "store", "indicators",
          "evaluate", "map"}


def _readme_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|)\n(.*?)```", text, flags=re.S)
    commands = []
    for block in blocks:
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split(" # ")[0].strip()
            if line.startswith("cocamonitor "):
                commands.append(shlex.split(line.split("|")[0].split(">")[0])[1:])
    return commands


COMMANDS = _readme_commands()


def test_readme_shows_the_two_commands_first():
    head = README.read_text(encoding="utf-8").splitlines()[:8]
    assert any("make demo" in ln for ln in head) and any("make test" in ln for ln in head)
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_readme_command_and_options_exist(run_cli, argv):
    if argv[:1] == ["--store"]:  # the root option (cocamonitor --store PATH <command> ...)
        argv = argv[2:]
    path = argv[:2] if argv[0] in GROUPS and len(argv) > 1 and not argv[1].startswith("-") else argv[:1]
    res = run_cli(*path, "--help")
    assert res.exit_code == 0, (path, res.stderr)
    help_text = res.stdout
    for opt in (a.split("=")[0] for a in argv if a.startswith("--")):
        assert opt in help_text, f"{' '.join(path)}: README uses {opt}, not in --help"
