"""The DuckDB store: schema, atomic runs, the tidy estimates table, read-only queries, errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import numpy as np
import pandas as pd
import pytest

from cocamonitor import store as store_mod
from cocamonitor.errors import InputError, StoreError
from cocamonitor.store import default_store_path, open_store, tidy_estimates

PROV = {"inputs": {"sample.csv": "a" * 64, "areas.csv": "b" * 64},
        "parameters": {"confidence": 0.9, "by": None}, "version": "9.9.9"}
DOC = {
    "method": "stratified", "confidence": 0.9, "unit": "ha", "total_area": 1000.0,
    "classes": {"coca": {"area": 120.0, "area_se": 10.0, "area_ci": [103.5, 136.5],
                         "proportion": 0.12, "proportion_se": 0.01, "users_accuracy": None}},
    "overall_accuracy": 0.9, "overall_accuracy_se": 0.02,
    "error_matrix": {"map_classes": ["coca"], "proportions": [[0.1, 0.02]]},
    "flag": True,
    "provenance": PROV,
}


def test_record_then_read_back_the_same_run(tmp_path):
    path = tmp_path / "sub" / "runs.duckdb"  # parent directories are created
    with open_store(path) as st:
        rid = st.record_run("area estimate", DOC, argv=["area", "estimate"], cwd="/data")
    assert rid == 1
    with open_store(path, read_only=True) as st:
        run = st.get_run(rid)
        runs = st.list_runs()
    assert run.command == "area estimate" and run.argv == ["area", "estimate"] and run.cwd == "/data"
    assert run.provenance == PROV and run.inputs == PROV["inputs"] and run.version == "9.9.9"
    assert run.document == DOC
    assert run.started_at <= run.finished_at and run.finished_at.tzinfo is not None
    assert runs[["run_id", "command", "inputs", "estimates"]].to_dict("records") == [
        {"run_id": 1, "command": "area estimate", "inputs": 2, "estimates": len(run.estimates)}]
    d = run.to_dict()
    assert d["provenance"] == PROV and d["document"] == DOC
    assert d["estimates"][1] == {"item": "", "quantity": "total_area", "value": 1000.0, "se": None,
                                 "lower": None, "upper": None, "unit": "ha"}
    frame = run.to_frame()
    assert list(frame.columns) == ["run_id", "item", "quantity", "value", "se", "lower", "upper", "unit"]
    assert (frame["run_id"] == 1).all()


def test_schema_is_versioned(tmp_path):
    path = tmp_path / "runs.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
    assert {r[0] for r in con.execute("SHOW TABLES").fetchall()} == {"meta", "runs", "inputs", "estimates"}
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="schema 99.*upgrade cocamonitor"):
        open_store(path)


def test_each_record_is_a_new_run(tmp_path):
    with open_store(tmp_path / "r.duckdb") as st:
        ids = [st.record_run("area estimate", DOC) for _ in range(2)]
        assert ids == [1, 2]
        assert st.list_runs()["run_id"].tolist() == [1, 2]
        a, b = st.get_run(1), st.get_run(2)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)


def test_a_failure_inside_the_transaction_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "r.duckdb"
    with open_store(path) as st:
        st.record_run("area estimate", DOC)
        broken = pd.DataFrame({"item": ["x"]})  # the estimates insert fails after the run row
        monkeypatch.setattr(store_mod, "tidy_estimates", lambda doc: broken)
        with pytest.raises(duckdb.Error):
            st.record_run("area estimate", DOC)
        monkeypatch.undo()
        assert st.list_runs()["run_id"].tolist() == [1]
        counts = st._con.execute(
            "SELECT (SELECT count(*) FROM inputs), (SELECT count(*) FROM estimates WHERE run_id <> 1)").fetchone()
    assert counts == (2, 0)


def test_a_document_without_provenance_is_refused(tmp_path):
    with open_store(tmp_path / "r.duckdb") as st:
        with pytest.raises(StoreError, match="carries no provenance"):
            st.record_run("zonal", [{"zone": "a", "class": 1, "pixels": 3}])
        rid = st.record_run("zonal", [{"zone": "a", "class": 1, "pixels": 3}], provenance=PROV)
        assert st.get_run(rid).parameters == PROV["parameters"]


def test_tidy_rows_fold_se_and_interval_into_their_estimate():
    t = tidy_estimates(DOC)
    area = t[(t["item"] == "classes/coca") & (t["quantity"] == "area")].iloc[0]
    assert (area["value"], area["se"], area["lower"], area["upper"], area["unit"]) == (120.0, 10.0, 103.5, 136.5, "ha")
    assert not t["quantity"].isin(["area_se", "area_ci", "proportion_se", "flag", "users_accuracy"]).any()
    prop = t[t["quantity"] == "proportion"].iloc[0]
    assert prop["se"] == 0.01 and prop["unit"] is None  # a share has no unit
    assert t[t["quantity"] == "overall_accuracy"]["se"].tolist() == [0.02]
    assert "provenance" not in set(t["item"]) and not t["item"].str.startswith("error_matrix").any()


def test_tidy_rows_of_monte_carlo_quantities_and_slopes():
    doc = {"national": {"leaf_t": {"point": 10.0, "mean": 9.5, "median": 9.4, "ci": [8.0, 12.0]}},
           "theil_sen": {"slope": 2.0, "intercept": -5.0, "ci": [1.0, 3.0]},
           "change": {"difference": 5.0, "difference_se": 2.0, "difference_ci": [1.1, 8.9], "unit": "ha"}}
    t = tidy_estimates(doc).set_index(["item", "quantity"])
    assert t.loc[("national", "leaf_t"), ["value", "lower", "upper"]].tolist() == [10.0, 8.0, 12.0]
    assert t.loc[("national", "leaf_t"), "unit"] == "t"
    assert t.loc[("national", "leaf_t_median"), "value"] == 9.4
    assert t.loc[("theil_sen", "slope"), ["lower", "upper"]].tolist() == [1.0, 3.0]
    assert np.isnan(t.loc[("theil_sen", "intercept"), "lower"])
    assert t.loc[("change", "difference"), ["se", "lower", "upper", "unit"]].tolist() == [2.0, 1.1, 8.9, "ha"]


def test_tidy_rows_of_a_table_are_named_by_their_keys():
    rows = [{"zone": "A", "class": 1, "pixels": 3, "area_ha": 0.27},
            {"zone": "A", "class": 2, "pixels": 5.5, "area_ha": 0.45}]
    t = tidy_estimates(rows)
    assert t[["item", "quantity", "value", "unit"]].values.tolist() == [
        ["zone=A,class=1", "pixels", 3.0, None], ["zone=A,class=1", "area_ha", 0.27, "ha"],
        ["zone=A,class=2", "pixels", 5.5, None], ["zone=A,class=2", "area_ha", 0.45, "ha"]]
    nested = tidy_estimates({"table": [{"x": 1.0}, {"x": 2.0, "y": 3.0}]})
    assert nested[["item", "quantity", "value"]].values.tolist() == [
        ["table/0", "x", 1.0], ["table/1", "x", 2.0], ["table/1", "y", 3.0]]
    assert tidy_estimates([]).empty


def test_query_is_read_only(tmp_path):
    path = tmp_path / "r.duckdb"
    with open_store(path) as st:
        st.record_run("area estimate", DOC)
        with pytest.raises(StoreError, match="read_only=True"):
            st.query("SELECT 1")
    with open_store(path, read_only=True) as st:
        df = st.query("SELECT quantity, value FROM estimates WHERE item = 'classes/coca' ORDER BY quantity")
        assert df.to_dict("records") == [{"quantity": "area", "value": 120.0},
                                         {"quantity": "proportion", "value": 0.12}]
        for sql, kind in [("INSERT INTO meta VALUES ('a', 'b')", "INSERT"), ("DROP TABLE runs", "DROP"),
                          ("DELETE FROM runs", "DELETE"), (f"ATTACH '{tmp_path / 'x.duckdb'}' AS x", "ATTACH"),
                          (f"COPY runs TO '{tmp_path / 'x.csv'}'", "COPY"), ("SET threads = 1", "SET")]:
            with pytest.raises(StoreError, match=f"{kind} is refused"):
                st.query(sql)
        with pytest.raises(StoreError, match="exactly one SQL statement, got 2"):
            st.query("SELECT 1; DROP TABLE runs")
        with pytest.raises(StoreError, match="tables: meta, runs, inputs, estimates"):
            st.query("SELECT * FROM no_such_table")
        (tmp_path / "secret.csv").write_text("a\n1\n")
        with pytest.raises(StoreError, match="disabled"):  # only the store can be read
            st.query(f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')")
        with pytest.raises(StoreError, match="read-only"):
            st.record_run("area estimate", DOC)
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.duckdb").exists()


def test_files_that_are_not_stores(tmp_path):
    text = tmp_path / "sample.csv"
    text.write_text("stratum,area\n1,2\n")
    with pytest.raises(StoreError, match="not a DuckDB database") as info:
        open_store(text)
    assert isinstance(info.value, InputError) and str(text) in str(info.value)
    assert text.read_text() == "stratum,area\n1,2\n"
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INT)")
    con.close()
    with pytest.raises(StoreError, match="DuckDB database but not a cocamonitor store"):
        open_store(other)
    with pytest.raises(StoreError, match="is a directory"):
        open_store(tmp_path)
    missing = tmp_path / "missing.duckdb"
    with pytest.raises(StoreError, match="no store here yet"):
        open_store(missing, read_only=True)
    assert not missing.exists()
    with open_store(tmp_path / "r.duckdb") as st, pytest.raises(StoreError, match="no run 5 .*store is empty"):
        st.get_run(5)


def test_an_empty_duckdb_file_becomes_a_store(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with open_store(path) as st:
        assert st.record_run("area estimate", DOC) == 1


def test_a_locked_store_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "r.duckdb"
    open_store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(store_mod, "LOCK_WAIT_S", 0.3)
        with pytest.raises(StoreError, match="locked by another process.*wait for it to finish"):
            open_store(path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with open_store(path) as st:  # free again once the other process is done
        assert st.record_run("area estimate", DOC) == 1


def test_default_path_follows_env_then_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("COCAMONITOR_STORE", raising=False)
    assert default_store_path() == tmp_path / "home" / ".local" / "share" / "cocamonitor" / "cocamonitor.duckdb"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "cocamonitor" / "cocamonitor.duckdb"
    monkeypatch.setenv("COCAMONITOR_STORE", str(tmp_path / "mine.duckdb"))
    assert default_store_path() == tmp_path / "mine.duckdb"


def test_nested_rows_keep_document_order_and_units():
    """A list of rows inside a document is tidied as one block, between the single estimates."""
    from cocamonitor.store import tidy_estimates

    doc = {"unit": "ha", "a": {"area": 1.0, "area_se": 0.5},
           "table": [{"zone": "z1", "area_ha": 2.0}, {"zone": "z2", "area_ha": 3.0}],
           "b": {"area": 4.0}}
    got = tidy_estimates(doc)
    assert got["item"].tolist() == ["a", "table/zone=z1", "table/zone=z2", "b"]
    assert got["value"].tolist() == [1.0, 2.0, 3.0, 4.0] and got["se"].iloc[0] == 0.5
    assert got["unit"].tolist() == ["ha", "ha", "ha", "ha"]
