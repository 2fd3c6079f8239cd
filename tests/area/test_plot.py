"""The area-estimate figure: the numbers it draws, and the files it writes."""

import re

import numpy as np
import pytest
from area_examples import olofsson2014

from cocamonitor.area import estimate_stratified
from cocamonitor.area.plot import area_figure_frame, plot_area_estimate
from cocamonitor.errors import InputError


@pytest.fixture(scope="module")
def estimate():
    sample, areas = olofsson2014()
    return estimate_stratified(sample, areas)


def test_frame_mapped_area_is_the_map_class_area(estimate):
    _, areas = olofsson2014()
    f = area_figure_frame(estimate).set_index("class")
    # strata are the map classes: the mapped area of a class is its stratum area
    for name, a in areas.items():
        assert f.loc[name, "mapped"] == pytest.approx(a, rel=1e-12)
    # Olofsson et al. (2014), Table 8 and p. 54: deforestation estimated at 21,158 ha against
    # 18,000 ha mapped (200,000 pixels of 0.09 ha); 21,158 is rounded to the hectare
    assert f.loc["Deforestation", "area"] / f.loc["Deforestation", "mapped"] == pytest.approx(
        21158 / 18000, rel=1e-4)


def test_frame_intervals_are_clipped_and_contain_the_estimate(estimate):
    f = area_figure_frame(estimate)
    for key in ("users", "producers"):
        assert (f[f"{key}_low"] >= 0).all() and (f[f"{key}_high"] <= 1).all()
        assert (f[f"{key}_low"] <= f[key]).all() and (f[key] <= f[f"{key}_high"]).all()
    assert (f["area_ci_low"] <= f["area"]).all() and (f["area"] <= f["area_ci_high"]).all()
    # the producer's accuracy of forest gain reaches 1 only through clipping
    gain = f.set_index("class").loc["Forest gain"]
    c = estimate.classes["Forest gain"]
    assert c.producers_accuracy + 1.96 * c.producers_accuracy_se > 1 and gain["producers_high"] == 1.0


def test_writes_png_and_offline_html(estimate, tmp_path):
    png = plot_area_estimate(estimate, tmp_path / "a.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = plot_area_estimate(estimate, tmp_path / "a.html").read_text()
    assert "Plotly.newPlot" in html
    assert not re.search(r"<script[^>]*\bsrc=", html)  # plotly.js is embedded, nothing fetched
    assert np.isfinite(area_figure_frame(estimate)["area"]).all()


def test_refuses_an_unknown_extension(estimate, tmp_path):
    with pytest.raises(InputError, match=r"\.png, \.svg, \.pdf or \.html"):
        plot_area_estimate(estimate, tmp_path / "a.jpg")
