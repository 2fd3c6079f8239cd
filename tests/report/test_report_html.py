"""What a reader sees in the written report: numbers per locale, files, self-containment."""

import re
from html import unescape

import pandas as pd
import pytest

from cocamonitor import datasets
from cocamonitor.report.csvout import default_dialect, read_table


def _text(html: str) -> str:
    body = html.split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def texts(reports):
    return {lang: _text(f.html.read_text("utf-8")) for lang, f in reports.items()}


def test_summary_numbers_per_locale(reports, report_data, year):
    total = datasets.load("coca-municipal").query("year == @year")["hectares"].sum()
    es, en = reports["es"].summary, reports["en"].summary
    assert f"{total:,.0f}".replace(",", ".") + " ha" in es  # 230.028 ha
    assert f"{total:,.0f} ha" in en  # 230,028 ha
    assert es.startswith(f"A 31 de diciembre de {year}, el censo del SIMCI detectó")
    assert en.startswith(f"At 31 December {year}, the SIMCI census detected")
    for lang, text in (("es", es), ("en", en)):
        assert "185" in text
        # the main movers are named, with their change
        up = report_data.movers.query("direction == 'up'").iloc[0]
        assert up["municipality"] in text
        change = f"+{up['change_ha']:,.0f}"
        assert (change.replace(",", ".") if lang == "es" else change) in text
    # no sampling error for the census: the summary says so instead of claiming significance
    assert "no publica error de muestreo" in es and "publishes no sampling error" in en


def test_tables_in_html_match_the_data(texts, report_data):
    tibu = report_data.top.iloc[0]
    es_ha = f"{tibu['hectares']:,.0f}".replace(",", ".")
    assert f"Tibú Norte de Santander {es_ha}" in texts["es"]
    assert f"Tibú Norte de Santander {tibu['hectares']:,.0f}" in texts["en"]
    labs = report_data.labs_by_year.set_index("year")
    assert f"2022 {labs.loc[2022, 'quantity']:,.0f}" in texts["en"]
    assert f"2022 {labs.loc[2022, 'quantity']:,.0f}".replace(",", ".") in texts["es"]


def test_sections_and_pending_marks(texts):
    for title in ("Resumen", "Series nacionales", "Dónde está la coca", "Producción de cocaína",
                  "Resultados de la lucha contra las drogas", "Métodos y procedencia"):
        assert title in texts["es"]
    for title in ("Summary", "National series", "Where coca is", "Cocaine production",
                  "Counternarcotics results", "Methods and provenance"):
        assert title in texts["en"]
    assert "31 December" in texts["en"] and "no sampling error is published" in texts["en"]


def test_trend_tests_in_the_report(texts, reports, report_data):
    trends = report_data.extras["trends"]
    crit = trends["change"]["critical_relative_error"]
    assert f"below {100 * crit:.1f}% in both years" in reports["en"].summary
    assert f"menor que {100 * crit:.1f} %".replace(".", ",") in reports["es"].summary
    assert "Mann-Kendall" in texts["en"] and "Theil-Sen" in texts["es"]
    prod = report_data.extras["production"]["summary"]
    assert f"estimated at {prod['point']:,.0f} t" in reports["en"].summary
    assert f"se estima en {prod['point']:,.0f} t".replace(",", ".") in reports["es"].summary
    assert "No chain parameters were published after 2020." in texts["en"]
    assert "No se publicaron parámetros de la cadena después de 2020." in texts["es"]
    for step in trends["disagree_steps"]:
        assert step.replace("-", "–") in texts["en"]


def test_every_table_as_csv_and_every_figure_as_png(reports, report_data):
    for files in reports.values():
        folder = files.out_dir
        html = files.html.read_text("utf-8")
        tables = {**report_data.tables(), **report_data.extras["tables"]}
        assert {"trend_tests", "unodc_vs_us"} <= set(tables)
        for stem, df in tables.items():
            back = read_table(folder / f"{stem}.csv", default_dialect(files.lang))
            assert len(back) == len(df), stem
        figs = re.findall(r'data-figure="([a-z_0-9]+)"', html)
        assert {"map_hectares", "map_change", "departments", "labs", "spraying"} <= set(figs)
        for key in figs:
            png = folder / f"{key}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", key
            assert png.stat().st_size > 5000, key
        csv_links = set(re.findall(r'href="([a-z_0-9]+\.csv)"', html))
        assert csv_links <= {p.name for p in files.csv}
    mun = pd.read_csv(reports["en"].out_dir / "municipalities.csv", dtype={"divipola": str})
    assert mun["hectares"].sum() == pytest.approx(report_data.national_area)


def test_self_contained(reports):
    for files in reports.values():
        html = files.html.read_text("utf-8")
        assert not re.search(r"<(script|img|iframe|link)[^>]+(src|href)=\"?(https?:)?//", html)
        assert "cdn.plot.ly" not in html.split("window.PlotlyGeoAssets", 1)[0]
        assert "Plotly.newPlot" in html and "PlotlyGeoAssets" in html
        assert "connect-src 'none'" in html  # the page's own policy forbids fetches
        # the map geometry is inline, each feature once for all the maps of the page
        assert 'varFEATURES=[{"type":"Feature"' in html.replace(" ", "")
        assert '"geojson":{"cocamonitorFeatures":[' in html.replace(" ", "")


def test_spanish_edition_shows_the_provenance_register_in_spanish(texts):
    # a Spanish reader gets the registry's titles and caveats in Spanish, the English ones in English
    es, en = texts["es"], texts["en"]
    assert "Cultivos de coca detectados por municipio" in es
    assert "Una celda vacía significa que no se detectó coca" in es
    assert "Coca cultivation detected by municipality" not in es
    assert "Coca cultivation detected by municipality" in en and "Cultivos de coca detectados" not in en


def test_map_text_names_the_colour_municipalities_without_coca_have(texts):
    # municipalities without coca are not drawn: the grey (#eeeeee) departments show through
    assert "quedan en gris" in texts["es"] and "quedan en blanco" not in texts["es"]
    assert "left grey" in texts["en"] and "left blank" not in texts["en"]


def test_a_flat_rounded_step_is_not_presented_as_evidence_of_disagreement(texts, report_data):
    # UNODC published 48,000 ha for both 2012 and 2013 (rounded to thousands); the US rose 3.2 %
    unodc = datasets.national_series("unodc", "area")
    assert unodc[2012] == unodc[2013]
    assert "2012-2013" in report_data.extras["trends"]["flat_steps"]
    assert "2012-2013" not in report_data.extras["trends"]["disagree_steps"]
    assert ("In 2012-2013 one series did not change at all; published figures are rounded"
            in texts["en"])
    assert "En 2012-2013 una de las series no cambió; las cifras publicadas están redondeadas" in texts["es"]
