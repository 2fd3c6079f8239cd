"""`cocamonitor indicators list | show` end to end."""

from __future__ import annotations

import io
import json
import re
import shlex

import pandas as pd
import pytest

from cocamonitor.provenance import sha256_file


def _error_line(res) -> str:
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


def test_show_json_has_rows_notes_and_provenance(run_cli):
    res = run_cli("indicators", "show", "--years", "2024",
                  "--indicator", "labs_destroyed,labs_per_1000_ha_coca", "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert set(doc) == {"level", "years", "indicators", "notes", "provenance", "imported"}
    assert doc["imported"] == []  # nothing in the (empty) user data folder of the tests
    rows = {r["indicator"]: r for r in doc["indicators"]}
    assert rows["labs_destroyed"]["value"] == 5233
    assert round(rows["labs_per_1000_ha_coca"]["value"], 1) == 20.0
    prov = doc["provenance"]
    assert prov["parameters"]["by"] == "national" and prov["parameters"]["years"] == [2024, 2024]
    labs_file = next(p for p in prov["inputs"] if p.endswith("labs.csv"))
    assert prov["inputs"][labs_file] == sha256_file(labs_file)
    assert prov["version"]


def test_show_csv_is_the_full_table(run_cli):
    res = run_cli("indicators", "show", "--years", "2020-2021", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    df = pd.read_csv(io.StringIO(res.stdout))
    assert {"value", "unit", "publisher", "citation", "note", "change_pct"} <= set(df.columns)
    labs = df[(df["indicator"] == "labs_destroyed") & (df["year"] == 2021)]
    assert sorted(labs["source"]) == ["gov-co", "mindefensa"]


def test_show_by_department_prints_caveats_on_stderr(run_cli):
    res = run_cli("indicators", "show", "--years", "2024", "--by", "department", "--format", "csv")
    assert res.exit_code == 0, res.stderr
    df = pd.read_csv(io.StringIO(res.stdout))
    narino = df[(df["territory"] == "Nariño") & (df["indicator"] == "labs_destroyed")]
    assert len(narino) == 1 and narino["value"].iloc[0] > 0
    assert "national figures only" in res.stderr


def test_help_example_runs_as_written(run_cli):
    res = run_cli("indicators", "show", "--help")
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    m = re.search(r"(cocamonitor indicators show --years \S+ --indicator \S+)", text)
    assert m, text
    out = run_cli(*shlex.split(m.group(1))[1:])
    assert out.exit_code == 0, out.stderr
    assert "labs_per_1000_ha_coca" in out.stdout and "5,233" in out.stdout


def test_list(run_cli):
    res = run_cli("indicators", "list", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert isinstance(rows, list) and {r["indicator"] for r in rows} >= {"labs_destroyed", "coca_area"}
    table = run_cli("indicators", "list")
    assert table.exit_code == 0 and "labs_per_1000_ha_coca" in table.stdout


def test_targets_compared(run_cli, tmp_path):
    p = tmp_path / "targets.csv"
    p.write_text("year;indicator;target\n2024;labs_per_1000_ha_coca;18,5\n2024;coca_area;250000\n",
                 encoding="utf-8")
    res = run_cli("indicators", "show", "--years", "2024", "--targets", str(p), "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    ratio = next(r for r in doc["indicators"] if r["indicator"] == "labs_per_1000_ha_coca")
    assert ratio["target"] == 18.5 and ratio["met"] is True
    simci = next(r for r in doc["indicators"] if r["indicator"] == "coca_area" and r["source"] == "simci")
    assert simci["met"] is False and simci["direction"] == "at_most"
    assert str(p) in doc["provenance"]["inputs"]
    table = run_cli("indicators", "show", "--years", "2024", "--targets", str(p))
    assert table.exit_code == 0 and "met" in table.stdout


@pytest.mark.parametrize(
    ("content", "parts"),
    [
        ("year,indicator,target\n2024,labs_destoyed,5\n",
         ["line 2, column 'indicator'", "did you mean: labs_destroyed"]),
        ("year,indicator,target\n2024,coca_area,1\n2024,coca_area,2\n", ["line 3", "also on line 2"]),
        ("year,indicator,target\n2024,coca_area,1;5\n", ["line 2, column 'target'"]),
    ],
)
def test_bad_targets_exit_2_with_file_line_column(run_cli, tmp_path, content, parts):
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    line = _error_line(run_cli("indicators", "show", "--targets", str(p)))
    assert str(p) in line
    for part in parts:
        assert part in line, line


@pytest.mark.parametrize(
    ("args", "part"),
    [
        (["--years", "20x"], "--years: cannot read"),
        (["--years", "2024-2020"], "--years: the range '2024-2020' runs backwards; write 2020-2024"),
        (["--years", "1980-1990"], "--years: 1980-1990 is outside the data"),
        (["--years", "2020-2030"], "--years: 2020-2030 is outside the data (1999-2024)"),
        (["--by", "departmnt"], "--by: unknown level 'departmnt'; did you mean: department"),
        (["--by", "zona-futuro"], "Zonas Futuro"),
        (["--indicator", "labs"], "--indicator: unknown indicator 'labs'; did you mean"),
        (["--min-coca-ha", "-1"], "--min-coca-ha"),
        (["--targets", "no-such-file.csv"], "file not found"),
    ],
)
def test_bad_options_exit_2(run_cli, args, part):
    assert part in _error_line(run_cli("indicators", "show", *args))
