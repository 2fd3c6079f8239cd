"""Production scenarios for a census year: a published year's productivity, or the latest implied one.

UNODC publishes its chain parameters (leaf yield, extraction, purity) only for a few years, while
it keeps publishing area and production. A production estimate for a later year must say which
productivity it assumes, and a change between two years must not come from switching it. Two
named scenarios:

``preset``
    The chain of the latest bundled preset on or before the year (``unodc-2020`` for 2021-2024),
    with every factor's distribution as the preset sources it, applied to the year's census area.
``implied``
    The hydrochloride per hectare implied by the latest published UNODC area/production pair on
    or before ``as_of`` (2023: 2,664 t / 253,000 ha = 10.5 kg/ha). The preset's chain is kept for
    its relative uncertainty and recentred on that productivity (leaf yield's median is scaled);
    each year between the pair and the estimate adds the year-to-year variance of the log of that
    ratio (random walk), from the last ten consecutive published pairs. So the interval of the
    pair's own year reflects the chain's uncertainty only, and later years grow wider.

:func:`estimate_year` runs either with fixed draws and seed; :func:`like_for_like` runs the same
scenario, draws, seed and statistic for two years, which is how the report and the dashboard
quote consecutive years.

Examples
--------
>>> imp = implied_productivity(as_of="2024-12-31")
>>> imp.year, round(imp.kg_per_ha, 2)
(2023, 10.53)
>>> est = estimate_year(2023, "implied", area_ha=253_000, draws=2_000, seed=1)
>>> round(est.estimate.national["hydrochloride_t"].point)
2664

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import InputError, UnknownNameError
from cocamonitor.production.chain import point_chain
from cocamonitor.production.distributions import Distribution
from cocamonitor.production.montecarlo import ProductionEstimate, monte_carlo
from cocamonitor.production.params import ProductionModel, area_spec
from cocamonitor.production.presets import list_presets, load_preset
from cocamonitor.results import Composite, Estimate, numbers

__all__ = [
    "DRIFT_WINDOW",
    "SCENARIOS",
    "ImpliedProductivity",
    "ScenarioEstimate",
    "estimate_year",
    "implied_productivity",
    "like_for_like",
    "preset_for_year",
    "quoted_scenario",
    "scenario_model",
    "SHARED_DRAWS",
    "SHARED_SEED",
]

SCENARIOS = ("preset", "implied")
#: Consecutive published pairs whose log-ratio changes give the year-to-year drift.
DRIFT_WINDOW = 10
#: Draws and seed of every published estimate (report and dashboard), so both quote one interval.
SHARED_DRAWS = 50_000
SHARED_SEED = 20240101


@dataclass(frozen=True)
class ImpliedProductivity:
    """Hydrochloride per standing hectare implied by UNODC's published area and production.

    Attributes
    ----------
    year : int
        The pair's year (the latest with both figures known by ``as_of``).
    area_ha, production_t : float
        The published pair.
    kg_per_ha : float
        ``1000 * production_t / area_ha``.
    drift_sigma : float
        Standard deviation of the year-to-year change of ``log(kg_per_ha)`` over the last
        :data:`DRIFT_WINDOW` consecutive pairs.
    history : pandas.DataFrame
        ``year, area_ha, production_t, kg_per_ha`` of every published pair used.
    releases : dict
        ``area`` and ``production``: release date of the pair's figures.
    as_of : str or None

    """

    year: int
    area_ha: float
    production_t: float
    kg_per_ha: float
    drift_sigma: float
    history: pd.DataFrame
    releases: dict[str, str]
    as_of: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (without the history table)."""
        return {"year": self.year, "area_ha": self.area_ha, "production_t": self.production_t,
                "kg_per_ha": self.kg_per_ha, "drift_sigma": self.drift_sigma, "drift_window": DRIFT_WINDOW,
                "releases": dict(self.releases), "as_of": self.as_of}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the published pair (ha, t), the implied kg/ha and the drift of its logarithm."""
        yield from numbers("", self.to_dict(), units={"area_ha": "ha", "production_t": "t", "kg_per_ha": "kg/ha"})


@dataclass(frozen=True)
class ScenarioEstimate:
    """One scenario's production estimate for one year.

    Attributes
    ----------
    year : int
    scenario : {"preset", "implied"}
    preset : str
        The preset whose chain it uses.
    area_ha : float
    area_source : str
    estimate : ProductionEstimate
    implied : ImpliedProductivity or None
        For the ``implied`` scenario.
    description : str
        One sentence naming the productivity assumed.

    """

    year: int
    scenario: str
    preset: str
    area_ha: float
    area_source: str
    estimate: ProductionEstimate
    implied: ImpliedProductivity | None = None
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document: the scenario, its assumptions and the Production JSON of the estimate."""
        return {"year": self.year, "scenario": self.scenario, "preset": self.preset, "area_ha": self.area_ha,
                "area_source": self.area_source, "description": self.description,
                "implied": None if self.implied is None else self.implied.to_dict(),
                "estimate": self.estimate.to_dict()}

    def estimates(self) -> Iterator[Estimate]:
        """Yield the year and area, the implied productivity (``implied``) and the estimate (``estimate``)."""
        yield from numbers("", {"year": self.year, "area_ha": self.area_ha}, units={"area_ha": "ha"})
        yield from Composite((("implied", self.implied), ("estimate", self.estimate))).estimates()

    def to_frame(self) -> pd.DataFrame:
        """National and regional quantities, with ``year`` and ``scenario`` columns in front."""
        df = self.estimate.to_frame()
        df.insert(0, "scenario", self.scenario)
        df.insert(0, "year", self.year)
        return df


def _check_scenario(name: str) -> str:
    key = str(name).strip().lower()
    if key not in SCENARIOS:
        raise UnknownNameError(f"unknown scenario {name!r}", where="scenario", hint=f"valid: {', '.join(SCENARIOS)}")
    return key


def preset_for_year(year: int) -> str:
    """Return the latest bundled preset whose year is on or before ``year`` (else the earliest).

    Examples
    --------
    >>> preset_for_year(2024), preset_for_year(2019), preset_for_year(2010)
    ('unodc-2020', 'unodc-2019', 'unodc-2018')

    """
    years = {name: int(load_preset(name).meta["year"]) for name in list_presets()}
    before = [(y, n) for n, y in years.items() if y <= int(year)]
    return max(before)[1] if before else min((y, n) for n, y in years.items())[1]


def implied_productivity(*, as_of: str | dt.date | None = None) -> ImpliedProductivity:
    """Return the latest UNODC area/production pair known on ``as_of`` and its year-to-year drift.

    Raises
    ------
    InputError
        No pair had been published by ``as_of``, or too few to measure the drift.

    """
    from cocamonitor import datasets

    area = datasets.national_series("unodc", "area", as_of=as_of)
    prod = datasets.national_series("unodc", "production", as_of=as_of)
    years = sorted(set(area.index) & set(prod.index))
    if not years:
        raise InputError("no UNODC area and production pair had been published by then", where="as_of",
                         hint="give a later date")
    hist = pd.DataFrame({"year": years, "area_ha": area.loc[years].to_numpy(),
                         "production_t": prod.loc[years].to_numpy()})
    hist["kg_per_ha"] = 1000.0 * hist["production_t"] / hist["area_ha"]
    logs = np.log(hist.set_index("year")["kg_per_ha"])
    steps = [logs[y] - logs[y - 1] for y in years if y - 1 in logs.index][-DRIFT_WINDOW:]
    if len(steps) < 3:
        raise InputError("fewer than 3 consecutive published pairs: the year-to-year drift cannot be measured",
                         where="as_of", hint="give a later date")
    last = hist.iloc[-1]
    y = int(last["year"])
    return ImpliedProductivity(
        year=y, area_ha=float(last["area_ha"]), production_t=float(last["production_t"]),
        kg_per_ha=float(last["kg_per_ha"]), drift_sigma=float(np.std(steps, ddof=1)), history=hist,
        releases={"area": area.attrs["releases"][y], "production": prod.attrs["releases"][y]},
        as_of=area.attrs["as_of"],
    )


def _kg_per_ha(model: ProductionModel) -> float:
    one = model.with_areas((area_spec("Colombia", 1.0, None, "ha", source="derived", citation="unit area"),))
    return 1000.0 * float(point_chain(one).national["hydrochloride_t"])


def scenario_model(
    scenario: str, year: int, *, area: tuple[Any, ...], as_of: str | dt.date | None = None
) -> tuple[ProductionModel, str, ImpliedProductivity | None, str]:
    """Build the chain of a scenario for ``year`` on the given area specs.

    Returns
    -------
    model, preset name, implied productivity (or None), description

    """
    key = _check_scenario(scenario)
    preset = preset_for_year(year)
    base = load_preset(preset).with_areas(area)
    if key == "preset":
        per_ha = _kg_per_ha(base)
        text = (f"productivity of the {preset} preset ({per_ha:.1f} kg of hydrochloride per standing hectare "
                f"at its central values), every factor with its sourced distribution")
        return base, preset, None, text
    imp = implied_productivity(as_of=as_of)
    shift = imp.kg_per_ha / _kg_per_ha(base)
    gap = max(int(year) - imp.year, 0)
    params = []
    for spec in base.parameters:
        if spec.name == "leaf_yield":
            d = spec.dist
            if d.kind != "lognormal":  # pragma: no cover - every preset's leaf yield is lognormal
                raise InputError(f"{preset}: leaf_yield must be lognormal for the implied scenario", where="scenario")
            sigma = float(np.hypot(d.args["sigma"], imp.drift_sigma * np.sqrt(gap)))
            dist = Distribution.lognormal(median=d.central * shift, sigma=sigma)
            spec = replace(spec, dist=dist, source="derived",
                           derivation=(f"{preset} leaf yield x {shift:.4f} so that the chain gives "
                                       f"{imp.kg_per_ha:.2f} kg/ha (UNODC {imp.year}: {imp.production_t:,.0f} t / "
                                       f"{imp.area_ha:,.0f} ha); sigma = sqrt({d.args['sigma']:.5f}^2 + "
                                       f"{gap} x {imp.drift_sigma:.5f}^2)"),
                           spread=(f"the preset's spread plus {gap} year(s) of the year-to-year drift of UNODC's "
                                   f"implied hydrochloride per hectare (sd of log changes, last {DRIFT_WINDOW} pairs)"))
        params.append(spec)
    model = replace(base, parameters=tuple(params))
    text = (f"productivity implied by UNODC's latest published pair ({imp.year}: {imp.production_t:,.0f} t on "
            f"{imp.area_ha:,.0f} ha = {imp.kg_per_ha:.1f} kg/ha), carried {gap} year(s) forward with its "
            f"year-to-year variation; the {preset} chain gives the relative uncertainty of each factor")
    return model, preset, imp, text


def estimate_year(
    year: int,
    scenario: str = "preset",
    *,
    area_ha: float,
    area_se: float | None = None,
    area_source: str = "census",
    as_of: str | dt.date | None = None,
    draws: int = 100_000,
    seed: int | None = 20240101,
    confidence: float = 0.95,
    sensitivity: bool = True,
    sensitivity_draws: int = 20_000,
) -> ScenarioEstimate:
    """Estimate ``year``'s potential hydrochloride under a named scenario.

    Parameters
    ----------
    year : int
        The year of the area.
    scenario : {"preset", "implied"}
        Which productivity (see the module docstring).
    area_ha : float
        National coca area of ``year`` (hectares, e.g. the census total).
    area_se : float, optional
        Its standard error (a sample-based estimate); None for a census.
    area_source : str
        Where the area comes from (recorded with it).
    as_of : str or datetime.date, optional
        For ``implied``: the pair known on this date.
    draws, seed, confidence, sensitivity, sensitivity_draws
        As :func:`cocamonitor.production.monte_carlo`.

    """
    if not np.isfinite(area_ha) or area_ha < 0:
        raise InputError(f"area {area_ha} ha is not a non-negative number", where="area_ha")
    area = (area_spec("Colombia", float(area_ha), area_se, "ha", source="published",
                      citation=f"{area_source}, {year}"),)
    model, preset, imp, text = scenario_model(scenario, year, area=area, as_of=as_of)
    est = monte_carlo(model, draws=draws, seed=seed, confidence=confidence, sensitivity=sensitivity,
                      sensitivity_draws=sensitivity_draws, preset=preset)
    return ScenarioEstimate(int(year), _check_scenario(scenario), preset, float(area_ha), area_source, est, imp, text)


def like_for_like(
    years: tuple[int, int], areas: tuple[float, float], scenario: str = "preset", **kwargs: Any
) -> tuple[ScenarioEstimate, ScenarioEstimate]:
    """Estimate two years with the same scenario, draws, seed and statistic.

    The implied scenario uses the same published pair for both years; the preset scenario the
    preset of the later year for both (so the change in tonnes is the change in area, with the
    same productivity).
    """
    a, b = sorted(zip(years, areas, strict=True))
    later = estimate_year(b[0], scenario, area_ha=b[1], **kwargs)
    if later.scenario == "preset":
        earlier = _estimate_with_preset(a[0], a[1], later.preset, **kwargs)
    else:
        earlier = estimate_year(a[0], scenario, area_ha=a[1], **kwargs)
    return earlier, later


def _estimate_with_preset(year: int, area_ha: float, preset: str, **kwargs: Any) -> ScenarioEstimate:
    area = (area_spec("Colombia", float(area_ha), None, "ha", source="published",
                      citation=f"{kwargs.get('area_source', 'census')}, {year}"),)
    model = load_preset(preset).with_areas(area)
    opts = {k: v for k, v in kwargs.items() if k in {"draws", "seed", "confidence", "sensitivity",
                                                      "sensitivity_draws"}}
    est = monte_carlo(model, preset=preset, **opts)
    text = f"productivity of the {preset} preset, as for the following year (like for like)"
    return ScenarioEstimate(int(year), "preset", preset, float(area_ha), str(kwargs.get("area_source", "census")),
                            est, None, text)


def quoted_scenario(year: int, *, as_of: str | dt.date | None = None) -> tuple[str, str]:
    """Return the scenario a summary quotes for ``year``, and why (a key the edges translate).

    ``implied`` when UNODC has published an area/production pair more recent than the preset the
    year would use and the year is after that preset (the preset's productivity is then older than
    UNODC's own latest figure); otherwise ``preset``.

    Returns
    -------
    (scenario, reason) with reason ``"newer_pair"`` or ``"preset_current"``.

    Examples
    --------
    >>> quoted_scenario(2024), quoted_scenario(2020)
    (('implied', 'newer_pair'), ('preset', 'preset_current'))

    """
    pyear = int(load_preset(preset_for_year(year)).meta["year"])
    try:
        imp_year = implied_productivity(as_of=as_of).year
    except InputError:
        return "preset", "preset_current"
    if int(year) > pyear and imp_year > pyear:
        return "implied", "newer_pair"
    return "preset", "preset_current"
