"""`cocamonitor --store PATH ...` records runs; `cocamonitor store runs | show | query` reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cocamonitor.provenance import sha256_file

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "src" / "cocamonitor" / "data" / "examples"
AREA = ("area", "estimate", "--sample", str(EX / "olofsson2013_sample.csv"),
        "--strata-areas", str(EX / "olofsson2013_areas.csv"), "--confidence", "0.9")


def _error_line(res) -> str:
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


def _json(res):
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def test_a_recorded_area_estimate_has_the_numbers_and_hashes_of_its_json(run_cli, tmp_path):
    db = tmp_path / "runs.duckdb"
    doc = _json(run_cli(*AREA, "--format", "json"))
    res = run_cli("--store", str(db), *AREA, "--format", "table")  # any format records the same run
    assert res.exit_code == 0, res.stderr
    assert f"recorded run 1 in {db}" in res.stderr
    runs = _json(run_cli("--store", str(db), "store", "runs", "--format", "json"))
    assert [(r["run_id"], r["command"], r["inputs"]) for r in runs] == [(1, "area estimate", 2)]
    assert runs[0]["argv"].startswith(f"--store {db} area estimate --sample")
    run = _json(run_cli("--store", str(db), "store", "show", "1", "--format", "json"))
    assert run["provenance"] == doc["provenance"]
    assert run["document"] == doc
    assert run["provenance"]["inputs"] == {p: sha256_file(p) for p in (AREA[3], AREA[5])}
    rows = {(e["item"], e["quantity"]): e for e in run["estimates"]}
    for label, c in doc["classes"].items():
        e = rows[(f"classes/{label}", "area")]
        assert (e["value"], e["se"], [e["lower"], e["upper"]], e["unit"]) == (
            c["area"], c["area_se"], c["area_ci"], doc["unit"])
        assert rows[(f"classes/{label}", "users_accuracy")]["se"] == c["users_accuracy_se"]
    assert rows[("", "overall_accuracy")]["value"] == doc["overall_accuracy"]
    csv = run_cli("--store", str(db), "store", "show", "1", "--format", "csv")
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0] == "run_id,item,quantity,value,se,lower,upper,unit"
    table = run_cli("--store", str(db), "store", "show", "1")
    assert table.exit_code == 0 and doc["provenance"]["inputs"][AREA[3]][:12] in table.stdout


def test_the_same_command_twice_is_two_runs_and_the_env_var_records_too(run_cli, tmp_path):
    db = tmp_path / "runs.duckdb"
    assert run_cli("--store", str(db), *AREA).exit_code == 0
    with pytest.MonkeyPatch.context() as mp:  # run_cli undoes its own monkeypatch after each call
        mp.setenv("COCAMONITOR_STORE", str(db))
        assert run_cli(*AREA).exit_code == 0
        runs = _json(run_cli("store", "runs", "--format", "json"))
    assert [r["run_id"] for r in runs] == [1, 2]
    one = _json(run_cli("--store", str(db), "store", "show", "1", "--format", "json"))
    two = _json(run_cli("--store", str(db), "store", "show", "2", "--format", "json"))
    assert one["estimates"] == two["estimates"] and one["provenance"] == two["provenance"]
    only = _json(run_cli("--store", str(db), "store", "runs", "--command", "area estimate", "--format", "json"))
    assert len(only) == 2
    assert "did you mean: area estimate?" in _error_line(
        run_cli("--store", str(db), "store", "runs", "--command", "area estimat"))


def test_nothing_is_written_without_store_or_env(run_cli, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        mp.delenv("COCAMONITOR_STORE", raising=False)
        res = run_cli(*AREA, "--format", "json")
        assert res.exit_code == 0 and "recorded" not in res.stderr
        line = _error_line(run_cli("store", "runs"))
    assert "no store here yet" in line and str(tmp_path / "xdg" / "cocamonitor" / "cocamonitor.duckdb") in line
    assert list(home.rglob("*")) == [] and not (tmp_path / "xdg").exists()


def test_a_file_that_is_not_a_store_is_one_error_line_and_left_alone(run_cli, tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n1,2\n")
    line = _error_line(run_cli("--store", str(bad), *AREA))
    assert str(bad) in line and "not a DuckDB database" in line
    assert bad.read_text() == "a,b\n1,2\n"
    assert "not a DuckDB database" in _error_line(run_cli("--store", str(bad), "store", "runs"))


def test_a_failing_run_records_nothing(run_cli, tmp_path):
    db = tmp_path / "runs.duckdb"
    assert run_cli("--store", str(db), *AREA).exit_code == 0
    missing = str(tmp_path / "missing.csv")
    _error_line(run_cli("--store", str(db), "area", "estimate", "--sample", missing,
                        "--strata-areas", AREA[5]))
    runs = _json(run_cli("--store", str(db), "store", "runs", "--format", "json"))
    assert [r["run_id"] for r in runs] == [1]
    fresh = tmp_path / "fresh.duckdb"
    _error_line(run_cli("--store", str(fresh), "area", "estimate", "--sample", missing, "--strata-areas", AREA[5]))
    assert not fresh.exists()


def test_query_reads_and_refuses_writes(run_cli, tmp_path):
    db = tmp_path / "runs.duckdb"
    assert run_cli("--store", str(db), *AREA).exit_code == 0
    rows = _json(run_cli("--store", str(db), "store", "query",
                         "SELECT e.item, e.value FROM runs r JOIN estimates e USING (run_id) "
                         "WHERE r.command = 'area estimate' AND e.quantity = 'area' ORDER BY e.item",
                         "--format", "json"))
    assert [r["item"] for r in rows] == ["classes/1", "classes/2", "classes/3"]
    for sql, kind in [("INSERT INTO meta VALUES ('x', 'y')", "INSERT"), ("DROP TABLE runs", "DROP")]:
        assert f"{kind} is refused" in _error_line(run_cli("--store", str(db), "store", "query", sql))
    assert _json(run_cli("--store", str(db), "store", "query", "SELECT count(*) AS n FROM runs",
                         "--format", "json")) == [{"n": 1}]


def test_an_unknown_run_is_one_error_line(run_cli, tmp_path):
    db = tmp_path / "runs.duckdb"
    assert run_cli("--store", str(db), *AREA).exit_code == 0
    line = _error_line(run_cli("--store", str(db), "store", "show", "7"))
    assert "no run 7" in line and "numbered 1 to 1" in line


ESTIMATES = {
    "production estimate": ("production", "estimate", "--draws", "500", "--sensitivity-draws", "0",
                            "--seed", "4"),
    "trend test": ("trend", "test", "--years", "2009-2023"),
    "trend change": ("trend", "change", "--from", "2020", "--to", "2021"),
    "trend compare": ("trend", "compare", "--sources", "unodc,us"),
    "simulate compare": ("simulate", "compare", "--size", "200", "--years", "2019-2021", "--seed", "3",
                         "--replicates", "2"),
}


@pytest.mark.parametrize("command", sorted(ESTIMATES))
def test_estimate_commands_record_what_their_json_says(run_cli, tmp_path, command):
    db = tmp_path / "runs.duckdb"
    args = ESTIMATES[command]
    doc = _json(run_cli(*args, "--format", "json"))
    res = run_cli("--store", str(db), *args, "--format", "csv")
    assert res.exit_code == 0, res.stderr
    run = _json(run_cli("--store", str(db), "store", "show", "1", "--format", "json"))
    assert run["command"] == command
    assert run["provenance"] == doc["provenance"]
    assert run["document"] == doc
    assert run["estimates"]


def test_zonal_is_recorded_with_its_provenance(run_cli, tmp_path):
    db = tmp_path / "runs.duckdb"
    raster = str(EX / "coca_map.tif")
    rows = _json(run_cli("zonal", "--raster", raster, "--grid", "1000", "--format", "json"))
    assert run_cli("--store", str(db), "zonal", "--raster", raster, "--grid", "1000").exit_code == 0
    run = _json(run_cli("--store", str(db), "store", "show", "1", "--format", "json"))
    assert run["command"] == "zonal" and run["document"] == rows
    assert run["provenance"]["inputs"] == {raster: sha256_file(raster)}
    area = {e["item"]: e["value"] for e in run["estimates"] if e["quantity"] == "area_ha"}
    assert area == {f"zone={r['zone']},class={r['class']}": r["area_ha"] for r in rows}
