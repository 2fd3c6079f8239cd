"""Print a written report to PDF with the headless Chromium used for screenshots.

A4 pages, the print stylesheet (``@media print`` in ``report.css``: no toolbars, page breaks
before sections, figure numbers, a table of contents), the report's title and "page / pages"
in each footer. The report's charts draw before printing (the page's ready flag).

Examples
--------
>>> from cocamonitor.report.pdf import pdf_page_count
>>> pdf_page_count(b"%PDF-1.4 /Type /Pages /Count 3 ... /Type /Page ...")
3

"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

__all__ = ["pdf_fonts_embedded", "pdf_page_count", "print_report"]


def print_report(html: str | Path, pdf: str | Path | None = None, *, timeout: float = 120.0) -> Path:
    """Print the report ``html`` to ``pdf`` (default: ``report.pdf`` beside it) and return it.

    Raises
    ------
    FileNotFoundError
        When no Chromium is installed.
    RuntimeError
        When the page did not finish drawing within ``timeout`` seconds.

    """
    from cocamonitor.report.browser import render_page

    html = Path(html)
    pdf = Path(pdf) if pdf is not None else html.with_name("report.pdf")
    title = re.search(r"<title>(.*?)</title>", html.read_text("utf-8"), flags=re.S)
    with tempfile.TemporaryDirectory() as tmp:
        run = render_page(html, Path(tmp) / "page.png", width=1100, height=900, timeout=timeout,
                          full_page=False, pdf=pdf,
                          pdf_footer=title.group(1).strip() if title else "")
    if not run.ready:
        raise RuntimeError(f"the report did not finish drawing within {timeout:.0f} s: "
                           + "; ".join(run.console[-3:]))
    return pdf


def pdf_page_count(data: bytes) -> int:
    """Return the number of pages of a PDF (the largest ``/Count`` of its page trees)."""
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data, flags=re.S)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data, flags=re.S)]
    return max(counts, default=0)


def pdf_fonts_embedded(data: bytes) -> tuple[int, int]:
    """Return ``(fonts, embedded)``: font dictionaries in the PDF and how many carry a font file.

    Counts ``/FontDescriptor`` objects and the ones with ``/FontFile``, ``/FontFile2`` or
    ``/FontFile3`` (objects in compressed object streams are not seen; Chromium writes font
    descriptors as plain objects).
    """
    descriptors = re.findall(rb"/Type\s*/FontDescriptor\b.*?>>", data, flags=re.S)
    embedded = [d for d in descriptors if re.search(rb"/FontFile[23]?\b", d)]
    return len(descriptors), len(embedded)
