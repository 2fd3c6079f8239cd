"""Moved to :mod:`cocamonitor.indicators.sources` (kept importable here, with a DeprecationWarning)."""

from cocamonitor._moved import moved_names

__getattr__ = moved_names(__name__, {name: "cocamonitor.indicators.sources" for name in (
    "REPORTED_COLUMNS", "EventSource", "IndicatorInputs", "bundled_demand", "imported_sources", "odc_series",
    "with_extras")})
