"""Event-study chart: effects by periods since treatment, pointwise intervals and the simultaneous band.

PNG/SVG/PDF with matplotlib; HTML with plotly (self-contained, opens offline).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cocamonitor._plotting import check_figure_path, figure_kind, pyplot, save_svg
from cocamonitor.evaluate.aggregate import AggregateResult

__all__ = ["event_study_figure", "plot_event_study"]

_LABELS = {
    "en": ("periods since treatment (0 = first treated year)", "pointwise 95 % CI", "simultaneous band",
           "before treatment (placebo)", "after"),
    "es": ("años desde el tratamiento (0 = primer año tratado)", "IC 95 % puntual", "banda simultánea",
           "antes del tratamiento (placebo)", "después"),
}


def event_study_figure(event: AggregateResult, *, title: str = "", ylabel: str = "effect", lang: str = "en"):
    """Build the event study as a plotly figure (band, points with pointwise intervals, zero line)."""
    import plotly.graph_objects as go

    lab = _LABELS[lang]
    e, att = event.level, event.att_level
    fig = go.Figure()
    if np.isfinite(event.band_low).any():
        fig.add_trace(go.Scatter(x=np.r_[e, e[::-1]].tolist(), y=np.r_[event.band_high, event.band_low[::-1]].tolist(),
                                 fill="toself", fillcolor="rgba(31,119,180,0.15)", line={"width": 0},
                                 name=lab[2], hoverinfo="skip"))
    for mask, color, name in ((e < 0, "#7f7f7f", lab[3]), (e >= 0, "#1f77b4", lab[4])):
        fig.add_trace(go.Scatter(
            x=e[mask].tolist(), y=att[mask].tolist(), mode="markers", name=name, marker={"color": color},
            error_y={"type": "data", "symmetric": False, "array": (event.ci_high_level - att)[mask].tolist(),
                     "arrayminus": (att - event.ci_low_level)[mask].tolist()}))
    fig.add_hline(y=0, line_color="grey")
    fig.update_layout(title=title or None, xaxis_title=lab[0], yaxis_title=ylabel, template="plotly_white",
                      legend={"orientation": "h"}, margin={"t": 40 if title else 10})
    return fig


def plot_event_study(event: AggregateResult, path: str | Path, *, title: str = "Event study",
                     ylabel: str = "effect", lang: str = "en", footer: str = "") -> Path:
    """Draw the event study to ``path`` (``.png``, ``.svg``, ``.pdf`` or ``.html``).

    A PNG is drawn at 200 dpi (1,800 px wide) with an SVG beside it; ``footer`` is a source line
    printed under the chart.

    Examples
    --------
    >>> import tempfile
    >>> from cocamonitor.evaluate import Panel, att_gt, aggregate
    >>> rng = np.random.default_rng(0)
    >>> p = Panel(y=rng.normal(size=(60, 5)), times=np.arange(5), cohort=np.repeat([3, 0], 30), units=np.arange(60))
    >>> plot_event_study(aggregate(att_gt(p, n_boot=99), "event"), Path(tempfile.mkdtemp()) / "e.png").exists()
    True

    """
    path = check_figure_path(path)
    e, att = event.level, event.att_level
    lab = _LABELS[lang]
    if figure_kind(path) == "plotly":
        event_study_figure(event, title=title, ylabel=ylabel, lang=lang).write_html(
            path, include_plotlyjs=True, full_html=True)
        return path
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    if np.isfinite(event.band_low).any():
        ax.fill_between(e, event.band_low, event.band_high, step="mid", color="#1f77b4", alpha=0.15, label=lab[2])
    pre = e < 0
    for mask, color, name in ((pre, "#7f7f7f", lab[3]), (~pre, "#1f77b4", lab[4])):
        yerr = [att[mask] - event.ci_low_level[mask], event.ci_high_level[mask] - att[mask]]
        ax.errorbar(e[mask], att[mask], yerr=yerr, fmt="o", color=color, capsize=2, ms=4, label=f"{name} · {lab[1]}")
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
    ax.set_xlabel(lab[0])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    if footer:
        fig.text(0.01, 0.005, footer, fontsize=6.5, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03 if footer else 0, 1, 1))
    fig.savefig(path, dpi=200)
    if Path(path).suffix.lower() == ".png":
        save_svg(fig, Path(path).with_suffix(".svg"))
    plt.close(fig)
    return path
