"""Figures: sensitivity (Sobol shares + tornado) and the two-series decomposition.

``.png`` (or ``.svg``/``.pdf``) is drawn with matplotlib (Agg backend); ``.html`` with plotly,
self-contained (plotly.js embedded, no CDN), so it opens offline.

Examples
--------
>>> import tempfile, pathlib
>>> from cocamonitor.production.presets import load_preset
>>> from cocamonitor.production.sensitivity import analyse
>>> res = analyse(load_preset("unodc-2020"), n=1024, seed=0)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "sens.png"
>>> plot_sensitivity(res, out).exists()
True

"""

from __future__ import annotations

from pathlib import Path

from cocamonitor._plotting import check_figure_path
from cocamonitor._plotting import figure_kind as _kind
from cocamonitor._plotting import pyplot as _pyplot
from cocamonitor.production.decompose import SeriesDecomposition
from cocamonitor.production.sensitivity import SensitivityResult

__all__ = ["plot_decomposition", "plot_sensitivity"]

def plot_sensitivity(result: SensitivityResult, path: str | Path) -> Path:
    """Draw Sobol first-order/total indices and the tornado chart side by side.

    Parameters
    ----------
    result : SensitivityResult
        Sobol indices and tornado data.
    path : str or Path
        ``.png``/``.svg``/``.pdf`` (matplotlib) or ``.html`` (plotly).

    Returns
    -------
    Path
        The file written.

    """
    path = check_figure_path(path)
    kind = _kind(path)
    idx = result.indices.sort_values("first_order")
    tor = result.tornado.iloc[::-1]
    if kind == "mpl":
        plt = _pyplot()
        height = 1.6 + 0.35 * max(len(idx), 2)
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, height), constrained_layout=True)
        y = range(len(idx))
        ax1.barh(
            [v - 0.2 for v in y],
            idx["first_order"],
            height=0.4,
            label="first order",
            color="#1f77b4",
        )
        ax1.barh(
            [v + 0.2 for v in y], idx["total_order"], height=0.4, label="total", color="#aec7e8"
        )
        ax1.set_yticks(list(y), idx["parameter"])
        ax1.set_xlabel("share of variance (Sobol index)")
        ax1.set_xlim(0, 1.05)
        ax1.legend(loc="lower right", frameon=False)
        ax1.set_title(f"Sobol indices, {result.output}")
        point = result.point
        for i, row in enumerate(tor.itertuples()):
            lo, hi = sorted((row.output_low, row.output_high))
            ax2.barh(i, hi - lo, left=lo, color="#ff7f0e")
        ax2.axvline(point, color="black", linewidth=1)
        ax2.set_yticks(range(len(tor)), tor["parameter"])
        ax2.set_xlabel(f"{result.output} (one parameter at its interval ends)")
        ax2.set_title("Tornado")
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(f"Sobol indices, {result.output}", "Tornado")
    )
    fig.add_trace(
        go.Bar(y=idx["parameter"], x=idx["first_order"], orientation="h", name="first order"), 1, 1
    )
    fig.add_trace(
        go.Bar(y=idx["parameter"], x=idx["total_order"], orientation="h", name="total"), 1, 1
    )
    lows = tor[["output_low", "output_high"]].min(axis=1)
    highs = tor[["output_low", "output_high"]].max(axis=1)
    fig.add_trace(
        go.Bar(y=tor["parameter"], x=highs - lows, base=lows, orientation="h", name="swing"), 1, 2
    )
    fig.add_vline(x=result.point, line_color="black", row=1, col=2)
    fig.update_layout(barmode="group", template="plotly_white")
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path


def plot_decomposition(dec: SeriesDecomposition, path: str | Path) -> Path:
    """Bars of the area and yield effects per year, with the total gap marked.

    Returns
    -------
    Path
        The file written.

    """
    path = check_figure_path(path)
    kind = _kind(path)
    t = dec.table
    a, b = dec.labels
    title = f"Production gap {b} - {a} (t) = area effect + yield effect (LMDI)"
    if kind == "mpl":
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
        years = t["year"].astype(int)
        area, yld = t["area_effect_t"], t["yield_effect_t"]
        ax.bar(years, area.clip(lower=0), color="#1f77b4", label="area effect")
        ax.bar(years, area.clip(upper=0), color="#1f77b4")
        ax.bar(
            years,
            yld.clip(lower=0),
            bottom=area.clip(lower=0),
            color="#ff7f0e",
            label="yield effect",
        )
        ax.bar(years, yld.clip(upper=0), bottom=area.clip(upper=0), color="#ff7f0e")
        ax.plot(years, t["difference_t"], "ko", label=f"gap {b} - {a}")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.margins(y=0.08)
        ax.set_xticks(list(years))
        ax.set_ylabel("t of cocaine")
        ax.set_title(title)
        ax.legend(frameon=False)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_bar(x=t["year"], y=t["area_effect_t"], name="area effect")
    fig.add_bar(x=t["year"], y=t["yield_effect_t"], name="yield effect")
    fig.add_scatter(
        x=t["year"],
        y=t["difference_t"],
        mode="markers",
        name=f"gap {b} - {a}",
        marker={"color": "black", "size": 10},
    )
    fig.update_layout(
        barmode="relative", title=title, yaxis_title="t of cocaine", template="plotly_white"
    )
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path
