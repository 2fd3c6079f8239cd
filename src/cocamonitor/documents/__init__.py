"""The application layer: the JSON-ready documents the command line prints and the web API serves.

Functions here take typed arguments, check them and return plain dicts, lists and DataFrames
that :func:`to_jsonable` turns into JSON. Errors name the functions' own parameters; an edge
that calls them otherwise passes ``names`` (the command line its options). The two edges,
:mod:`cocamonitor.commands` (the command line) and :mod:`cocamonitor.web` (dashboard and API),
call this layer and never each other; this layer imports neither of them, nor the report
(``tests/test_architecture.py`` checks it).

Modules, by concern:

* :mod:`~cocamonitor.documents.jsonable` — :func:`to_jsonable`, the last step of every document;
* :mod:`~cocamonitor.documents.tables` — rows of a bundled dataset, filtered and named;
* :mod:`~cocamonitor.documents.indicators` — the counternarcotics results document;
* :mod:`~cocamonitor.documents.municipal` — map values, changes, trend classes, profiles;
* :mod:`~cocamonitor.documents.national` — the published national series side by side;
* :mod:`~cocamonitor.documents.production` — production of every census year;
* :mod:`~cocamonitor.documents.trend` — the national trend test and the sentences of trend results;
* :mod:`~cocamonitor.documents.narratives` — those sentences' catalogues, English and Spanish.

Importing this package is light (standard library only): names are loaded on first use.

Examples
--------
>>> from cocamonitor.documents import filter_table, to_jsonable
>>> to_jsonable({"n": 1.0})
{'n': 1.0}

"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "compare_values",
    "describe_releases",
    "filter_table",
    "indicators_document",
    "municipality_profile",
    "narrate",
    "national_document",
    "national_table",
    "production_for_year",
    "production_table",
    "to_jsonable",
    "trend_test_document",
    "warm",
    "with_territory_names",
    "year_values",
]

#: public name -> module defining it (imported on first use)
_WHERE = {
    "to_jsonable": "jsonable",
    "filter_table": "tables",
    "with_territory_names": "tables",
    "indicators_document": "indicators",
    "compare_values": "municipal",
    "municipality_profile": "municipal",
    "year_values": "municipal",
    "national_document": "national",
    "national_table": "national",
    "production_for_year": "production",
    "production_table": "production",
    "describe_releases": "trend",
    "trend_test_document": "trend",
    "narrate": "narratives",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


def warm() -> None:
    """Compute the cached documents now: trend panel, map scale, national series, production, trend tests.

    The web server calls it at start-up (through :func:`cocamonitor.web.state.warm`), so that
    the first requests answer from memory.
    """
    from cocamonitor.documents.municipal import map_scale, panel
    from cocamonitor.documents.national import SERIES_KEYS, national_table
    from cocamonitor.documents.production import production_table
    from cocamonitor.documents.trend import trend_test_document
    from cocamonitor.errors import InputError

    map_scale()
    panel()
    national_table()
    production_table()
    for source, metric in SERIES_KEYS:
        try:
            trend_test_document(source, metric, skip_missing=True)
        except InputError:  # pragma: no cover - a series too short to test
            pass
