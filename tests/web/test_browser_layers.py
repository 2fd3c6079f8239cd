"""The map's extra layers and the chart export, in headless Chromium on the live server.

Each layer switch, ticked, fetches the layer's shapes once and its values, and draws features
(plotly paths of that trace in the map's SVG); every chart exports to PNG and SVG through the
dashboard's own plotly.js bundle, offline. Skipped only when Chromium is not installed.
"""

import sys
from pathlib import Path

import pytest

from cocamonitor.report.browser import find_chromium, render_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (Debian: apt-get install chromium)"),
]

READY = "window.cocamonitorReady === true && window.cocamonitor.pending() === 0"

WAIT_IDLE = """new Promise(done => { const t0 = Date.now(); (function poll() {
  if ((window.cocamonitor.pending() === 0 && Date.now() - t0 > 400) || Date.now() - t0 > 30000) done(true);
  else setTimeout(poll, 100); })(); })"""


def _toggle(name: str) -> str:
    """Tick one layer switch, wait until idle, then count what the map draws for that layer."""
    return f"""new Promise(done => {{
  const box = document.querySelector('input[name=layer][value={name}]');
  box.click();
  const t0 = Date.now();
  (function poll() {{
    const gd = document.getElementById('map');
    const idx = gd.data.map((t, i) => (t.meta && t.meta.layer === '{name}') ? i : -1).filter(i => i >= 0);
    if ((idx.length && window.cocamonitor.pending() === 0) || Date.now() - t0 > 30000) {{
      const layers = gd.querySelectorAll('.geo .choroplethlayer .trace');
      const paths = idx.map(i => layers[i] ? layers[i].querySelectorAll('path').length : 0);
      const legend = document.querySelector('#layer-legend [data-layer={name}]');
      done({{checked: box.checked, traces: idx.length, paths: paths,
             features: idx.map(i => gd.data[i].locations.length),
             legend: legend ? legend.textContent : '', url: location.search}});
    }} else setTimeout(poll, 100);
  }})(); }})"""


UNTICK_ALL = """(() => { document.querySelectorAll('input[name=layer]').forEach(b => {
  if (b.checked && b.value !== 'coca') b.click(); });
  const gd = document.getElementById('map');
  return gd.data.length; })()"""


def test_each_layer_toggles_on_and_draws_features(live_server, tmp_path):
    names = ["departments", "labs", "spraying", "pdet", "basemap"]
    steps = [(n, _toggle(n)) for n in names] + [("idle", WAIT_IDLE), ("year", """
      window.cocamonitor.setState({year: 2012}).then(() => new Promise(done => setTimeout(() => done(
        document.getElementById('layer-legend').textContent), 300)))"""), ("off", UNTICK_ALL)]
    run = render_page(f"{live_server}/?lang=es&year=2024", tmp_path / "layers.png", ready_expression=READY,
                      timeout=120, width=1280, height=900, full_page=False, steps=steps)
    assert run.ready, run.console
    v = run.values
    for n in names:
        got = v[n]
        assert got["checked"] and got["traces"] >= 1, (n, got)
        assert min(got["paths"]) > 0 and min(got["features"]) > 0, (n, got)  # drawn shapes
        assert got["legend"], n  # a legend with its source line
        assert "Fuente" in got["legend"], n
    assert v["departments"]["features"] == [33]
    assert v["pdet"]["features"] == [16]
    assert v["basemap"]["features"] == [33, 32]  # borders, capitals
    assert "Los ríos no se incluyen" in v["basemap"]["legend"]
    assert "2015" in v["spraying"]["legend"]  # spraying ended in 2015: the year shown is named
    assert "layers=" in v["basemap"]["url"] and "pdet" in v["basemap"]["url"]  # the view is shareable
    assert "Aspersión aérea · 2012" in v["year"] and "Laboratorios destruidos · 2012" in v["year"]
    assert v["off"] == 2  # unticked: back to the coca map alone
    geometry = [u for u in run.requests if "/view/layer-geometry/" in u]
    assert len(geometry) == 4  # labs and spraying share their municipalities; each sent once
    outside = [u for u in run.requests if not u.startswith((live_server + "/", "data:", "about:", "blob:"))]
    assert outside == []


def test_grid_layer_draws_the_imported_grid(live_server, tmp_path, monkeypatch):
    sys.path.insert(0, str(Path(__file__).parents[1] / "territories"))
    import grid_fixtures as fx

    from cocamonitor.importers.simci_grid import import_simci_grid

    monkeypatch.setenv("COCAMONITOR_DATA_DIR", str(tmp_path / "data"))
    import_simci_grid(fx.write_geojson(tmp_path / "grid.geojson"))
    run = render_page(f"{live_server}/?lang=en&year=2022", tmp_path / "grid.png", ready_expression=READY,
                      timeout=120, width=1280, height=900, full_page=False, steps=[("grid", _toggle("grid"))])
    assert run.ready, run.console
    got = run.values["grid"]
    _, _, _, ha, missing = fx.truth()
    col = fx.YEARS.index(2022)
    assert got["features"] == [int(((ha[:, col] > 0) & ~missing[:, col]).sum())]
    assert got["paths"][0] > 0
    assert "SIMCI 1 km grid · 2022" in got["legend"]


EXPORT = """Promise.all(['map', 'profile-chart', 'national-area', 'national-production'].map(id => {
  const gd = document.getElementById(id);
  return Promise.all([Plotly.toImage(gd, {format: 'png', scale: 2}), Plotly.toImage(gd, {format: 'svg'})])
    .then(([png, svg]) => ({id: id, png: png.slice(0, 22), pngLength: png.length, svg: svg.slice(0, 40),
                           svgLength: svg.length}));
})).then(r => ({images: r,
                buttons: Array.from(document.querySelectorAll('.export button')).map(b => b.textContent)}))"""

#: the export buttons call plotly's downloadImage: capture what it would save
CLICK = """new Promise(done => {
  const saved = [];
  const real = Plotly.downloadImage;
  Plotly.downloadImage = (gd, opts) => real.call(Plotly, gd, opts).then(name => {
    saved.push([gd.id, opts.format, opts.scale, name]); return name; });
  document.querySelector('.export[data-plot=national-area] .export-png').click();
  document.querySelector('.export[data-plot=map] .export-svg').click();
  setTimeout(() => { Plotly.downloadImage = real; done(saved); }, 3000);
})"""


#: the rows of the trend-test table of the national series, as the reader sees them
CENSUS_ROW = """Array.from(document.querySelectorAll('#national-panel table.data')[0].querySelectorAll('tbody tr'))
  .map(tr => Array.from(tr.cells).map(td => td.textContent.trim()))"""


def test_every_chart_exports_png_and_svg(live_server, tmp_path):
    run = render_page(f"{live_server}/?lang=es&year=2023&municipality=54810", tmp_path / "export.png",
                      ready_expression=READY, timeout=120, width=1280, height=900, full_page=False,
                      steps=[("export", EXPORT), ("click", CLICK), ("census", CENSUS_ROW)])
    assert run.ready, run.console
    images = run.values["export"]["images"]
    assert [i["id"] for i in images] == ["map", "profile-chart", "national-area", "national-production"]
    for i in images:
        assert i["png"].startswith("data:image/png;base64"), i
        assert i["pngLength"] > 10_000, i
        assert i["svg"].startswith("data:image/svg+xml"), i
    assert run.values["export"]["buttons"].count("PNG") >= 4 and run.values["export"]["buttons"].count("SVG") >= 4
    saved = sorted(run.values["click"])
    assert [s[:3] for s in saved] == [["map", "svg", 1], ["national-area", "png", 2]]
    assert saved[1][3].startswith("coca-national-area-2023")
    # the trend table has the SIMCI census series beside the published ones (2001-2024, no gaps)
    rows = {r[0]: r for r in run.values["census"]}
    census = rows["Censo SIMCI (suma de municipios)"]
    assert census[1].startswith("2001–2024") and census[2] == "–"
    assert census[5] in ("creciente", "decreciente", "sin tendencia")
    assert {"UNODC/SIMCI (publicada)", "Gobierno de EE. UU. (encuesta por muestreo)"} <= set(rows)


def test_bad_year_shows_the_dashboard_with_a_message(live_server, tmp_path):
    notice = """(() => ({alert: document.querySelector('[role=alert]').textContent,
      year: window.cocamonitor.state.year, url: location.search,
      drawn: document.querySelectorAll('#map .choroplethlayer path').length}))()"""
    run = render_page(f"{live_server}/?lang=es&year=2030", tmp_path / "bad.png", ready_expression=READY,
                      timeout=90, width=1280, height=900, full_page=False, steps=[("notice", notice)])
    assert run.ready, run.console
    v = run.values["notice"]
    assert "2030" in v["alert"] and "2001-2024" in v["alert"] and "Se muestra" in v["alert"]
    assert v["year"] == 2024 and "year=2024" in v["url"]  # the default year in its place, in the URL too
    assert v["drawn"] > 100  # the map is drawn: a page, not an error document


EVALUATION = """new Promise((done, fail) => { const t0 = Date.now(); (function poll() {
  const gd = document.getElementById('fig-evaluation_pdet');
  const bar = document.querySelector('.export[data-plot=fig-evaluation_pdet]');
  if (gd && gd._fullLayout && bar && bar.querySelector('button')) {
    Plotly.toImage(gd, {format: 'svg'}).then(svg => done({svg: svg.slice(0, 18),
      buttons: Array.from(bar.querySelectorAll('button')).map(b => b.textContent),
      csv: document.querySelector('#evaluation-panel a.csv').getAttribute('href')}));
  } else if (Date.now() - t0 > 60000) fail(new Error('evaluation view not drawn'));
  else setTimeout(poll, 200); })(); })"""


def test_evaluation_and_results_views_export_images_and_csv(live_server, tmp_path):
    run = render_page(f"{live_server}/?lang=en&year=2023", tmp_path / "eval.png", ready_expression=READY,
                      timeout=120, width=1280, height=900, full_page=False, steps=[("evaluation", EVALUATION)])
    assert run.ready, run.console
    ev = run.values["evaluation"]
    assert ev["svg"] == "data:image/svg+xml" and ev["buttons"] == ["PNG", "SVG"]
    assert ev["csv"] == "/download/evaluation.csv"

    image = """Promise.all([Plotly.toImage('results-multiples', {format: 'png', scale: 2}),
      Plotly.toImage('results-multiples', {format: 'svg'})]).then(([p, s]) => [p.slice(0, 22), s.slice(0, 18),
      document.querySelectorAll('.export button').length, document.querySelector('a.csv').getAttribute('href')])"""
    run = render_page(f"{live_server}/results?lang=es", tmp_path / "results.png",
                      ready_expression="document.body.getAttribute('data-ready') === '1'", timeout=120,
                      width=1280, height=900, full_page=False, steps=[("image", image)])
    assert run.ready, run.console  # drawn (the page's script obeys the CSP: no inline script)
    assert run.values["image"] == ["data:image/png;base64,", "data:image/svg+xml", 2, "/download/results.csv"]
