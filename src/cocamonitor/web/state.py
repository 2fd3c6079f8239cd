"""What the dashboard shows: the documents of :mod:`cocamonitor.documents`, under the names the views use.

The numbers are computed (and cached) by the application layer — municipal values and trend
classes in :mod:`cocamonitor.documents.municipal`, national series in
:mod:`cocamonitor.documents.national`, production in :mod:`cocamonitor.documents.production`,
trend tests in :mod:`cocamonitor.documents.trend` — the same functions the command line uses.
This module adds what only the web needs: checking a query parameter's choice and computing
every cache, the map figures included, at start-up (:func:`warm`).

Examples
--------
>>> check_choice("us", ("unodc", "us"), "source")
'us'
>>> state_years = years()
>>> state_years == tuple(range(state_years[0], state_years[-1] + 1))
True

"""

from __future__ import annotations

from cocamonitor import datasets
from cocamonitor.documents.municipal import (
    PANEL_YEARS,
    check_census_year,
    compare_values,
    map_codes,
    map_scale,
    panel,
    year_values,
    years,
)
from cocamonitor.documents.municipal import municipality_profile as municipality
from cocamonitor.documents.national import SERIES_KEYS, national_table
from cocamonitor.documents.production import (
    PRODUCTION_DRAWS,
    PRODUCTION_SEED,
    ProductionYear,
    production_for_year,
    production_table,
)
from cocamonitor.documents.trend import trend_test_document as trend_document
from cocamonitor.errors import UnknownNameError, suggest

__all__ = [
    "PANEL_YEARS",
    "PRODUCTION_DRAWS",
    "PRODUCTION_SEED",
    "SERIES_KEYS",
    "ProductionYear",
    "check_census_year",
    "check_choice",
    "compare_values",
    "dataset_names",
    "map_codes",
    "map_scale",
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
    """Compute every cached result now, the map figures included (the server calls this at start-up)."""
    from cocamonitor.documents import warm as warm_documents
    from cocamonitor.web.figures import map_figure

    for lang in ("es", "en"):
        map_figure(lang)
    warm_documents()
