"""Small multiples of the results: one panel per indicator with data, coca area in the background.

Used by report section 5 and the dashboard's results view. Each panel shows one published
series of an indicator (the source with the most years; the panel title names it) as a line,
over the SIMCI coca area drawn as a grey area on a second axis, so that effort and coca can be
read together without pretending they share a scale.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"indicator": ["coca_area"] * 2 + ["labs_destroyed"] * 2, "year": [2023, 2024] * 2,
...                   "source": ["simci"] * 2 + ["mindefensa"] * 2, "value": [253000.0, 262000.0, 5000.0, 5233.0],
...                   "unit": ["ha"] * 2 + ["count"] * 2, "publisher": ["SIMCI"] * 2 + ["MinDefensa"] * 2})
>>> series, coca = results_series(t)
>>> sorted(series["indicator"].unique()), coca["value"].tolist()
(['labs_destroyed'], [253000.0, 262000.0])
>>> fig = multiples_figure(series, coca, {"labs_destroyed": "Labs"}, lang="en")
>>> len(fig.data)
2

"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cocamonitor._plotting import pyplot, save_svg

__all__ = ["multiples_figure", "multiples_png", "results_series"]

_LINE = "#0072B2"
_COCA = "#BBBBBB"


def results_series(table: pd.DataFrame, *, last_year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pick one series per reported indicator with figures, and the SIMCI coca area.

    Parameters
    ----------
    table : DataFrame
        A national results table (``indicators.results_table(...).to_frame()``): ``indicator,
        year, source, value, unit`` (``publisher`` optional). Ratios are left out (their
        numerator has its own panel).
    last_year : int, optional
        Drop later years (a report of 2018 does not show 2024).

    Returns
    -------
    series : DataFrame
        ``indicator, source, year, value, unit, publisher``; per indicator the source with the
        most figures (ties: the first in the table's order).
    coca : DataFrame
        ``year, value``: the SIMCI coca area.

    """
    from cocamonitor.indicators import INDICATORS

    reported = [i.name for i in INDICATORS if i.kind == "reported"]
    t = table.dropna(subset=["value"])
    if last_year is not None:
        t = t[t["year"] <= last_year]
    coca = t[(t["indicator"] == "coca_area") & (t["source"] == "simci")][["year", "value"]]
    t = t[t["indicator"].isin(reported) & (t["indicator"] != "coca_area")]
    if "publisher" not in t.columns:
        t = t.assign(publisher=t["source"])
    counts = t.groupby(["indicator", "source"], sort=False).size().reset_index(name="n")
    best = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates("indicator")
    pick = t.merge(best[["indicator", "source"]], on=["indicator", "source"])
    order = {n: k for k, n in enumerate(reported)}
    pick = pick.assign(_o=pick["indicator"].map(order)).sort_values(["_o", "year"], kind="stable")
    cols = ["indicator", "source", "year", "value", "unit", "publisher"]
    return pick[cols].reset_index(drop=True), coca.sort_values("year").reset_index(drop=True)


def _grid(n: int, cols: int) -> tuple[int, int]:
    cols = max(1, min(cols, n))
    return math.ceil(n / cols), cols


def multiples_figure(
    series: pd.DataFrame,
    coca: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    lang: str = "en",
    source_labels: Mapping[str, str] | None = None,
    coca_label: str = "coca (ha)",
    cols: int = 3,
) -> go.Figure:
    """Draw plotly small multiples: a line per indicator, the coca area as a grey area behind it."""
    from plotly.subplots import make_subplots

    from cocamonitor.report.figures import plotly_separators

    names = list(dict.fromkeys(series["indicator"]))
    rows, cols = _grid(max(len(names), 1), cols)
    src = source_labels or {}
    titles = []
    for n in names:
        s = series[series["indicator"] == n]
        key = str(s["source"].iloc[0])
        titles.append(f"{labels.get(n, n)}<br><sup>{src.get(key, key)}</sup>")
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.5 / max(rows, 1),
                        horizontal_spacing=0.09, specs=[[{"secondary_y": True}] * cols for _ in range(rows)])
    for k, n in enumerate(names):
        r, c = k // cols + 1, k % cols + 1
        s = series[series["indicator"] == n]
        if len(coca):
            fig.add_trace(go.Scatter(x=coca["year"], y=coca["value"], fill="tozeroy", mode="none",
                                     fillcolor="rgba(187,187,187,0.35)", name=coca_label, showlegend=k == 0,
                                     hovertemplate="%{x}: %{y:,.0f} ha<extra></extra>"),
                          row=r, col=c, secondary_y=True)
        unit = str(s["unit"].iloc[0])
        fig.add_trace(go.Scatter(x=s["year"], y=s["value"], mode="lines+markers", line={"color": _LINE},
                                 marker={"size": 4}, name=labels.get(n, n), showlegend=False,
                                 hovertemplate=f"%{{x}}: %{{y:,.6~g}} {unit}<extra></extra>"),
                      row=r, col=c, secondary_y=False)
        fig.update_yaxes(showgrid=False, showticklabels=False, rangemode="tozero", row=r, col=c,
                         secondary_y=True)
        fig.update_yaxes(rangemode="tozero", title_text=unit, title_font={"size": 10}, row=r, col=c,
                         secondary_y=False)
    fig.update_layout(height=max(320, 250 * rows + 60), separators=plotly_separators(lang),
                      margin={"l": 50, "r": 20, "t": 60, "b": 30}, legend={"orientation": "h", "y": 1.04},
                      plot_bgcolor="white", font={"size": 11})
    fig.update_annotations(font_size=11)
    return fig


def multiples_png(
    path: str | Path,
    series: pd.DataFrame,
    coca: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    lang: str = "en",
    source_labels: Mapping[str, str] | None = None,
    coca_label: str = "coca (ha)",
    cols: int = 3,
    footer: str = "",
) -> Path:
    """Write the same small multiples as a PNG (at least 1,600 px wide) and an SVG beside it.

    ``footer`` is the source line (publishers, as-of date) printed under the panels.
    """
    from matplotlib.ticker import FuncFormatter

    from cocamonitor.report.locale import fmt_number

    plt = pyplot()
    names = list(dict.fromkeys(series["indicator"]))
    rows, cols = _grid(max(len(names), 1), cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.9 * rows), squeeze=False)
    src = source_labels or {}
    fmt = FuncFormatter(lambda v, _p: fmt_number(v, lang))
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.axis("off")
            continue
        n = names[k]
        s = series[series["indicator"] == n]
        if len(coca):
            back = ax.twinx()
            back.fill_between(coca["year"], coca["value"], color=_COCA, alpha=0.35, lw=0,
                              label=coca_label if k == 0 else None)
            back.set_yticks([])
            back.set_ylim(bottom=0)
            ax.set_zorder(back.get_zorder() + 1)
            ax.patch.set_visible(False)
        ax.plot(s["year"], s["value"], color=_LINE, marker="o", ms=2.5, lw=1.4)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(fmt)
        key = str(s["source"].iloc[0])
        ax.set_title(f"{labels.get(n, n)}\n{src.get(key, key)}", fontsize=8.5)
        ax.set_ylabel(str(s["unit"].iloc[0]), fontsize=8)
        ax.tick_params(labelsize=7.5)
    if footer:
        fig.text(0.01, 0.003, footer, fontsize=7, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.02 if footer else 0, 1, 1))
    path = Path(path)
    width_in = 4.2 * cols
    fig.savefig(path, dpi=max(110, int(np.ceil(1700 / width_in))))
    save_svg(fig, path.with_suffix(".svg"))
    plt.close(fig)
    return path
