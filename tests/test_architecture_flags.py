"""The core names its own parameters: no command-line option (``--years``) below the edges.

Modules under ``src/cocamonitor`` other than the edges (``commands/``, ``cli.py``, ``web/``)
raise errors naming the core parameter (``where="skip_missing"``, "pass `skip_missing`") and
the edges rename it in one place each (``commands._common.cli_error``, ``web.errors.one_line``).
This test reads every string literal and docstring of those modules (``tokenize``, so f-string
parts and comments-free text only) and fails listing ``file:line`` for each ``--option`` found.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cocamonitor"

#: the edges, which speak the command line's and the web's vocabulary (``_cli_names.py`` is the
#: command line's spelling rule, which the report also uses to print a command that reproduces it)
EDGES = ("commands/", "cli.py", "web/", "_cli_names.py")

#: Modules allowed to hold options while another branch removes them (helper G's splits on
#: issue-20c were merged and cleaned: none left). Each entry must still hold an option.
BEING_SPLIT_ON_ISSUE_20C: set[str] = set()

#: Options of another program's command line, not ours: module -> those options.
OTHER_PROGRAMS = {
    "report/browser.py": {  # Chromium's own switches
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
        "--no-first-run", "--no-default-browser-check", "--metrics-recording-only", "--hide-scrollbars",
        "--mute-audio", "--user-data-dir", "--window-size", "--remote-debugging-address",
        "--remote-debugging-port",
    },
}

#: ``--`` then a lower-case word, alone: ``--years``, ``--skip-missing``, ``--out=x``. Not a
#: markdown rule (``---``), a SQL comment (``-- note``), a date range (``2020--2024``), a
#: decrement (``x--``) or a dash between words (``a--b``).
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?![\w-])")


def _options_in(path: Path) -> list[tuple[int, str]]:
    """``(line, option)`` for every option in a string literal (docstrings included) of ``path``."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for tok in tokens:
        if tok.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
            for m in OPTION.finditer(tok.string):
                found.append((tok.start[0] + tok.string[: m.start()].count("\n"), m.group()))
    return found


def _core_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if not str(p.relative_to(PACKAGE).as_posix()).startswith(EDGES))


def test_no_command_line_option_in_a_core_module():
    offenders = [f"src/cocamonitor/{name}:{line}: {option}"
                 for name in (p.relative_to(PACKAGE).as_posix() for p in _core_modules())
                 if name not in BEING_SPLIT_ON_ISSUE_20C
                 for line, option in _options_in(PACKAGE / name) if option not in OTHER_PROGRAMS.get(name, ())]
    assert not offenders, ("name the core parameter instead (where=\"skip_missing\", \"pass `skip_missing`\"); "
                           "the command line renames it:\n" + "\n".join(offenders))


@pytest.mark.parametrize("name", sorted(BEING_SPLIT_ON_ISSUE_20C | set(OTHER_PROGRAMS)))
def test_every_allowed_module_still_needs_it(name):
    path = PACKAGE / name
    if not path.exists():  # split into a package: nothing left to allow
        pytest.fail(f"{name} no longer exists: drop it from the allow-list")
    found = {option for _, option in _options_in(path)}
    assert found, f"{name} holds no option any more: drop it from the allow-list"
    assert found >= set(OTHER_PROGRAMS.get(name, ())), f"{name}: drop the options it no longer uses"


@pytest.mark.parametrize(("text", "options"), [
    ('"pass --skip-missing to test"', ["--skip-missing"]),
    ('"--years: bad"', ["--years"]),
    ('"--out=x.csv"', ["--out"]),
    ('"""Run ``cocamonitor trend test --format json``."""', ["--format"]),
    ('f"--by {level} needs"', ["--by"]),
    ('"---"', []),  # a markdown rule
    ('"-- a SQL comment"', []),
    ('"2020--2024"', []),
    ('"x--"', []),
    ('"a--b"', []),
    ('"--"', []),
    ('"ls=\'--\'"', []),
    ('"--Year"', []),
])
def test_the_pattern_finds_options_only(tmp_path, text, options):
    f = tmp_path / "m.py"
    f.write_text(f"x = {text}\n")
    assert [o for _, o in _options_in(f)] == options


def test_the_edges_rename_core_parameters():
    from cocamonitor.commands._common import CLI_PHRASES, cli_error
    from cocamonitor.errors import InputError
    from cocamonitor.web.errors import one_line

    err = InputError("the series has no figure for 2008", where="years",
                     hint="pass `skip_missing`, or `years` 2010-2015")
    assert str(cli_error(err, {"--years", "--skip-missing"})) == (
        "--years: the series has no figure for 2008; pass --skip-missing, or --years 2010-2015")
    assert one_line(err) == "years: the series has no figure for 2008; pass skip_missing, or years 2010-2015"
    # a parameter the command does not have keeps its core name
    assert str(cli_error(err, {"--years"})).endswith("pass `skip_missing`, or --years 2010-2015")
    # two parameters, and a per-command override
    both = InputError("give one", where="zones/grid")
    assert cli_error(both, {"--zones", "--grid"}).where == "--zones/--grid"
    unit = InputError("bad unit", where="unit", hint="drop `unit`")
    assert str(cli_error(unit, {"--area-unit"}, "production estimate")) == "--area-unit: bad unit; drop --area-unit"
    # the core phrases the command line says with its own commands are still the core's
    source = "\n".join(p.read_text(encoding="utf-8") for p in _core_modules())
    assert all(phrase in source for phrase in CLI_PHRASES)


def test_notes_and_warnings_of_a_running_command_name_its_options():
    import io
    import logging

    import typer.main
    from typer import _click as click

    from cocamonitor._log import OneLineHandler
    from cocamonitor.cli import _name_options_in_notes, app

    out = io.StringIO()
    log = logging.getLogger("cocamonitor")
    handler = OneLineHandler(stream=out)
    log.addHandler(handler)
    try:
        _name_options_in_notes()
        root = typer.main.get_command(app)
        with click.Context(root, info_name="cocamonitor") as top:
            area = root.get_command(top, "area")
            with click.Context(area, info_name="area", parent=top) as mid:
                estimate = area.get_command(mid, "estimate")
                with click.Context(estimate, info_name="estimate", parent=mid):
                    logging.getLogger("cocamonitor.area").warning(
                        "strata merged; group them with `collapse_variance` or `%s`", "collapse")
    finally:
        log.removeHandler(handler)
    assert out.getvalue() == "warning: strata merged; group them with --collapse-variance or --collapse-strata\n"
