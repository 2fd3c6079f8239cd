"""The report's interactive figures: chart specs, maps, and their JSON with shared map features."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.io as pio

from cocamonitor import __version__
from cocamonitor.report.build import ReportData
from cocamonitor.report.figures import COLORS, ChartSpec, Series, plotly_separators
from cocamonitor.report.locale import (
    fmt_number,
    fmt_percent,
    fmt_quantity,
    fmt_signed,
)
from cocamonitor.report.maps import (
    choropleth,
    choropleth_png,
    clipped_ticks,
    department_labels,
)

if TYPE_CHECKING:
    from cocamonitor.report.catalogue import _Messages

__all__: list[str] = []


def _charts(data: ReportData, lang: str, m: _Messages) -> list[ChartSpec]:
    s, fg = m.series, m.fig
    yr = {"year": data.year, "previous": data.previous_year}
    ns = data.national_series
    charts: list[ChartSpec] = []

    src = data.series_sources
    if "new_method" in src.columns:
        new_method = src[src["new_method"].astype(bool)]
    else:  # no release facts: no breaks to draw
        new_method = pd.DataFrame({"series": pd.Series(dtype=str), "year": pd.Series(dtype=int)})

    def series_of(col: str, name: str, color: str, **kw: Any) -> Series:
        d = ns[["year", col]].dropna()
        breaks = tuple(float(y) for y in new_method.loc[new_method["series"] == col, "year"])
        return Series(name, d["year"].tolist(), d[col].tolist(), color=color, breaks=breaks, **kw)

    def gaps_note(cols: tuple[str, ...]) -> str:
        named = [f"{getattr(s, c)} {int(y)}" for c in cols
                 for y in new_method.loc[new_method["series"] == c, "year"]]
        return fg.gaps_note.format(breaks="; ".join(named)) if named else ""

    steps = (data.extras.get("trends") or {}).get("disagree_steps", [])
    cps = (data.extras.get("trends") or {}).get("change_points", {})
    area_marks = tuple((y - 0.5, fg.change_point.format(year=y, series=s[k]))
                       for k, (y, _p) in cps.items() if k in ("unodc_area", "simci_all"))[:1]
    prod_marks = tuple((y - 0.5, fg.change_point.format(year=y, series=s[k]))
                       for k, (y, _p) in cps.items() if k == "unodc_production")
    bands = tuple(tuple(float(y) for y in st.split("-")) for st in steps)
    charts.append(ChartSpec(
        "national_area", fg.national_area,
        (series_of("unodc_area", s.unodc_area, COLORS["unodc"]),
         series_of("us_area", s.us_area, COLORS["us"]),
         series_of("simci_municipal_sum", s.simci, COLORS["simci"], dash=True)),
        xlabel=fg.year, ylabel=fg.hectares, bands=bands,  # type: ignore[arg-type]
        band_label=s.disagree, marks=area_marks,
        note=gaps_note(("unodc_area", "us_area"))))
    charts.append(ChartSpec(
        "national_production", fg.national_production,
        (series_of("unodc_production", s.unodc_production, COLORS["unodc"]),
         series_of("us_production", s.us_production, COLORS["us"])),
        xlabel=fg.year, ylabel=fg.tonnes, marks=prod_marks,
        note=gaps_note(("unodc_production", "us_production"))))
    dep = data.departments[data.departments["hectares"] > 0]
    bars = [Series(s.current.format(year=data.year), dep["hectares"].tolist(),
                   dep["department"].tolist(), kind="hbar", color=COLORS["current"])]
    if data.previous_year is not None:
        bars.insert(0, Series(s.previous.format(year=data.previous_year),
                              dep["hectares_previous"].tolist(), dep["department"].tolist(),
                              kind="hbar", color=COLORS["previous"]))
    charts.append(ChartSpec("departments", fg.departments.format(**yr), tuple(bars),
                            xlabel=fg.hectares, height=max(380, 26 * len(dep) + 120)))
    sub = data.pdet[data.pdet["kind"] == "subregion"]
    pbars = [Series(s.current.format(year=data.year), sub["hectares"].tolist(),
                    sub["pdet_subregion"].tolist(), kind="hbar", color=COLORS["current"])]
    if data.previous_year is not None:
        pbars.insert(0, Series(s.previous.format(year=data.previous_year),
                               sub["hectares_previous"].tolist(),
                               sub["pdet_subregion"].tolist(), kind="hbar",
                               color=COLORS["previous"]))
    charts.append(ChartSpec("pdet", fg.pdet.format(**yr), tuple(pbars), xlabel=fg.hectares,
                            height=max(360, 26 * len(sub) + 120)))
    sp = data.spraying_by_year
    if len(sp):
        charts.append(ChartSpec(
            "spraying",
            fg.spraying.format(first=int(sp["year"].min()), last=int(sp["year"].max())),
            (Series(s.sprayed, sp["year"].tolist(), sp["quantity"].tolist(), kind="bar",
                    color=COLORS["effort"]),
             Series(fg.coca, sp["year"].tolist(), sp["coca_ha"].tolist(), color=COLORS["simci"])),
            xlabel=fg.year, ylabel=fg.hectares))
    lb = data.labs_by_year
    if len(lb):
        charts.append(ChartSpec(
            "labs", fg.labs.format(first=int(lb["year"].min()), last=int(lb["year"].max())),
            (Series(s.labs, lb["year"].tolist(), lb["quantity"].tolist(), kind="bar",
                    color=COLORS["effort"]),
             Series(s.labs_ratio, lb["year"].tolist(), lb["ratio"].tolist(),
                    color=COLORS["ratio"], axis="y2", decimals=1)),
            xlabel=fg.year, ylabel=fg.labs_count, y2label=fg.labs_ratio))
    ld = data.labs_by_department.dropna(subset=["ratio"]).sort_values("ratio", ascending=False)
    charts.append(ChartSpec(
        "labs_departments", fg.labs_departments.format(**yr),
        (Series(s.labs_ratio, ld["ratio"].tolist(), ld["department"].tolist(), kind="hbar",
                color=COLORS["effort"], decimals=1),),
        xlabel=fg.labs_ratio, height=max(320, 26 * len(ld) + 110)))
    prod = data.extras.get("production")
    if prod:
        p = prod["summary"]
        q = m.quantity
        sc = prod.get("scenarios")
        points = []
        if sc is not None and len(sc):
            palette = {"preset": COLORS["unodc"], "implied": COLORS["us"]}
            shift = {"preset": -0.12, "implied": 0.12}  # side by side, not on top of each other
            for name, grp in sc.groupby("scenario", sort=False):
                label = m.scenario[name].format(preset=grp["preset"].iloc[0])
                xs = (grp["year"].astype(float) + shift.get(str(name), 0.0)).tolist()
                points.append(Series(label, xs, grp["point"].tolist(),
                                     kind="errorbar", color=palette.get(str(name), COLORS["effort"]),
                                     lower=grp["ci_low"].tolist(), upper=grp["ci_high"].tolist()))
        else:
            points.append(Series(s.estimate, [data.year], [p["point"]], kind="errorbar",
                                 color=COLORS["unodc"], lower=[p["lo"]], upper=[p["hi"]]))
        ns = data.national_series.set_index("year")
        pub = ns["unodc_production"].dropna()
        pub = pub[pub.index >= data.year - 6]
        if len(pub):
            points.append(Series(q.published, pub.index.tolist(), pub.tolist(),
                                 kind="errorbar", color=COLORS["previous"],
                                 lower=pub.tolist(), upper=pub.tolist()))
        charts.append(ChartSpec(
            "production_interval",
            fg.production_interval.format(year=data.year, previous=data.year - 1,
                                          level=fmt_percent(p["confidence"], lang)),
            tuple(points), xlabel=fg.year, ylabel=fg.tonnes, height=420))
        sens = prod["sensitivity"]
        if len(sens):
            charts.append(ChartSpec(
                "sensitivity", fg.sensitivity,
                (Series(fg.share_variance, (100 * sens["first_order"]).round(1).tolist(),
                        [m.parameter.get(k, k) for k in sens["parameter"]], kind="hbar",
                        color=COLORS["effort"], decimals=1),),
                xlabel=fg.share_variance + " (%)", height=max(260, 40 * len(sens) + 140)))
    return charts


def _maps(
    data: ReportData, lang: str, m: _Messages, municipalities: Any, departments: Any,
    out_dir: Path, change_clip: float,
) -> dict[str, tuple[Any, str, int, str]]:
    """Build the choropleths; write their PNGs and SVGs. Returns key -> (fig, title, height, note).

    Hectares (log scale), density (ha per km² of municipality, log scale: the large Amazon
    municipalities do not dominate) and change (diverging, clipped at ``change_clip`` with the
    clipping marked: "≥"/"≤" end labels, end arrows in the PNG, a note naming the extremes).
    """
    from matplotlib.colors import LogNorm, Normalize

    fg = m.fig
    yr = {"year": data.year, "previous": data.previous_year}
    mun = data.municipalities
    names = mun["municipality"].astype(str) + " (" + mun["department"].astype(str) + ")"
    out: dict[str, tuple[Any, str, int, str]] = {}
    coca_deps = data.departments.loc[data.departments["hectares"] > 0, "department_code"]
    labels = department_labels(departments, coca_deps.astype(str))
    footer = fg.source_map.format(year=data.year, version=__version__)
    seps = plotly_separators(lang)

    def log_map(key: str, values: pd.DataFrame, col: str, unit: str, title: str,
                vmin: float, dec: int) -> None:
        hover = [f"{n}<br>{fmt_quantity(v, unit, lang, dec)}"
                 for n, v in zip(names[values.index], values[col], strict=True)]
        vmax = max(float(values[col].max()), vmin * 10) if len(values) else vmin * 10
        ticks = [v for v in (0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000)
                 if vmin * 0.99 <= v <= vmax * 1.01]
        tick_text = [fmt_number(v, lang, max(0, -int(np.floor(np.log10(v))))) for v in ticks]
        if float(values[col].min()) < vmin:  # the bottom of the scale holds smaller values too
            tick_text[0] = "≤ " + tick_text[0]
        fig = choropleth(
            municipalities, departments, values, value_col=col, hover=hover,
            colorscale="YlOrRd", zmin=float(np.log10(vmin)), zmax=float(np.log10(vmax)),
            colorbar_title=unit, transform=lambda z: np.log10(np.maximum(z, vmin)),
            tickvals=[float(np.log10(v)) for v in ticks], ticktext=tick_text,
            separators=seps, labels=labels,
        )
        choropleth_png(
            out_dir / f"{key}.png", municipalities, departments, values, value_col=col,
            title=title, cmap="YlOrRd", norm=LogNorm(vmin=vmin, vmax=vmax, clip=True),
            colorbar_title=unit, formatter=lambda v, _p: fmt_number(v, lang),
            ticks=(ticks, tick_text), labels=labels, footer=footer,
            extend="min" if tick_text[0].startswith("≤") else "neither",
        )
        out[key] = (fig, title, 620, "")

    cur = mun[mun["hectares"] > 0]
    log_map("map_hectares", cur, "hectares", "ha", fg.map_hectares.format(**yr), 1.0, 0)
    area = municipalities.set_index("divipola").to_crs("EPSG:9377").area / 1e6  # km², projected
    dens = cur.assign(density=cur["hectares"] / cur["divipola"].map(area).to_numpy())
    dens = dens[dens["density"].notna()]
    log_map("map_density", dens, "density", "ha/km²", fg.map_density.format(**yr), 0.01, 2)
    if data.previous_year is not None:
        had = (mun["hectares"].fillna(0) > 0) | (mun["hectares_previous"].fillna(0) > 0)
        ch = mun[had]  # unchanged municipalities with coca are drawn too (pale, not grey)
        hover = [f"{n}<br>{fmt_quantity(v, 'ha', lang, 1, signed=True)}"
                 for n, v in zip(names[ch.index], ch["change_ha"], strict=True)]
        title = fg.map_change.format(**yr)
        low, high = bool((ch["change_ha"] < -change_clip).any()), bool((ch["change_ha"] > change_clip).any())
        ticks = clipped_ticks(-change_clip, change_clip, lambda v: fmt_signed(v, lang),
                              clipped_low=low, clipped_high=high)
        fig = choropleth(
            municipalities, departments, ch, value_col="change_ha", hover=hover,
            colorscale="RdYlBu_r", zmin=-change_clip, zmax=change_clip,
            colorbar_title=fg.change_ha, tickvals=ticks[0], ticktext=ticks[1],
            separators=seps, labels=labels,
        )
        choropleth_png(
            out_dir / "map_change.png", municipalities, departments, ch, value_col="change_ha",
            title=title, cmap="RdYlBu_r", norm=Normalize(vmin=-change_clip, vmax=change_clip),
            colorbar_title=fg.change_ha, formatter=lambda v, _p: fmt_number(v, lang),
            extend={(True, True): "both", (True, False): "min", (False, True): "max"}.get(
                (low, high), "neither"),
            ticks=ticks, labels=labels, footer=footer,
        )
        beyond = ch[ch["change_ha"].abs() > change_clip]
        note = ""
        if len(beyond):
            top = beyond.loc[beyond["change_ha"].abs().idxmax()]
            note = fg.clipped.format(
                n=fmt_number(len(beyond), lang), clip=fmt_quantity(change_clip, "ha", lang),
                name=f"{top['municipality']} ({top['department']})",
                value=fmt_quantity(top["change_ha"], "ha", lang, signed=True))
        out["map_change"] = (fig, title, 620, note)
    return out


def _figure_json(fig: Any) -> str:
    if isinstance(fig, dict):  # maps: already plain JSON types
        return json.dumps(fig, ensure_ascii=False, separators=(",", ":"))
    return pio.to_json(fig, validate=False, remove_uids=True)


def _share_features(figs: dict[str, Any], features: dict[str, int]) -> dict[str, Any]:
    """Return the map figures with each GeoJSON feature replaced by its number in ``features``.

    The maps of a page draw the same municipalities and departments; the page carries each
    feature once (``FEATURES`` in the template) and rebuilds every trace's FeatureCollection
    from the numbers. ``features`` (feature JSON -> number) is filled in as features are seen.
    """
    out = {}
    for key, fig in figs.items():
        if not isinstance(fig, dict):
            out[key] = fig
            continue
        data = []
        for trace in fig.get("data", []):
            gj = trace.get("geojson")
            if isinstance(gj, dict) and gj.get("type") == "FeatureCollection":
                refs = [features.setdefault(json.dumps(f, ensure_ascii=False, separators=(",", ":")), len(features))
                        for f in gj["features"]]
                trace = {**trace, "geojson": {"cocamonitorFeatures": refs}}
            data.append(trace)
        out[key] = {**fig, "data": data}
    return out
