"""The "Coca y bosque / Coca and forest" section: there when the grid or layers were imported, else one line."""

import sys
from pathlib import Path

import pytest

from cocamonitor.report.browser import find_chromium, render_page
from cocamonitor.report.forest_section import forest_html, forest_section

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "territories"))
import grid_fixtures as fx  # noqa: E402

YEAR = 2022


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from cocamonitor.importers.simci_grid import import_simci_grid
    from cocamonitor.territories import add_layer

    d = tmp_path_factory.mktemp("forest-report")
    data = d / "data"
    import_simci_grid(fx.write_geojson(d / "grid.geojson"), data_dir=data)
    fx.layer("parks").to_file(d / "runap.gpkg")
    fx.layer("resguardos").to_file(d / "ant.gpkg")
    add_layer("parks", d / "runap.gpkg", name_field="nombre", data_dir=data)
    add_layer("resguardos", d / "ant.gpkg", name_field="nombre", data_dir=data)
    return data


def test_absent_without_imports_says_what_to_import(tmp_path):
    assert forest_section(YEAR, data_dir=tmp_path / "empty") is None
    html = str(forest_html(None, "es"))
    assert "Coca y bosque" in html and "cocamonitor data import simci-grid" in html
    assert "Coca and forest" in str(forest_html(None, "en"))


def test_present_with_the_fixtures(imported):
    sec = forest_section(YEAR, data_dir=imported)
    assert sec is not None and sec["table"] is not None
    assert set(sec["table"]["layer"]) == {"parks", "resguardos", "(all layers)"}
    html = str(forest_html(sec, "en"))
    assert "Coca and forest" in html and "v3rx-q7t3" in html and "PNN Catatumbo Barí" in html
    # the published national share, with its release
    assert "5 % of the country's coca inside national natural parks in 2017" in html
    assert "released 2018-09-19" in html
    assert "overlap on" in html


def test_bundled_report_says_what_to_import(report_files):
    # the session's report is written without any import: the section is one line
    html = report_files("es").html.read_text(encoding="utf-8")
    assert 'id="coca-forest-absent"' in html and "cocamonitor data import simci-grid" in html
    assert 'id="coca-forest-present"' not in html


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="chromium not installed")
def test_report_shows_the_section_in_a_browser(imported, tmp_path, monkeypatch):
    from cocamonitor.report import make_report

    monkeypatch.setenv("COCAMONITOR_DATA_DIR", str(imported))
    files = make_report(YEAR, "es", tmp_path / "out", maps=False)
    html = files.html.read_text(encoding="utf-8")
    present = "#coca-forest-present"
    selectors = [present, "#coca-forest-absent", "#table-territories-coca", "#figure-density_map"]
    run = render_page(files.html, tmp_path / "shot.png", selectors=selectors, width=1280, height=900, timeout=60)
    assert run.ready, run.console
    assert run.rects[present] and run.rects[present][0]["height"] > 100
    assert run.rects["#table-territories-coca"][0]["height"] > 50
    assert not run.rects["#coca-forest-absent"]
    assert "Coca y bosque" in html and "PNN Catatumbo Barí" in html
    # the report's 1 km map comes from the imported grid when no map raster is given
    assert 'data-figure="density_map"' in html and "grilla de 1 km del SIMCI importada" in html
    assert run.rects["#figure-density_map"][0]["height"] > 200
    imported_names = {e["name"] for e in files.provenance["parameters"]["imported"]}
    assert imported_names == {"simci-grid", "parks", "resguardos"}
