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

import numpy as np
import pandas as pd

from cocamonitor.errors import CocamonitorError, InputError

__all__ = [
    "RESULTS_COLUMNS",
    "TREND_WINDOW",
    "extra_sections",
    "production_section",
    "results_section",
    "trend_section",
]

#: Years of the census series (ending at the report year) whose trend the summary reports.
TREND_WINDOW = 10

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
    from cocamonitor.trends.pettitt import pettitt

    summary = trend_summary(series, skip_missing=True)  # the same tests as `trend test`
    mk, ts = summary.mann_kendall, summary.theil_sen
    pt = pettitt(series, missing="skip")
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
        # the two tests can disagree (Mann-Kendall's p uses the ranks of all pairs, the slope's
        # interval a different approximation): both verdicts are reported
        "slope_ci_excludes_zero": bool(ts.ci[0] > 0 or ts.ci[1] < 0),
        "pettitt_first_year_after": int(pt.first_year_after),
        "pettitt_p": float(pt.p_value),
        "pettitt_shift": pt.shift,
    }


def trend_section(year: int, inputs: Any) -> dict[str, Any]:
    """Trend tests of the national series up to ``year`` and the UNODC/US comparison.

    Returns
    -------
    dict
        ``summary`` (Mann-Kendall and Theil-Sen of the census over the last
        :data:`TREND_WINDOW` years), ``table`` (one row per series), ``change`` (how large the
        census's error could be for the change from the year before to stay significant),
        ``comparison`` (UNODC vs US area, year by year), ``disagree_steps`` (opposite moves)
        and ``flat_steps`` (one series unchanged: no direction to compare).

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
               "trend", "slope", "slope_ci_low", "slope_ci_high", "unit", "slope_ci_excludes_zero",
               "pettitt_first_year_after", "pettitt_p", "pettitt_shift"]
    table = pd.DataFrame([r for r in rows if r is not None], columns=columns)
    out: dict[str, Any] = {"table": table}
    window = table[table["series"] == "simci_window"]
    if len(window):
        w = window.iloc[0]
        out["summary"] = {"first": int(w["first"]), "last": int(w["last"]),
                          "trend": w["trend"], "p_value": float(w["p_value"]),
                          "slope": float(w["slope"])}
    # series whose two verdicts differ (no Mann-Kendall trend, slope interval without zero,
    # or the reverse): the report explains why in one sentence
    differ = table["trend"].eq("no trend") == table["slope_ci_excludes_zero"]
    out["verdicts_differ"] = table.loc[differ, "series"].tolist()
    change_points = table[table["pettitt_p"] < 0.05]
    out["change_points"] = {r["series"]: (int(r["pettitt_first_year_after"]), float(r["pettitt_p"]))
                            for r in change_points.to_dict("records")}
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
            out["flat_steps"] = list(cmp.flat_steps)
            out["break_steps"] = list(cmp.break_steps)
            out["compared_steps"] = int(cmp.table["prev_year"].notna().sum())
            out["agreement_share"] = cmp.agreement_share
    return out


def production_section(year: int, inputs: Any, *, as_of: str | None = None) -> dict[str, Any] | None:
    """Potential cocaine hydrochloride for ``year`` and the year before, like for like, in both scenarios.

    Both scenarios of :mod:`cocamonitor.production.scenarios` (``preset``: the latest preset's
    productivity; ``implied``: UNODC's latest published hydrochloride per hectare) run on the
    census areas of the two years with the same draws, seed and statistic, so a change in tonnes
    is a change in area, never a change of parameters. The summary quotes the scenario
    :func:`~cocamonitor.production.scenarios.quoted_scenario` names, and says why.
    """
    from cocamonitor.production.scenarios import (
        SCENARIOS,
        SHARED_DRAWS,
        SHARED_SEED,
        like_for_like,
        quoted_scenario,
    )

    census = _census_series(inputs, year)
    if year not in census.index:  # pragma: no cover - the report year is a census year
        return None
    prev = year - 1 if year - 1 in census.index else None
    runs: dict[str, tuple[Any, ...]] = {}
    for name in SCENARIOS:
        try:
            if prev is None:
                from cocamonitor.production.scenarios import estimate_year

                runs[name] = (None, estimate_year(year, name, area_ha=float(census[year]), as_of=as_of,
                                                  draws=SHARED_DRAWS, seed=SHARED_SEED))
            else:
                runs[name] = like_for_like((prev, year), (float(census[prev]), float(census[year])), name,
                                           as_of=as_of, draws=SHARED_DRAWS, seed=SHARED_SEED)
        except CocamonitorError:  # no published pair by as_of: the implied scenario is left out
            continue
    quoted, reason = quoted_scenario(year, as_of=as_of)
    if quoted not in runs:
        quoted, reason = "preset", "preset_current"
    before, cur = runs[quoted]
    est = cur.estimate
    hcl = est.national["hydrochloride_t"]
    published = inputs.series.get("unodc_production")
    pub = float(published[year]) if published is not None and year in published.index else None
    quantities = est.to_frame()
    quantities = quantities[quantities["region"] == "national"].drop(columns="region")
    sens = est.sensitivity.to_frame() if est.sensitivity is not None else pd.DataFrame()
    preset_year = int(cur.preset.rpartition("-")[2])
    later = None
    if pub is None and published is not None:
        newer = published[(published.index > preset_year) & (published.index <= year)].dropna()
        if len(newer):
            later = {"year": int(newer.index.max()), "value": float(newer[newer.index.max()])}
    rows = []
    for name, (a, b) in runs.items():
        for r in (a, b):
            if r is None:
                continue
            h = r.estimate.national["hydrochloride_t"]
            rows.append({"scenario": name, "year": r.year, "preset": r.preset, "area_ha": r.area_ha,
                         "point": h.point, "median": h.median, "ci_low": h.ci_low, "ci_high": h.ci_high,
                         "kg_per_ha": 1000.0 * h.point / r.area_ha if r.area_ha else float("nan"),
                         "quoted": name == quoted})
    scenarios = pd.DataFrame(rows)
    imp = runs.get("implied", (None, None))[1]
    summary = {
        "point": float(hcl.point), "mean": float(hcl.mean), "median": float(hcl.median),
        "lo": float(hcl.ci_low), "hi": float(hcl.ci_high),
        "confidence": float(est.confidence), "scenario": quoted, "reason": reason,
        "preset": cur.preset, "preset_year": preset_year, "draws": int(est.draws),
        "seed": est.seed, "area": float(census[year]), "published": pub, "later_published": later,
        "per_ha_kg": 1000.0 * float(hcl.point) / float(census[year]) if census[year] else float("nan"),
        "previous": None if before is None else {
            "year": before.year, "point": float(before.estimate.national["hydrochloride_t"].point),
            "lo": float(before.estimate.national["hydrochloride_t"].ci_low),
            "hi": float(before.estimate.national["hydrochloride_t"].ci_high)},
        "implied": None if imp is None or imp.implied is None else imp.implied.to_dict(),
        "other": [{"scenario": n, "point": float(b.estimate.national["hydrochloride_t"].point),
                   "lo": float(b.estimate.national["hydrochloride_t"].ci_low),
                   "hi": float(b.estimate.national["hydrochloride_t"].ci_high)}
                  for n, (_, b) in runs.items() if n != quoted],
    }
    return {
        "summary": summary,
        "quantities": quantities.reset_index(drop=True),
        "scenarios": scenarios,
        "sensitivity": sens,
        "tables": {"production": quantities.reset_index(drop=True),
                   "production_scenarios": scenarios,
                   "production_sensitivity": sens},
    }


#: Columns of the results table (``counternarcotics_results.csv``): one row per indicator and
#: source, the year before and the report year side by side (plus :data:`TARGET_COLUMNS` when
#: the user gave targets).
RESULTS_COLUMNS = [
    "indicator", "unit", "source", "publisher", "previous_year", "value_previous", "year", "value",
    "change", "change_pct", "years_with_figures", "note_previous", "note", "citation_previous",
    "citation",
]

#: Columns added to the results table by user-supplied targets (``targets``).
TARGET_COLUMNS = ["direction", "target_previous", "met_previous", "target", "met"]


def _indicator_inputs(inputs: Any) -> Any:
    """Return the report's tables as :class:`cocamonitor.indicators.IndicatorInputs`."""
    from cocamonitor.indicators import IndicatorInputs

    national = getattr(inputs, "national", None)
    if national is None:  # no published national figures: the municipal tables' results only
        national = pd.DataFrame({
            "year": pd.Series(dtype=int), "source_key": pd.Series(dtype=str),
            "source": pd.Series(dtype=str), "metric": pd.Series(dtype=str),
            "value": pd.Series(dtype=float), "unit": pd.Series(dtype=str),
            "citation": pd.Series(dtype=str), "note": pd.Series(dtype="string"),
            "latest": pd.Series(dtype=bool)})
    prov = inputs.provenance
    citations: dict[str, str] = {}
    if "original_source" in prov.columns:
        known = prov.dropna(subset=["original_source"]).set_index("dataset")["original_source"]
        citations = {str(k): str(v) for k, v in known.items()}
    base = IndicatorInputs(municipal=inputs.municipal, national=national, spraying=inputs.spraying,
                           labs=inputs.labs, territories=inputs.territories, citations=citations)
    if getattr(inputs, "national", None) is None:  # a made-up example: its own tables only
        return base
    from cocamonitor.indicators import with_extras

    # the real data: ODC series, heroin, demand, population and what the user imported
    return with_extras(base)


def results_section(year: int, inputs: Any, *, targets: pd.DataFrame | None = None) -> dict[str, Any]:
    """Counternarcotics results of ``year`` and the year before, from :mod:`cocamonitor.indicators`.

    Every indicator of :func:`cocamonitor.indicators.results_table` (national level) with each
    source that has a figure in one of the two years side by side; a missing figure stays NaN
    with the module's note, never 0. ``years_with_figures`` says which years the source (for
    an indicator without any source in these years: any source) has figures for.

    Parameters
    ----------
    year : int
        Report year.
    inputs : ReportInputs
        The report's tables.
    targets : DataFrame, optional
        The user's targets (:func:`cocamonitor.indicators.read_targets`; national only). No
        official targets are bundled: there is no public series.

    Returns
    -------
    dict
        ``table`` (:data:`RESULTS_COLUMNS`, the CSV ``counternarcotics_results.csv``), ``year``,
        ``previous_year`` (``None`` when the data start at ``year``), ``left_out`` (sources with
        figures only in other years: ``indicator, source, publisher, years_with_figures``),
        ``no_data`` (indicators without a figure in either year, left out of the table),
        ``series`` and ``coca`` (one series per indicator and the SIMCI coca area, for the
        small multiples of :mod:`cocamonitor.report.multiples`),
        ``notes`` (the module's caveats of the whole table) and, with targets, ``targets``
        (file name) and ``targets_ignored_years`` (years of the file not in the table).

    Examples
    --------
    >>> from cocamonitor.report.build import ReportInputs
    >>> sec = results_section(2021, ReportInputs.example())
    >>> sec["table"].set_index("indicator").loc["labs_destroyed", ["value_previous", "value"]].tolist()
    [4.0, 7.0]

    """
    from cocamonitor.indicators import INDICATORS, results_table, year_spans

    ind_inputs = _indicator_inputs(inputs)
    previous: int | None = year - 1
    try:
        res = results_table((year - 1, year), inputs=ind_inputs, targets=targets)
    except InputError as err:  # the year before is outside the data: the report year alone
        if err.where != "years":
            raise
        previous = None
        res = results_table((year, year), inputs=ind_inputs, targets=targets)
    long = res.to_frame()
    every = results_table(inputs=ind_inputs).to_frame().dropna(subset=["value"])

    # years with figures, per (indicator, source) and per indicator (any source)
    spans = {k: year_spans(g["year"].to_numpy()) for k, g in every.groupby(["indicator", "source"])}
    numerator = {i.name: (i.numerator or i.name) for i in INDICATORS}
    kind = {i.name: i.kind for i in INDICATORS}
    any_source = {k: year_spans(g["year"].to_numpy()) for k, g in every.groupby("indicator")}

    keys = ["indicator", "source"]
    long = long.assign(source=long["source"].fillna(""))
    cur = long[long["year"] == year].set_index(keys)
    wide = pd.DataFrame(index=long.drop_duplicates(keys).set_index(keys).index)
    wide["unit"] = long.drop_duplicates(keys).set_index(keys)["unit"]
    wide["publisher"] = long.dropna(subset=["publisher"]).drop_duplicates(keys).set_index(keys)["publisher"]
    if previous is not None:
        prev = long[long["year"] == previous].set_index(keys)
        wide["previous_year"] = previous
        wide["value_previous"] = prev["value"]
        wide["note_previous"] = prev["note"]
        wide["citation_previous"] = prev["citation"]
    else:
        wide["previous_year"] = pd.NA
        wide["value_previous"] = np.nan
        wide["note_previous"] = pd.NA
        wide["citation_previous"] = pd.NA
    wide["year"] = year
    wide["value"] = cur["value"]
    wide["note"] = cur["note"]
    wide["citation"] = cur["citation"]
    wide["change"] = cur["change"] if previous is not None else np.nan
    wide["change_pct"] = cur["change_pct"] if previous is not None else np.nan
    wide = wide.reset_index()
    wide["years_with_figures"] = [
        spans.get((i, s), "") if s else any_source.get(numerator[i], "")
        for i, s in zip(wide["indicator"], wide["source"], strict=True)
    ]
    wide["source"] = wide["source"].replace("", pd.NA)
    columns = list(RESULTS_COLUMNS)
    extra: dict[str, Any] = {}
    if targets is not None:
        columns += TARGET_COLUMNS
        by_key = pd.MultiIndex.from_frame(wide[keys].fillna(""))
        now = cur.reindex(by_key)
        before = long[long["year"] == (previous if previous is not None else -1)]
        before = before.set_index(keys).reindex(by_key)  # all NaN without a year before
        wide["direction"] = now["direction"].fillna(before["direction"]).to_numpy()
        wide["target_previous"] = before["target"].to_numpy(dtype=float)
        wide["met_previous"] = pd.array(before["met"].to_numpy(), dtype="boolean")
        wide["target"] = now["target"].to_numpy(dtype=float)
        wide["met"] = pd.array(now["met"].to_numpy(), dtype="boolean")
        shown_years = {year} | ({previous} if previous is not None else set())
        extra = {"targets": str(targets.attrs.get("source", "")),
                 "targets_ignored_years": sorted(int(y) for y in set(targets["year"]) - shown_years)}
    wide = wide[columns]

    shown = set(zip(long["indicator"], long["source"], strict=True))
    pairs = every.drop_duplicates(keys)
    gone = pairs[[(i, s) not in shown for i, s in zip(pairs["indicator"], pairs["source"], strict=True)]]
    left_out = [
        {"indicator": i, "source": s, "publisher": p, "years_with_figures": spans[(i, s)]}
        for i, s, p in zip(gone["indicator"], gone["source"], gone["publisher"], strict=True)
        if kind[i] == "reported"  # a ratio's missing source is its numerator's, listed already
    ]
    # an indicator without a figure in either year is named once, not a row of dashes
    empty = wide.groupby("indicator", sort=False)[["value", "value_previous"]].transform(
        lambda c: c.notna().any()).any(axis=1)
    no_data = list(dict.fromkeys(wide.loc[~empty.to_numpy(), "indicator"]))
    wide = wide[empty.to_numpy()].reset_index(drop=True)
    from cocamonitor.report.multiples import results_series

    series, coca = results_series(every, last_year=year)
    return {"table": wide, "year": year, "previous_year": previous, "left_out": left_out,
            "no_data": no_data, "series": series, "coca": coca, "notes": list(res.notes), **extra}


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
    coca_classes: tuple[int, ...] = (1,), targets: pd.DataFrame | None = None, as_of: str | None = None,
) -> dict[str, Any]:
    """Return every section from other modules that is available.

    ``trends`` and ``production`` always (when the modules are installed), ``results`` (the
    counternarcotics results table; compared with ``targets`` when given), ``density`` when a
    map raster is given, and ``tables`` (extra CSV tables by file stem).
    """
    out: dict[str, Any] = {}
    # first: targets that do not fit the table fail before the longer sections are computed
    out["results"] = results_section(year, inputs, targets=targets)
    if density_raster is not None:
        out["density"] = density_section(density_raster, year, coca_classes=coca_classes)
    else:
        from cocamonitor.report.forest_section import imported_density_section

        imported = imported_density_section(year)
        if imported is not None:
            out["density"] = imported
    try:
        out["trends"] = trend_section(year, inputs)
    except ImportError:  # pragma: no cover - trends is part of the package
        pass
    prod = production_section(year, inputs, as_of=as_of)
    if prod is not None:
        out["production"] = prod
    from cocamonitor.report.forest_section import forest_section

    out["forest"] = forest_section(year)
    tables: dict[str, pd.DataFrame] = {"counternarcotics_results": out["results"]["table"]}
    if "trends" in out:
        tables["trend_tests"] = out["trends"]["table"]
        if "comparison" in out["trends"]:
            tables["unodc_vs_us"] = out["trends"]["comparison"]
    if prod is not None:
        tables.update(prod.get("tables", {}))
    if "density" in out:
        tables["density_grid"] = out["density"]["cells"]
    from cocamonitor.report.evaluation import evaluation_section

    out["evaluation"] = evaluation_section(year, inputs)  # "Did the programmes work?" (issue 12)
    tables.update(out["evaluation"]["tables"])
    if out["forest"] is not None and out["forest"].get("table") is not None:
        tables["territories_coca"] = out["forest"]["table"]
    out["tables"] = tables
    out["as_of"] = as_of
    return out
