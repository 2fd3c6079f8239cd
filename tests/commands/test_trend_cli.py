"""`cocamonitor trend ...` on the bundled series: contract JSON, readable tables, exit code 2."""

from __future__ import annotations

import json

import pytest


def test_trend_test_json_contract(run_cli):
    res = run_cli("trend", "test", "--dataset", "coca-national", "--source", "unodc",
                  "--years", "2019-2023", "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    s = doc["series"]
    assert s["source"] == "unodc" and s["metric"] == "area" and s["unit"] == "ha"
    assert s["years"] == [2019, 2020, 2021, 2022, 2023]
    assert s["values"] == [154000.0, 143000.0, 204000.0, 230000.0, 253000.0]
    mk = doc["mann_kendall"]
    assert {"s", "var_s", "z", "p_value", "p_exact", "tau", "trend"} <= set(mk)
    assert mk["s"] == 8 and mk["p_exact"] == pytest.approx(10 / 120)  # methodology §D.2
    assert mk["trend"] == "no trend"
    ts = doc["theil_sen"]
    assert {"slope", "intercept", "ci", "confidence"} <= set(ts)
    assert ts["confidence"] == 0.95 and len(ts["ci"]) == 2
    assert "provenance" in doc and doc["provenance"]["inputs"]


def test_trend_test_production_metric(run_cli):
    res = run_cli("trend", "test", "--source", "unodc", "--metric", "production",
                  "--years", "2019-2023", "-f", "json")
    doc = json.loads(res.stdout)
    assert doc["series"]["unit"] == "t" and doc["mann_kendall"]["s"] == 10
    assert doc["mann_kendall"]["p_exact"] == pytest.approx(2 / 120)
    assert doc["mann_kendall"]["trend"] == "increasing"


def test_series_gaps_are_named_or_skipped(run_cli):
    # UNODC's final production figures for 2003 and 2006 were not found (SOURCES.md section 2)
    res = run_cli("trend", "test", "--source", "unodc", "--metric", "production")
    assert res.exit_code == 2
    assert "2003, 2006" in res.stderr and "--skip-missing" in res.stderr
    assert "Traceback" not in res.stderr
    ok = run_cli("trend", "test", "--source", "unodc", "--metric", "production", "--skip-missing", "-f", "json")
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["series"]["missing_years"] == [2003, 2006]


@pytest.mark.parametrize("args, msg", [
    (("trend", "test", "--years", "2022-2023"), "at least 3 years"),
    (("trend", "test", "--years", "1990-2000"), "outside the years"),
    (("trend", "test", "--source", "unodcc"), "did you mean"),
    (("trend", "test", "--metric", "prod"), "unknown value"),
    (("trend", "change", "--a", "100,-3", "--b", "120,4"), "standard error"),
    (("trend", "change", "--from", "2020", "--to", "2030"), "no unodc area figure for 2030"),
    (("trend", "compare", "--sources", "unodc"), "two sources"),
    (("trend", "compare", "--plot", "x.txt"), ".png, .svg, .pdf or .html"),
])
def test_bad_input_exits_2(run_cli, args, msg):
    res = run_cli(*args)
    assert res.exit_code == 2
    assert msg in res.stderr and res.stderr.startswith("error:")


def test_trend_test_file_with_duplicate_years(run_cli, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("year,value,se\n2019,10,1\n2020,12,1\n2020,13,1\n2021,15,1\n")
    res = run_cli("trend", "test", "--file", str(f))
    assert res.exit_code == 2 and "duplicate years: 2020" in res.stderr
    f.write_text("year,value,se\n2019,10,1\n2020,12,1\n2021,13,1\n2022,15,1\n")
    ok = run_cli("trend", "test", "--file", str(f), "-f", "json")
    assert json.loads(ok.stdout)["linear_trend"]["method"] == "wls"


def test_compare_prints_readable_table_and_writes_chart(run_cli, tmp_path):
    png = tmp_path / "compare.png"
    res = run_cli("trend", "compare", "--sources", "unodc,us", "--plot", str(png))
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    for text in ("unodc", "us", "2021", "204000", "234000", "agree", "NO", "opposite in:",
                 "2019-2020", "only unodc: 2022, 2023", "flat", "Flat (one series unchanged", "break",
                 "Figures: latest release of each year to date."):
        assert text in out
    # the US survey area grew 81 % in 2005 and 19 % in 2006: those steps are not compared
    assert "Not compared (a series changed method" in out and "2004-2005, 2005-2006." in out
    assert "2005-2006" not in out.split("opposite in:", 1)[1].split("\n", 1)[0]
    assert "2012-2013." in out.split("Flat (one series unchanged", 1)[1]  # UNODC 48,000 ha both years
    assert png.read_bytes()[:4] == b"\x89PNG"
    html = tmp_path / "compare.html"
    assert run_cli("trend", "compare", "--plot", str(html)).exit_code == 0
    assert "plotly" in html.read_text()[:200000]


def test_compare_json_and_csv(run_cli):
    doc = json.loads(run_cli("trend", "compare", "-f", "json").stdout)
    assert doc["names"] == ["unodc", "us"] and 2021 in doc["common_years"]
    assert "2020-2021" in doc["disagree_steps"]  # UNODC +43 %, US -4.5 %
    row = next(r for r in doc["table"] if r["year"] == 2021)
    assert row["change_unodc_pct"] == pytest.approx(100 * (204 / 143 - 1))
    assert row["change_us_pct"] == pytest.approx(100 * (234 / 245 - 1))
    csv = run_cli("trend", "compare", "-f", "csv").stdout.splitlines()
    assert csv[0].startswith("year,unodc,us,ratio")


def test_change_census_and_pairs(run_cli, tmp_path):
    doc = json.loads(run_cli("trend", "change", "--from", "2020", "--to", "2021", "-f", "json").stdout)
    assert doc["change"]["census"] is True and doc["change"]["p_value"] is None
    assert doc["sensitivity"]["critical_relative_error"] == pytest.approx(0.1249, abs=1e-3)
    table = run_cli("trend", "change", "--from", "2020", "--to", "2021").stdout
    assert "12.5%" in table and "no standard error" in table
    pair = json.loads(run_cli("trend", "change", "--a", "100,6", "--b", "130,8", "-f", "json").stdout)
    assert pair["change"]["difference_se"] == pytest.approx(10.0)
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text(json.dumps({"unit": "ha", "classes": {"coca": {"area": 100.0, "area_se": 6.0}}}))
    b.write_text(json.dumps({"unit": "km2", "classes": {"coca": {"area": 1.3, "area_se": 0.08}}}))
    res = run_cli("trend", "change", "--a", str(a), "--b", str(b), "--class", "coca")
    assert res.exit_code == 2 and "mismatched units" in res.stderr


def test_panel_rows_and_json_records(run_cli, tmp_path):
    res = run_cli("trend", "panel", "--years", "2014-2024", "--department", "Norte de Santander",
                  "-f", "json", "--plot", str(tmp_path / "p.html"))
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert isinstance(rows, list) and rows
    tibu = next(r for r in rows if r["divipola"] == "54810")
    assert tibu["class"] == "expanding" and tibu["slope"] > 0
    assert {r["department"] for r in rows} == {"Norte de Santander"}
    table = run_cli("trend", "panel", "--level", "department")
    assert table.exit_code == 0 and "Nariño" in table.stdout


def test_trend_test_on_a_municipality_with_chart(run_cli, tmp_path):
    png = tmp_path / "tibu.png"
    res = run_cli("trend", "test", "--dataset", "coca-municipal", "--municipality", "Tibú",
                  "--years", "2014-2024", "--plot", str(png), "-f", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["series"]["years"] == list(range(2014, 2025))
    assert doc["mann_kendall"]["trend"] == "increasing" and doc["theil_sen"]["slope"] > 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    bad = run_cli("trend", "test", "--municipality", "Tibú")
    assert bad.exit_code == 2 and "coca-municipal" in bad.stderr


def test_trend_as_of_and_vintage_choose_releases(run_cli):
    # UNODC production for 2016 was 866 t until the September 2018 release gave 1,053 t
    early = json.loads(run_cli("trend", "test", "--source", "unodc", "--metric", "production",
                               "--years", "2014-2016", "--as-of", "2018-09-18", "-f", "json").stdout)
    assert early["series"]["values"] == [442.0, 646.0, 866.0]
    assert early["series"]["as_of"] == "2018-09-18" and early["series"]["releases"]["2016"] == "2017-07-14"
    late = json.loads(run_cli("trend", "test", "--source", "unodc", "--metric", "production",
                              "--years", "2014-2016", "-f", "json").stdout)
    assert late["series"]["values"][-1] == 1053.0 and late["series"]["vintage"] == "latest"
    first = json.loads(run_cli("trend", "test", "--source", "unodc", "--metric", "production",
                               "--years", "2014-2016", "--vintage", "first", "-f", "json").stdout)
    assert first["series"]["values"][-1] == 866.0 and first["provenance"]["parameters"]["vintage"] == "first"
    table = run_cli("trend", "test", "--source", "us", "--years", "2003-2010")
    assert "latest release of each year to date" in table.stdout and "method changes from 2005, 2006" in table.stdout


def test_trend_change_names_releases_and_warns_across_a_break(run_cli):
    res = run_cli("trend", "change", "--source", "us", "--from", "2004", "--to", "2006", "-f", "json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["releases"]["breaks"] == [2005, 2006] and doc["releases"]["releases"]["2004"] == "2006-04-14"
    assert "changed method" in res.stderr


@pytest.mark.parametrize("args, msg", [
    (("trend", "test", "--as-of", "2021-02-30"), "--as-of: '2021-02-30' is not a date"),
    (("trend", "compare", "--as-of", "1990-01-01"), "--as-of: 1990-01-01 is before the first release"),
    (("trend", "test", "--vintage", "newest"), "--vintage: unknown vintage 'newest'; valid: latest, first, as-of"),
    (("trend", "test", "--vintage", "as-of"), "--vintage: vintage 'as-of' needs a date"),
    (("trend", "test", "--dataset", "coca-municipal", "--as-of", "2021-06-30"), "--as-of/--vintage"),
    (("trend", "test", "--source", "unodc", "--as-of", "2002-06-30"), "no unodc area figure had been released"),
])
def test_release_options_bad_input(run_cli, args, msg):
    res = run_cli(*args)
    assert res.exit_code == 2 and msg in res.stderr and len(res.stderr.strip().splitlines()) == 1
