"""Bundled real datasets with their provenance.

The files under ``cocamonitor/data/`` are built by ``scripts/build_data.py`` from the raw
public files; ``load("provenance")`` says who published each one, where it came from and its
caveats.

=================  ===========================================================================
name               content
=================  ===========================================================================
coca-municipal     SIMCI coca hectares on 31 December by municipality, 2001-2024 (long form)
coca-national      national figures (area, production, yields, results), every release of each
national-breaks    methodology breaks in the national series, with the release that made them
odc-national       ODC national series 1999-2018: area, manual eradication, seizures by substance
population         DANE municipal population projections, 2012-2024
territories        DIVIPOLA registry: 1,122 municipalities, departments, PDET membership
pdet               the 170 PDET municipalities and their 16 subregions
zonas-futuro       the five Zonas Futuro (names only: membership is not public)
spraying           aerial spraying (ha) by municipality and year, 2003-2015 (MinDefensa)
labs               drug-production infrastructure destroyed (count), 2010-2024 (MinDefensa)
heroin-seizures    heroin seized (kg) by municipality and year, 2010-2024 (MinDefensa)
provenance         publisher, source, retrieval, licence and caveats of every dataset
=================  ===========================================================================

In ``coca-municipal`` a missing ``hectares`` value means "no coca reported". The SIMCI census
covers the whole country, so such a value counts as 0 in every sum cocamonitor makes, but it is
kept distinct from a reported 0 in the table itself.

Examples
--------
>>> from cocamonitor import datasets
>>> coca = datasets.load("coca-municipal")
>>> round(coca.loc[coca.year == 2020, "hectares"].sum())
142784
>>> float(datasets.national_series("unodc", "area").loc[2021])
204000.0

Every national figure keeps each release that published it. ``as_of`` gives the figures as
known on a date (a release dated only by month or year counts from its last day):

>>> float(datasets.national_series("us", "area", as_of="2021-06-30").loc[2020])
245000.0
>>> 2020 in datasets.national_series("us", "area", as_of="2021-06-20").index
False

"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cocamonitor.errors import InputError, UnknownNameError, suggest

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DATASETS",
    "boundaries",
    "data_path",
    "list_datasets",
    "load",
    "national_breaks",
    "national_figures",
    "national_series",
    "parse_as_of",
    "VINTAGES",
    "year_range",
]

DATASETS: dict[str, str] = {
    "coca-municipal": "SIMCI coca hectares on 31 December by municipality and year, 2001-2024",
    "coca-national": "National figures (coca area, production, yields, results) of UNODC and the US, every release",
    "national-breaks": "Methodology breaks in the national series, with the release that made them",
    "odc-national": "ODC national series 1999-2018: coca area, manual eradication, seizures by substance",
    "population": "DANE municipal population projections, 2012-2024",
    "territories": "DIVIPOLA registry: municipalities, departments, PDET membership",
    "pdet": "The 170 PDET municipalities and their 16 subregions",
    "zonas-futuro": "The five Zonas Futuro (municipality membership not public)",
    "spraying": "Aerial spraying, hectares by municipality and year, 2003-2015 (MinDefensa)",
    "labs": "Drug-production infrastructure destroyed, count by municipality and year, 2010-2024 (MinDefensa)",
    "heroin-seizures": "Heroin seized, kilograms by municipality and year, 2010-2024 (MinDefensa)",
    "provenance": "Publisher, source, retrieval, licence and caveats of every bundled dataset",
}

_FILES = {
    "coca-municipal": "coca_municipal.csv",
    "coca-national": "coca_national.csv",
    "national-breaks": "national_breaks.csv",
    "odc-national": "odc_national.csv",
    "population": "population.csv",
    "heroin-seizures": "heroin_seizures.csv",
    "territories": "territories.csv",
    "zonas-futuro": "zonas_futuro.csv",
    "spraying": "spraying.csv",
    "labs": "labs.csv",
    "provenance": "provenance.csv",
}

_STR_COLS = {"divipola": "string", "department_code": "string", "pdet_code": "string"}

_SERIES_METRICS = {
    ("unodc", "area"): "coca_area",
    ("unodc", "production"): "cocaine_production_potential",
    ("us", "area"): "coca_area",
    ("us", "production"): "cocaine_production_potential_pure",
}


def data_path(filename: str) -> Path:
    """Return the path of a bundled data file."""
    return Path(str(resources.files("cocamonitor") / "data" / filename))


def list_datasets() -> list[str]:
    """Return the names of the bundled datasets (what ``cocamonitor data show`` accepts).

    Examples
    --------
    >>> "coca-municipal" in list_datasets()
    True

    """
    return list(DATASETS)


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise UnknownNameError(f"unknown dataset {name!r}", hint=suggest(name, DATASETS))


@cache
def _read(name: str) -> pd.DataFrame:
    if name == "pdet":
        reg = _read("territories")
        return reg.loc[
            reg["pdet"], ["divipola", "municipality", "department_code", "department", "pdet_subregion", "pdet_code"]
        ].reset_index(drop=True)
    import pandas as pd

    df = pd.read_csv(data_path(_FILES[name]), dtype=_STR_COLS, keep_default_na=True)
    if name == "territories":
        df["pdet"] = df["pdet"].astype(bool)
        df["pdet_subregion"] = df["pdet_subregion"].astype("string")
        df["zona_futuro"] = df["zona_futuro"].astype("string")
    if name == "coca-national":
        df["latest"] = df["latest"].astype(bool)
        for col in ("released", "known_from", "publication", "seen_via", "note"):
            df[col] = df[col].astype("string")
    return df


def load(name: str) -> pd.DataFrame:
    """Return a bundled dataset as a new DataFrame (safe to modify).

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.

    Raises
    ------
    UnknownNameError
        Unknown name; the message suggests the closest ones.

    """
    _check_name(name)
    return _read(name).copy()


def year_range(name: str) -> tuple[int, int]:
    """Return the first and last year of a dataset that has a ``year`` column.

    Examples
    --------
    >>> year_range("coca-municipal")
    (2001, 2024)

    """
    df = _read(name) if name in DATASETS else load(name)
    if "year" not in df.columns:
        raise InputError(f"dataset {name!r} has no years")
    return int(df["year"].min()), int(df["year"].max())


VINTAGES = ("latest", "first", "as-of")
"""Which release of each year's figure a series takes: the newest, the first, or the newest on
or before ``as_of`` (``as-of`` is ``latest`` that insists on a date)."""


def parse_as_of(value: str | dt.date | None) -> dt.date | None:
    """Read an as-of date (``YYYY-MM-DD``), refusing one before the first release in the data.

    Examples
    --------
    >>> parse_as_of("2021-06-30")
    datetime.date(2021, 6, 30)

    """
    if value is None or isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(f"{value!r} is not a date", where="as_of",
                             hint="write it as YYYY-MM-DD, e.g. 2021-06-30") from None
    if day is None:
        return None
    first = dt.date.fromisoformat(str(_read("coca-national")["known_from"].min()))
    if day < first:
        raise InputError(f"{day} is before the first release in the data ({first})", where="as_of",
                         hint=f"give a date on or after {first}")
    return day


def _check_vintage(vintage: str, as_of: dt.date | None) -> str:
    v = str(vintage).strip().lower()
    if v not in VINTAGES:
        raise UnknownNameError(f"unknown vintage {vintage!r}", where="vintage", hint=f"valid: {', '.join(VINTAGES)}")
    if v == "as-of" and as_of is None:
        raise InputError("vintage 'as-of' needs a date", where="vintage", hint="give as_of (YYYY-MM-DD) too")
    return v


def national_figures(
    *, as_of: str | dt.date | None = None, vintage: str = "latest", all_vintages: bool = False
) -> pd.DataFrame:
    """Return the national figures as known on ``as_of``, one release per figure.

    Parameters
    ----------
    as_of : str or datetime.date, optional
        Keep only releases known on this date (``known_from <= as_of``). Default: every release.
    vintage : {"latest", "first", "as-of"}
        Which of the remaining releases of each (source, metric, year) to keep.
    all_vintages : bool
        Keep every remaining release instead of one per figure.

    Returns
    -------
    pandas.DataFrame
        The ``coca-national`` columns (``released``, ``known_from``, ``publication``,
        ``seen_via``, ``vintage`` ...); ``attrs`` has ``as_of`` and ``vintage``.

    Examples
    --------
    >>> t = national_figures(as_of="2021-06-30")
    >>> row = t[(t.source_key == "unodc") & (t.metric == "coca_area") & (t.year == 2020)].iloc[0]
    >>> float(row["value"]), row["released"]
    (143000.0, '2021-06')

    """
    day = parse_as_of(as_of)
    v = _check_vintage(vintage, day)
    df = _read("coca-national")
    if day is not None:
        df = df[df["known_from"] <= day.isoformat()]
    if not all_vintages:
        key = ["source_key", "metric", "year"]
        ordered = df.sort_values([*key, "known_from"])
        df = ordered.groupby(key, sort=False).head(1) if v == "first" else ordered.groupby(key, sort=False).tail(1)
    out = df.sort_values(["source_key", "metric", "year", "known_from"]).reset_index(drop=True).copy()
    out.attrs = {"as_of": None if day is None else day.isoformat(), "vintage": "all" if all_vintages else v}
    return out


def national_breaks(source: str | None = None, metric: str | None = None) -> pd.DataFrame:
    """Return the recorded methodology breaks (all, or those of one source and raw metric name).

    Examples
    --------
    >>> national_breaks("us", "coca_area")["year"].tolist()
    [2005, 2006]

    """
    df = _read("national-breaks")
    if source is not None:
        df = df[df["source_key"] == source]
    if metric is not None:
        df = df[df["metric"] == metric]
    return df.reset_index(drop=True).copy()


def national_series(
    source: Literal["unodc", "us"] | str,
    metric: Literal["area", "production"] | str = "area",
    *,
    as_of: str | dt.date | None = None,
    vintage: str = "latest",
) -> pd.Series:
    """Return one published national series, one release per year, indexed by year.

    Parameters
    ----------
    source : {"unodc", "us"}
        UNODC/SIMCI census or US government (CNC/ONDCP) sample survey.
    metric : {"area", "production"}
        Coca area (ha) or potential cocaine production (t; UNODC: potential production of
        cocaine hydrochloride, US: potential pure cocaine).
    as_of : str or datetime.date, optional
        The series as known on this date (default: every release to date).
    vintage : {"latest", "first", "as-of"}
        Which release of each year's figure (see :data:`VINTAGES`).

    Returns
    -------
    pandas.Series
        Float values indexed by year (only years with a published figure). ``attrs`` carries
        ``source``, ``metric``, ``unit``, ``citations`` (year -> URL), ``releases`` (year ->
        release date), ``publications`` (year -> primary document), ``seen_via``, ``vintage``,
        ``as_of`` and ``breaks`` (first years of a new method that splits this series).

    Examples
    --------
    >>> s = national_series("us", "area")
    >>> s.attrs["unit"], float(s.loc[2020])
    ('ha', 245000.0)
    >>> s.attrs["breaks"]
    [2005, 2006]

    """
    import pandas as pd

    key = (str(source).lower(), str(metric).lower())
    if key not in _SERIES_METRICS:
        raise UnknownNameError(
            f"no national series for source={source!r}, metric={metric!r}",
            hint="sources: unodc, us; metrics: area, production",
        )
    table = national_figures(as_of=as_of, vintage=vintage)
    rows = table[(table["source_key"] == key[0]) & (table["metric"] == _SERIES_METRICS[key])].sort_values("year")
    if rows.empty:
        raise InputError(f"no {key[0]} {key[1]} figure had been released by {table.attrs['as_of']}",
                         where="as_of", hint="give a later date")
    years = rows["year"].astype(int)
    series = pd.Series(rows["value"].to_numpy(dtype=float), index=pd.Index(years, name="year"))
    series.name = f"{key[0]}_{key[1]}"
    known = dict(zip(years, rows["known_from"].astype(str), strict=True))
    series.attrs = {
        "source": str(rows["source"].iloc[0]),
        "source_key": key[0],
        "metric": key[1],
        "unit": str(rows["unit"].iloc[0]),
        "citations": dict(zip(years, rows["citation"], strict=True)),
        "releases": dict(zip(years, rows["released"].astype(str), strict=True)),
        "publications": dict(zip(years, rows["publication"].astype(str), strict=True)),
        "seen_via": dict(zip(years, rows["seen_via"].astype(str), strict=True)),
        "vintage": table.attrs["vintage"],
        "as_of": table.attrs["as_of"],
        "breaks": _series_breaks(key[0], _SERIES_METRICS[key], known),
    }
    return series


def _series_breaks(source_key: str, metric: str, known: dict[int, str]) -> list[int]:
    """First years of a new method inside a series whose years come from the given releases.

    A ``coverage`` break always splits the series; a ``revision`` break splits it only where
    the years either side were taken from releases on different sides of the revising one.
    """
    out = []
    for b in national_breaks(source_key, metric).itertuples():
        year = int(b.year)
        before = [y for y in known if y < year]
        if year not in known or not before:
            continue
        if b.kind == "coverage":
            out.append(year)
            continue
        prev = known[max(before)]
        if known[year] >= b.known_from > prev:
            out.append(year)
    return sorted(set(out))


@lru_cache(maxsize=2)
def _boundaries(level: str):
    import geopandas as gpd

    return gpd.read_parquet(data_path(f"{'municipalities' if level == 'municipality' else 'departments'}.parquet"))


def boundaries(level: Literal["municipality", "department"] = "municipality"):
    """Return simplified boundaries as a GeoDataFrame in EPSG:4326.

    Municipalities carry ``divipola``, ``name`` and ``department_code``; departments carry
    ``department_code`` and ``name``. Simplified at 250 m for maps: do not compute precise
    areas from them (use ``territories.area_km2``).

    Examples
    --------
    >>> gdf = boundaries("department")
    >>> len(gdf), gdf.crs.to_epsg()
    (33, 4326)

    """
    if level not in ("municipality", "department"):
        raise UnknownNameError(f"unknown boundary level {level!r}", hint="valid: municipality, department")
    return _boundaries(level).copy()
