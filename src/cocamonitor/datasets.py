"""Bundled real datasets with their provenance.

The files under ``cocamonitor/data/`` are built by ``scripts/build_data.py`` from the raw
public files; ``load("provenance")`` says who published each one, where it came from and its
caveats.

=================  ===========================================================================
name               content
=================  ===========================================================================
coca-municipal     SIMCI coca hectares on 31 December by municipality, 2001-2024 (long form)
coca-national      national coca area and potential cocaine production, UNODC and US series
territories        DIVIPOLA registry: 1,122 municipalities, departments, PDET membership
pdet               the 170 PDET municipalities and their 16 subregions
zonas-futuro       the five Zonas Futuro (names only: membership is not public)
spraying           aerial spraying (ha) by municipality and year, 2003-2015 (MinDefensa)
labs               drug-production infrastructure destroyed (count), 2010-2024 (MinDefensa)
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

"""

from __future__ import annotations

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
    "national_series",
    "year_range",
]

DATASETS: dict[str, str] = {
    "coca-municipal": "SIMCI coca hectares on 31 December by municipality and year, 2001-2024",
    "coca-national": "National coca area and potential cocaine production: UNODC and US series",
    "territories": "DIVIPOLA registry: municipalities, departments, PDET membership",
    "pdet": "The 170 PDET municipalities and their 16 subregions",
    "zonas-futuro": "The five Zonas Futuro (municipality membership not public)",
    "spraying": "Aerial spraying, hectares by municipality and year, 2003-2015 (MinDefensa)",
    "labs": "Drug-production infrastructure destroyed, count by municipality and year, 2010-2024 (MinDefensa)",
    "provenance": "Publisher, source, retrieval, licence and caveats of every bundled dataset",
}

_FILES = {
    "coca-municipal": "coca_municipal.csv",
    "coca-national": "coca_national.csv",
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
        df["preferred"] = df["preferred"].astype(bool)
        df["note"] = df["note"].astype("string")
        df["vintage_note"] = df["vintage_note"].astype("string")
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


def national_series(
    source: Literal["unodc", "us"] | str,
    metric: Literal["area", "production"] | str = "area",
) -> pd.Series:
    """Return one published national series, preferred vintage only, indexed by year.

    Parameters
    ----------
    source : {"unodc", "us"}
        UNODC/SIMCI census or US government (CNC/ONDCP) sample survey.
    metric : {"area", "production"}
        Coca area (ha) or potential cocaine production (t; UNODC: potential production of
        cocaine hydrochloride, US: potential pure cocaine).

    Returns
    -------
    pandas.Series
        Float values indexed by year (only years with a published figure). ``attrs`` carries
        ``source``, ``metric``, ``unit`` and ``citations`` (year -> URL).

    Examples
    --------
    >>> s = national_series("us", "area")
    >>> s.attrs["unit"], float(s.loc[2020])
    ('ha', 245000.0)

    """
    import pandas as pd

    key = (str(source).lower(), str(metric).lower())
    if key not in _SERIES_METRICS:
        raise UnknownNameError(
            f"no national series for source={source!r}, metric={metric!r}",
            hint="sources: unodc, us; metrics: area, production",
        )
    df = _read("coca-national")
    rows = df[(df["source_key"] == key[0]) & (df["metric"] == _SERIES_METRICS[key]) & df["preferred"]]
    rows = rows.sort_values("year")
    series = pd.Series(rows["value"].to_numpy(dtype=float), index=pd.Index(rows["year"].astype(int), name="year"))
    series.name = f"{key[0]}_{key[1]}"
    series.attrs = {
        "source": str(rows["source"].iloc[0]),
        "source_key": key[0],
        "metric": key[1],
        "unit": str(rows["unit"].iloc[0]),
        "citations": dict(zip(rows["year"].astype(int), rows["citation"], strict=True)),
    }
    return series


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
