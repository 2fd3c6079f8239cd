"""What the dashboard shows, computed once from the bundled data and cached.

Everything here is plain pandas/numpy on :mod:`cocamonitor.datasets`; nothing is formatted or
translated (the views do that). Heavy results — the per-municipality trend panel, the
production Monte Carlo of every year, the map geometry — are cached with
:func:`functools.lru_cache` on first use (or at start-up with :func:`warm`), so pages answer from
memory.

Examples
--------
>>> years()[0], years()[-1]
(2001, 2024)
>>> v = year_values(2020)
>>> round(v["hectares"].sum())
142784

"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor import datasets
from cocamonitor.commands._common import to_jsonable
from cocamonitor.errors import InputError, UnknownNameError, suggest
from cocamonitor.report.build import check_year

__all__ = [
    "PANEL_YEARS",
    "PRODUCTION_DRAWS",
    "PRODUCTION_SEED",
    "SERIES_KEYS",
    "ProductionYear",
    "compare_values",
    "map_codes",
    "municipality",
    "national_table",
    "panel",
    "production_for_year",
    "production_table",
    "trend_document",
    "warm",
    "year_values",
    "years",
]

#: Number of years of the trend window used for the municipality classes (the last ones).
PANEL_YEARS = 11
#: Monte Carlo draws and seed of the production estimate shown for each year: the report's
#: (:data:`cocamonitor.production.scenarios.SHARED_DRAWS` / ``SHARED_SEED``, a test checks they
#: agree), so the report and the dashboard quote one interval for a year.
PRODUCTION_DRAWS = 50_000
PRODUCTION_SEED = 20240101
#: National series: (source, metric) pairs, in display order.
SERIES_KEYS: tuple[tuple[str, str], ...] = (
    ("unodc", "area"),
    ("us", "area"),
    ("unodc", "production"),
    ("us", "production"),
)


# --------------------------------------------------------------------------- municipal panel


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
    """Return ``year`` if the census has it, else raise ``InputError`` (valid range named)."""
    return check_year(int(year), years(), where=where)


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


# --------------------------------------------------------------------------- trends panel


@lru_cache(maxsize=1)
def panel():
    """Per-municipality trends over the last :data:`PANEL_YEARS` census years (as ``trend panel``).

    Benjamini-Hochberg runs over every municipality of the census, exactly as
    ``cocamonitor trend panel --years FIRST-LAST`` does.
    """
    from cocamonitor.trends import panel_trends

    df = datasets.load("coca-municipal")
    ys = years()
    window = (ys[-PANEL_YEARS], ys[-1]) if len(ys) >= PANEL_YEARS else (ys[0], ys[-1])
    codes = pd.Index(df["divipola"].unique())
    names = _names()["department"].reindex(codes)
    fallback = pd.Series(codes.str[:2], index=codes)
    return panel_trends(df, window, departments=names.fillna(fallback))


def municipality(code: str) -> dict[str, Any]:
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
    >>> p = municipality("tibu")
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


# --------------------------------------------------------------------------- national series


@lru_cache(maxsize=1)
def national_table(*, as_of: str | None = None, vintage: str = "latest") -> pd.DataFrame:
    """``year, simci_municipal_sum, unodc_area, us_area, unodc_production, us_production``.

    Published national series (one release of each year: the latest, or as known on ``as_of``)
    next to the sum of the municipal census.
    """
    df = datasets.load("coca-municipal")
    cols: dict[str, pd.Series] = {"simci_municipal_sum": df.groupby("year")["hectares"].sum(min_count=0)}
    for source, metric in SERIES_KEYS:
        cols[f"{source}_{metric}"] = datasets.national_series(source, metric, as_of=as_of, vintage=vintage)
    out = pd.DataFrame(cols).sort_index()
    out.index = out.index.astype(int)
    out.index.name = "year"
    order = ["simci_municipal_sum", "unodc_area", "us_area", "unodc_production", "us_production"]
    return out[order].reset_index()


@lru_cache(maxsize=64)
def _trend_document(
    source: str, metric: str, years_: str | None, skip_missing: bool, as_of: str | None, vintage: str
) -> str:
    from cocamonitor.trends.summary import national_trend_document

    return json.dumps(to_jsonable(national_trend_document(source, metric, years_, skip_missing=skip_missing,
                                                          as_of=as_of, vintage=vintage)))


def trend_document(
    source: str,
    metric: str,
    years_: str | None = None,
    *,
    skip_missing: bool = False,
    as_of: str | None = None,
    vintage: str = "latest",
) -> dict:
    """Return the document of ``cocamonitor trend test --source S --metric M [--years A-B] --format json``.

    Both come from :func:`cocamonitor.trends.summary.national_trend_document`, so the API and
    the command line cannot drift apart. Cached per arguments (as JSON text, so callers get a
    fresh dict every time).

    Raises
    ------
    UnknownNameError, InputError
        Unknown source or metric, bad range, or gaps in the series without ``skip_missing``.

    """
    return json.loads(_trend_document(str(source).lower(), str(metric).lower(), years_, bool(skip_missing),
                                      as_of, str(vintage)))


# --------------------------------------------------------------------------- production


@dataclass(frozen=True)
class ProductionYear:
    """Production estimate of one census year in the scenario the report quotes, and the other scenario.

    Attributes
    ----------
    year : int
    preset : str
        The preset whose chain is used (the latest on or before the year).
    preset_year : int
    area_ha : float
        The SIMCI census sum of the year (``coca-municipal``).
    area_source : str
        ``"census"``.
    estimate : ProductionEstimate
        The quoted scenario's estimate (same draws, seed and statistic as the report).
    scenario : str
        ``"preset"`` or ``"implied"`` (:func:`cocamonitor.production.scenarios.quoted_scenario`).
    reason : str
        Why that scenario is quoted (a message key).
    others : dict
        Other scenario -> its hydrochloride :class:`~cocamonitor.production.montecarlo.Summary`.

    """

    year: int
    preset: str
    preset_year: int
    area_ha: float
    area_source: str
    estimate: Any
    scenario: str = "preset"
    reason: str = "preset_current"
    others: Any = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the Production JSON contract of the estimate plus year, preset, area and scenarios."""
        doc = self.estimate.to_dict()
        doc.pop("parameters", None)
        doc.update(year=self.year, preset_year=self.preset_year, area_ha=self.area_ha,
                   area_source=self.area_source, scenario=self.scenario, scenario_reason=self.reason,
                   other_scenarios={k: v.to_dict() for k, v in (self.others or {}).items()})
        return doc

    def to_frame(self) -> pd.DataFrame:
        """National rows of the estimate (quantity, point, mean, median, ci_low, ci_high)."""
        f = self.estimate.to_frame()
        return f[f["region"] == "national"].drop(columns="region").reset_index(drop=True)


@lru_cache(maxsize=64)
def production_for_year(year: int) -> ProductionYear:
    """Monte Carlo production for ``year``: the scenario the report quotes, with the report's draws and seed.

    Examples
    --------
    >>> p = production_for_year(2020)
    >>> p.preset, p.scenario, round(p.estimate.national["hydrochloride_t"].point)
    ('unodc-2020', 'preset', 1226)

    """
    from cocamonitor.production.scenarios import SCENARIOS, estimate_year, quoted_scenario

    year = check_census_year(year)
    # the census total summed as the report sums it (same order: identical to the last digit)
    area = float(datasets.load("coca-municipal").groupby("year")["hectares"].sum().loc[year])
    quoted, reason = quoted_scenario(year)
    runs = {}
    for name in SCENARIOS:
        runs[name] = estimate_year(year, name, area_ha=area, area_source="SIMCI census, sum of coca-municipal",
                                   draws=PRODUCTION_DRAWS, seed=PRODUCTION_SEED, sensitivity=False)
    cur = runs[quoted]
    others = {n: r.estimate.national["hydrochloride_t"] for n, r in runs.items() if n != quoted}
    return ProductionYear(int(year), cur.preset, int(cur.preset.rpartition("-")[2]), area, "census",
                          cur.estimate, quoted, reason, others)


@lru_cache(maxsize=1)
def production_table() -> pd.DataFrame:
    """Hydrochloride of every census year: ``year, scenario, preset, area_ha, point, median, ci_low, ci_high``.

    ``scenario`` is the one the report quotes for that year; ``implied_*`` columns give the other
    scenario where it is the implied one (years after the last preset).
    """
    rows = []
    for y in years():
        p = production_for_year(y)
        s = p.estimate.national["hydrochloride_t"]
        row = {"year": y, "scenario": p.scenario, "preset": p.preset, "area_ha": p.area_ha,
               "area_source": p.area_source, "point": s.point, "median": s.median, "ci_low": s.ci_low,
               "ci_high": s.ci_high}
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- misc


def dataset_names() -> list[str]:
    """Names of the bundled datasets."""
    return datasets.list_datasets()


def check_choice(value: str, choices: tuple[str, ...] | list[str], where: str) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ``UnknownNameError``."""
    if value not in choices:
        raise UnknownNameError(f"unknown value {value!r}", where=where,
                               hint=f"valid choices: {', '.join(choices)}" if len(choices) < 8
                               else suggest(value, choices))
    return value


def warm() -> None:
    """Compute every cached result now (the server calls this at start-up)."""
    from cocamonitor.web.figures import map_figure

    for lang in ("es", "en"):
        map_figure(lang)
    map_scale()
    panel()
    national_table()
    production_table()
    for source, metric in SERIES_KEYS:
        try:
            trend_document(source, metric, skip_missing=True)
        except InputError:  # pragma: no cover - a series too short to test
            pass
