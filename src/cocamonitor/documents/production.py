"""Potential cocaine production of every census year, in the scenario the report quotes.

The same draws and seed as the report (a test checks they agree), so the report, the
dashboard and the API quote one interval for a year. Cached per year on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from cocamonitor import datasets
from cocamonitor.documents.municipal import check_census_year, years

__all__ = ["PRODUCTION_DRAWS", "PRODUCTION_SEED", "ProductionYear", "production_for_year", "production_table"]

#: Monte Carlo draws and seed of the production estimate shown for each year: the report's
#: (:data:`cocamonitor.production.scenarios.SHARED_DRAWS` / ``SHARED_SEED``, a test checks they
#: agree), so the report and the dashboard quote one interval for a year.
PRODUCTION_DRAWS = 50_000
PRODUCTION_SEED = 20240101


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

    ``scenario`` is the one the report quotes for that year.
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
