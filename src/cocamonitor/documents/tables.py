"""Rows of a bundled dataset, filtered and named: what ``data show`` prints and ``/api/datasets`` serves.

Errors name this module's parameters (``year``, ``department``, ``municipality``); an edge
that calls them something else passes ``names`` (e.g. the command line's option for ``year``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cocamonitor.errors import InputError, UnknownNameError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["filter_table", "with_territory_names"]

_PARAMETERS = ("year", "department", "municipality")


def _names(names: Mapping[str, str] | None) -> dict[str, str]:
    return {**{p: p for p in _PARAMETERS}, **(names or {})}


def _parse_years(text: str, name: str, where: str) -> list[int]:
    from cocamonitor import datasets
    from cocamonitor.io.years import parse_years

    lo, hi = datasets.year_range(name)
    years = parse_years(text, where=where)
    bad = [y for y in years if not lo <= y <= hi]
    if bad or not years:
        raise InputError(
            f"year {bad[0] if bad else text} is outside the data of {name!r}",
            where=where,
            hint=f"valid years: {lo}-{hi}",
        )
    return years


def filter_table(
    name: str,
    df: pd.DataFrame,
    *,
    year: str | None = None,
    department: str | None = None,
    municipality: str | None = None,
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Keep the rows of dataset ``name`` in the given years and territory, checking each value against the data.

    Parameters
    ----------
    name : str
        The dataset's name (see :data:`cocamonitor.datasets.DATASETS`), for its years and messages.
    df : pandas.DataFrame
        Its rows.
    year : str, optional
        A year, a list (``"2019,2020"``) or a range (``"2015-2020"``) inside the dataset's years.
    department : str, optional
        A department name or 2-digit code.
    municipality : str, optional
        A municipality name or 5-digit DIVIPOLA code (a name shared by several departments is
        settled by ``department``).
    names : mapping of str to str, optional
        What the caller calls ``year``, ``department`` and ``municipality``, for error messages.

    Returns
    -------
    pandas.DataFrame
        The rows kept (the index is not reset).

    Raises
    ------
    InputError, UnknownNameError
        A year outside the data, a filter the dataset cannot take, an unknown or contradictory place.

    Examples
    --------
    >>> from cocamonitor import datasets
    >>> rows = filter_table("coca-municipal", datasets.load("coca-municipal"), year="2023", municipality="tibu")
    >>> rows[["divipola", "year"]].to_dict(orient="records")
    [{'divipola': '54810', 'year': 2023}]

    """
    from cocamonitor.territory import lookup, lookup_department

    opt = _names(names)
    if year is not None:
        if "year" not in df.columns:
            raise InputError(f"dataset {name!r} has no years", where=opt["year"], hint=f"drop {opt['year']}")
        df = df[df["year"].isin(_parse_years(year, name, opt["year"]))]
    if department is not None or municipality is not None:
        if "divipola" not in df.columns and "department_code" not in df.columns:
            raise InputError(f"dataset {name!r} is not by territory",
                             where=f"{opt['department']}/{opt['municipality']}")
    if department is not None:
        code, dep_name = lookup_department(department)
        col = df["department_code"] if "department_code" in df.columns else df["divipola"].str[:2]
        df = df[col == code]
    if municipality is not None:
        try:
            place = lookup(municipality)
        except UnknownNameError:
            raise
        except InputError:  # a name shared by several departments: the department settles it
            if department is None:
                raise
            place = lookup(f"{municipality}, {dep_name}")
        if department is not None and place.department_code != code:
            raise InputError(
                f"{place.municipality} ({place.divipola}) is in {place.department}, not in {dep_name}",
                where=opt["municipality"], hint=f"drop {opt['department']} or correct one of the two",
            )
        df = df[df["divipola"] == place.divipola]
    return df


def with_territory_names(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``municipality`` and ``department`` after ``divipola`` (rows by municipality only).

    A table without ``divipola``, or that names its municipalities already, comes back as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> with_territory_names(pd.DataFrame({"divipola": ["54810"], "hectares": [1.0]})).columns.tolist()
    ['divipola', 'municipality', 'department', 'hectares']

    """
    from cocamonitor.territory import registry

    if "divipola" not in df.columns or "municipality" in df.columns:
        return df
    reg = registry()[["divipola", "municipality", "department"]]
    out = df.merge(reg, on="divipola", how="left")
    cols = ["divipola", "municipality", "department"] + [c for c in df.columns if c != "divipola"]
    return out[cols]
