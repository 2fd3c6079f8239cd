"""Ready-made tables from the bundled data: national series side by side, top municipalities.

Examples
--------
>>> from cocamonitor.summaries import national_comparison, top_municipalities
>>> national_comparison().loc[2020, ["unodc_area_ha", "us_area_ha"]].tolist()
[143000.0, 245000.0]
>>> top_municipalities(2022, n=1)["municipality"].tolist()
['Tibú']

"""

from __future__ import annotations

import pandas as pd

from cocamonitor import datasets
from cocamonitor.errors import InputError
from cocamonitor.territory import registry

__all__ = ["coca_by_year", "national_comparison", "top_municipalities"]


def national_comparison() -> pd.DataFrame:
    """UNODC and US national area and production, one row per year, with the ratio US/UNODC.

    Returns
    -------
    pandas.DataFrame
        Indexed by year; columns ``unodc_area_ha``, ``us_area_ha``, ``area_ratio_us_unodc``,
        ``unodc_production_t``, ``us_production_t``; NaN where a series has no published figure.

    """
    cols = {
        "unodc_area_ha": datasets.national_series("unodc", "area"),
        "us_area_ha": datasets.national_series("us", "area"),
        "unodc_production_t": datasets.national_series("unodc", "production"),
        "us_production_t": datasets.national_series("us", "production"),
    }
    df = pd.DataFrame(cols).sort_index()
    df.insert(2, "area_ratio_us_unodc", (df["us_area_ha"] / df["unodc_area_ha"]).round(3))
    df.index.name = "year"
    return df


def coca_by_year() -> pd.DataFrame:
    """Municipal SIMCI hectares as a wide table (rows: DIVIPOLA code, columns: year), blanks as 0."""
    coca = datasets.load("coca-municipal")
    return coca.pivot(index="divipola", columns="year", values="hectares").fillna(0.0)


def top_municipalities(year: int | None = None, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` municipalities with most coca in ``year`` and their change from the year before.

    Parameters
    ----------
    year : int, optional
        Defaults to the latest year in the SIMCI table.
    n : int, default 10
        How many municipalities.

    Returns
    -------
    pandas.DataFrame
        ``rank, divipola, municipality, department, hectares, previous, change_ha, change_pct``
        (``change_pct`` is NaN when the municipality had no coca the year before).

    """
    if int(n) < 1:  # head(-k) would silently drop the last k rows instead
        raise InputError(f"n must be at least 1, got {n}", where="n")
    wide = coca_by_year()
    years = [int(y) for y in wide.columns]
    year = max(years) if year is None else int(year)
    if year not in years or year - 1 not in years:
        raise InputError(
            f"year {year} has no previous year in the SIMCI table",
            where="year",
            hint=f"valid: {min(years) + 1}-{max(years)}",
        )
    cur, prev = wide[year], wide[year - 1]
    top = cur.sort_values(ascending=False, kind="stable").head(n)
    reg = registry().set_index("divipola")
    out = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "divipola": top.index,
            "municipality": reg.loc[top.index, "municipality"].to_numpy(),
            "department": reg.loc[top.index, "department"].to_numpy(),
            "hectares": top.to_numpy(),
            "previous": prev[top.index].to_numpy(),
        }
    )
    out["change_ha"] = out["hectares"] - out["previous"]
    prev_pos = out["previous"].where(out["previous"] > 0)
    out["change_pct"] = (100 * out["change_ha"] / prev_pos).round(1)
    return out
