"""Plotly figures of the dashboard as plain dicts (JSON-ready, no validation cost).

The map is built once per language with its geometry (:func:`map_figure`); changing the year or
the mode only sends :func:`map_update` — values, hover texts and colours, never coordinates.

Examples
--------
>>> u = map_update(2020, "map", None, "es")
>>> sorted(u["trace"]), "geojson" in u["trace"]
(['colorbar', 'colorscale', 'text', 'z', 'zmax', 'zmin'], False)

"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.documents import municipal, national, production
from cocamonitor.documents.trend import trend_test_document
from cocamonitor.report.figures import COLORS, plotly_separators
from cocamonitor.report.locale import fmt_number, fmt_quantity
from cocamonitor.report.maps import OFF_MAP_DEPARTMENTS, choropleth
from cocamonitor.web.i18n import catalogue

__all__ = ["map_figure", "map_update", "national_figures", "profile_figure"]

_CHANGE_SCALE = "RdBu_r"
_LEVEL_SCALE = "YlOrRd"


def _none_if_nan(values: Any) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), 4) for v in np.asarray(values, dtype=float)]


def _bounds(departments: Any) -> tuple[list[float], list[float]]:
    x0, y0, x1, y1 = departments.total_bounds
    return [float(x0) - 0.3, float(x1) + 0.3], [float(y0) - 0.3, float(y1) + 0.3]


@lru_cache(maxsize=1)
def _map_base() -> dict[str, Any]:
    from cocamonitor import datasets

    codes = municipal.map_codes()
    mun = datasets.boundaries("municipality")
    dep = datasets.boundaries("department")
    values = pd.DataFrame({"divipola": codes, "v": np.zeros(len(codes))})
    fig = choropleth(mun, dep, values, value_col="v", hover=[""] * len(codes), colorscale=_LEVEL_SCALE,
                     zmin=0.0, zmax=1.0, colorbar_title="ha")
    fig["data"][1]["z"] = [None] * len(codes)
    lon, lat = _bounds(dep[~dep["department_code"].isin(OFF_MAP_DEPARTMENTS)])
    fig["layout"]["geo"].update(fitbounds=False, lonaxis={"range": lon}, lataxis={"range": lat})
    fig["layout"]["height"] = 640
    fig["layout"]["uirevision"] = "map"  # keep the user's zoom when values change
    return fig


def map_figure(lang: str) -> dict[str, Any]:
    """Return the map with its geometry: department outlines and every municipality that ever had coca.

    Values are empty: the page applies :func:`map_update` right after drawing it. The geometry
    is built once and shared by both languages (only the number separators differ).
    """
    base = _map_base()
    return {"data": base["data"], "layout": {**base["layout"], "separators": plotly_separators(lang)}}


def _log_ticks(vmax: float, lang: str) -> tuple[list[float], list[str]]:
    ticks = [v for v in (1, 10, 100, 1000, 10000, 100000) if v <= vmax * 1.01]
    return [float(np.log10(v)) for v in ticks], [fmt_number(v, lang) for v in ticks]


def map_update(year: int, mode: str, year_from: int | None, lang: str) -> dict[str, Any]:
    """Return the values, hover texts and colour settings of the map for one view (no geometry).

    Parameters
    ----------
    year : int
        Census year shown (the later year in comparison mode).
    mode : {"map", "compare"}
        One year's hectares (log colour scale) or the change since ``year_from``.
    year_from : int, optional
        Comparison mode: the earlier year.
    lang : {"es", "en"}
        Language of the hover texts and colour-bar labels.

    """
    m = catalogue(lang)
    vmax, clip = municipal.map_scale()
    names_df = municipal.year_values(year)
    names = (names_df["municipality"].astype(str) + " (" + names_df["department"].astype(str) + ")").tolist()
    if mode == "compare":
        c = municipal.compare_values(int(year_from if year_from is not None else year - 1), year)
        c = c.set_index("divipola").reindex(names_df["divipola"])
        change = c["change_ha"].to_numpy(dtype=float)
        z = np.where(change != 0, change, np.nan)
        text = [f"{n}<br>{fmt_quantity(v, 'ha', lang, 1, signed=True)}" for n, v in zip(names, change, strict=True)]
        trace = {"z": _none_if_nan(z), "text": text, "zmin": -clip, "zmax": clip,
                 "colorscale": _scale(_CHANGE_SCALE),
                 "colorbar": {"title": {"text": m.map.colorbar_change}, "thickness": 14, "len": 0.8,
                              "tickformat": ",d"}}
        title = m.map.title_compare.format(year=year, **{"from": year_from})
    else:
        h = names_df["hectares"].to_numpy(dtype=float)
        z = np.where(h > 0, np.log10(np.maximum(h, 1.0)), np.nan)
        text = [f"{n}<br>{fmt_quantity(v, 'ha', lang, 1) if v > 0 else m.map.no_coca}"
                for n, v in zip(names, np.nan_to_num(h), strict=True)]
        tv, tt = _log_ticks(vmax, lang)
        trace = {"z": _none_if_nan(z), "text": text, "zmin": 0.0, "zmax": float(np.log10(vmax)),
                 "colorscale": _scale(_LEVEL_SCALE),
                 "colorbar": {"title": {"text": m.map.colorbar}, "thickness": 14, "len": 0.8,
                              "tickvals": tv, "ticktext": tt}}
        title = m.map.title.format(year=year)
    return {"trace": trace, "title": title}


@lru_cache(maxsize=4)
def _scale(name: str) -> list:
    from plotly.colors import get_colorscale

    return get_colorscale(name)


def _layout(lang: str, xlabel: str, ylabel: str, height: int = 380) -> dict[str, Any]:
    return {
        "height": height, "margin": {"l": 70, "r": 20, "t": 20, "b": 50},
        "separators": plotly_separators(lang), "paper_bgcolor": "white", "plot_bgcolor": "white",
        "xaxis": {"title": {"text": xlabel}, "gridcolor": "#eeeeee", "dtick": 2},
        "yaxis": {"title": {"text": ylabel}, "gridcolor": "#eeeeee", "rangemode": "tozero", "tickformat": ",d"},
        "legend": {"orientation": "h", "y": -0.2}, "hovermode": "closest",
    }


def profile_figure(profile: dict[str, Any], lang: str) -> dict[str, Any]:
    """Hectares by year of one municipality; the trend window shaded."""
    m = catalogue(lang)
    ys = [r["year"] for r in profile["series"]]
    hs = [r["hectares"] if r["hectares"] is not None else 0.0 for r in profile["series"]]
    text = [fmt_quantity(r["hectares"], "ha", lang, 1) if r["hectares"] is not None else m.map.no_coca
            for r in profile["series"]]
    trace = {"type": "scatter", "mode": "lines+markers", "x": ys, "y": hs, "text": text,
             "name": m.profile.series, "line": {"color": COLORS["simci"], "width": 2.5},
             "hovertemplate": "%{x}: %{text}<extra></extra>"}
    layout = _layout(lang, m.national.year, m.national.hectares, height=320)
    layout["showlegend"] = False
    tr = profile.get("trend")
    if tr is not None:
        first, last = tr["years"]
        layout["shapes"] = [{"type": "rect", "xref": "x", "yref": "paper", "x0": first - 0.5, "x1": last + 0.5,
                             "y0": 0, "y1": 1, "fillcolor": "#f0f0f0", "line": {"width": 0}, "layer": "below"}]
    return {"data": [trace], "layout": layout}


def _trend_line(doc: dict[str, Any], name: str, color: str) -> dict[str, Any]:
    ts = doc["theil_sen"]
    ys = doc["series"]["years"]
    x = [ys[0], ys[-1]]
    return {"type": "scatter", "mode": "lines", "x": x, "y": [ts["intercept"] + ts["slope"] * v for v in x],
            "name": name, "line": {"color": color, "dash": "dot", "width": 1.5}, "hoverinfo": "skip"}


def national_figures(year: int, lang: str) -> dict[str, dict[str, Any]]:
    """Return the area chart (UNODC, US, SIMCI sum, Theil-Sen trends) and the production chart with intervals."""
    m = catalogue(lang)
    n = m.national
    t = national.national_table()

    def line(col: str, name: str, color: str, unit: str, **kw: Any) -> dict[str, Any]:
        d = t[["year", col]].dropna()
        return {"type": "scatter", "mode": "lines+markers", "x": d["year"].tolist(), "y": d[col].tolist(),
                "name": name, "line": {"color": color, "width": 2, **kw.pop("line", {})},
                "text": [fmt_quantity(v, unit, lang) for v in d[col]],
                "hovertemplate": "%{x}: %{text}<extra>" + name + "</extra>", **kw}

    area = [line("unodc_area", n.unodc_area, COLORS["unodc"], "ha"),
            line("us_area", n.us_area, COLORS["us"], "ha"),
            line("simci_municipal_sum", n.simci, COLORS["simci"], "ha", line={"dash": "dash"})]
    for source, color, label in (("unodc", COLORS["unodc"], "UNODC"), ("us", COLORS["us"], "US")):
        area.append(_trend_line(trend_test_document(source, "area", skip_missing=True),
                                n.trend_line.format(source=label), color))
    sel = {"type": "line", "xref": "x", "yref": "paper", "x0": year, "x1": year, "y0": 0, "y1": 1,
           "line": {"color": "#888888", "width": 1, "dash": "dot"}}
    area_layout = _layout(lang, n.year, n.hectares)
    area_layout["shapes"] = [sel]
    p = production.production_table()
    # the central value and interval the report quotes (same scenario, draws, seed and statistic)
    err = {"type": "data", "symmetric": False, "array": (p["ci_high"] - p["point"]).tolist(),
           "arrayminus": (p["point"] - p["ci_low"]).tolist(), "color": COLORS["current"], "thickness": 1.2}
    est_text = [f"{fmt_quantity(md, 't', lang)} [{fmt_number(lo, lang)}–{fmt_number(hi, lang)}] · {pr} · {sc}"
                for md, lo, hi, pr, sc in zip(p["point"], p["ci_low"], p["ci_high"], p["preset"], p["scenario"],
                                              strict=True)]
    prod = [
        {"type": "scatter", "mode": "markers", "x": p["year"].tolist(), "y": p["point"].tolist(),
         "error_y": err, "name": n.estimate, "marker": {"color": COLORS["current"], "size": 6},
         "text": est_text, "hovertemplate": "%{x}: %{text}<extra></extra>"},
        line("unodc_production", n.unodc_production, COLORS["unodc"], "t"),
        line("us_production", n.us_production, COLORS["us"], "t"),
    ]
    prod_layout = _layout(lang, n.year, n.tonnes)
    prod_layout["shapes"] = [sel]
    return {"area": {"data": area, "layout": area_layout}, "production": {"data": prod, "layout": prod_layout}}
