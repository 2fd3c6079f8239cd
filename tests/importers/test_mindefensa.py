"""The Ministry of Defence event-file importer: the real heroin file, built files of every result, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cocamonitor import datasets, userdata
from cocamonitor.errors import DataError, SchemaError
from cocamonitor.importers import mindefensa as md

RAW = Path("/work/shared/data/raw/counternarcotics")
HEROIN_XLSX = RAW / "mindefensa_incautacion_heroina_2010_2024.xlsx"
HEROIN_CSV = RAW / "mindefensa_incautacion_heroina_2010_2024.csv"
HEADER = ["FECHA HECHO", "COD_DEPTO", "DEPARTAMENTO", "COD_MUNI", "MUNICIPIO", "CANTIDAD", "UNIDADES DE MEDIDA"]
needs_raw = pytest.mark.skipif(not HEROIN_XLSX.exists(), reason="shared raw data not mounted")


def _rows(unit="KILOGRAMO", n=3):
    base = [
        ["2023-01-05", "54", "NORTE DE SANTANDER", "54810", "TIBU", 10.0, unit],
        ["2023-06-01", "54", "NORTE DE SANTANDER", "54810", "TIBU", 5.0, unit],
        ["2024-03-02", "52", "NARIÑO", "52835", "SAN ANDRES DE TUMACO", 2.5, unit],
        ["2024-03-09", "84001", "ESTADOS UNIDOS DE AMERICA", "8400101", "MIAMI", 1.0, unit],
        ["2024-04-09", None, "SIN ESTABLECER", None, "SIN ESTABLECER", 4.0, unit],
    ]
    return base[:n] if n <= len(base) else base


def write_xlsx(path: Path, rows, header=HEADER, sheet="Hoja1") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows, header=HEADER, sep=",") -> Path:
    pd.DataFrame(rows, columns=header).to_csv(path, index=False, sep=sep)
    return path


@needs_raw
def test_real_heroin_file_matches_the_published_totals_and_the_bundled_table():
    ev = md.read_events(HEROIN_XLSX)
    assert ev.result.key == "heroin_seizures"
    assert ev.meta["events"] == 14548  # SOURCES.md: 14,548 events, 6,117 kg
    assert ev.meta["total"] == pytest.approx(6117, abs=0.5)
    assert ev.meta["years"] == [2010, 2024]
    # events abroad and without location are kept and named, not dropped
    outside = ev.table[ev.table["divipola"].isna()]
    assert outside["events"].sum() == sum(ev.meta["outside_colombia"].values()) == 34
    assert outside["location"].str.contains("SIN ESTABLECER").any()
    assert outside["location"].str.contains("8400101").any()
    # the .csv export of the same file gives the same table
    pd.testing.assert_frame_equal(md.read_events(HEROIN_CSV).table, ev.table)
    # Colombian municipalities agree with the bundled aggregate (built by scripts/build_data.py)
    bundled = datasets.load("heroin-seizures")
    reg = set(datasets.load("territories")["divipola"])
    bundled = bundled[bundled["divipola"].isin(reg)].set_index(["divipola", "year"])["quantity"]
    ours = ev.table.dropna(subset=["divipola"]).set_index(["divipola", "year"])["quantity"]
    # (the bundled table is rounded to 0.1 g)
    pd.testing.assert_series_equal(ours.sort_index(), bundled.sort_index().astype(float), check_names=False,
                                   check_index_type=False, rtol=0, atol=1e-4)


@pytest.mark.parametrize(("name", "key", "unit", "dimension_unit"), [
    ("ERRADICACIÓN.xlsx", "manual_eradication", "HECTAREA", "ha"),
    ("INCAUTACIÓN DE COCAINA.xlsx", "cocaine_seizures", "KILOGRAMO", "kg"),
    ("INCAUTACIÓN DE BASE DE COCA.xlsx", "coca_base_seizures", "KILOGRAMO", "kg"),
    ("INCAUTACIÓN DE BASUCO.xlsx", "basuco_seizures", "GRAMO", "kg"),
    ("INCAUTACIÓN DE MARIHUANA.xlsx", "marijuana_seizures", "TONELADA", "kg"),
    ("INCAUTACIÓN DE HOJA DE COCA.xlsx", "coca_leaf_seizures", "KILOGRAMO", "kg"),
    ("INCAUTACIÓN INSUMOS LIQUIDOS.xlsx", "liquid_precursors_seized", "GALON", "L"),
    ("INCAUTACIÓN INSUMOS SÓLIDOS.xlsx", "solid_precursors_seized", "KILOGRAMO", "kg"),
    ("DESTRUCCIÓN INFRAESTRUCTURAS PARA LA PRODUCCIÓN DE DROGAS ILÍCITAS.xlsx", "labs_destroyed", "UNIDAD", "count"),
])
def test_every_result_is_recognised_and_converted(tmp_path, name, key, unit, dimension_unit):
    path = write_xlsx(tmp_path / name, _rows(unit, n=5))
    ev = md.read_events(path)
    assert ev.result.key == key
    factor = md.UNITS[unit][2]
    t = ev.table
    assert (t["unit"] == dimension_unit).all()
    tibu = t[(t["divipola"] == "54810") & (t["year"] == 2023)]
    assert tibu["quantity"].item() == pytest.approx(15.0 * factor)
    assert tibu["events"].item() == 2
    assert t["events"].sum() == 5
    assert ev.meta["total"] == pytest.approx(22.5 * factor)


def test_recognised_from_the_sheet_and_the_units_and_by_option(tmp_path):
    ev = md.read_events(write_xlsx(tmp_path / "descarga (3).xlsx", _rows("KILOGRAMO"), sheet="HEROINA"))
    assert ev.result.key == "heroin_seizures"
    ev = md.read_events(write_csv(tmp_path / "descarga.csv", _rows("UNIDAD")))
    assert ev.result.key == "labs_destroyed"  # the only result counted in units
    with pytest.raises(md.InputError, match="cannot tell which result"):
        md.read_events(write_csv(tmp_path / "descarga2.csv", _rows("KILOGRAMO")))
    assert md.read_events(tmp_path / "descarga2.csv", result="basuco_seizures").result.key == "basuco_seizures"
    with pytest.raises(DataError, match="measured in kg"):
        md.read_events(write_csv(tmp_path / "INCAUTACION DE COCAINA.csv", _rows("HECTAREA")))


def test_mixed_mass_units_are_converted_and_counted(tmp_path):
    rows = _rows("KILOGRAMO")
    rows[1][6] = "GRAMOS"
    rows[2][6] = "Toneladas"
    ev = md.read_events(write_csv(tmp_path / "INCAUTACION DE MARIHUANA.csv", rows, sep=";"))
    assert ev.meta["units_found"] == {"KILOGRAMO": 1, "GRAMOS": 1, "Toneladas": 1}
    assert ev.meta["total"] == pytest.approx(10 + 0.005 + 2500)


def test_decimal_comma_and_day_first_dates_in_csv(tmp_path):
    text = (";".join(HEADER) + "\n"
            "05/01/2023;54;NORTE DE SANTANDER;54810;TIBU;1.234,5;KILOGRAMO\n"
            "2023-07-01;54;NORTE DE SANTANDER;54810;TIBU;0,5;KILOGRAMO\n")
    path = tmp_path / "INCAUTACION DE COCAINA.csv"
    path.write_text(text, encoding="cp1252")
    ev = md.read_events(path)
    assert ev.table["quantity"].tolist() == [1235.0]
    assert ev.meta["first_date"] == "2023-01-05"


# ------------------------------------------------------------------ bad input: CLI, one line, exit 2


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    html = tmp_path / "INCAUTACION DE COCAINA.xlsx"
    html.write_text("<!DOCTYPE html><html><body>Portal</body></html>")
    empty = tmp_path / "INCAUTACION DE BASUCO.xlsx"
    empty.write_bytes(b"")
    header_only = write_csv(tmp_path / "INCAUTACION DE HEROINA.csv", [])
    unknown = write_xlsx(tmp_path / "ERRADICACION.xlsx", [r + ["x"] for r in _rows("HECTAREA")],
                         header=[*HEADER, "OBSERVACIONES"])
    mixed_rows = _rows("KILOGRAMO")
    mixed_rows[2][6] = "GALON"
    mixed = write_xlsx(tmp_path / "INCAUTACION DE BASE DE COCA.xlsx", mixed_rows)
    date_rows = _rows("KILOGRAMO")
    date_rows[1][0] = "31/31/2023"
    dates = write_xlsx(tmp_path / "INCAUTACION DE MARIHUANA.xlsx", date_rows)
    code_rows = _rows("KILOGRAMO")
    code_rows[2][3] = "52999"
    code = write_xlsx(tmp_path / "INCAUTACION DE HOJA DE COCA.xlsx", code_rows)
    qty_rows = _rows("KILOGRAMO")
    qty_rows[0][5] = "mucho"
    qty = write_csv(tmp_path / "INCAUTACION INSUMOS SOLIDOS.csv", qty_rows)
    return {
        "html": (html, "HTML web page"),
        "empty": (empty, "empty"),
        "header only": (header_only, "no events"),
        "unknown column": (unknown, "column 'OBSERVACIONES'"),
        "mixed units": (mixed, "row 4, column 'UNIDADES DE MEDIDA': mixed units"),
        "bad date": (dates, "row 3, column 'FECHA HECHO': date '31/31/2023' does not parse"),
        "bad code": (code, "row 4, column 'COD_MUNI': code '52999'"),
        "bad quantity": (qty, "line 2, column 'CANTIDAD'"),
    }


def test_bad_files_exit_2_with_one_line_and_write_nothing(tmp_path, run_cli):
    folder = tmp_path / "data"
    for label, (path, expected) in _bad_files(tmp_path).items():
        res = run_cli("--data-dir", str(folder), "data", "import", "mindefensa", str(path))
        assert res.exit_code == 2, (label, res.stderr)
        assert res.stderr.count("\n") == 1 and res.stderr.startswith("error: "), (label, res.stderr)
        assert str(path) in res.stderr and expected in res.stderr, (label, res.stderr)
        assert "Traceback" not in res.stderr
        assert not folder.exists() or not any(folder.iterdir()), label


def test_errors_from_the_api_are_cocamonitor_errors(tmp_path):
    files = _bad_files(tmp_path)
    with pytest.raises(SchemaError):
        md.read_events(files["unknown column"][0])
    with pytest.raises(DataError):
        md.read_events(files["html"][0])


def test_same_file_twice_changes_nothing_and_a_newer_file_replaces(tmp_path, run_cli):
    folder = tmp_path / "data"
    first = write_xlsx(tmp_path / "INCAUTACION DE COCAINA.xlsx", _rows("KILOGRAMO", n=5))
    res = run_cli("--data-dir", str(folder), "data", "import", "mindefensa", str(first))
    assert res.exit_code == 0, res.stderr
    assert "imported INCAUTACIÓN DE COCAÍNA" in res.stdout
    assert "MIAMI" in res.stderr and "SIN ESTABLECER" in res.stderr  # reported, not dropped silently
    manifest = (folder / "manifest.json").read_bytes()
    parquet = (folder / "mindefensa-cocaine_seizures.parquet").read_bytes()
    res = run_cli("--data-dir", str(folder), "data", "import", "mindefensa", str(first))
    assert res.exit_code == 0 and res.stdout.startswith("unchanged")
    assert (folder / "manifest.json").read_bytes() == manifest
    assert (folder / "mindefensa-cocaine_seizures.parquet").read_bytes() == parquet

    newer_rows = _rows("KILOGRAMO", n=5) + [["2025-01-02", "54", "NORTE DE SANTANDER", "54810", "TIBU", 7.0,
                                              "KILOGRAMO"]]
    newer = write_xlsx(tmp_path / "INCAUTACION DE COCAINA 2025.xlsx", newer_rows)
    res = run_cli("--data-dir", str(folder), "data", "import", "mindefensa", str(newer))
    assert res.exit_code == 0, res.stderr
    entry = userdata.entry("mindefensa-cocaine_seizures", data_dir=folder)
    assert entry.source_sha256 == userdata.file_sha256(newer)
    assert entry.meta["years"] == [2023, 2025]
    assert userdata.read_table("mindefensa-cocaine_seizures", data_dir=folder)["year"].max() == 2025
    assert len(userdata.entries(data_dir=folder)) == 1


def test_kill_during_import_keeps_the_previous_version(tmp_path):
    folder = tmp_path / "data"
    old = write_xlsx(tmp_path / "INCAUTACION DE HEROINA.xlsx", _rows("KILOGRAMO", n=3))
    md.import_file(old, data_dir=folder)
    before = userdata.read_table("mindefensa-heroin_seizures", data_dir=folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    new = write_xlsx(tmp_path / "INCAUTACION DE HEROINA 2.xlsx", _rows("KILOGRAMO", n=5))
    code = (
        "import os, pandas as pd\n"
        "from cocamonitor.importers import mindefensa\n"
        "orig = pd.DataFrame.to_parquet\n"
        "def die(self, path, *a, **k):\n"
        "    orig(self, path, *a, **k); os._exit(9)\n"  # killed after the new table is written, before rename
        "pd.DataFrame.to_parquet = die\n"
        f"mindefensa.import_file({str(new)!r}, data_dir={str(folder)!r})\n"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 9
    pd.testing.assert_frame_equal(userdata.read_table("mindefensa-heroin_seizures", data_dir=folder), before)
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    _, entry, changed = md.import_file(new, data_dir=folder)
    assert changed and entry.rows == 4
    assert not list(folder.glob(".*.tmp"))


def test_recognise_prefers_the_more_specific_name():
    assert md.recognise("INCAUTACION DE BASE DE COCAINA.xlsx").key == "coca_base_seizures"
    assert md.recognise("HOJA DE COCA 2024.csv").key == "coca_leaf_seizures"
    assert md.recognise("resultados.xlsx") is None
    assert np.isclose(md.UNITS["GALONES"][2], 3.785411784)
