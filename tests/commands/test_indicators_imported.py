"""Imported data beside the bundled data: the issue's "Done when", the results CSV, targets by department."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cocamonitor import indicators as ind
from cocamonitor import userdata
from cocamonitor.importers import mindefensa as md

HEROIN_XLSX = Path("/work/shared/data/raw/counternarcotics/mindefensa_incautacion_heroina_2010_2024.xlsx")
HEADER = ["FECHA HECHO", "COD_DEPTO", "DEPARTAMENTO", "COD_MUNI", "MUNICIPIO", "CANTIDAD", "UNIDADES DE MEDIDA"]


def _show(run_cli, folder, *args):
    res = run_cli("--data-dir", str(folder), "indicators", "show", *args, "--format", "json")
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.skipif(not HEROIN_XLSX.exists(), reason="shared raw data not mounted")
def test_done_when_heroin_import_then_show_by_department(run_cli, tmp_path):
    folder = tmp_path / "data"
    res = run_cli("--data-dir", str(folder), "data", "import", "mindefensa", str(HEROIN_XLSX))
    assert res.exit_code == 0, res.stderr
    doc = _show(run_cli, folder, "--years", "2020-2024", "--indicator", "heroin_seizures", "--by", "department")
    rows = pd.DataFrame(doc["indicators"])
    assert set(rows["year"]) == {2020, 2021, 2022, 2023, 2024}
    assert set(rows["indicator"]) == {"heroin_seizures"}
    # the figures are the imported file's: its SHA-256 and import date are in every citation
    sha = userdata.file_sha256(HEROIN_XLSX)
    assert rows["citation"].str.contains(sha).all()
    assert doc["imported"][0]["source_sha256"] == sha and doc["imported"][0]["imported"]
    assert any(str(folder) in k for k in doc["provenance"]["inputs"])
    # department sums = the imported table summed by department
    table = userdata.read_table("mindefensa-heroin_seizures", data_dir=folder)
    table = table[table["year"].between(2020, 2024)].dropna(subset=["divipola"])
    expected = table.assign(dep=table["divipola"].str[:2]).groupby(["dep", "year"])["quantity"].sum()
    got = rows.dropna(subset=["territory_code"]).set_index(["territory_code", "year"])["value"]
    assert got.loc[("52", 2023)] == pytest.approx(expected.loc[("52", 2023)])  # Nariño
    assert got.loc[("05", 2024)] == pytest.approx(expected.loc[("05", 2024)])  # Antioquia
    # events abroad or without a location: their own row, not dropped
    abroad = rows[rows["territory"] == ind.UNASSIGNED]
    assert abroad["value"].sum() > 0
    # the table format prints without error and names the import in a note
    table_out = run_cli("--data-dir", str(folder), "indicators", "show", "--years", "2020-2024",
                        "--indicator", "heroin_seizures", "--by", "department")
    assert table_out.exit_code == 0 and "Nariño" in table_out.stdout
    assert "imported file" in table_out.stderr


def test_an_import_replaces_the_bundled_table_of_its_result(run_cli, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "DESTRUCCIÓN DE INFRAESTRUCTURAS.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["2024-02-01", "54", "NORTE DE SANTANDER", "54810", "TIBU", 3, "UNIDAD"])
    ws.append(["2024-05-01", "54", "NORTE DE SANTANDER", "54810", "TIBU", 4, "UNIDAD"])
    wb.save(path)
    folder = tmp_path / "data"
    md.import_file(path, data_dir=folder)
    doc = _show(run_cli, folder, "--years", "2024", "--indicator", "labs_destroyed,labs_destroyed_per_100k_inhabitants")
    rows = pd.DataFrame(doc["indicators"])
    mindef = rows[(rows["indicator"] == "labs_destroyed") & (rows["source"] == "mindefensa")]
    assert mindef["value"].tolist() == [7.0]  # not the bundled 5,233
    per_100k = rows[rows["indicator"] == "labs_destroyed_per_100k_inhabitants"]["value"].iloc[0]
    from cocamonitor import datasets

    pop = datasets.load("population")
    assert per_100k == pytest.approx(7 * 1e5 / pop.loc[pop["year"] == 2024, "population"].sum(), rel=1e-3)


def test_results_csv_import_any_decimal_convention_and_bad_rows(run_cli, tmp_path):
    folder = tmp_path / "data"
    good = tmp_path / "cadena.csv"
    good.write_text("year;indicator;value;unit;source\n"
                    "2023;extraditions;215;count;Fiscalía\n"
                    "2023;cash_seized;12.500.000,5;USD;Policía Nacional\n"
                    "2022;liquid_precursors_seized;1.000;gal;Policía Nacional\n"
                    "2019;cocaine_use_prevalence_past_year;0,6;%;Encuesta nacional (test figure)\n",
                    encoding="utf-8")
    res = run_cli("--data-dir", str(folder), "data", "import", "results", str(good))
    assert res.exit_code == 0, res.stderr
    doc = _show(run_cli, folder, "--years", "2019-2023",
                "--indicator", "extraditions,cash_seized,liquid_precursors_seized,cocaine_use_prevalence_past_year")
    rows = pd.DataFrame(doc["indicators"]).dropna(subset=["value"]).set_index(["indicator", "year"])
    assert rows.loc[("cash_seized", 2023), "value"] == 12_500_000.5
    assert rows.loc[("liquid_precursors_seized", 2022), "value"] == pytest.approx(3785.411784)
    assert rows.loc[("cocaine_use_prevalence_past_year", 2019), "value"] == 0.6
    assert userdata.file_sha256(good) in rows.loc[("extraditions", 2023), "citation"]

    for body, where in [
        ("year;indicator;value;unit;source\n2023;extradition;2;count;X\n", "line 2, column 'indicator'"),
        ("year;indicator;value;unit;source\n2023;extraditions;2;kg;X\n", "line 2, column 'unit'"),
        ("year;indicator;value;unit;source\n2023;extraditions;dos;count;X\n", "column 'value'"),
        ("year;indicator;value;unit\n2023;extraditions;2;count\n", "missing column(s) 'source'"),
        ("year;indicator;value;unit;source;extra\n2023;extraditions;2;count;X;1\n", "column 'extra'"),
        ("year;indicator;value;unit;source\n2023;labs_per_1000_ha_coca;2;x;X\n", "ratio indicator"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(body, encoding="utf-8")
        before = (folder / "manifest.json").read_bytes()
        res = run_cli("--data-dir", str(folder), "data", "import", "results", str(bad))
        assert res.exit_code == 2 and where in res.stderr and res.stderr.count("\n") == 1, res.stderr
        assert (folder / "manifest.json").read_bytes() == before


def test_targets_for_every_indicator_nationally_and_by_department(run_cli, tmp_path):
    names = [i.name for i in ind.INDICATORS]
    t = tmp_path / "targets.csv"
    t.write_text("year,indicator,target\n" + "".join(f"2018,{n},1\n" for n in names))
    doc = _show(run_cli, tmp_path / "d", "--years", "2018", "--targets", str(t))
    rows = pd.DataFrame(doc["indicators"])
    assert set(rows.loc[rows["target"].notna(), "indicator"]) == set(names)
    assert not any("ignored" in n for n in doc["notes"])
    met = rows.dropna(subset=["value"])
    assert met["met"].notna().all()

    t2 = tmp_path / "dep.csv"
    t2.write_text("year,indicator,territory,target\n2023,heroin_seizures,Nariño,100\n"
                  "2023,labs_destroyed_per_100k_inhabitants,Nariño,10\n2023,coca_area,Nariño,50000\n")
    doc = _show(run_cli, tmp_path / "d", "--years", "2023", "--by", "department", "--targets", str(t2))
    rows = pd.DataFrame(doc["indicators"])
    narino = rows[(rows["territory"] == "Nariño") & rows["target"].notna()]
    assert set(narino["indicator"]) == {"heroin_seizures", "labs_destroyed_per_100k_inhabitants", "coca_area"}
    assert narino["met"].notna().all()


def test_report_results_for_2018_have_odc_eradication_and_hydrochloride_seizures():
    from cocamonitor.report.build import ReportInputs
    from cocamonitor.report.sections import results_section

    sec = results_section(2018, ReportInputs.from_datasets(maps=False))
    t = sec["table"].set_index(["indicator", "source"])
    assert t.loc[("manual_eradication", "odc"), "value"] == pytest.approx(59977.95)
    assert t.loc[("cocaine_seizures", "odc"), "value"] == pytest.approx(413.38328)
    assert "Observatorio de Drogas de Colombia" in t.loc[("cocaine_seizures", "odc"), "publisher"]
    assert "retrieved" in t.loc[("cocaine_seizures", "odc"), "citation"]
