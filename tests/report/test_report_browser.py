"""The report as a person sees it: rendered by headless Chromium, offline.

Checks from the screenshot that the maps and charts drew (coloured pixels where each plot is,
not a blank canvas) and from the browser's network and console log that the page requested
nothing outside the machine. Skipped only when Chromium is not installed.
"""

import os

import numpy as np
import pytest

from cocamonitor.report.browser import find_chromium, render_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        find_chromium() is None,
        reason="chromium not installed (make test installs Debian's chromium via "
        "scripts/ensure_browser.sh)",
    ),
]

# the drawing areas only (plotly's geo and cartesian layers): legends and colour bars, which
# would be coloured even if no data drew, are outside them
MAPS = ".chart.map .geolayer"
CHARTS = ".chart:not(.map) .cartesianlayer"


#: the tick labels plotly drew on each map's colour bar
COLORBAR_TEXT = """Object.fromEntries(Array.from(document.querySelectorAll('.chart.map .plot')).map(
  el => [el.dataset.figure, Array.from(el.querySelectorAll('.colorbar text')).map(t => t.textContent)]))"""


#: on each map: the text plotly drew for the scattergeo traces (department names, "200 km") and
#: the scale bar's line, with their screen boxes, and the longitudes they were given
MAP_FURNITURE = """Object.fromEntries(Array.from(document.querySelectorAll('.chart.map .plot')).map(el => {
  const box = r => ({x: r.x + r.width / 2, y: r.y + r.height / 2, w: r.width, h: r.height});
  const trace = name => (el.data || []).find(t => t.name === name) || {};
  return [el.dataset.figure, {
    plot: box(el.querySelector('.geolayer').getBoundingClientRect()),
    texts: Array.from(el.querySelectorAll('.geo .scattergeo text')).map(t => [t.textContent,
                                                                             box(t.getBoundingClientRect())]),
    bar: Array.from(el.querySelectorAll('.geo .scattergeo path.js-line')).map(p => box(p.getBoundingClientRect())),
    lon: trace('departments').lon || [], names: trace('departments').text || [], scale: trace('scale').lon || []}];
}))"""


def _coloured_share(img: np.ndarray, rect: dict) -> float:
    """Share of pixels in ``rect`` that are clearly coloured (not white, grey or black)."""
    x0, y0 = int(rect["x"]), int(rect["y"])
    x1, y1 = x0 + int(rect["width"]), y0 + int(rect["height"])
    crop = img[y0:y1, x0:x1, :3].astype(int)
    assert crop.size, rect
    saturation = crop.max(axis=2) - crop.min(axis=2)
    return float((saturation > 20).mean())


@pytest.fixture(scope="module")
def rendered(report_files, tmp_path_factory):
    shot = tmp_path_factory.mktemp("browser") / "report.png"
    run = render_page(report_files("es").html, shot, selectors=[MAPS, CHARTS, "#summary"],
                      width=1280, height=900, timeout=60,
                      steps=[("colorbars", COLORBAR_TEXT), ("furniture", MAP_FURNITURE)])
    from PIL import Image

    with Image.open(shot) as im:
        img = np.asarray(im.convert("RGB"))
    return run, img


def test_page_finished_drawing_without_errors(rendered):
    run, _img = rendered
    assert run.ready, run.console
    problems = [c for c in run.console if "error" in c.lower() or "refused" in c.lower()]
    assert problems == []


def test_no_request_leaves_the_machine(rendered, report_files):
    run, _img = rendered
    assert run.requests, "the DevTools listener saw no request at all"
    assert run.requests[0] == report_files("es").html.resolve().as_uri()
    assert run.external_requests() == []
    assert not [c for c in run.console if "http://" in c or "https://" in c]


def test_maps_drew(rendered):
    run, img = rendered
    maps = run.rects[MAPS]
    assert len(maps) == 3  # hectares, density (ha/km²), change
    for rect in maps:
        assert rect["height"] > 300
        # coca municipalities are filled with colour (a blank map has none)
        assert _coloured_share(img, rect) > 0.01, rect
        # and the department background (#eeeeee) is there too
        x0, y0 = int(rect["x"]), int(rect["y"])
        crop = img[y0:y0 + int(rect["height"]), x0:x0 + int(rect["width"])]
        grey = np.all(np.abs(crop.astype(int) - 238) <= 2, axis=2).mean()
        assert grey > 0.05, rect


def test_change_map_marks_clipping_on_its_colour_bar(rendered, report_data, report_files):
    """Tumaco's +8,301 ha (2023) or Puerto Asís's +4,034 ha (2022) beyond the colour scale's end must not
    read as the end value: the drawn end tick says "≥ +…" and "≤ −…" where values go beyond."""
    run, _img = rendered
    bars = run.values["colorbars"]
    change = bars["map_change"]
    ch = report_data.municipalities["change_ha"]
    from cocamonitor.report.render import _context

    clip = _context(report_data)["change_clip"]
    assert (ch > clip).any() and round(clip) == 2426  # 2022: Puerto Asís, Orito, Valle del Guamuez go beyond
    assert "≥ +2.426" in change, change  # the top end of the scale (clip: 98th percentile of |change|)
    assert any(t.startswith("≤ −") for t in change) == bool((ch < -clip).any()), change
    html = report_files("es").html.read_text("utf-8")
    assert "superan la escala de color" in html and "Puerto Asís (Putumayo), +4.034 ha" in html
    assert "ha/km²" in "".join(bars["map_density"])
    assert not any(t.startswith("≥") for t in bars["map_hectares"])  # nothing beyond its top


def test_charts_drew(rendered):
    run, img = rendered
    charts = run.rects[CHARTS]
    assert len(charts) >= 7  # national x2, departments, pdet, spraying, labs x2
    for rect in charts:
        assert _coloured_share(img, rect) > 0.003, rect


def test_the_listener_would_catch_an_outside_request(tmp_path):
    """Control: a page that does request a web URL is reported as such."""
    page = tmp_path / "leak.html"
    page.write_text(
        '<html><body><img src="http://127.0.0.1:9/pixel.png">'
        "<script>window.cocamonitorReady = true;</script></body></html>"
    )
    run = render_page(page, tmp_path / "leak.png", timeout=20)
    assert run.external_requests() == ["http://127.0.0.1:9/pixel.png"]


def _processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains ``text`` (Linux /proc)."""
    from pathlib import Path

    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended while we looked
            continue
        if text in cmdline:
            pids.append(int(entry.name))
    return pids


def test_chromium_and_its_profile_are_gone_afterwards(tmp_path, monkeypatch):
    """Every Chromium process is stopped and the temporary profile removed when render_page returns.

    Chromium's helper processes outlive the browser process and write into the profile; a
    cleanup that raced them failed CI with 'Directory not empty: Default'.
    """
    import tempfile

    from cocamonitor.report import browser

    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(browser.tempfile, "mkdtemp", mkdtemp)
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>x</p><script>window.cocamonitorReady = true;</script></body></html>")
    for attempt in range(3):
        run = render_page(page, tmp_path / f"page{attempt}.png", timeout=20)
        assert run.ready
    assert len(made) == 3
    for profile in made:
        assert not os.path.exists(profile), profile
        assert _processes_mentioning(profile) == [], profile


def test_the_readme_screenshot_is_what_the_project_renders(report_files, tmp_path):
    """The README's picture is docs/report-screenshot.png, and the tool that made it
    (`cocamonitor report --screenshot`, scripts/readme_screenshot.py) still makes one like it:
    the same width, the summary over the two maps, coloured map pixels."""
    from pathlib import Path

    from PIL import Image

    from cocamonitor.report.screenshot import screenshot_report

    root = Path(__file__).resolve().parents[2]
    assert "](docs/report-screenshot.png)" in (root / "README.md").read_text(encoding="utf-8")
    png = screenshot_report(report_files("en").html, tmp_path / "shot.png")
    with Image.open(png) as made, Image.open(root / "docs" / "report-screenshot.png") as shipped:
        assert made.width == shipped.width == 1280
        assert 0.5 < made.height / shipped.height < 2
        img = np.asarray(made.convert("RGB")).astype(int)
    lower = img[img.shape[0] // 2 :]  # the maps are in the lower half
    saturation = lower.max(axis=2) - lower.min(axis=2)
    assert (saturation > 40).mean() > 0.02


def test_maps_show_department_names_and_a_true_scale_bar(rendered, report_data):
    """Names of the departments with coca and a 200 km bar, drawn where the map says (issue 19)."""
    run, _img = rendered
    maps = run.values["furniture"]
    assert set(maps) >= {"map_hectares", "map_density", "map_change"}
    from cocamonitor.report.maps import OFF_MAP_DEPARTMENTS

    deps = report_data.departments
    with_coca = set(deps.loc[deps["hectares"] > 0, "department_code"].astype(str)) - set(OFF_MAP_DEPARTMENTS)
    for key, m in maps.items():
        drawn = {text: b for text, b in m["texts"]}
        assert set(m["names"]) <= set(drawn) and len(m["names"]) >= 10, (key, sorted(drawn))
        assert len(m["names"]) == len(with_coca), key  # one name per department with coca on the map
        plot = m["plot"]
        for text, b in m["texts"]:  # every label within the map's drawing area
            assert abs(b["x"] - plot["x"]) < plot["w"] / 2 and abs(b["y"] - plot["y"]) < plot["h"] / 2, (key, text)
        assert "200 km" in drawn and len(m["bar"]) == 1
        # the map's scale from the labels (Mercator: x is linear in longitude) gives the bar's length
        px_per_degree = np.polyfit(m["lon"], [drawn[n]["x"] for n in m["names"]], 1)[0]
        expected = (max(v for v in m["scale"] if v is not None) - min(v for v in m["scale"] if v is not None))
        assert m["bar"][0]["w"] == pytest.approx(expected * px_per_degree, rel=0.03), key
        assert m["bar"][0]["w"] > 30  # visible
