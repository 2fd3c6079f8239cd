"""The partial plotly.js bundle draws the report exactly as the full plotly.js does.

Renders the report in headless Chromium twice: as written (the partial bundle) and with the
full plotly.js of the installed plotly package put in its place, and compares the two
screenshots pixel by pixel. Also opens the print version: no script, every figure an image.
"""

from __future__ import annotations

import base64
import gzip
import re

import numpy as np
import pytest

from cocamonitor.report.browser import find_chromium, render_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed (make test installs it)"),
]


def _pixels(path):
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def test_partial_bundle_draws_the_same_page_as_full_plotly(report_files, tmp_path):
    from plotly.offline import get_plotlyjs

    page = report_files("en").html
    html = page.read_text("utf-8")
    full = base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), 6)).decode("ascii")
    reference = re.sub(r'(<script type="application/gzip;base64" id="plotly-js"[^>]*>)[^<]*',
                       lambda m: m.group(1) + full, html)
    assert reference != html
    ref_page = page.with_name("reference-full-plotly.html")  # beside it: same relative links
    ref_page.write_text(reference, "utf-8")
    try:
        ours = render_page(page, tmp_path / "ours.png", selectors=[".chart .plot"], timeout=120)
        theirs = render_page(ref_page, tmp_path / "full.png", selectors=[".chart .plot"], timeout=120)
    finally:
        ref_page.unlink()
    assert ours.ready and theirs.ready, (ours.console, theirs.console)
    assert len(ours.rects[".chart .plot"]) >= 10
    a, b = _pixels(tmp_path / "ours.png"), _pixels(tmp_path / "full.png")
    assert a.shape == b.shape
    differ = np.abs(a - b).max(axis=2) > 8
    assert differ.mean() < 1e-4, f"{int(differ.sum())} pixels differ"


def test_print_version_shows_every_figure_without_scripts(report_files, tmp_path):
    page = report_files("es").out_dir / "print.html"
    # wait for the whole document: its figures are 2x PNGs inlined as data URIs (megabytes)
    run = render_page(page, tmp_path / "print.png", selectors=["img.plot"],
                      ready_expression="document.readyState === 'complete'", timeout=60)
    assert not [c for c in run.console if "error" in c.lower() or "refused" in c.lower()]
    assert run.external_requests() == []
    images = run.rects["img.plot"]
    assert len(images) >= 10
    assert all(r["width"] > 200 and r["height"] > 100 for r in images)
