"""The dashboard in headless Chromium, served by uvicorn on 127.0.0.1: it draws, requests nothing
outside the server, and changing the year and municipality fetches values only (geometry once).
Skipped only when Chromium is not installed."""

import numpy as np
import pytest

from cocamonitor.report.browser import find_chromium, render_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (Debian: apt-get install chromium)"),
]

# after the first draw, click Puerto Asís on the map (plotly's click event) and move the year to
# 2016; ready when both views are in and the URL carries the new state
READY = (
    "window.cocamonitorReady === true && (window.__step = window.__step || "
    "(document.getElementById('map').emit('plotly_click', {points: [{location: '86568', curveNumber: 1}]}),"
    " window.cocamonitor.setState({year: 2016}), 1)) === 1 && "
    "window.cocamonitor.pending() === 0 && location.search.indexOf('year=2016') >= 0 && "
    "location.search.indexOf('municipality=86568') >= 0 && "
    "document.getElementById('profile-panel').textContent.indexOf('Puerto As') >= 0"
)


@pytest.fixture(scope="module")
def rendered(live_server, tmp_path_factory):
    shot = tmp_path_factory.mktemp("web") / "dashboard.png"
    run = render_page(f"{live_server}/?lang=en&year=2024", shot, ready_expression=READY, timeout=90,
                      selectors=["#map .geolayer", "#profile-chart .cartesianlayer"], width=1280, height=900)
    from PIL import Image

    with Image.open(shot) as im:
        img = np.asarray(im.convert("RGB"))
    return run, img


def test_dashboard_draws_and_stays_on_the_server(rendered, live_server):
    run, img = rendered
    assert run.ready, run.console
    assert [c for c in run.console if "error" in c.lower() or "refused" in c.lower()] == []
    outside = [u for u in run.requests if not u.startswith((live_server + "/", "data:", "about:"))]
    assert outside == []
    for sel in ("#map .geolayer", "#profile-chart .cartesianlayer"):
        (rect,) = run.rects[sel]
        x0, y0 = int(rect["x"]), int(rect["y"])
        crop = img[y0:y0 + int(rect["height"]), x0:x0 + int(rect["width"])].astype(int)
        assert ((crop.max(axis=2) - crop.min(axis=2)) > 20).mean() > 0.01, sel  # coloured, not blank


def test_year_change_fetches_values_not_geometry(rendered, live_server):
    run, _ = rendered
    geometry = [u for u in run.requests if "/view/map-figure" in u]
    assert len(geometry) == 1
    assert any("/view/map?" in u and "year=2016" in u for u in run.requests)
    assert any("/view/profile?" in u and "municipality=86568" in u for u in run.requests)
