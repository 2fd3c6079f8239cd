"""Coca by municipality from the SIMCI census: map values, changes, trend classes and profiles.

Plain pandas/numpy on :mod:`cocamonitor.datasets`; nothing is formatted or translated (the
edges do that). The trend panel and the map scale are cached on first use, so the dashboard
answers from memory (:func:`cocamonitor.documents.warm` computes them at start-up).

Examples
--------
>>> years()[0], years()[-1]
(2001, 2024)
>>> v = year_values(2020)
>>> round(v["hectares"].sum())
142784

"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocamonitor import datasets
from cocamonitor.errors import InputError

if TYPE_CHECKING:
    from cocamonitor.trends.panel import PanelTrendResult

__all__ = [
    "PANEL_YEARS",
    "check_census_year",
    "compare_values",
    "map_codes",
    "map_scale",
    "municipality_profile",
    "panel",
    "trend_panel",
    "year_values",
    "years",
]

#: Number of years of the trend window used for the municipality classes (the last ones).
PANEL_YEARS = 11


@lru_cache(maxsize=1)
def _wide() -> pd.DataFrame:
    """Hectares by municipality (rows: every code that ever had coca) and year (NaN = none)."""
    df = datasets.load("coca-municipal")
    wide = df.pivot(index="divipola", columns="year", values="hectares").sort_index()
    ever = (wide.fillna(0.0) > 0).any(axis=1)
    return wide[ever]


@lru_cache(maxsize=1)
def years() -> tuple[int, ...]:
    """Years of the SIMCI municipal census."""
    lo, hi = datasets.year_range("coca-municipal")
    return tuple(range(lo, hi + 1))


def check_census_year(year: int, where: str = "year") -> int:
    """Return ``year`` if the census has it, else raise ``InputError`` (valid range named).

    Examples
    --------
    >>> check_census_year(2021)
    2021

    """
    ys = years()
    if int(year) not in ys:
        raise InputError(f"no coca census for year {year}", where=where, hint=f"valid choices: {ys[0]}-{ys[-1]}")
    return int(year)


@lru_cache(maxsize=1)
def _names() -> pd.DataFrame:
    from cocamonitor.territory import registry

    reg = registry()[["divipola", "municipality", "department_code", "department"]]
    return reg.drop_duplicates("divipola").set_index("divipola")


def map_codes() -> list[str]:
    """DIVIPOLA codes drawn on the map: every municipality with coca in some census year."""
    return _wide().index.tolist()


def year_values(year: int) -> pd.DataFrame:
    """One row per map municipality: ``divipola, municipality, department, hectares`` (NaN = none).

    Examples
    --------
    >>> year_values(2024).columns.tolist()
    ['divipola', 'municipality', 'department', 'hectares']

    """
    year = check_census_year(year)
    names = _names().reindex(_wide().index)
    return pd.DataFrame({
        "divipola": _wide().index,
        "municipality": names["municipality"].to_numpy(),
        "department": names["department"].to_numpy(),
        "hectares": _wide()[year].to_numpy(dtype=float),
    })


def compare_values(year_from: int, year_to: int) -> pd.DataFrame:
    """Change by municipality between two census years ("no coca reported" counts as 0 ha).

    Returns
    -------
    pandas.DataFrame
        ``divipola, municipality, department, hectares_from, hectares_to, change_ha`` for every
        map municipality, sorted by the change (largest increase first).

    Examples
    --------
    >>> c = compare_values(2023, 2024)
    >>> bool((c["change_ha"] == c["hectares_to"] - c["hectares_from"]).all())
    True

    """
    a = check_census_year(year_from, "from")
    b = check_census_year(year_to, "year")
    out = year_values(b)[["divipola", "municipality", "department"]].copy()
    out["hectares_from"] = _wide()[a].fillna(0.0).to_numpy()
    out["hectares_to"] = _wide()[b].fillna(0.0).to_numpy()
    out["change_ha"] = out["hectares_to"] - out["hectares_from"]
    return out.sort_values(["change_ha", "divipola"], ascending=[False, True], ignore_index=True)


@lru_cache(maxsize=1)
def map_scale() -> tuple[float, float]:
    """``(max hectares over all years, 98th percentile of |year-to-year change|)`` for fixed colours."""
    w = _wide().fillna(0.0)
    vmax = float(w.to_numpy().max())
    diffs = np.abs(np.diff(w.to_numpy(), axis=1))
    clip = float(np.quantile(diffs[diffs > 0], 0.98)) if (diffs > 0).any() else 1.0
    return max(vmax, 10.0), max(clip, 1.0)


def trend_panel(
    window: tuple[int, int], *, fdr: float = 0.05, edge: int = 2, confidence: float = 0.95
) -> PanelTrendResult:
    """Per-municipality trends of the SIMCI census over ``window`` (``trend panel``), with departments named.

    Benjamini-Hochberg runs over every municipality of the country, so a municipality gets the
    same class whether or not a caller then keeps only its department.

    Parameters
    ----------
    window : (int, int)
        First and last year.
    fdr, edge, confidence
        As :func:`cocamonitor.trends.panel_trends`.

    Returns
    -------
    cocamonitor.trends.panel.PanelTrendResult

    Examples
    --------
    >>> res = trend_panel((2014, 2024))
    >>> res.years[0], res.years[-1], "expanding" in set(res.municipalities["class"])
    (2014, 2024, True)

    """
    from cocamonitor.trends import panel_trends

    df = datasets.load("coca-municipal")
    codes = pd.Index(df["divipola"].unique())
    names = _names()["department"].reindex(codes)
    fallback = pd.Series(codes.str[:2], index=codes)
    return panel_trends(df, window, fdr=fdr, edge=edge, confidence=confidence, departments=names.fillna(fallback))


@lru_cache(maxsize=1)
def panel() -> PanelTrendResult:
    """Per-municipality trends over the last :data:`PANEL_YEARS` census years, cached (the dashboard's classes).

    Exactly what ``trend panel`` computes for the window ``years`` FIRST-LAST.
    """
    ys = years()
    return trend_panel((ys[-PANEL_YEARS], ys[-1]) if len(ys) >= PANEL_YEARS else (ys[0], ys[-1]))


def municipality_profile(code: str) -> dict[str, Any]:
    """Profile of one municipality: registry facts, hectares by year and its trend class.

    Parameters
    ----------
    code : str
        DIVIPOLA code or name (anything :func:`cocamonitor.territory.lookup` accepts).

    Raises
    ------
    UnknownNameError
        Unknown code or name (close matches suggested).

    Examples
    --------
    >>> p = municipality_profile("tibu")
    >>> p["territory"]["divipola"], p["trend"]["class"] in ("expanding", "stable")
    ('54810', True)

    """
    from cocamonitor.territory import lookup

    t = lookup(str(code))
    df = datasets.load("coca-municipal")
    rows = df[df["divipola"] == t.divipola].set_index("year")["hectares"].reindex(list(years()))
    res = panel()
    m = res.municipalities
    row = m[m["divipola"] == t.divipola]
    trend: dict[str, Any] | None = None
    if len(row):
        r = row.iloc[0]
        trend = {
            "class": str(r["class"]), "years": [res.years[0], res.years[-1]], "fdr": res.fdr,
            "confidence": res.confidence, "slope": float(r["slope"]),
            "slope_ci": [float(r["slope_low"]), float(r["slope_high"])], "s": int(r["s"]),
            "p_value": float(r["p_value"]), "q_value": float(r["q_value"]),
            "significant": bool(r["significant"]), "edge": res.edge, "rule": res.rules[str(r["class"])],
        }
    return {
        "territory": t.to_dict(),
        "series": [{"year": int(y), "hectares": None if pd.isna(v) else float(v)} for y, v in rows.items()],
        "trend": trend,
    }
