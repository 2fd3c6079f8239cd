"""``cocamonitor indicators list | show``: counternarcotics results by year, against targets.

``show`` prints one row per (territory, year, indicator, source); two publishers reporting the
same indicator give two rows, and a year without a figure stays empty with a note. Caveats of
the whole table go to stderr (table, CSV) or into the JSON document (``notes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cocamonitor import indicators as ind
from cocamonitor.commands._common import TableFormat, emit_json, emit_table, err_console
from cocamonitor.errors import InputError, UnknownNameError, suggest
from cocamonitor.io.years import parse_year_span

__all__ = ["indicators_app", "indicators_document", "parse_years", "register"]

indicators_app = typer.Typer(
    help="Counternarcotics results (coca area, spraying, eradication, seizures, labs) and targets.",
    no_args_is_help=True,
)

FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]


def parse_years(text: str, where: str = "--years") -> tuple[int, int]:
    """Read ``"2024"`` or ``"2015-2024"`` into (first, last), or say how to write it.

    Examples
    --------
    >>> parse_years("2015-2024"), parse_years(" 2024 ")
    ((2015, 2024), (2024, 2024))

    """
    return parse_year_span(text, where=where)


def indicators_document(
    years: str | None,
    by: str = "national",
    indicator: str | None = None,
    *,
    targets: Path | None = None,
    min_coca_ha: float = ind.MIN_COCA_HA,
    option: dict[str, str] | None = None,
) -> tuple[ind.IndicatorTable, dict]:
    """Check the options, build the results table and its JSON document (with provenance).

    Shared by ``indicators show`` and the web API (``/api/indicators``); ``option`` renames
    the options in error messages (e.g. ``{"years": "years"}`` for query parameters).

    Examples
    --------
    >>> res, doc = indicators_document("2024", indicator="labs_destroyed")
    >>> doc["indicators"][0]["value"], sorted(doc["provenance"])
    (5233.0, ['inputs', 'parameters', 'version'])

    """
    from cocamonitor.provenance import Provenance

    name = {"years": "--years", "by": "--by", "indicator": "--indicator", "min_coca_ha": "--min-coca-ha",
            **(option or {})}
    level = by.strip().lower()
    if level not in ind.LEVELS:
        raise UnknownNameError(f"unknown level {by!r}", where=name["by"], hint=suggest(level, ind.LEVELS[:3]))
    span = parse_years(years, where=name["years"]) if years is not None else None
    names = None
    if indicator is not None:
        names = [n.strip() for n in indicator.split(",") if n.strip()]
        bad = [n for n in names if n not in {i.name for i in ind.INDICATORS}]
        if bad or not names:
            raise UnknownNameError(f"unknown indicator {bad[0] if bad else indicator!r}", where=name["indicator"],
                                   hint=ind.suggest_indicator(bad[0] if bad else ""))
    if min_coca_ha < 0:
        raise InputError(f"must be >= 0, got {min_coca_ha}", where=name["min_coca_ha"])
    tg = ind.read_targets(targets) if targets is not None else None
    from cocamonitor import userdata

    ind_inputs = ind.IndicatorInputs.from_datasets()
    try:
        res = ind.results_table(span, by=level, indicators=names, targets=tg, min_coca_ha=min_coca_ha,
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
        "years": list(res.years), "by": level, "indicators": names,
        "targets": str(targets) if targets is not None else None, "min_coca_ha": min_coca_ha,
    }).to_dict()
    return res, doc


@indicators_app.command("list")
def list_cmd(fmt: FormatOpt = TableFormat.table) -> None:
    """List the indicators: unit, kind, whether they exist by territory, sources and their years.

    Example: cocamonitor indicators list --format csv
    """
    table = ind.list_indicators()
    if fmt is TableFormat.table:
        table = table[["indicator", "kind", "unit", "by_territory", "sources"]]
    emit_table(table, fmt, title="Counternarcotics indicators", nowrap=("indicator",))


@indicators_app.command("show")
def show_cmd(
    years: Annotated[str | None, typer.Option("--years", help="One year (2024) or a range (2015-2024); "
                                              "default: every year of the data.")] = None,
    by: Annotated[str, typer.Option("--by", help="national, department or pdet-subregion.")] = "national",
    indicator: Annotated[str | None, typer.Option(
        "--indicator", help="Only these indicators, comma-separated (see `indicators list`).")] = None,
    targets: Annotated[Path | None, typer.Option(
        "--targets", help="CSV/Parquet with columns year, indicator, target "
        "(optional direction at_least|at_most, territory).")] = None,
    min_coca_ha: Annotated[float, typer.Option(
        "--min-coca-ha", help="Ratios are not shown where the coca area is below this (ha).")] = ind.MIN_COCA_HA,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Show the annual results table: values, sources, year-on-year change, ratios, targets.

    Example: cocamonitor indicators show --years 2020-2024 --indicator labs_destroyed,labs_per_1000_ha_coca
    """
    res, doc = indicators_document(years, by, indicator, targets=targets, min_coca_ha=min_coca_ha)
    if fmt is TableFormat.json:
        emit_json(doc)
        return
    level = res.level
    for text in res.notes:
        err_console.print(f"note: {text}", markup=False, highlight=False)
    table = res.to_frame()
    if fmt is TableFormat.csv:
        emit_table(table, fmt)
        return
    cols = ["year", "indicator", "source", "value", "unit", "change_pct", "note"]
    if targets is not None:  # notes and units are in the CSV and JSON output; the rows with a target here
        cols = ["year", "indicator", "source", "value", "target", "actual_over_target", "met"]
        table = table[table["target"].notna()]
    if level != "national":
        cols.insert(0, "territory")
    lo, hi = res.years
    title = f"Counternarcotics results {lo if lo == hi else f'{lo}-{hi}'} ({level})"
    keep = ("year", "indicator", "value", "change_pct", "target", "actual_over_target", "met")
    emit_table(table[cols], fmt, title=title, nowrap=keep)


def register(app: typer.Typer) -> None:
    """Add the ``indicators`` group to the root app."""
    app.add_typer(indicators_app, name="indicators")
