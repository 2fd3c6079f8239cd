"""The catalogue of counternarcotics indicators: names, units, kinds, groups and how a target is met."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cocamonitor.errors import UnknownNameError, suggest

__all__ = [
    "INDICATORS",
    "Indicator",
    "UNIT_FACTORS",
    "suggest_indicator",
    "unit_of",
]


NATIONAL = "Colombia"
UNASSIGNED = "(no Colombian municipality)"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the results table.

    Attributes
    ----------
    name : str
        What users type (the ``indicators`` parameter, the ``indicator`` column of a targets file).
    unit : str
        Unit of ``value``.
    kind : {"reported", "ratio"}
        Published figure, or ratio derived here from two of them.
    direction : {"at_least", "at_most"}
        How a target is met by default.
    description : str
        One line for ``cocamonitor indicators list``.
    numerator : str or None
        For a ratio: the reported indicator divided by the denominator.
    per : float
        For a ratio: the multiplier (1,000 for "per 1,000 ha").
    group : str
        ``cultivation``, ``eradication``, ``seizures``, ``supply_chain``, ``production`` or
        ``demand`` (how the report and the dashboard group them).
    denominator : {"coca", "population", "production"}
        For a ratio: the SIMCI coca area, the DANE population, or UNODC's potential cocaine
        production of the same year and territory.

    """

    name: str
    unit: str
    kind: Literal["reported", "ratio"]
    direction: Literal["at_least", "at_most"]
    description: str
    numerator: str | None = None
    per: float = 1.0
    group: str = "results"
    denominator: Literal["coca", "population", "production"] = "coca"


def _reported(name: str, unit: str, group: str, description: str, direction: str = "at_least") -> Indicator:
    return Indicator(name, unit, "reported", direction, description, group=group)  # type: ignore[arg-type]


#: Quantities of the Ministry's event files that also get "per 1,000 ha of coca" and "per
#: 100,000 inhabitants" ratios (the three older ratios keep their names).
_PER_TERRITORY = ("cocaine_seizures", "coca_base_seizures", "basuco_seizures", "marijuana_seizures",
                  "heroin_seizures", "coca_leaf_seizures", "liquid_precursors_seized",
                  "solid_precursors_seized")

_REPORTED: tuple[Indicator, ...] = (
    Indicator("coca_area", "ha", "reported", "at_most",
              "Coca cultivation: SIMCI census on 31 December, UNODC and US national figures",
              group="cultivation"),
    _reported("coca_area_share_pnn", "percent", "cultivation",
              "Share of the coca area inside national natural parks (UNODC/SIMCI)", "at_most"),
    Indicator("aerial_spraying", "ha", "reported", "at_least",
              "Hectares sprayed from the air (MinDefensa events 2003-2015; UNODC as reported)",
              group="eradication"),
    Indicator("manual_eradication", "ha", "reported", "at_least",
              "Hectares of coca eradicated by hand, as reported (ODC 1999-2018; MinDefensa file when imported)",
              group="eradication"),
    Indicator("coca_destroyed", "ha", "reported", "at_least",
              "Hectares of coca destroyed by all means, as reported", group="eradication"),
    Indicator("cocaine_seizures", "t", "reported", "at_least",
              "Cocaine (hydrochloride) seized, metric tons (kg converted), as reported", group="seizures"),
    Indicator("cocaine_and_base_seizures", "t", "reported", "at_least",
              "Cocaine and cocaine base seized, metric tons, as reported", group="seizures"),
    _reported("coca_base_seizures", "t", "seizures", "Coca base and paste seized, metric tons"),
    _reported("basuco_seizures", "kg", "seizures", "Basuco seized, kilograms"),
    _reported("coca_leaf_seizures", "t", "seizures", "Coca leaf seized, metric tons"),
    _reported("marijuana_seizures", "t", "seizures", "Marijuana seized, metric tons"),
    _reported("heroin_seizures", "kg", "seizures",
              "Heroin seized, kilograms (MinDefensa events 2010-2024, or the imported file)"),
    Indicator("labs_destroyed", "count", "reported", "at_least",
              "Drug-production facilities destroyed (MinDefensa events 2010-2024; as reported)",
              group="supply_chain"),
    _reported("liquid_precursors_seized", "L", "supply_chain",
              "Liquid precursors seized, litres (gallons converted)"),
    _reported("solid_precursors_seized", "t", "supply_chain", "Solid precursors seized, metric tons"),
    _reported("cash_seized", "USD", "supply_chain", "Cash seized (bulk cash), US dollars (user CSV)"),
    _reported("assets_forfeited", "COP", "supply_chain",
              "Assets under asset forfeiture (extinción de dominio), value in pesos (user CSV)"),
    _reported("extraditions", "count", "supply_chain", "Extraditions for drug trafficking (user CSV)"),
    _reported("kingpins_neutralized", "count", "supply_chain",
              "High-value targets of drug trafficking captured or neutralised (user CSV)"),
    _reported("cocaine_production_potential", "t", "production",
              "Potential cocaine production (UNODC/SIMCI; US estimate of pure cocaine)", "at_most"),
    _reported("coca_leaf_production_fresh", "t", "production", "Fresh coca leaf production (UNODC/SIMCI)",
              "at_most"),
    _reported("coca_leaf_yield_fresh", "t/ha/yr", "production", "Fresh coca leaf yield (UNODC/SIMCI)",
              "at_most"),
    _reported("cocaine_yield_per_ha", "kg/ha/yr", "production", "Cocaine per hectare of coca and year (UNODC)",
              "at_most"),
    _reported("cocaine_use_prevalence_lifetime", "percent", "demand",
              "Population 12-65 who used cocaine at least once (Colombian national consumption surveys)",
              "at_most"),
    _reported("cocaine_use_prevalence_past_year", "percent", "demand",
              "Population 12-65 who used cocaine in the past year (national consumption surveys; user CSV)",
              "at_most"),
    _reported("treatment_admissions", "count", "demand",
              "Admissions to treatment for drug use in Colombia (user CSV)"),
    _reported("us_cocaine_overdose_deaths", "count", "demand",
              "Drug overdose deaths involving cocaine in the United States (CDC/NCHS)", "at_most"),
    _reported("us_cocaine_overdose_death_rate", "deaths per 100,000 (age-adjusted)", "demand",
              "Age-adjusted rate of US overdose deaths involving cocaine (CDC/NCHS)", "at_most"),
)
_UNITS = {i.name: i.unit for i in _REPORTED}

INDICATORS: tuple[Indicator, ...] = (
    *_REPORTED,
    Indicator("labs_per_1000_ha_coca", "labs per 1,000 ha coca", "ratio", "at_least",
              "Labs destroyed per 1,000 ha of coca (SIMCI census, same year and territory)",
              numerator="labs_destroyed", per=1000.0, group="supply_chain"),
    Indicator("sprayed_ha_per_ha_coca", "ha per ha coca", "ratio", "at_least",
              "Hectares sprayed per hectare of coca (SIMCI census, same year and territory)",
              numerator="aerial_spraying", group="eradication"),
    Indicator("eradicated_ha_per_ha_coca", "ha per ha coca", "ratio", "at_least",
              "Hectares eradicated by hand per hectare of coca (SIMCI census, same year)",
              numerator="manual_eradication", group="eradication"),
    Indicator("seizures_share_of_production", "percent", "ratio", "at_least",
              "Cocaine seized as a share of UNODC's potential production of the same year (not the share "
              "of production removed: see the caveat)", numerator="cocaine_seizures", per=100.0,
              group="seizures", denominator="production"),
    *(Indicator(f"{n}_per_1000_ha_coca", f"{_UNITS[n]} per 1,000 ha coca", "ratio", "at_least",
                f"{n.replace('_', ' ').capitalize()} per 1,000 ha of coca (SIMCI census, same year and territory)",
                numerator=n, per=1000.0, group="seizures" if "seizures" in n else "supply_chain")
      for n in _PER_TERRITORY),
    *(Indicator(f"{n}_per_100k_inhabitants", f"{_UNITS[n]} per 100,000 inhabitants", "ratio", "at_least",
                f"{n.replace('_', ' ').capitalize()} per 100,000 inhabitants (DANE population, same year)",
                numerator=n, per=100_000.0, group="seizures" if "seizures" in n else "supply_chain",
                denominator="population")
      for n in (*_PER_TERRITORY, "labs_destroyed")),
)
_BY_NAME = {i.name: i for i in INDICATORS}
_ORDER = {i.name: k for k, i in enumerate(INDICATORS)}
#: order of sources in the table: the municipal tables first, then the published national figures
_SOURCE_ORDER = {"simci": 0, "mindefensa": 1, "unodc": 2, "us": 3, "gov-co": 4, "us-reported": 5, "odc": 6,
                 "dane": 7, "cdc": 8}


def unit_of(name: str) -> str:
    """Return the unit of an indicator's ``value`` (``t`` for cocaine seizures ...)."""
    return _BY_NAME[name].unit


#: unit conversions (from, to) -> factor; the same unit converts with 1
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("kg", "t"): 0.001, ("t", "kg"): 1000.0, ("g", "kg"): 0.001, ("g", "t"): 1e-6,
    ("gal", "L"): 3.785411784, ("L", "gal"): 1 / 3.785411784, ("%", "percent"): 1.0, ("percent", "%"): 1.0,
}
_UNIT_FACTORS = UNIT_FACTORS


def suggest_indicator(value: str) -> str:
    """Return a "did you mean" phrase for an indicator name (parts of names match too).

    Examples
    --------
    >>> suggest_indicator("labs")
    'did you mean: labs_destroyed, labs_per_1000_ha_coca, labs_destroyed_per_100k_inhabitants?'

    """
    v = str(value).strip().lower()
    part = [n for n in _BY_NAME if v and v in n]
    if part:
        return "did you mean: " + ", ".join(part) + "?"
    return suggest(v, _BY_NAME, n=len(_BY_NAME))


def _parse_indicators(names: Sequence[str] | None, where: str = "indicators") -> list[str]:
    if names is None:
        return list(_BY_NAME)
    out = [str(n).strip() for n in names]
    bad = [n for n in out if n not in _BY_NAME]
    if bad or not out:
        raise UnknownNameError(f"unknown indicator {bad[0] if bad else ''!r}", where=where,
                               hint=suggest_indicator(bad[0] if bad else ""))
    return out
