"""A PNG of a rendered report for the README, made with headless Chromium.

The picture stacks the top of the report (title and summary) over the two municipality maps.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cocamonitor.errors import InputError
from cocamonitor.io.outputs import output_file

__all__ = ["screenshot_report"]


def screenshot_report(html: str | Path, png: str | Path, *, width: int = 1280) -> Path:
    """Render ``html`` in headless Chromium; save title + summary + maps to ``png``.

    Raises
    ------
    InputError
        If Chromium is not installed, or the page did not finish drawing.

    """
    from PIL import Image

    from cocamonitor.report.browser import find_chromium, render_page

    if find_chromium() is None:
        raise InputError(
            "chromium is needed for `screenshot` but was not found",
            where="screenshot",
            hint="install it (Debian: apt-get install chromium) or set CHROMIUM=/path/to/chrome",
        )
    png = Path(png)
    output_file(png, where="screenshot")
    with tempfile.TemporaryDirectory() as tmp:
        run = render_page(html, Path(tmp) / "full.png", width=width, selectors=["#summary", ".maps"])
        if not run.ready:
            raise InputError(f"the report did not finish drawing: {run.console[:3]}", where=str(html))
        with Image.open(run.screenshot) as im:
            summary = run.rects["#summary"][0]
            parts = [im.crop((0, 0, width, int(summary["y"] + summary["height"])))]
            if run.rects.get(".maps"):
                m = run.rects[".maps"][0]
                parts.append(im.crop((0, int(m["y"]) - 10, width, int(m["y"] + m["height"]))))
            out = Image.new("RGB", (width, sum(p.height for p in parts)), "white")
            y = 0
            for p in parts:
                out.paste(p, (0, y))
                y += p.height
            out.save(png, optimize=True)
    return png
