"""Figure of an area estimate: mapped vs sample-based area, and the map's accuracy.

Left panel: for each class, the area the map shows (pixel counting) beside the area estimated
from the reference sample with its confidence interval: the gap between the two is the map's
bias that the sample corrects; the ratio estimated ÷ mapped is written beside each class, so
that a small class (coca) is not lost beside large ones. Right panel: user's and producer's accuracy of each class with
their intervals (normal approximation, clipped to [0, 1]).

``.png``/``.svg``/``.pdf`` are drawn with matplotlib; ``.html`` with plotly (offline).

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> from cocamonitor.area import estimate_stratified
>>> sample = pd.DataFrame({"stratum": ["coca"] * 4 + ["other"] * 4,
...                        "map_class": ["coca"] * 4 + ["other"] * 4,
...                        "reference_class": ["coca", "coca", "coca", "other",
...                                            "other", "other", "other", "coca"]})
>>> est = estimate_stratified(sample, {"coca": 100.0, "other": 900.0})
>>> out = pathlib.Path(tempfile.mkdtemp()) / "areas.png"
>>> plot_area_estimate(est, out).exists()
True

"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor._plotting import check_figure_path, figure_kind, pyplot
from cocamonitor.area._result import AreaEstimate

__all__ = ["area_figure_frame", "plot_area_estimate"]

#: (column, legend, colour, vertical offset) of the two accuracy series
_ACCURACY = (("users", "user's accuracy", "#2166ac", 0.15),
             ("producers", "producer's accuracy", "#b2182b", -0.15))


def area_figure_frame(est: AreaEstimate) -> pd.DataFrame:
    """Return the numbers the figure draws, one row per class.

    Columns: ``class``, ``mapped`` (area the map shows, NaN for a class the map does not
    have), ``area``, ``area_ci_low``, ``area_ci_high``, and for each of ``users`` and
    ``producers`` the accuracy with ``_low``/``_high`` interval bounds (clipped to [0, 1]).

    Examples
    --------
    >>> import pandas as pd
    >>> from cocamonitor.area import estimate_stratified
    >>> s = pd.DataFrame({"stratum": ["a", "a", "b", "b"], "map_class": ["a", "a", "b", "b"],
    ...                   "reference_class": ["a", "b", "b", "b"]})
    >>> f = area_figure_frame(estimate_stratified(s, {"a": 10.0, "b": 30.0}))
    >>> f[["class", "mapped", "area"]].values.tolist()
    [['a', 10.0, 5.0], ['b', 30.0, 35.0]]

    """
    z = float(stats.norm.ppf(0.5 + est.confidence / 2))
    mapped: dict[str, float] = {}
    if est.error_matrix is not None:
        em = est.error_matrix.to_frame()
        mapped = (em.fillna(0.0).sum(axis=1) * est.total_area).to_dict()
    rows = []
    for name, c in est.classes.items():
        row: dict[str, object] = {
            "class": name, "mapped": mapped.get(name, np.nan), "area": c.area,
            "area_ci_low": c.area_ci[0], "area_ci_high": c.area_ci[1],
        }
        for key, value, se in (("users", c.users_accuracy, c.users_accuracy_se),
                               ("producers", c.producers_accuracy, c.producers_accuracy_se)):
            v = np.nan if value is None else float(value)
            s = np.nan if se is None else float(se)
            row[key] = v
            row[f"{key}_low"] = max(0.0, v - z * s) if np.isfinite(s) else np.nan
            row[f"{key}_high"] = min(1.0, v + z * s) if np.isfinite(s) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def plot_area_estimate(est: AreaEstimate, path: str | Path, *, title: str | None = None) -> Path:
    """Draw mapped vs estimated area (with intervals) and user's/producer's accuracy.

    Parameters
    ----------
    est : AreaEstimate
        Result of any area estimator.
    path : str or Path
        ``.png``/``.svg``/``.pdf`` (matplotlib) or ``.html`` (plotly, offline).
    title : str, optional
        Figure title (default: the method and confidence level).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        An unsupported file extension, or a folder that cannot be written to.

    """
    path = check_figure_path(path)
    kind = figure_kind(path)
    f = area_figure_frame(est)
    level = f"{est.confidence:.0%}"
    title = title or (
        f"Area by class ({est.method}, {level} intervals)"
        + ("" if est.overall_accuracy is None else f"; overall accuracy {est.overall_accuracy:.1%}")
    )
    unit = est.unit if est.unit != "unspecified" else "area"
    if kind == "mpl":
        _draw_mpl(f, path, title, unit, level)
    else:
        _draw_plotly(f, path, title, unit, level)
    return path


def _draw_mpl(f: pd.DataFrame, path: Path, title: str, unit: str, level: str) -> None:
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    n = len(f)
    y = np.arange(n)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 2.2 + 0.5 * max(n, 2)), constrained_layout=True)
    ax1.barh(y + 0.2, f["mapped"].fillna(0.0), height=0.36, color="#bdbdbd", label="mapped")
    err = np.vstack([f["area"] - f["area_ci_low"], f["area_ci_high"] - f["area"]])
    ax1.barh(y - 0.2, f["area"], height=0.36, color="#1b7837", xerr=err, capsize=3,
             label=f"estimated from the sample ({level} CI)")
    ax1.set_yticks(y, f["class"].astype(str))
    ax1.set_xlabel(unit)
    ax1.xaxis.set_major_locator(MaxNLocator(4))
    ax1.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    # small classes (coca) vanish beside large ones: say in words how far the map is off
    right = float(np.nanmax(np.r_[f["area_ci_high"].to_numpy(), f["mapped"].to_numpy()]))
    for k, r in enumerate(f["area"] / f["mapped"]):
        if np.isfinite(r):
            ax1.text(right * 1.02, k, f"×{r:.2f}", va="center", fontsize=8)
    ax1.text(right * 1.02, n - 0.5, "est. ÷ map", fontsize=7, color="dimgray", va="center")
    ax1.set_xlim(0, right * 1.15)
    ax1.axvline(0, color="black", lw=0.6)
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    ax1.set_title("Mapped vs estimated area", fontsize=10)
    for key, label, colour, shift in _ACCURACY:
        v = f[key]
        e = np.vstack([(v - f[f"{key}_low"]).fillna(0.0), (f[f"{key}_high"] - v).fillna(0.0)])
        ax2.errorbar(v, y + shift, xerr=e, fmt="o", color=colour, capsize=3, label=label)
    ax2.set_yticks(y, f["class"].astype(str))
    ax2.set_xlim(0, 1.02)
    ax2.set_xlabel("accuracy")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    ax2.set_title("Accuracy of the map", fontsize=10)
    fig.suptitle(title, fontsize=11)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _draw_plotly(f: pd.DataFrame, path: Path, title: str, unit: str, level: str) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("Mapped vs estimated area", "Accuracy of the map"),
                        horizontal_spacing=0.12)
    names = f["class"].astype(str).tolist()
    fig.add_trace(go.Bar(y=names, x=f["mapped"], orientation="h", name="mapped",
                         marker_color="#bdbdbd"), row=1, col=1)
    fig.add_trace(go.Bar(
        y=names, x=f["area"], orientation="h", name=f"estimated from the sample ({level} CI)",
        marker_color="#1b7837",
        error_x={"type": "data", "symmetric": False, "array": f["area_ci_high"] - f["area"],
                 "arrayminus": f["area"] - f["area_ci_low"]},
    ), row=1, col=1)
    for key, label, colour, _ in _ACCURACY:
        v = f[key]
        fig.add_trace(go.Scatter(
            y=names, x=v, mode="markers", name=label, marker={"color": colour, "size": 9},
            error_x={"type": "data", "symmetric": False, "array": (f[f"{key}_high"] - v).fillna(0.0),
                     "arrayminus": (v - f[f"{key}_low"]).fillna(0.0)},
        ), row=1, col=2)
    fig.update_layout(title=title, barmode="group", template="plotly_white",
                      height=260 + 60 * len(names))
    fig.update_xaxes(title_text=unit, row=1, col=1)
    fig.update_xaxes(title_text="accuracy", range=[0, 1.02], row=1, col=2)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
