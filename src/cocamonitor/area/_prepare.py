"""Where the estimators' shared checks and result assembly used to live (kept as one import path).

The checks are :mod:`cocamonitor.area._validate`, the assembly :mod:`cocamonitor.area._assemble`.
"""

from cocamonitor._checks import check_confidence
from cocamonitor.area._assemble import (
    assemble,
    assemble_units,
    domain_indicators,
    estimate_rows,
    observed_cells,
    summarize,
    unit_indicators,
)
from cocamonitor.area._validate import Prepared, StrataAreas, normalise_areas, prepare, variance_groups

__all__ = [
    "Prepared",
    "StrataAreas",
    "assemble",
    "assemble_units",
    "estimate_rows",
    "check_confidence",
    "normalise_areas",
    "variance_groups",
    "prepare",
    "summarize",
    "domain_indicators",
    "observed_cells",
    "unit_indicators",
]
