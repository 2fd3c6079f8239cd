"""The counternarcotics results document: ``indicators show`` as JSON and ``/api/indicators``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cocamonitor.errors import InputError, UnknownNameError, suggest

if TYPE_CHECKING:
    from cocamonitor.indicators import IndicatorTable

__all__ = ["indicators_document"]

_PARAMETERS = ("years", "by", "indicator", "min_coca_ha")


def indicators_document(
    years: str | None,
    by: str = "national",
    indicator: str | None = None,
    *,
    targets: Path | None = None,
    min_coca_ha: float | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[IndicatorTable, dict[str, Any]]:
    """Check the arguments, build the results table and its JSON document (with provenance).

    Parameters
    ----------
    years : str or None
        One year (``"2024"``) or a range (``"2015-2024"``); ``None``: every year of the data.
    by : {"national", "department", "pdet-subregion"}
        Level of the rows.
    indicator : str, optional
        Only these indicators, comma-separated.
    targets : path, optional
        CSV/Parquet of targets (``year, indicator, target`` ...).
    min_coca_ha : float, optional
        Ratios are not shown where the coca area is below this (ha); default
        :data:`cocamonitor.indicators.MIN_COCA_HA`.
    names : mapping of str to str, optional
        What the caller calls ``years``, ``by``, ``indicator`` and ``min_coca_ha``, for error
        messages (the command line passes its options).

    Returns
    -------
    (IndicatorTable, dict)
        The table and its document: rows, notes, the files imported from the user data folder
        (name, SHA-256, import date) and provenance.

    Examples
    --------
    >>> res, doc = indicators_document("2024", indicator="labs_destroyed")
    >>> doc["indicators"][0]["value"], sorted(doc["provenance"])
    (5233.0, ['inputs', 'parameters', 'version'])

    """
    from cocamonitor import indicators as ind
    from cocamonitor import userdata
    from cocamonitor.io.years import parse_year_span
    from cocamonitor.provenance import Provenance

    if min_coca_ha is None:
        min_coca_ha = ind.MIN_COCA_HA
    name = {**{p: p for p in _PARAMETERS}, **(names or {})}
    level = by.strip().lower()
    if level not in ind.LEVELS:
        raise UnknownNameError(f"unknown level {by!r}", where=name["by"], hint=suggest(level, ind.LEVELS[:3]))
    span = parse_year_span(years, where=name["years"]) if years is not None else None
    chosen = None
    if indicator is not None:
        chosen = [n.strip() for n in indicator.split(",") if n.strip()]
        bad = [n for n in chosen if n not in {i.name for i in ind.INDICATORS}]
        if bad or not chosen:
            raise UnknownNameError(f"unknown indicator {bad[0] if bad else indicator!r}", where=name["indicator"],
                                   hint=ind.suggest_indicator(bad[0] if bad else ""))
    if min_coca_ha < 0:
        raise InputError(f"must be >= 0, got {min_coca_ha}", where=name["min_coca_ha"])
    tg = ind.read_targets(targets) if targets is not None else None
    ind_inputs = ind.IndicatorInputs.from_datasets()
    try:
        res = ind.results_table(span, by=level, indicators=chosen, targets=tg, min_coca_ha=min_coca_ha,
                                inputs=ind_inputs)
    except InputError as err:
        if err.where == "years":
            raise InputError(err.message, where=name["years"], hint=err.hint) from None
        raise
    folder = userdata.resolve(create=False)
    imported = [folder / e["file"] for e in ind_inputs.imported]
    inputs = [*ind.IndicatorInputs.files(), *imported, *([targets] if targets is not None else [])]
    doc = res.to_dict()
    # what came from the user data folder: the file imported, its SHA-256 and the import date
    doc["imported"] = [{k: e[k] for k in ("name", "kind", "source", "source_sha256", "imported", "rows")}
                       for e in ind_inputs.imported]
    doc["provenance"] = Provenance.build(inputs=inputs, parameters={
        "years": list(res.years), "by": level, "indicators": chosen,
        "targets": str(targets) if targets is not None else None, "min_coca_ha": min_coca_ha,
    }).to_dict()
    return res, doc
