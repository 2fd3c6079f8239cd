"""Make docs/report-screenshot.png: the annual report rendered by headless Chromium.

Run from the repository root after `make demo` set up the environment:

    .venv/bin/python scripts/readme_screenshot.py [--year 2024] [--lang en]

It writes the report for the year into a temporary folder with the project's own code
(`cocamonitor.report.make_report`), renders it offline in Debian's chromium and keeps the
title, the summary and the two municipality maps.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from cocamonitor.datasets import year_range
from cocamonitor.report import make_report
from cocamonitor.report.screenshot import screenshot_report

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=year_range("coca-municipal")[1])
    parser.add_argument("--lang", default="en", choices=["es", "en"])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report-screenshot.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_report(args.year, args.lang, Path(tmp) / f"report-{args.year}-{args.lang}")
        png = screenshot_report(files.html, args.out)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
