"""``cocamonitor indicators list | show``: counternarcotics results by year, against targets.

``show`` prints one row per (territory, year, indicator, source); two publishers reporting the
same indicator give two rows, and a year without a figure stays empty with a note. Caveats of
the whole table go to stderr (table, CSV) or into the JSON document (``notes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cocamonitor import indicators as ind
from cocamonitor.commands._common import TableFormat, emit_json, emit_table, err_console
from cocamonitor.io.years import parse_year_span

__all__ = ["indicators_app", "parse_years", "register"]

indicators_app = typer.Typer(
    help="Counternarcotics results (coca area, spraying, eradication, seizures, labs) and targets.",
    no_args_is_help=True,
)

FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")]

#: What ``indicators show`` calls the parameters of :func:`cocamonitor.documents.indicators_document`.
_OPTIONS = {"years": "--years", "by": "--by", "indicator": "--indicator", "min_coca_ha": "--min-coca-ha"}


def parse_years(text: str, where: str = "--years") -> tuple[int, int]:
    """Read ``"2024"`` or ``"2015-2024"`` into (first, last), or say how to write it.

    Examples
    --------
    >>> parse_years("2015-2024"), parse_years(" 2024 ")
    ((2015, 2024), (2024, 2024))

    """
    return parse_year_span(text, where=where)


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
    from cocamonitor.documents.indicators import indicators_document

    res, doc = indicators_document(years, by, indicator, targets=targets, min_coca_ha=min_coca_ha, names=_OPTIONS)
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


def __getattr__(name: str) -> Any:
    """``indicators_document`` moved to :mod:`cocamonitor.documents`; still importable from here (deprecated)."""
    if name == "indicators_document":
        import warnings

        from cocamonitor.documents.indicators import indicators_document

        warnings.warn("cocamonitor.commands.indicators.indicators_document moved to "
                      "cocamonitor.documents.indicators_document (`option` is now `names`)",
                      DeprecationWarning, stacklevel=2)

        def _old(years: str | None, by: str = "national", indicator: str | None = None, *,
                 targets: Path | None = None, min_coca_ha: float = ind.MIN_COCA_HA,
                 option: dict[str, str] | None = None) -> tuple[ind.IndicatorTable, dict]:
            return indicators_document(years, by, indicator, targets=targets, min_coca_ha=min_coca_ha,
                                       names={**_OPTIONS, **(option or {})})

        return _old
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
