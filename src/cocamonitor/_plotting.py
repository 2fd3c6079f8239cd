"""Shared plumbing of the figure writers: which library draws a file, and a headless pyplot.

``.png``/``.svg``/``.pdf`` are drawn with matplotlib (Agg backend, no screen needed);
``.html`` with plotly, self-contained (plotly.js embedded, no CDN) so that it opens offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from cocamonitor.errors import InputError

__all__ = ["check_figure_path", "figure_kind", "pyplot"]

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


def check_figure_path(path: str | Path, *, where: str = "plot", html: bool = True) -> Path:
    """Check that a figure can be written at ``path`` (format, folder) before any work is done.

    A missing folder is created; a folder that cannot be created or written to is an
    :class:`~cocamonitor.errors.InputError` naming the option, never a traceback at the end
    of a long computation.

    Examples
    --------
    >>> import tempfile
    >>> check_figure_path(Path(tempfile.mkdtemp()) / "figs" / "a.png").parent.is_dir()
    True

    """
    from cocamonitor.io.outputs import output_file

    figure_kind(path, where=where, html=html)
    return output_file(path, where=where)


def pyplot() -> Any:
    """Import ``matplotlib.pyplot`` on the Agg backend (works without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_svg(fig: Any, path: Any) -> None:
    """Write ``fig`` as SVG, the same bytes for the same figure (no date, fixed element ids)."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "cocamonitor"}):
        fig.savefig(path, format="svg", metadata={"Date": None})
