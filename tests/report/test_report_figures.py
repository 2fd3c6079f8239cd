"""Figures of the report: 2x PNG and SVG with a source line, gaps at missing years and breaks,
clipping marked on the change map, Pettitt change points and both trend verdicts."""

import json
import re

import numpy as np
import pytest

from cocamonitor.report.figures import ChartSpec, Series
from cocamonitor.report.maps import clipped_ticks


def _figures(files):
    html = files.html.read_text("utf-8")
    text = re.search(r"var FIGURES = (\{.*?\});\n", html, flags=re.S).group(1).replace("<\\/", "</")
    return json.loads(text)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_figure_is_png_at_2x_and_svg_with_source_line(report_files, lang):
    from PIL import Image

    files = report_files(lang)
    source = "Fuente:" if lang == "es" else "Source:"
    asof = "31 de diciembre de 2022" if lang == "es" else "31 December 2022"
    for png in files.png:
        with Image.open(png) as im:
            assert im.width >= 1600, png.name
        svg = png.with_suffix(".svg").read_text("utf-8")
        assert source in svg, png.name
        if not png.stem.startswith(("map_", "production", "sensitivity")):
            assert asof in svg, png.name


def test_national_lines_never_join_across_a_methodology_break(report_files):
    from cocamonitor import datasets

    breaks = datasets.national_breaks("us", "coca_area")["year"].tolist()
    assert breaks  # the US survey area grew in 2005 and 2006
    for lang in ("es", "en"):
        fig = _figures(report_files(lang))["national_area"]
        us = fig["data"][1]
        assert us.get("connectgaps") is False
        pts = list(zip(us["x"], us["y"], strict=True))
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:], strict=True):
            if y0 is not None and y1 is not None:  # a drawn segment
                assert x1 - x0 <= 1 and not any(x0 < b <= x1 for b in breaks), (x0, x1)
        rules = [sh["x0"] for sh in fig["layout"]["shapes"] if sh.get("line", {}).get("dash") == "dot"]
        assert {b - 0.5 for b in breaks} <= set(rules)  # and each break is marked


def test_methodology_break_splits_the_line_and_is_marked():
    spec = ChartSpec("k", "t", (Series("a", [2008, 2009, 2010, 2011], [1, 2, 3, 4], breaks=(2010,)),))
    fig = spec.to_plotly("en")
    assert list(fig.data[0].x) == [2008, 2009, 2009.5, 2010, 2011] and fig.data[0].y[2] is None
    assert [sh["x0"] for sh in fig.layout.shapes] == [2009.5]  # the dotted rule


def test_clipped_ticks_mark_the_ends_that_overflow():
    vals, text = clipped_ticks(-10, 10, lambda v: f"{v:+.0f}", clipped_low=True, clipped_high=True)
    assert text[0] == "≤ -10" and text[-1] == "≥ +10" and vals[2] == 0
    _vals, text = clipped_ticks(-10, 10, str, clipped_low=False, clipped_high=False)
    assert not any("≥" in t or "≤" in t for t in text)


def test_change_map_figure_and_png_mark_clipping(report_files, report_data):
    fig = _figures(report_files("es"))["map_change"]
    trace = fig["data"][1]
    clip = trace["zmax"]
    z = np.asarray(trace["z"], dtype=float)
    assert (z > clip).any()
    assert trace["colorbar"]["ticktext"][-1] == "≥ +2.426"
    assert trace["colorbar"]["ticktext"][0].startswith("≤") == bool((z < -clip).any())
    # unchanged municipalities with coca are drawn (pale), not left as the grey of "no coca"
    assert (z == 0).sum() == ((report_data.municipalities["change_ha"] == 0)
                              & (report_data.municipalities[["hectares", "hectares_previous"]].fillna(0)
                                 .max(axis=1) > 0)).sum()
    # the PNG/SVG carry the scale bar and the department labels (so do the HTML maps, as scattergeo
    # traces: tests/report/test_report_browser.py)
    svg = (report_files("es").out_dir / "map_change.svg").read_text("utf-8")
    assert "200 km" in svg and "Putumayo" in svg and "≥ +2.426" in svg


def test_density_map_is_hectares_per_km2(report_files, report_data):
    fig = _figures(report_files("en"))["map_density"]
    trace = fig["data"][1]
    z = dict(zip(trace["locations"], trace["z"], strict=True))
    mun = report_data.municipalities.set_index("divipola")
    code = mun["hectares"].idxmax()
    assert 0 < 10 ** z[str(code)] < mun.loc[code, "hectares"]  # divided by an area > 1 km²
    assert trace["colorbar"]["title"]["text"] == "ha/km²"


def test_both_trend_verdicts_and_pettitt_change_points(report_files, report_data):
    table = report_data.extras["trends"]["table"].set_index("series")
    assert {"slope_ci_excludes_zero", "pettitt_first_year_after", "pettitt_p"} <= set(table.columns)
    # the 2001–2022 census: no Mann-Kendall trend, level change in 2015 (U-shaped series)
    row = table.loc["simci_all"]
    assert row["trend"] == "no trend" and row["pettitt_first_year_after"] == 2015 and row["pettitt_p"] < 0.05
    for lang, marker, sentence in (("es", "Cambio de nivel desde 2015", "pueden diferir"),
                                   ("en", "Level change from 2015", "which can differ")):
        html = report_files(lang).html.read_text("utf-8")
        assert sentence in html
        fig = _figures(report_files(lang))["national_area"]
        assert any(marker in a["text"] for a in fig["layout"]["annotations"])
