"""Counternarcotics results by year: coca area, eradication, spraying, seizures, labs destroyed.

The Colombia-US counternarcotics working group reviews each year's results. This module lays
them out as one table with a row per (territory, year, indicator, source): the value, its
unit, who published it and the page that cites it, the change on the year before, and the
ratios analysts use (labs destroyed per 1,000 ha of coca, hectares sprayed or eradicated per
hectare of coca). Targets, when a user supplies them, are compared with the actuals.

Rules the table keeps:

* **Every source is shown.** Where two publishers report the same indicator for a year (e.g.
  labs destroyed: the MinDefensa event table and a figure the Government of Colombia
  announced), both rows appear; none is picked silently.
* **Missing stays missing.** A year without a figure has ``value`` NaN and a ``note`` saying
  which years the source covers; it is never filled with 0. Inside the years a MinDefensa
  event table covers, a territory without events did have 0 (the tables list every event).
* **No invented targets.** No public target series was found, so none is bundled; pass your
  own (:func:`read_targets`).

Ratios divide by the SIMCI census area on 31 December of the same year and territory (the
sum of the ``coca-municipal`` table, which is what the annual report uses too); operations
happen during the year, so the ratio is an intensity indicator, not a share of coca removed.

Examples
--------
>>> from cocamonitor import indicators
>>> res = indicators.results_table((2024, 2024), indicators=["labs_destroyed", "labs_per_1000_ha_coca"])
>>> res.to_frame()[["year", "indicator", "source", "value"]].round(1).to_dict("records")
[{'year': 2024, 'indicator': 'labs_destroyed', 'source': 'mindefensa', 'value': 5233.0}, \
{'year': 2024, 'indicator': 'labs_per_1000_ha_coca', 'source': 'mindefensa / simci', 'value': 20.0}]

"""

# every public name of the module before the split (a few were never in __all__)
from cocamonitor.indicators.catalogue import (  # noqa: F401
    INDICATORS,
    NATIONAL,
    UNASSIGNED,
    UNIT_FACTORS,
    Indicator,
    suggest_indicator,
    unit_of,
)
from cocamonitor.indicators.result import IndicatorTable
from cocamonitor.indicators.sources import EventSource, IndicatorInputs, with_extras  # noqa: F401
from cocamonitor.indicators.table import (  # noqa: F401
    LEVELS,
    MIN_COCA_HA,
    PRODUCTION_CAVEAT,
    list_indicators,
    per_coca_area,
    results_table,
    year_spans,
)
from cocamonitor.indicators.targets import DIRECTIONS, compare_targets, read_targets, validate_targets

__all__ = [
    "DIRECTIONS",
    "INDICATORS",
    "LEVELS",
    "MIN_COCA_HA",
    "Indicator",
    "IndicatorInputs",
    "IndicatorTable",
    "compare_targets",
    "list_indicators",
    "per_coca_area",
    "read_targets",
    "results_table",
    "suggest_indicator",
    "validate_targets",
    "year_spans",
]
