"""The command line starts light: groups are imported only when they run.

``cocamonitor --help`` must not import the heavy libraries (checked in a fresh interpreter,
through ``sys.modules``), and the table that lists the groups without importing them must
agree with the groups themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cocamonitor.commands import COMMANDS

HEAVY = ["scipy", "scipy.stats", "geopandas", "rasterio", "plotly", "duckdb", "dask", "distributed", "pandas",
         "numpy", "pyarrow", "shapely", "pyproj", "xarray", "exactextract", "fastapi", "statsmodels"]


def _imported_after(*args: str) -> tuple[list[str], str]:
    code = (
        "import json, sys\n"
        "from cocamonitor.cli import main\n"
        f"rc = main({list(args)!r})\n"
        f"print(json.dumps([rc, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    rc, heavy = json.loads(out.strip().splitlines()[-1])
    assert rc == 0, out
    return heavy, out


def test_help_imports_no_heavy_library():
    heavy, out = _imported_after("--help")
    assert heavy == []
    for name in COMMANDS:  # every group is listed, from the table
        assert f" {name} " in out


def test_data_list_imports_neither_pandas_nor_numpy():
    heavy, out = _imported_after("data", "list", "--format", "csv")
    assert heavy == []
    assert out.startswith("name,description\n")


def test_group_help_imports_only_its_group():
    heavy, _ = _imported_after("territory", "--help")
    assert not {"scipy.stats", "geopandas", "rasterio", "plotly", "duckdb", "dask"} & set(heavy)


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


@pytest.mark.parametrize("name", list(COMMANDS))
def test_table_help_is_the_groups_own(name):
    from cocamonitor.cli import _load_command

    command = _load_command(name)
    assert command.name == name
    assert _first_paragraph(COMMANDS[name][1]) == _first_paragraph(command.short_help or command.help or "")


def test_group_help_runs_and_unknown_command_is_one_line(run_cli):
    res = run_cli("territory", "--help")
    assert res.exit_code == 0 and "find" in res.stdout
    res = run_cli("teritory", "find", "tibu")
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "teritory" in res.stderr


def test_territory_find_imports_neither_pandas_nor_numpy():
    heavy, out = _imported_after("territory", "find", "tibu", "--format", "csv")
    assert heavy == []
    assert "54810,Tibú,54,Norte de Santander,True,Catatumbo," in out
