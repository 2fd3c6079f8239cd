"""Shared plumbing of the figure writers: which library draws a file, and a headless pyplot.

``.png``/``.svg``/``.pdf`` are drawn with matplotlib (Agg backend, no screen needed);
``.html`` with plotly, self-contained (plotly.js embedded, no CDN) so that it opens offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from cocamonitor.errors import InputError

__all__ = ["figure_kind", "pyplot"]

_STATIC = {".png", ".svg", ".pdf"}


def figure_kind(path: str | Path, *, where: str | None = None, html: bool = True) -> Literal["mpl", "plotly"]:
    """Return ``"mpl"`` for a static image, ``"plotly"`` for HTML; refuse anything else.

    ``html=False`` refuses ``.html`` too (figures drawn with matplotlib only).

    Examples
    --------
    >>> figure_kind(Path("areas.png")), figure_kind(Path("areas.html"))
    ('mpl', 'plotly')

    """
    suffix = Path(path).suffix.lower()
    if suffix in _STATIC:
        return "mpl"
    if html and suffix in {".html", ".htm"}:
        return "plotly"
    raise InputError(
        f"cannot draw a figure as {suffix or 'a file without extension'!r}",
        where=where or str(path),
        hint="use .png, .svg, .pdf" + (" or .html" if html else ""),
    )


def pyplot() -> Any:
    """Import ``matplotlib.pyplot`` on the Agg backend (works without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
