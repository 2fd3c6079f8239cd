"""Charts of trend results: PNG (matplotlib) or self-contained HTML (plotly, no CDN).

Each ``plot_*`` function turns a result into a small chart description (panels of lines,
points and bars) which is drawn by matplotlib when the file name ends in ``.png`` and by
plotly when it ends in ``.html`` (plotly.js embedded, so the file opens offline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cocamonitor._plotting import check_figure_path, figure_kind, pyplot
from cocamonitor.trends.change import ChangeResult, SensitivityResult
from cocamonitor.trends.compare import ComparisonResult
from cocamonitor.trends.mann_kendall import MannKendallResult
from cocamonitor.trends.panel import CLASSES, PanelTrendResult
from cocamonitor.trends.theil_sen import TheilSenResult

__all__ = ["check_plot_path", "plot_change", "plot_comparison", "plot_panel", "plot_trend"]

_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#7f7f7f"]
_CLASS_COLORS = {"expanding": "#d62728", "contracting": "#2ca02c", "stable": "#9e9e9e",
                 "new": "#ff7f0e", "abandoned": "#1f77b4", "absent": "#e0e0e0"}


@dataclass
class _Layer:
    kind: str  # "line", "points", "dash", "bar", "errorbar"
    x: Sequence[Any]
    y: Sequence[float]
    name: str
    color: str | None = None
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None


@dataclass
class _Panel:
    title: str
    xlabel: str
    ylabel: str
    layers: list[_Layer] = field(default_factory=list)
    hline: float | None = None
    stacked: bool = False


def check_plot_path(path: str | Path, *, where: str = "plot") -> Path:
    """Return ``path`` as a Path if a chart (.png/.svg/.pdf/.html) can be written there.

    Examples
    --------
    >>> check_plot_path("chart.png").suffix
    '.png'

    """
    return check_figure_path(path, where=where)


def _render(panels: list[_Panel], path: Path, title: str) -> Path:
    if figure_kind(path) == "mpl":
        return _render_png(panels, path, title)
    return _render_html(panels, path, title)


def _render_png(panels: list[_Panel], path: Path, title: str) -> Path:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    plt = pyplot()

    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 3.6 * len(panels)), squeeze=False)
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        bottom: np.ndarray | None = None
        for i, layer in enumerate(panel.layers):
            color = layer.color or _COLORS[i % len(_COLORS)]
            x = list(layer.x)
            if layer.kind == "line":
                ax.plot(x, layer.y, "-o", color=color, label=layer.name, ms=4)
            elif layer.kind == "points":
                ax.plot(x, layer.y, "o", color=color, label=layer.name)
            elif layer.kind == "dash":
                ax.plot(x, layer.y, "--", color=color, label=layer.name)
            elif layer.kind == "errorbar":
                y = np.asarray(layer.y, float)
                err = np.vstack([y - np.asarray(layer.low, float), np.asarray(layer.high, float) - y])
                ax.errorbar(x, y, yerr=err, fmt="o", color=color, capsize=4, label=layer.name)
            elif layer.kind == "bar":
                y = np.asarray(layer.y, float)
                ax.bar(x, y, color=color, label=layer.name,
                       bottom=bottom if panel.stacked else None)
                if panel.stacked:
                    bottom = y if bottom is None else bottom + y
        if panel.hline is not None:
            ax.axhline(panel.hline, color="black", lw=0.8)
        if not panel.stacked and panel.xlabel == "year":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"))
        ax.set_title(panel.title, fontsize=10)
        ax.set_xlabel(panel.xlabel)
        ax.set_ylabel(panel.ylabel)
        categorical = any(len(layer.x) and isinstance(list(layer.x)[0], str) for layer in panel.layers)
        if categorical and max(len(layer.x) for layer in panel.layers) > 6:
            ax.tick_params(axis="x", labelrotation=60, labelsize=7)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _render_html(panels: list[_Panel], path: Path, title: str) -> Path:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=len(panels), cols=1, subplot_titles=[p.title for p in panels])
    for row, panel in enumerate(panels, start=1):
        for i, layer in enumerate(panel.layers):
            color = layer.color or _COLORS[i % len(_COLORS)]
            x = list(layer.x)
            y = np.asarray(layer.y, float).tolist()
            if layer.kind in ("line", "points", "dash"):
                mode = {"line": "lines+markers", "points": "markers", "dash": "lines"}[layer.kind]
                line = {"color": color, "dash": "dash" if layer.kind == "dash" else "solid"}
                fig.add_trace(go.Scatter(x=x, y=y, mode=mode, name=layer.name, line=line),
                              row=row, col=1)
            elif layer.kind == "errorbar":
                ya = np.asarray(layer.y, float)
                fig.add_trace(go.Scatter(
                    x=x, y=y, mode="markers", name=layer.name, marker={"color": color},
                    error_y={"type": "data", "symmetric": False,
                             "array": (np.asarray(layer.high, float) - ya).tolist(),
                             "arrayminus": (ya - np.asarray(layer.low, float)).tolist()},
                ), row=row, col=1)
            elif layer.kind == "bar":
                fig.add_trace(go.Bar(x=x, y=y, name=layer.name, marker={"color": color}),
                              row=row, col=1)
        if panel.hline is not None:
            fig.add_hline(y=panel.hline, line={"color": "black", "width": 1}, row=row, col=1)
        fig.update_xaxes(title_text=panel.xlabel, row=row, col=1)
        fig.update_yaxes(title_text=panel.ylabel, row=row, col=1)
    if any(p.stacked for p in panels):
        fig.update_layout(barmode="stack")
    fig.update_layout(title=title, height=380 * len(panels), template="plotly_white")
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def plot_trend(
    years: Sequence[int],
    values: Sequence[float],
    path: str | Path,
    *,
    theil_sen: TheilSenResult | None = None,
    mann_kendall: MannKendallResult | None = None,
    title: str = "Trend",
    unit: str | None = None,
) -> Path:
    """Chart an annual series with its Theil-Sen line (and the Mann-Kendall result in the title).

    Examples
    --------
    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "t.png")
    >>> plot_trend([2019, 2020, 2021], [1.0, 2.0, 2.5], out).name
    't.png'

    """
    p = check_plot_path(path)
    yrs = [int(y) for y in years]
    panel = _Panel(title="", xlabel="year", ylabel=unit or "value",
                   layers=[_Layer("line", yrs, list(map(float, values)), "observed")])
    sub = []
    if theil_sen is not None:
        fit = theil_sen.intercept + theil_sen.slope * np.asarray(yrs, float)
        panel.layers.append(_Layer("dash", yrs, fit.tolist(), "Theil-Sen", color="#d62728"))
        lo, hi = theil_sen.ci
        sub.append(f"Theil-Sen {theil_sen.slope:,.4g}/yr [{lo:,.4g}, {hi:,.4g}]")
    if mann_kendall is not None:
        p_show = mann_kendall.p
        sub.append(f"Mann-Kendall S={mann_kendall.s}, p={p_show:.3g} ({mann_kendall.trend})")
    panel.title = "; ".join(sub)
    return _render([panel], p, title)


def plot_comparison(result: ComparisonResult, path: str | Path, *, title: str | None = None) -> Path:
    """Chart two series on their common years, and their level ratio below."""
    p = check_plot_path(path)
    a, b = result.names
    t = result.table
    yrs = t["year"].astype(int).tolist()
    levels = _Panel(title="levels on common years", xlabel="year", ylabel=result.unit or "value",
                    layers=[_Layer("line", yrs, t[a].tolist(), a),
                            _Layer("line", yrs, t[b].tolist(), b)])
    ratio = _Panel(title=f"level ratio {a} / {b}", xlabel="year", ylabel="ratio",
                   layers=[_Layer("line", yrs, t["ratio"].tolist(), f"{a} / {b}", "#9467bd")],
                   hline=1.0)
    if result.ratio_trend is not None:
        fit = result.ratio_trend.fitted(np.asarray(yrs, float))
        ratio.layers.append(_Layer("dash", yrs, np.asarray(fit).tolist(), "Theil-Sen trend",
                                   "#7f7f7f"))
    share = result.agreement_share
    head = title or f"{a} vs {b}" + (f": directions agree in {share:.0%} of steps"
                                       if share is not None else "")
    return _render([levels, ratio], p, head)


def plot_change(result: ChangeResult | SensitivityResult, path: str | Path,
                *, title: str | None = None) -> Path:
    """Chart a change (two estimates with intervals) or a census sensitivity curve."""
    p = check_plot_path(path)
    if isinstance(result, SensitivityResult):
        t = result.table
        panel = _Panel(
            title=f"critical relative error {result.critical_relative_error:.1%}",
            xlabel="assumed relative standard error", ylabel="p-value",
            layers=[_Layer("line", t["relative_error"].tolist(), t["p_value"].tolist(), "p-value")],
            hline=1 - result.confidence,
        )
        return _render([panel], p, title or "Significance of the change under assumed errors")
    labels = [str(result.year_a or "a"), str(result.year_b or "b")]
    vals = [result.estimate_a, result.estimate_b]
    if result.census:
        panel = _Panel(title=result.note[:90], xlabel="", ylabel=result.unit or "value",
                       layers=[_Layer("bar", labels, vals, "census figure")])
    else:
        from scipy import stats

        zq = stats.norm.ppf(0.5 + result.confidence / 2)
        ses = [result.se_a, result.se_b]
        panel = _Panel(
            title=f"difference {result.difference:,.4g} ± {zq * result.difference_se:,.4g}, "
                  f"p = {result.p_value:.3g}",
            xlabel="", ylabel=result.unit or "value",
            layers=[_Layer("errorbar", labels, vals, f"estimate ± {result.confidence:.0%} CI",
                           low=[v - zq * s for v, s in zip(vals, ses, strict=True)],
                           high=[v + zq * s for v, s in zip(vals, ses, strict=True)])],
        )
    return _render([panel], p, title or "Change between two years")


def plot_panel(result: PanelTrendResult, path: str | Path, *, title: str | None = None) -> Path:
    """Chart municipalities per class in each department (stacked bars) and department slopes."""
    p = check_plot_path(path)
    d = result.departments
    names = d["department"].astype(str).tolist()
    stacked = _Panel(title="municipalities per class", xlabel="department", ylabel="municipalities",
                     stacked=True)
    for cls in CLASSES:
        col = f"n_{cls}"
        if col in d and d[col].sum() > 0:
            stacked.layers.append(_Layer("bar", names, d[col].tolist(), cls, _CLASS_COLORS[cls]))
    slopes = _Panel(title=f"Theil-Sen slope of the department total ({result.confidence:.0%} CI)",
                    xlabel="department", ylabel="ha / year", hline=0.0,
                    layers=[_Layer("errorbar", names, d["slope"].tolist(), "slope",
                                   low=d["slope_low"].tolist(), high=d["slope_high"].tolist())])
    yrs = result.years
    return _render([stacked, slopes], p, title or f"Municipal coca trends {yrs[0]}-{yrs[-1]}")
