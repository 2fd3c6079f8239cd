"""The dashboard as used: searching a municipality zooms the map to it, highlights it and scrolls
to its profile; on a 390 px phone the controls fold away and the map takes the full width.
Chromium on the live server; skipped only when Chromium is not installed."""

import pytest

from cocamonitor.report.browser import find_chromium, render_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (Debian: apt-get install chromium)"),
]

READY = "window.cocamonitorReady === true && window.cocamonitor.pending() === 0"

#: the map's view: plotly's longitude/latitude ranges of the drawn geo subplot
VIEW = """(() => { const g = document.getElementById('map')._fullLayout.geo;
  return {lon: g.lonaxis.range.slice(), lat: g.lataxis.range.slice(), scroll: window.scrollY}; })()"""

WAIT_IDLE = """new Promise(done => { const t0 = Date.now(); (function poll() {
  if ((window.cocamonitor.pending() === 0 && Date.now() - t0 > 400) || Date.now() - t0 > 20000) done(true);
  else setTimeout(poll, 100); })(); })"""

#: type "Tibú" in the search box, wait for the suggestions, then choose the first one (as a
#: datalist choice arrives: an input event carrying the option's text)
SEARCH = """new Promise((done, fail) => {
  const box = document.getElementById('search');
  box.value = 'Tibú'; box.dispatchEvent(new Event('input'));
  const t0 = Date.now();
  (function poll() {
    const opt = document.querySelector('#search-hits option');
    if (opt) { box.value = opt.value; box.dispatchEvent(new Event('input')); done(opt.value); }
    else if (Date.now() - t0 > 15000) fail(new Error('no search suggestions'));
    else setTimeout(poll, 100);
  })(); })"""

OUTLINE = """(() => { const d = document.getElementById('map').data[1];
  const i = d.locations.indexOf('54810'); const w = d.marker.line.width;
  return {selected: Array.isArray(w) ? w[i] : w,
          others: Array.isArray(w) ? Math.max(...w.filter((_, j) => j !== i)) : w,
          url: location.search}; })()"""


def test_search_zooms_and_highlights_the_municipality(live_server, tmp_path):
    run = render_page(f"{live_server}/?lang=es&year=2023", tmp_path / "search.png", ready_expression=READY,
                      timeout=90, width=1280, height=900, full_page=False,
                      steps=[("before", VIEW), ("choice", SEARCH), ("idle", WAIT_IDLE), ("after", VIEW),
                             ("outline", OUTLINE)])
    assert run.ready, run.console
    v = run.values
    assert v["choice"].startswith("Tibú")
    assert "municipality=54810" in v["outline"]["url"]
    before, after = v["before"], v["after"]
    span = lambda r: r[1] - r[0]  # noqa: E731
    assert span(after["lon"]) < span(before["lon"]) / 3  # zoomed in
    assert after["lon"][0] < -72.9 < after["lon"][1] and after["lat"][0] < 8.6 < after["lat"][1]  # on Tibú
    assert v["outline"]["selected"] == 3 and v["outline"]["others"] < 1  # outlined
    assert after["scroll"] > before["scroll"]  # scrolled to the profile


def test_phone_layout_folds_controls_and_gives_the_map_the_width(live_server, tmp_path):
    layout = """(() => { const r = s => document.querySelector(s).getBoundingClientRect();
      return {map: r('#map').width, controls: r('#controls').height, toggle: r('#controls-toggle').height,
              doc: document.documentElement.scrollWidth, vw: window.innerWidth}; })()"""
    opened = """(() => { document.getElementById('controls-toggle').click();
      return document.getElementById('controls').getBoundingClientRect().height; })()"""
    run = render_page(f"{live_server}/?lang=es&year=2023", tmp_path / "phone.png", ready_expression=READY,
                      timeout=90, width=390, height=844, mobile=True, full_page=False,
                      selectors=["#map .geolayer"], steps=[("layout", layout), ("opened", opened)])
    assert run.ready, run.console
    lay = run.values["layout"]
    assert lay["vw"] == 390
    assert lay["map"] >= 0.95 * 390  # the map takes the full width
    assert lay["doc"] <= 390  # nothing sticks out sideways
    assert lay["controls"] == 0 and lay["toggle"] > 20  # controls folded behind their button
    assert run.values["opened"] > 100  # and unfold on a tap
    (geo,) = run.rects["#map .geolayer"]
    assert geo["width"] > 300
