"""The JSON API under ``/api``: datasets, map values, national series, trends, territory, indicators.

Numbers are numbers and missing values ``null``; lists of rows are lists of records, as in the
command line's ``--format json``. Bad input gives 422 (or 404 for an unknown name) with a
one-line ``{"detail": ...}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from cocamonitor import datasets
from cocamonitor.commands._common import to_jsonable
from cocamonitor.errors import UnknownNameError
from cocamonitor.indicators import MIN_COCA_HA
from cocamonitor.web import state

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])

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
    from cocamonitor.commands.data import _with_names, filter_table

    if name == "coca-national":
        df = datasets.national_figures(as_of=as_of, vintage=vintage)
    elif as_of is not None or vintage != "latest":
        from cocamonitor.errors import InputError

        raise InputError(f"dataset {name!r} has one release", where="as_of",
                         hint="as_of and vintage apply to coca-national")
    else:
        df = datasets.load(name)
    df = filter_table(name, df, year=year, department=department, municipality=municipality)
    return to_jsonable(_with_names(df).reset_index(drop=True))


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
    picked = {(s, m): datasets.national_series(s, m, as_of=as_of, vintage=vintage) for s, m in state.SERIES_KEYS}
    cites = {f"{s}_{m}": {str(k): f"{ser.attrs['publications'][k]} ({ser.attrs['releases'][k]}), {url}"
                          for k, url in ser.attrs["citations"].items()}
             for (s, m), ser in picked.items()}
    releases = {f"{s}_{m}": {"vintage": ser.attrs["vintage"], "as_of": ser.attrs["as_of"],
                             "released": {str(k): v for k, v in ser.attrs["releases"].items()},
                             "seen_via": {str(k): v for k, v in ser.attrs["seen_via"].items()},
                             "breaks": ser.attrs["breaks"]}
                for (s, m), ser in picked.items()}
    return {
        "series": to_jsonable(state.national_table(as_of=as_of, vintage=vintage)),
        "releases": releases,
        "units": {"simci_municipal_sum": "ha", "unodc_area": "ha", "us_area": "ha",
                  "unodc_production": "t", "us_production": "t"},
        "citations": cites,
        "production_estimate": to_jsonable(state.production_table()),
        "production_settings": {"draws": state.PRODUCTION_DRAWS, "seed": state.PRODUCTION_SEED,
                                "confidence": 0.95, "quantity": "hydrochloride_t"},
    }


@router.get("/trend", summary="Trend tests of a national series (as `cocamonitor trend test --format json`)")
def trend(
    source: Annotated[str, Query(description="unodc or us.")] = "unodc",
    metric: Annotated[str, Query(description="area or production.")] = "area",
    years: Annotated[str | None, Query(description="Range of years, e.g. 2010-2021.")] = None,
    skip_missing: Annotated[bool, Query(description="Accept years missing inside the range.")] = False,
    as_of: AsOfQuery = None,
    vintage: VintageQuery = "latest",
) -> dict[str, Any]:
    """Mann-Kendall, Theil-Sen, linear trend and Pettitt: the same document as the command line."""
    state.check_choice(str(source).lower(), SOURCES, "source")
    state.check_choice(str(metric).lower(), METRICS, "metric")
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
            "(as `cocamonitor indicators show --format json`)")
def indicators(
    years: Annotated[str | None, Query(description="One year (2024) or a range (2015-2024).")] = None,
    by: Annotated[str, Query(description="national, department or pdet-subregion.")] = "national",
    indicator: Annotated[str | None, Query(description="Comma-separated indicator names.")] = None,
    min_coca_ha: Annotated[float, Query(description="Hide ratios where coca is below this (ha).")] = MIN_COCA_HA,
) -> dict[str, Any]:
    """One record per (territory, year, indicator, source), with notes and provenance."""
    from cocamonitor.commands.indicators import indicators_document

    _, doc = indicators_document(years, by, indicator, min_coca_ha=min_coca_ha,
                                 option={"years": "years", "by": "by", "indicator": "indicator",
                                         "min_coca_ha": "min_coca_ha"})
    return to_jsonable(doc)
