"""Benchmark: page weights of the report and the dashboard, against the full plotly.js.

    python benchmarks/pages.py [--year 2023] [--out /tmp/cocamonitor-bench-pages]

Writes the report (with and without maps) and measures ``index.html`` and ``print.html``; the
peer is the same page with the full plotly.js (the installed plotly package's, 4.8 MB) and every
map carrying its own geometry, as the report was written before the partial bundles. Then
loads the dashboard through the app (FastAPI TestClient) as a browser's first visit does —
page, stylesheet, scripts, plotly.js, map geometry and the first three views — and adds up
the bytes on the wire (gzip), against the same first load with the full plotly.js.

Goals: the report < 2.5 MB with maps, < 1 MB without; the dashboard's first load < 800 kB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import tempfile
import time
from pathlib import Path

MB = 1e6


def _peer_report_size(html: str) -> int:
    """Size of the same page with the full plotly.js inline and each map's own geometry."""
    from plotly.offline import get_plotlyjs

    bundle = re.search(r'<script type="application/gzip;base64" id="plotly-js"[^>]*>([^<]*)</script>', html)
    features = re.search(r"var FEATURES = (\[.*?\]);  //", html, re.S)
    extra = len(get_plotlyjs().encode()) - len(bundle.group(1))
    if features:
        table = json.loads(features.group(1).replace("<\\/", "</"))
        sizes = [len(json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode()) for f in table]
        for refs in re.findall(r'"cocamonitorFeatures":\[([0-9,]*)\]', html):
            extra += sum(sizes[int(i)] + 1 for i in refs.split(",") if i)
        extra -= len(features.group(1).encode())
    return len(html.encode()) + extra


def report_weights(year: int, out: Path) -> list[tuple[str, float, float, float]]:
    """(page, MB, peer MB, goal MB) of the report with and without maps."""
    from cocamonitor.report import make_report

    rows = []
    for maps, goal in ((True, 2.5), (False, 1.0)):
        t = time.perf_counter()
        files = make_report(year, "es", out / ("maps" if maps else "no-maps"), maps=maps)
        label = f"report {year} es, {'with maps' if maps else '--no-maps'}"
        html = files.html.read_text("utf-8")
        rows.append((f"{label}: index.html", files.html.stat().st_size / MB, _peer_report_size(html) / MB, goal))
        rows.append((f"{label}: print.html", (files.out_dir / "print.html").stat().st_size / MB, float("nan"),
                     float("nan")))
        print(f"  wrote {label} in {time.perf_counter() - t:.1f} s")
    return rows


def dashboard_first_load() -> tuple[dict[str, int], int]:
    """Bytes on the wire of each request of the dashboard's first load, and the peer's plotly.js."""
    from fastapi.testclient import TestClient
    from plotly.offline import get_plotlyjs

    from cocamonitor.web import create_app

    gz = {"Accept-Encoding": "gzip"}
    sizes = {}
    with TestClient(create_app(lang="es", warm=True)) as client:
        page = client.get("/?lang=es", headers=gz)
        boot = json.loads(re.search(r'<script id="boot" type="application/json">(.*?)</script>',
                                    page.text, re.S).group(1))
        assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', page.text)
        for url in ["/?lang=es", *assets, boot["map_figure"], "/view/map?lang=es", "/view/profile?lang=es",
                    "/view/national?lang=es"]:
            r = client.get(url, headers=gz)
            wire = r.headers.get("content-length") if r.headers.get("content-encoding") == "gzip" else None
            sizes[url] = int(wire) if wire else len(r.content)
    return sizes, len(gzip.compress(get_plotlyjs().encode(), 6))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--out", default=None, help="folder for the reports (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        rows = report_weights(args.year, out)
    print(f"\n{'page':<52}{'MB':>8}{'peer MB':>9}{'ratio':>7}{'goal MB':>9}")
    for name, size, peer, goal in rows:
        if goal == goal:  # not NaN
            verdict = "met" if size < goal else "NOT met"
            print(f"{name:<52}{size:>8.2f}{peer:>9.2f}{size / peer:>7.2f}{goal:>9.1f}  {verdict}")
        else:
            print(f"{name:<52}{size:>8.2f}  (figures as PNG, no script)")
    sizes, peer_plotly = dashboard_first_load()
    total = sum(sizes.values())
    ours_plotly = sum(v for k, v in sizes.items() if "/assets/plotly" in k)
    peer = total - ours_plotly + peer_plotly
    print("\ndashboard first load, bytes on the wire (gzip):")
    for url, n in sizes.items():
        print(f"  {url:<56}{n / 1e3:>9.1f} kB")
    print(f"  {'total':<56}{total / 1e3:>9.1f} kB; with the full plotly.js {peer / 1e3:.1f} kB "
          f"(ratio {total / peer:.2f}); goal < 800 kB: {'met' if total < 800e3 else 'NOT met'}")


if __name__ == "__main__":
    main()
