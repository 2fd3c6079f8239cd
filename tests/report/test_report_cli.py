import json

import pytest

DEMO_TABLES = sorted([
    "counternarcotics_results", "departments", "labs_by_department", "labs_by_year", "movers",
    "evaluation_pdet_event_study", "evaluation_spraying_event_study",
    "municipalities", "national_series", "national_series_sources", "pdet_subregions",
    "production", "production_scenarios", "production_sensitivity", "provenance", "spraying_by_department",
    "spraying_by_year", "top20", "trend_tests", "unodc_vs_us",
])


def test_report_command_writes_files(run_cli, tmp_path):
    out = tmp_path / "r"
    res = run_cli("report", "--year", "2021", "--lang", "en", "--out", str(out), "--no-maps",
                  "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["html"] == str(out / "index.html")
    assert doc["summary"].startswith("At 31 December 2021")
    assert (out / "index.html").exists() and (out / "departments.csv").exists()
    prov = json.loads((out / "run_provenance.json").read_text())
    assert prov == doc["provenance"]
    assert any(k.endswith("coca_municipal.csv") for k in prov["inputs"])
    assert prov["parameters"]["year"] == 2021 and prov["parameters"]["production_seed"] is not None


def test_bad_year_exits_2_with_choices(run_cli, tmp_path):
    res = run_cli("report", "--year", "1999", "--lang", "es", "--out", str(tmp_path))
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "error: --year: no coca census for year 1999; valid choices: 2001-2024"
    ]


def test_bad_language_exits_2_with_choices(run_cli, tmp_path):
    res = run_cli("report", "--year", "2024", "--lang", "fr", "--out", str(tmp_path))
    assert res.exit_code == 2
    assert "valid choices: es, en" in res.stderr
    assert not any(tmp_path.iterdir())


def test_demo_writes_both_reports_and_prints_the_summary(run_cli, tmp_path):
    res = run_cli("demo", "--year", "2023", "--out", str(tmp_path))
    assert res.exit_code == 0, res.stderr
    for lang in ("es", "en"):
        folder = tmp_path / f"report-2023-{lang}"
        assert (folder / "index.html").exists()
        # 12 tables of the census, trends (2), production (2) and the counternarcotics results
        assert sorted(p.stem for p in folder.glob("*.csv")) == DEMO_TABLES
        assert len(list(folder.glob("*.png"))) >= 9
        assert str(folder / "index.html") in res.stdout
    out = " ".join(res.stdout.split())
    assert "At 31 December 2023, the SIMCI census detected 252,572 ha" in out
    assert "A 31 de diciembre de 2023, el censo del SIMCI detectó 252.572 ha" in out
    assert "Tibú" in out  # the tables it printed before are still there


def test_demo_bad_year_or_language_exits_2(run_cli, tmp_path):
    res = run_cli("demo", "--year", "2030", "--out", str(tmp_path))
    # the demo's ranking compares with the year before, so its first year is 2002
    assert res.exit_code == 2 and "valid choices: 2002-2024" in res.stderr
    res = run_cli("demo", "--lang", "pt", "--out", str(tmp_path))
    assert res.exit_code == 2 and "valid choices: es, en" in res.stderr
    assert not any(tmp_path.iterdir())


def test_density_map_from_a_map_raster(run_cli, tmp_path):
    import numpy as np
    import pandas as pd
    import rasterio

    from cocamonitor.datasets import data_path

    raster = data_path("examples/coca_map.tif")
    with rasterio.open(raster) as src:
        pixels = int((src.read(1) == 1).sum())
        pixel_ha = abs(src.res[0] * src.res[1]) / 1e4
    out = tmp_path / "r"
    res = run_cli("report", "--year", "2024", "--lang", "en", "--out", str(out), "--no-maps",
                  "--map-raster", str(raster), "--json")
    assert res.exit_code == 0, res.stderr
    cells = pd.read_csv(out / "density_grid.csv")
    assert np.isclose(cells["coca_ha"].sum(), pixels * pixel_ha)
    assert np.allclose(cells["density_ha_km2"], cells["coca_ha"] / 1.0)  # 1 km² cells
    html = (out / "index.html").read_text("utf-8")
    assert 'data-figure="density_map"' in html and (out / "density_map.png").exists()
    assert f"{len(cells):,} cells have coca" in " ".join(html.split())


def test_bad_map_raster_exits_2(run_cli, tmp_path):
    bad = tmp_path / "not_a_map.tif"
    bad.write_text("no raster here")
    res = run_cli("report", "--year", "2024", "--lang", "en", "--out", str(tmp_path / "r"),
                  "--no-maps", "--map-raster", str(bad))
    assert res.exit_code == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --map-raster: ")  # the option typed
    assert "not_a_map.tif" in lines[0]


def test_raster_in_degrees_names_the_map_raster_option(run_cli, tmp_path):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    geo = tmp_path / "degrees.tif"
    with rasterio.open(geo, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=from_origin(-75, 5, 0.001, 0.001)) as dst:
        dst.write(np.ones((1, 4, 4), dtype="uint8"))
    res = run_cli("report", "--year", "2024", "--lang", "en", "--out", str(tmp_path / "r"),
                  "--no-maps", "--map-raster", str(geo))
    assert res.exit_code == 2, res.stderr
    assert res.stderr.startswith("error: --map-raster: ") and "projected" in res.stderr


def test_coca_class_without_map_raster_exits_2(run_cli, tmp_path):
    res = run_cli("report", "--year", "2024", "--lang", "en", "--out", str(tmp_path / "r"),
                  "--no-maps", "--coca-class", "3")
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "error: --coca-class: --coca-class only applies to a classified map; "
        "add --map-raster FILE or drop --coca-class"
    ]
    assert not (tmp_path / "r").exists()


def test_first_year_report_has_no_change_sections(run_cli, tmp_path):
    out = tmp_path / "r"
    res = run_cli("report", "--year", "2001", "--lang", "es", "--out", str(out), "--json")
    assert res.exit_code == 0, res.stderr
    html = (out / "index.html").read_text("utf-8")
    assert 'data-figure="map_hectares"' in html and 'data-figure="map_change"' not in html
    summary = json.loads(res.stdout)["summary"]
    assert summary.startswith("A 31 de diciembre de 2001, el censo del SIMCI detectó 136.918 ha")
    assert "más que" not in summary and "menos que" not in summary


def test_out_that_is_a_file_exits_2(run_cli, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("")
    res = run_cli("report", "--year", "2024", "--lang", "en", "--out", str(target), "--no-maps")
    assert res.exit_code == 2
    assert res.stderr.startswith("error: --out:") and "not a folder" in res.stderr


@pytest.mark.parametrize("name, needle", [("shot.jpg", "end the file name in .png"),
                                          ("f/shot.png", "is a file, not a folder")])
def test_bad_screenshot_path_exits_2_before_the_report(run_cli, tmp_path, name, needle):
    """A screenshot under a file was a traceback after the whole report had been written."""
    (tmp_path / "f").write_text("x")
    res = run_cli("report", "--year", "2024", "--lang", "en", "--no-maps", "--out", str(tmp_path / "r"),
                  "--screenshot", str(tmp_path / name))
    assert res.exit_code == 2 and res.stderr.startswith("error: --screenshot:"), res.stderr
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()
