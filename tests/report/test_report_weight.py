"""How the report carries plotly.js: a partial bundle, each map feature once, and a print version.

The page-weight goals of issue 18: the HTML under 2.5 MB with maps and under 1 MB without; the
browser test (``test_report_bundle_browser.py``) checks the page looks the same as with the
full plotly.js.
"""

from __future__ import annotations

import json
import re

import pytest

from cocamonitor.report.charts import _share_features
from cocamonitor.report.plotlyjs import BUNDLES, bundle_for, bundle_js, bundle_version, trace_types


def test_bundles_match_the_plotly_js_the_figures_are_written_for():
    from plotly.offline import get_plotlyjs_version

    for name in BUNDLES:
        # a plotly upgrade changes the figure JSON: rebuild with scripts/build_plotly_bundles.sh
        assert bundle_version(name) == get_plotlyjs_version(), name
        js = bundle_js(name)
        assert js.startswith("/* plotly.js v") and "MIT license" in js[:300]
        assert "\nvar Plotly=(" in js[:400]  # defines the global Plotly when run


def _figures(html: str) -> dict:
    text = re.search(r"var FIGURES = (\{.*?\});\n", html, re.S).group(1)
    return json.loads(text.replace("<\\/", "</"))


def test_report_with_maps_is_light_and_its_bundle_draws_every_trace(reports):
    for files in reports.values():
        html = files.html.read_text("utf-8")
        assert files.html.stat().st_size < 2.5e6
        figs = _figures(html)
        assert {"choropleth", "bar", "scatter"} <= trace_types(figs.values())
        bundle = re.search(r'id="plotly-js" data-bundle="(\w+)"', html).group(1)
        assert bundle == bundle_for(figs.values()) == "maps"
        assert trace_types(figs.values()) <= set(BUNDLES[bundle])


def test_report_without_maps_is_under_1_mb(report_data, tmp_path):
    from cocamonitor.report.render import write_report

    files = write_report(report_data, "en", tmp_path)  # no boundaries: no maps
    html = files.html.read_text("utf-8")
    assert files.html.stat().st_size < 1e6
    assert 'data-bundle="charts"' in html
    assert trace_types(_figures(html).values()) <= {"scatter", "bar"}


def test_print_version_has_every_figure_as_an_image_and_no_script(reports):
    for files in reports.values():
        html = files.html.read_text("utf-8")
        printed = (files.out_dir / "print.html").read_text("utf-8")
        assert "<script" not in printed
        assert "script-src" not in printed  # its policy allows no script at all
        keys = re.findall(r'data-figure="(\w+)"', html)
        assert keys
        for key in keys:
            assert re.search(rf'id="figure-{key}">\s*<figcaption>[^<]*</figcaption>\s*'
                             r'<img class="plot" src="data:image/png;base64,', printed), key
        assert 'href="print.html"' in html and 'href="index.html"' in printed


def test_shared_features_rebuild_each_map_exactly():
    a = {"type": "Feature", "id": "1", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}
    b = {**a, "id": "2"}
    figs = {
        "m1": {"data": [{"type": "choropleth", "geojson": {"type": "FeatureCollection", "features": [a, b]}}],
               "layout": {}},
        "m2": {"data": [{"type": "choropleth", "geojson": {"type": "FeatureCollection", "features": [b]}},
                        {"type": "scatter"}], "layout": {}},
        "chart": object(),  # figures that are not dicts pass through
    }
    features: dict[str, int] = {}
    shared = _share_features(figs, features)
    assert len(features) == 2  # b once for both maps
    table = [json.loads(f) for f in features]
    for key in ("m1", "m2"):
        rebuilt = [t if "geojson" not in t else
                   {**t, "geojson": {"type": "FeatureCollection",
                                     "features": [table[i] for i in t["geojson"]["cocamonitorFeatures"]]}}
                   for t in shared[key]["data"]]
        assert rebuilt == figs[key]["data"]
    assert shared["chart"] is figs["chart"]
    assert figs["m1"]["data"][0]["geojson"]["type"] == "FeatureCollection"  # inputs left unchanged


def test_a_trace_type_no_bundle_draws_is_an_error():
    from cocamonitor.errors import InputError

    with pytest.raises(InputError, match="scatter3d"):
        bundle_for([{"data": [{"type": "scatter3d"}]}])
