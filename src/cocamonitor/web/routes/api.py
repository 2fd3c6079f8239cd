"""The JSON API under ``/api``: datasets, map values, national series, trends, territory, indicators.

Numbers are numbers and missing values ``null``; lists of rows are lists of records, as in the
command line's ``--format json``. Bad input gives 422 (or 404 for an unknown name) with a
one-line ``{"detail": ...}``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from cocamonitor import datasets
from cocamonitor.documents.jsonable import to_jsonable
from cocamonitor.errors import UnknownNameError
from cocamonitor.indicators import MIN_COCA_HA
from cocamonitor.web import state
from cocamonitor.web.errors import ERROR_RESPONSES

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"], responses=ERROR_RESPONSES)

SOURCES = ("unodc", "us")
METRICS = ("area", "production")

YearPath = Annotated[int, Path(description="Census year, e.g. 2024.")]


AsOfQuery = Annotated[
    str | None,
    Query(description="National figures as known on this date (YYYY-MM-DD): the latest release on or before it."),
]
VintageQuery = Annotated[
    str, Query(description="Which release of each year's national figure: latest, first or as-of.")
]


@router.get("/datasets", summary="List the bundled datasets")
def list_datasets() -> list[dict[str, str]]:
    """Name and description of every bundled dataset (as ``cocamonitor data list``)."""
    return [{"name": k, "description": v} for k, v in datasets.DATASETS.items()]


@router.get("/datasets/{name}", summary="Rows of one bundled dataset, optionally filtered")
def show_dataset(
    name: Annotated[str, Path(description="Dataset name, e.g. coca-municipal.")],
    year: Annotated[str | None, Query(description="Year, list (2019,2020) or range (2015-2020).")] = None,
    department: Annotated[str | None, Query(description="Department name or 2-digit code.")] = None,
    municipality: Annotated[str | None, Query(description="Municipality name or DIVIPOLA code.")] = None,
    as_of: AsOfQuery = None,
    vintage: VintageQuery = "latest",
) -> list[dict[str, Any]]:
    """Return the same rows, with the same filters, as ``cocamonitor data show NAME --format json``."""
    from cocamonitor.documents.tables import filter_table, with_territory_names

    if name == "coca-national":
        df = datasets.national_figures(as_of=as_of, vintage=vintage)
    elif as_of is not None or vintage != "latest":
        from cocamonitor.errors import InputError

        raise InputError(f"dataset {name!r} has one release", where="as_of",
                         hint="as_of and vintage apply to coca-national")
    else:
        df = datasets.load(name)
    df = filter_table(name, df, year=year, department=department, municipality=municipality)
    return to_jsonable(with_territory_names(df).reset_index(drop=True))


@router.get("/coca/{year}", summary="Coca hectares by municipality in one census year (map values)")
def coca_year(year: YearPath) -> dict[str, Any]:
    """Every municipality with coca in some census year, and its hectares in ``year``.

    ``hectares`` is ``null`` where the census reported no coca (it counts as 0 in sums).
    """
    v = state.year_values(year)
    return {"year": int(year), "unit": "ha", "total_ha": float(v["hectares"].sum()),
            "municipalities_with_coca": int((v["hectares"] > 0).sum()), "values": to_jsonable(v)}


@router.get("/compare", summary="Change by municipality between two census years")
def compare(
    year_from: Annotated[int, Query(alias="from", description="Earlier year.")],
    year_to: Annotated[int, Query(alias="to", description="Later year.")],
) -> dict[str, Any]:
    """``hectares_from``, ``hectares_to`` and ``change_ha`` of every map municipality (blank = 0)."""
    c = state.compare_values(year_from, year_to)
    return {"from": year_from, "to": year_to, "unit": "ha", "values": to_jsonable(c)}


@router.get("/national", summary="National series (UNODC, US, SIMCI sum) and the production estimate")
def national(as_of: AsOfQuery = None, vintage: VintageQuery = "latest") -> dict[str, Any]:
    """Return the published national series side by side and cocamonitor's hydrochloride estimate by year.

    Each figure is cited by its primary publication and release date first, then the page where it was seen.
    """
    from cocamonitor.documents.national import national_document

    return national_document(as_of=as_of, vintage=vintage)


@router.get("/trend", summary="Trend tests of a national series (as `cocamonitor trend test --format json`)")
def trend(
    source: Annotated[str, Query(description="unodc or us.")] = "unodc",
    metric: Annotated[str, Query(description="area or production.")] = "area",
    years: Annotated[str | None, Query(description="Range of years, e.g. 2010-2021 (default: the longest "
                                                "run of consecutive years of the series).")] = None,
    skip_missing: Annotated[bool, Query(description="Accept years missing inside the range.")] = False,
    as_of: AsOfQuery = None,
    vintage: VintageQuery = "latest",
) -> dict[str, Any]:
    """Mann-Kendall, Theil-Sen, linear trend and Pettitt: the same document as the command line.

    Without ``years`` (and without ``skip_missing``) the series' longest run of consecutive
    years is tested, so that the defaults always answer (UNODC has no 2008 figure, for one).
    """
    state.check_choice(str(source).lower(), SOURCES, "source")
    state.check_choice(str(metric).lower(), METRICS, "metric")
    if years is None and not skip_missing:
        from cocamonitor.trends.summary import longest_run, national_series_checked

        series, _ = national_series_checked(source, metric, as_of=as_of, vintage=vintage)
        lo, hi = longest_run(series.dropna().index)
        years = f"{lo}-{hi}"
    return state.trend_document(source, metric, years, skip_missing=skip_missing, as_of=as_of, vintage=vintage)


@router.get("/production/{year}", summary="Production estimate of one census year, with intervals")
def production(year: YearPath) -> dict[str, Any]:
    """Production JSON contract for ``year`` using the preset nearest to it (see ``area_source``)."""
    return to_jsonable(state.production_for_year(year).to_dict())


@router.get("/municipality/{code}", summary="Profile of one municipality: series and trend class")
def municipality(code: Annotated[str, Path(description="DIVIPOLA code or name.")]) -> dict[str, Any]:
    """Registry facts, hectares by census year and the panel trend class (Benjamini-Hochberg)."""
    return to_jsonable(state.municipality(code))


@router.get("/territory", summary="Find municipalities by name or code")
def territory(q: Annotated[str, Query(min_length=1, description="Name (accents optional) or code.")]) -> list[dict]:
    """Return the matching rows of the DIVIPOLA registry (as ``cocamonitor territory find``)."""
    from cocamonitor.territory import find, lookup

    hits = find(q)
    if hits.empty:
        lookup(q)  # raises UnknownNameError with the closest names
        raise UnknownNameError(f"no municipality matches {q!r}", where="q")  # pragma: no cover
    return to_jsonable(hits.reset_index(drop=True))


@router.get("/indicators", summary="Counternarcotics results by year, indicator and source "
            "(as `cocamonitor indicators show --format json`)", response_model=dict[str, Any])
def indicators(
    years: Annotated[str | None, Query(description="One year (2024) or a range (2015-2024).")] = None,
    by: Annotated[str, Query(description="national, department or pdet-subregion.")] = "national",
    indicator: Annotated[str | None, Query(description="Comma-separated indicator names.")] = None,
    min_coca_ha: Annotated[float, Query(description="Hide ratios where coca is below this (ha).")] = MIN_COCA_HA,
    request: Request = None,  # type: ignore[assignment]  # injected by FastAPI
) -> Response:
    """One record per (territory, year, indicator, source), with notes and provenance."""
    key = (years, by, indicator, float(min_coca_ha))
    if request is not None and "gzip" in request.headers.get("accept-encoding", ""):
        return Response(_indicators_gzip(*key), media_type="application/json",
                        headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Response(_indicators_json(*key), media_type="application/json")


@lru_cache(maxsize=64)
def _indicators_gzip(years: str | None, by: str, indicator: str | None, min_coca_ha: float) -> bytes:
    """Return :func:`_indicators_json` compressed once (not per request, as a middleware would)."""
    import gzip

    return gzip.compress(_indicators_json(years, by, indicator, min_coca_ha), compresslevel=6, mtime=0)


@lru_cache(maxsize=64)
def _indicators_json(years: str | None, by: str, indicator: str | None, min_coca_ha: float) -> bytes:
    """Return the indicators document as JSON bytes, computed once per distinct query."""
    import json

    from cocamonitor.documents.indicators import indicators_document

    _, doc = indicators_document(years, by, indicator, min_coca_ha=min_coca_ha)
    return json.dumps(to_jsonable(doc), ensure_ascii=False, allow_nan=False).encode("utf-8")


@router.get("/grid/{year}", summary="The imported SIMCI 1 km grid in one year (cells with coca)")
def grid_year(year: Annotated[int, Path(description="Year of the imported grid, e.g. 2023.")]) -> dict[str, Any]:
    """Cells with coca in ``year`` of the grid imported with ``cocamonitor data import simci-grid``.

    Each cell: ``cell`` (grilla1), ``lon``, ``lat`` (centre), ``coca_ha``. 422 when no grid was
    imported (the detail says how) or the year is not in it.
    """
    from pyproj import Transformer

    from cocamonitor.errors import InputError
    from cocamonitor.importers.simci_grid import load_imported_grid

    grid = load_imported_grid()
    if grid is None:
        raise InputError("no SIMCI grid imported", where="year",
                         hint="import it with `cocamonitor data import simci-grid FILE` (datos.gov.co v3rx-q7t3)")
    if year not in grid.years:
        raise InputError(f"year {year} is not in the imported SIMCI grid", where="year",
                         hint=f"years: {grid.years[0]}-{grid.years[-1]}")
    k = grid.years.index(year)
    ha = grid.coca_matrix()[:, k]
    has = np.isfinite(ha) & (ha > 0)
    spec = grid.lattice.grid_spec()
    rows, cols = grid.cells["row"].to_numpy()[has], grid.cells["col"].to_numpy()[has]
    x = spec.x0 + (cols + 0.5) * spec.cell
    y = spec.y0 - (rows + 0.5) * spec.cell
    lon, lat = Transformer.from_crs(spec.crs, "EPSG:4326", always_xy=True).transform(x, y)
    cells = {"cell": grid.cells["cell"].to_numpy()[has], "lon": lon, "lat": lat, "coca_ha": ha[has]}
    return {"year": int(year), "unit": "ha", "dataset": "v3rx-q7t3", "cell_m": spec.cell,
            "total_ha": float(np.nansum(ha)), "cells": to_jsonable(pd.DataFrame(cells))}


@router.get("/territories/{year}", summary="Coca of the imported grid in the registered territory layers")
def territories_year(year: Annotated[int, Path(description="Year of the imported grid.")]) -> dict[str, Any]:
    """As ``cocamonitor territories coca --layer <all registered> --years YEAR --format json``."""
    from cocamonitor.errors import InputError
    from cocamonitor.importers.simci_grid import load_imported_grid
    from cocamonitor.territories import coca_in_territories, layers, load_layer

    grid = load_imported_grid()
    names = layers()
    if grid is None or not names:
        raise InputError("no SIMCI grid or no territory layer imported", where="year",
                         hint="`cocamonitor data import simci-grid FILE` and `cocamonitor territories add ...`")
    if year not in grid.years:
        raise InputError(f"year {year} is not in the imported SIMCI grid", where="year",
                         hint=f"years: {grid.years[0]}-{grid.years[-1]}")
    years = [y for y in (year - 1, year) if y in grid.years]
    res = coca_in_territories({n: load_layer(n) for n in names}, grid, years=years)
    doc = res.to_dict()
    doc["territories"] = [r for r in doc["territories"] if r["year"] == year]
    doc["overlaps"] = [r for r in doc["overlaps"] if r["year"] == year]
    return to_jsonable(doc)
