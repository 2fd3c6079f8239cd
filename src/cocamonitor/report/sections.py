"""Report sections computed by other modules: trend tests and potential production.

Trend tests come from :mod:`cocamonitor.trends`, production from :mod:`cocamonitor.production`.
Each section is a plain dict in ``ReportData.extras`` (language-neutral numbers and tables);
a module that is not installed or cannot say anything for the year leaves its section out,
and the report marks it as not available rather than inventing it.

Examples
--------
>>> import pandas as pd
>>> from cocamonitor.report.build import ReportInputs
>>> sec = trend_section(2021, ReportInputs.example())
>>> sec["change"]["critical_relative_error"] > 0
True

"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cocamonitor.errors import CocamonitorError

__all__ = ["TREND_WINDOW", "extra_sections", "production_section", "trend_section"]

#: Years of the census series (ending at the report year) whose trend the summary reports.
TREND_WINDOW = 10

#: Production preset and Monte Carlo settings used by the report (fixed: the report is
#: reproducible to the digit).
PRODUCTION_PRESET = "unodc-2020"
PRODUCTION_DRAWS = 100_000
PRODUCTION_SEED = 20240101


def _census_series(inputs: Any, year: int) -> pd.Series:
    mun = inputs.municipal
    s = mun[mun["year"] <= year].groupby("year")["hectares"].sum()
    s.attrs = {"unit": "ha"}
    return s.astype(float)


def _trend_row(key: str, series: pd.Series, unit: str) -> dict[str, Any] | None:
    from cocamonitor.trends.summary import trend_summary

    series = series.dropna()
    if len(series) < 3:
        return None
    summary = trend_summary(series, skip_missing=True)  # the same tests as `trend test`
    mk, ts = summary.mann_kendall, summary.theil_sen
    return {
        "series": key,
        "first": int(series.index.min()),
        "last": int(series.index.max()),
        "n": int(mk.n),
        "missing_years": ", ".join(map(str, mk.missing_years)),
        "s": int(mk.s),
        "tau": float(mk.tau),
        "p_value": float(mk.p),
        "p_exact": mk.p_exact is not None,
        "trend": mk.trend,
        "slope": float(ts.slope),
        "slope_ci_low": float(ts.ci[0]),
        "slope_ci_high": float(ts.ci[1]),
        "unit": unit,
    }


def trend_section(year: int, inputs: Any) -> dict[str, Any]:
    """Trend tests of the national series up to ``year`` and the UNODC/US comparison.

    Returns
    -------
    dict
        ``summary`` (Mann-Kendall and Theil-Sen of the census over the last
        :data:`TREND_WINDOW` years), ``table`` (one row per series), ``change`` (how large the
        census's error could be for the change from the year before to stay significant),
        ``comparison`` (UNODC vs US area, year by year) and ``disagree_steps``.

    """
    from cocamonitor.trends import census_sensitivity, compare_series

    census = _census_series(inputs, year)
    rows = [
        _trend_row("simci_window", census.loc[year - TREND_WINDOW + 1 : year], "ha"),
        _trend_row("simci_all", census, "ha"),
    ]
    published = {k: v[v.index <= year] for k, v in inputs.series.items()}
    for key, unit in (("unodc_area", "ha"), ("us_area", "ha"),
                      ("unodc_production", "t"), ("us_production", "t")):
        if key in published:
            rows.append(_trend_row(key, published[key], unit))
    columns = ["series", "first", "last", "n", "missing_years", "s", "tau", "p_value", "p_exact",
               "trend", "slope", "slope_ci_low", "slope_ci_high", "unit"]
    table = pd.DataFrame([r for r in rows if r is not None], columns=columns)
    out: dict[str, Any] = {"table": table}
    window = table[table["series"] == "simci_window"]
    if len(window):
        w = window.iloc[0]
        out["summary"] = {"first": int(w["first"]), "last": int(w["last"]),
                          "trend": w["trend"], "p_value": float(w["p_value"]),
                          "slope": float(w["slope"])}
    if (year - 1) in census.index:
        sens = census_sensitivity(float(census[year - 1]), float(census[year]))
        out["change"] = {"critical_relative_error": float(sens.critical_relative_error),
                         "confidence": float(sens.confidence)}
    if "unodc_area" in published and "us_area" in published:
        try:
            cmp = compare_series(published["unodc_area"], published["us_area"],
                                 names=("unodc", "us"))
        except CocamonitorError:
            cmp = None
        if cmp is not None:
            out["comparison"] = cmp.to_frame()
            out["disagree_steps"] = list(cmp.disagree_steps)
            out["compared_steps"] = int(cmp.table["prev_year"].notna().sum())
            out["agreement_share"] = cmp.agreement_share
    return out


def _nearest_preset(year: int) -> str | None:
    from cocamonitor.production import list_presets

    dated = []
    for name in list_presets():
        publisher, _, y = name.rpartition("-")
        if publisher == "unodc" and y.isdigit():
            dated.append((abs(int(y) - year), -int(y), name))
    return min(dated)[2] if dated else None


def production_section(year: int, inputs: Any) -> dict[str, Any] | None:
    """Potential cocaine hydrochloride for ``year``: Monte Carlo interval and sensitivity.

    The chain's parameters come from the bundled UNODC preset nearest in time to ``year``
    (parameters are published only for a few years), the area is the census total of
    ``year``. Returns ``None`` if :mod:`cocamonitor.production` is not available.
    """
    try:
        from cocamonitor.production import load_preset, monte_carlo
        from cocamonitor.production.params import area_spec
    except ImportError:  # pragma: no cover - production is part of the package
        return None
    preset = _nearest_preset(year)
    if preset is None:  # pragma: no cover
        return None
    census = _census_series(inputs, year)
    area = float(census[year])
    model = load_preset(preset).with_areas(
        (area_spec("Colombia", area, None, citation=f"SIMCI census {year}, sum of municipalities"),)
    )
    est = monte_carlo(model, draws=PRODUCTION_DRAWS, seed=PRODUCTION_SEED, preset=preset)
    hcl = est.national["hydrochloride_t"]
    published = inputs.series.get("unodc_production")
    pub = float(published[year]) if published is not None and year in published.index else None
    quantities = est.to_frame()
    quantities = quantities[quantities["region"] == "national"].drop(columns="region")
    sens = est.sensitivity.to_frame() if est.sensitivity is not None else pd.DataFrame()
    preset_year = int(preset.rpartition("-")[2])
    # the latest UNODC figure computed with newer productivity than the preset's: the summary
    # must say the estimate is not comparable with it (else a fall in production is read in)
    later = None
    if pub is None and published is not None:
        newer = published[(published.index > preset_year) & (published.index <= year)].dropna()
        if len(newer):
            later = {"year": int(newer.index.max()), "value": float(newer[newer.index.max()])}
    return {
        "summary": {
            "point": float(hcl.point), "mean": float(hcl.mean), "median": float(hcl.median),
            "lo": float(hcl.ci_low), "hi": float(hcl.ci_high),
            "confidence": float(est.confidence),
            "preset": preset, "preset_year": preset_year, "draws": int(est.draws),
            "seed": est.seed, "area": area, "published": pub, "later_published": later,
            "per_ha_kg": 1000.0 * float(hcl.point) / area if area else float("nan"),
        },
        "quantities": quantities.reset_index(drop=True),
        "sensitivity": sens,
        "tables": {"production": quantities.reset_index(drop=True),
                   "production_sensitivity": sens},
    }


def density_section(
    raster: str | Path, year: int, *, coca_classes: tuple[int, ...] = (1,), cell: float = 1000.0
) -> dict[str, Any]:
    """Coca density on a ``cell``-metre grid from a classified map of ``year``.

    Parameters
    ----------
    raster : path
        Integer GeoTIFF in a projected CRS; pixels of ``coca_classes`` are coca.
    year : int
        The year the map shows (the report's year).
    coca_classes : tuple of int
        Map values that mean coca.
    cell : float
        Grid cell in metres (SIMCI publishes 1 km density maps).

    Returns
    -------
    dict
        ``grid`` (:class:`cocamonitor.grid.DensityGrid`), ``source`` (file name), ``cells``
        (long table of cells with coca, with lon/lat of the centre), totals.

    """
    from pyproj import Transformer

    from cocamonitor.grid import density_from_rasters

    grid = density_from_rasters([raster], years=[year], coca_classes=coca_classes, cell=cell)
    cells = grid.to_frame()
    cells = cells[cells["coca_ha"] > 0].reset_index(drop=True)
    to_ll = Transformer.from_crs(grid.grid.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform(cells["x"].to_numpy(), cells["y"].to_numpy())
    cells["lon"], cells["lat"] = lon, lat
    return {
        "grid": grid,
        "source": Path(raster).name,
        "cell_m": float(cell),
        "coca_classes": list(coca_classes),
        "cells": cells,
        "total_ha": float(grid.coca_ha.sum()),
        "n_cells": int(len(cells)),
        "max_density": float(cells["density_ha_km2"].max()) if len(cells) else 0.0,
    }


def extra_sections(
    year: int, inputs: Any, *, density_raster: str | Path | None = None,
    coca_classes: tuple[int, ...] = (1,),
) -> dict[str, Any]:
    """Return every section from other modules that is available.

    ``trends`` and ``production`` always (when the modules are installed), ``density`` when a
    map raster is given, and ``tables`` (extra CSV tables by file stem).
    """
    out: dict[str, Any] = {}
    if density_raster is not None:
        out["density"] = density_section(density_raster, year, coca_classes=coca_classes)
    try:
        out["trends"] = trend_section(year, inputs)
    except ImportError:  # pragma: no cover - trends is part of the package
        pass
    prod = production_section(year, inputs)
    if prod is not None:
        out["production"] = prod
    tables: dict[str, pd.DataFrame] = {}
    if "trends" in out:
        tables["trend_tests"] = out["trends"]["table"]
        if "comparison" in out["trends"]:
            tables["unodc_vs_us"] = out["trends"]["comparison"]
    if prod is not None:
        tables.update(prod.get("tables", {}))
    if "density" in out:
        tables["density_grid"] = out["density"]["cells"]
    out["tables"] = tables
    return out
