"""Charts of the report: one description (:class:`ChartSpec`), two renderings.

Each chart is described once, language-neutral apart from its labels, and rendered both as a
plotly figure (interactive, in the HTML) and as a matplotlib PNG (written next to the HTML).
Numbers on axes and in hover texts use the report language's separators.

Examples
--------
>>> spec = ChartSpec(
...     key="demo", title="Coca area", ylabel="ha",
...     series=(Series("UNODC", [2020, 2021], [143000, 204000], kind="line"),))
>>> fig = spec.to_plotly("es")
>>> fig.layout.separators
',.'

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go

from cocamonitor._plotting import pyplot, save_svg
from cocamonitor.report.locale import fmt_number

__all__ = [
    "COLORS",
    "ChartSpec",
    "Series",
    "plotly_separators",
]

#: Colours used consistently across the report (colour-blind safe, Okabe-Ito based).
COLORS = {
    "unodc": "#0072B2",
    "us": "#E69F00",
    "simci": "#56B4E9",
    "current": "#009E73",
    "previous": "#B8B8B8",
    "up": "#D55E00",
    "down": "#0072B2",
    "effort": "#CC79A7",
    "ratio": "#333333",
}


def plotly_separators(lang: str) -> str:
    """Return plotly's ``layout.separators`` (decimal, thousands) for a language.

    Examples
    --------
    >>> plotly_separators("en")
    '.,'

    """
    return ",." if lang == "es" else ".,"


@dataclass(frozen=True)
class Series:
    """One data series of a chart.

    ``kind`` is ``line`` (with markers), ``bar`` (vertical), ``hbar`` (horizontal; ``x`` holds
    the values and ``y`` the categories) or ``errorbar`` (a point with an interval given by
    ``lower``/``upper``). ``axis="y2"`` puts the series on a secondary axis.
    """

    name: str
    x: Sequence[Any]
    y: Sequence[Any]
    kind: Literal["line", "bar", "hbar", "errorbar"] = "line"
    color: str = COLORS["unodc"]
    axis: Literal["y", "y2"] = "y"
    decimals: int = 0
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None
    dash: bool = False
    #: x values where a new method starts: a line never joins a point to the one before them.
    breaks: Sequence[float] = ()


def gapped(x: Sequence[Any], y: Sequence[Any], breaks: Sequence[float] = ()) -> tuple[list[float], list[float]]:
    """Return ``x, y`` with a NaN point wherever a line must not be drawn.

    Between two consecutive years more than one year apart (a missing year) and before each
    year in ``breaks`` (a methodology break), so that neither renderer joins the two points.

    Examples
    --------
    >>> gapped([2001, 2002, 2004, 2005], [1, 2, 3, 4], breaks=[2005])
    ([2001.0, 2002.0, 2003.0, 2004.0, 2004.5, 2005.0], [1.0, 2.0, nan, 3.0, nan, 4.0])

    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.size < 2:
        return xs.tolist(), ys.tolist()
    starts = set(float(b) for b in breaks)
    out_x: list[float] = [float(xs[0])]
    out_y: list[float] = [float(ys[0])]
    for (x0, x1, y1) in zip(xs[:-1], xs[1:], ys[1:], strict=True):
        if x1 - x0 > 1 or x1 in starts:
            out_x.append(float((x0 + x1) / 2))
            out_y.append(float("nan"))
        out_x.append(float(x1))
        out_y.append(float(y1))
    return out_x, out_y


def _is_yearly(x: Sequence[Any]) -> bool:
    """Tell whether x is a numeric, increasing axis of whole years (where gaps mean missing years)."""
    try:
        xs = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(xs.size > 1 and np.all(np.diff(xs) > 0) and np.all(xs == np.round(xs)) and xs.min() > 1000)


@dataclass(frozen=True)
class ChartSpec:
    """A chart: title, axis labels and series; render with :meth:`to_plotly` / :meth:`to_png`."""

    key: str
    title: str
    series: tuple[Series, ...]
    xlabel: str = ""
    ylabel: str = ""
    y2label: str = ""
    height: int = 420
    note: str = ""
    categories: Sequence[str] = field(default_factory=tuple)
    #: Shaded spans of the x axis, ``(x0, x1)`` each (e.g. years in which two series disagree).
    bands: tuple[tuple[float, float], ...] = ()
    band_label: str = ""
    #: Labelled vertical rules, ``(x, label)`` each (e.g. a Pettitt change point).
    marks: tuple[tuple[float, str], ...] = ()

    # ------------------------------------------------------------------ plotly
    def to_plotly(self, lang: str) -> go.Figure:
        """Render as an interactive plotly figure."""
        fig = go.Figure()
        for s in self.series:
            fmt = f",.{s.decimals}f"
            common: dict[str, Any] = {"name": s.name, "marker": {"color": s.color}}
            if s.axis == "y2":
                common["yaxis"] = "y2"
            if s.kind == "line":
                gx, gy = gapped(s.x, s.y, s.breaks) if _is_yearly(s.x) else (list(s.x), list(s.y))
                trace: Any = go.Scatter(
                    x=gx, y=[None if v != v else v for v in gy], mode="lines+markers",
                    line={"color": s.color, "dash": "dot" if s.dash else "solid"},
                    hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>{s.name}</extra>",
                    connectgaps=False, **common,
                )
            elif s.kind == "bar":
                trace = go.Bar(
                    x=list(s.x), y=list(s.y),
                    hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>{s.name}</extra>", **common,
                )
            elif s.kind == "hbar":
                trace = go.Bar(
                    x=list(s.x), y=list(s.y), orientation="h",
                    hovertemplate=f"%{{y}}: %{{x:{fmt}}}<extra>{s.name}</extra>", **common,
                )
            else:
                y = np.asarray(s.y, dtype=float)
                trace = go.Scatter(
                    x=list(s.x), y=y, mode="markers",
                    error_y={
                        "type": "data", "symmetric": False,
                        "array": np.asarray(s.upper, dtype=float) - y,
                        "arrayminus": y - np.asarray(s.lower, dtype=float),
                        "color": s.color, "thickness": 2, "width": 8,
                    },
                    hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>{s.name}</extra>", **common,
                )
            fig.add_trace(trace)
        layout: dict[str, Any] = {
            "height": self.height,
            "margin": {"l": 60, "r": 60 if self.y2label else 20, "t": 30, "b": 50},
            "separators": plotly_separators(lang),
            "barmode": "group",
            "legend": {"orientation": "h", "y": -0.18},
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
            "xaxis": {"title": {"text": self.xlabel}, "gridcolor": "#eeeeee"},
            "yaxis": {"title": {"text": self.ylabel}, "gridcolor": "#e5e5e5",
                      "rangemode": "tozero", "tickformat": ",d"},
        }
        if any(s.kind == "hbar" for s in self.series):
            layout["yaxis"] = {"autorange": "reversed", "automargin": True}
            layout["xaxis"] = {"title": {"text": self.xlabel}, "gridcolor": "#e5e5e5",
                               "tickformat": ",d"}
        if self.y2label:
            layout["yaxis2"] = {"title": {"text": self.y2label}, "overlaying": "y",
                                "side": "right", "rangemode": "tozero", "showgrid": False,
                                "tickmode": "auto"}
        fig.update_layout(**layout)
        for x0, x1 in self.bands:
            fig.add_vrect(x0=x0, x1=x1, fillcolor=COLORS["up"], opacity=0.12, line_width=0,
                          layer="below")
        for s in self.series:  # a dotted rule in the series' colour where its method changed
            for b in s.breaks:
                fig.add_vline(x=float(b) - 0.5, line={"color": s.color, "width": 1, "dash": "dot"})
        for x, label in self.marks:
            fig.add_vline(x=x, line={"color": "#333333", "width": 1.2, "dash": "dash"},
                          annotation={"text": label, "font": {"size": 11}},
                          annotation_position="bottom right")
        if self.bands and self.band_label:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=self.band_label,
                                     marker={"symbol": "square", "size": 12,
                                             "color": COLORS["up"], "opacity": 0.3}))
        return fig

    # ------------------------------------------------------------------ matplotlib
    def to_png(self, path: str | Path, lang: str, footer: str = "") -> Path:
        """Render as a static PNG with matplotlib at 2x (1,760 px wide), and an SVG beside it.

        ``footer`` is the source line (publisher, as-of date) printed under the chart.
        """
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        plt = pyplot()

        path = Path(path)
        hbar = any(s.kind == "hbar" for s in self.series)
        n_cat = len(self.series[0].y) if hbar else 0
        height = max(3.8, 0.28 * n_cat + 1.5) if hbar else 4.2
        fig, ax = plt.subplots(figsize=(8.0, height + (0.25 if footer else 0.0)), dpi=220)
        ax2 = ax.twinx() if self.y2label else None
        bars = [s for s in self.series if s.kind in ("bar", "hbar")]
        width = 0.8 / max(1, len(bars))
        bar_i = 0
        for s in self.series:
            target = ax2 if (s.axis == "y2" and ax2 is not None) else ax
            if s.kind == "line":
                gx, gy = gapped(s.x, s.y, s.breaks) if _is_yearly(s.x) else (s.x, s.y)
                x = np.asarray(gx, dtype=float)
                y = np.asarray(gy, dtype=float)
                target.plot(x, y, marker="o", ms=3.5, color=s.color, label=s.name,
                            linestyle=":" if s.dash else "-")
            elif s.kind == "bar":
                x = np.asarray(s.x, dtype=float) + (bar_i - (len(bars) - 1) / 2) * width
                target.bar(x, np.asarray(s.y, dtype=float), width=width, color=s.color,
                           label=s.name)
                bar_i += 1
            elif s.kind == "hbar":
                pos = np.arange(len(s.y)) + (bar_i - (len(bars) - 1) / 2) * width
                target.barh(pos, np.asarray(s.x, dtype=float), height=width, color=s.color,
                            label=s.name)
                target.set_yticks(np.arange(len(s.y)), [str(v) for v in s.y], fontsize=8)
                bar_i += 1
            else:
                y = np.asarray(s.y, dtype=float)
                err = np.vstack([y - np.asarray(s.lower, dtype=float),
                                 np.asarray(s.upper, dtype=float) - y])
                target.errorbar(np.asarray(s.x, dtype=float), y, yerr=err, fmt="o",
                                color=s.color, capsize=6, label=s.name)
        number = FuncFormatter(lambda v, _pos: fmt_number(v, lang))
        if hbar:
            ax.invert_yaxis()
            ax.xaxis.set_major_formatter(number)
            ax.set_xlabel(self.xlabel)
        else:
            ax.yaxis.set_major_formatter(number)
            ax.set_ylabel(self.ylabel)
            ax.set_xlabel(self.xlabel)
            ax.set_ylim(bottom=0)
            if any(s.kind in ("line", "bar", "errorbar") for s in self.series):
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax2 is not None:
            ax2.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_number(v, lang, 1)))
            ax2.set_ylabel(self.y2label)
            ax2.set_ylim(bottom=0)
        for mark_x, label in self.marks:
            ax.axvline(mark_x, color="#333333", lw=1.0, ls="--")
            x_lo, x_hi = ax.get_xlim()
            right_half = mark_x > (x_lo + x_hi) / 2  # write the label on the side with room
            ax.annotate(label, (mark_x, 0.0), xycoords=("data", "axes fraction"),
                        xytext=(-4 if right_half else 4, 4), textcoords="offset points",
                        ha="right" if right_half else "left", va="bottom", fontsize=7.5)
        for s in self.series:  # a dotted rule in the series' colour where its method changed
            for b in s.breaks:
                ax.axvline(float(b) - 0.5, color=s.color, lw=0.8, ls=":")
        for i, (x0, x1) in enumerate(self.bands):
            ax.axvspan(x0, x1, color=COLORS["up"], alpha=0.12, lw=0,
                       label=self.band_label if i == 0 and self.band_label else None)
        ax.grid(axis="x" if hbar else "y", color="#e5e5e5")
        ax.set_axisbelow(True)
        for side in ("top",) + (() if ax2 is not None else ("right",)):
            ax.spines[side].set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        if ax2 is not None:
            h2, l2 = ax2.get_legend_handles_labels()
            handles, labels = handles + h2, labels + l2
        if len(handles) > 1:
            ax.legend(handles, labels, fontsize=8, frameon=False, loc="best")
        ax.set_title(self.title, fontsize=11)
        if footer:
            fig.text(0.01, 0.005, footer, fontsize=6.5, color="#555555", ha="left", va="bottom")
            fig.tight_layout(rect=(0, 0.04 * 4.2 / height, 1, 1))
        else:
            fig.tight_layout()
        fig.savefig(path)
        save_svg(fig, path.with_suffix(".svg"))
        plt.close(fig)
        return path
