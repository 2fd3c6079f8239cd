"""``cocamonitor data list | show NAME``: the bundled datasets and their provenance."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from cocamonitor import datasets
from cocamonitor.commands._common import TableFormat, emit_table
from cocamonitor.commands._vintage import AsOfOpt, VintageOpt, check_release_options
from cocamonitor.errors import InputError

__all__ = ["register"]

data_app = typer.Typer(
    help="Bundled real datasets (SIMCI, UNODC, US, DANE, MinDefensa) and their provenance.", no_args_is_help=True
)

#: What ``data show`` calls the parameters of :func:`cocamonitor.documents.filter_table`.
_OPTIONS = {"year": "--year", "department": "--department", "municipality": "--municipality"}

FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json (list of records).")]

log = logging.getLogger(__name__)

import_app = typer.Typer(
    help="Import official files into the user data folder (--data-dir), used beside the bundled data.",
    no_args_is_help=True,
)
data_app.add_typer(import_app, name="import")


@data_app.command("list")
def list_cmd(fmt: FormatOpt = TableFormat.table) -> None:
    """List the bundled datasets.

    Example: cocamonitor data list --format csv
    """
    columns = {"name": list(datasets.DATASETS), "description": list(datasets.DATASETS.values())}
    emit_table(columns, fmt, title="Bundled datasets")  # plain columns: no pandas to import


@data_app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Dataset name (see `cocamonitor data list`).")],
    year: Annotated[str | None, typer.Option(help="Year, list (2019,2020) or range (2015-2020).")] = None,
    department: Annotated[str | None, typer.Option(help="Department name or 2-digit code.")] = None,
    municipality: Annotated[str | None, typer.Option(help="Municipality name or 5-digit DIVIPOLA code.")] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Show at most this many rows (table format only).")
    ] = None,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = "latest",
    all_vintages: Annotated[
        bool, typer.Option("--all-vintages", help="coca-national: every release of each figure, not one.")
    ] = False,
    fmt: FormatOpt = TableFormat.table,
) -> None:
    """Show a bundled dataset, optionally filtered.

    coca-national shows one release of each figure (the latest to date, or as known on --as-of);
    every row says when it was released, in which publication and how it was seen.

    Example: cocamonitor data show coca-national --as-of 2021-06-30 --year 2020
    """
    if name == "coca-national":
        day, vintage = check_release_options(as_of, vintage)
        df = datasets.national_figures(as_of=day, vintage=vintage, all_vintages=all_vintages)
    elif as_of is not None or vintage != "latest" or all_vintages:
        raise InputError(f"dataset {name!r} has one release", where="--as-of/--vintage/--all-vintages",
                         hint="these options apply to coca-national")
    else:
        df = datasets.load(name)
    from cocamonitor.documents.tables import filter_table, with_territory_names

    df = filter_table(name, df, year=year, department=department, municipality=municipality, names=_OPTIONS)
    df = with_territory_names(df)
    if fmt is TableFormat.table and limit is None and len(df) > 200:
        limit = 200
        log.info("showing the first 200 of %d rows; use --format csv for all", len(df))
    if limit is not None and fmt is TableFormat.table:
        df = df.head(limit)
    emit_table(df.reset_index(drop=True), fmt, title=name)


@import_app.command("mindefensa")
def import_mindefensa_cmd(
    file: Annotated[Path, typer.Argument(help="The Ministry of Defence event file (.xlsx, .xls or .csv).")],
    result: Annotated[str | None, typer.Option(
        "--result", help="Which result the file holds (e.g. cocaine_seizures); default: from its name and units.",
    )] = None,
) -> None:
    """Import a Ministry of Defence counternarcotics event file (eradication, seizures, precursors, labs).

    The result is recognised from the file name (ERRADICACIÓN, INCAUTACIÓN DE COCAÍNA, ... ,
    DESTRUCCIÓN DE INFRAESTRUCTURAS) and its units; quantities are converted to kg, L, ha or a
    count and summed by municipality and year. A newer file of the same result replaces the
    previous import; the same file twice changes nothing.

    Example: cocamonitor data import mindefensa "INCAUTACIÓN DE HEROINA.xlsx"
    """
    from cocamonitor import userdata
    from cocamonitor.errors import UnknownNameError as _Unknown
    from cocamonitor.importers import mindefensa

    try:
        events, entry, changed = mindefensa.import_file(file, result=result)
    except _Unknown as err:
        if err.where == "result":
            raise _Unknown(err.message, where="--result", hint=err.hint) from None
        raise
    m = events.meta
    folder = userdata.resolve(create=False)
    if not changed:
        typer.echo(f"unchanged: {file} was imported already on {entry.imported} as {entry.name} "
                   f"(sha256 {entry.source_sha256[:12]})")
        return
    lo, hi = m["years"]
    typer.echo(f"imported {m['title_es']} ({events.result.key}): {m['events']:,} events {lo}-{hi}, "
               f"{m['total']:,.1f} {m['unit']} -> {folder / entry.file} (sha256 {entry.source_sha256[:12]})")
    converted = [u for u in m["units_found"] if u.upper() not in {"KILOGRAMO", "KILOGRAMOS", "HECTAREA",
                                                                  "HECTAREAS", "LITRO", "LITROS", "UNIDAD"}]
    if converted:
        log.info(f"converted to {m['unit']}: " + ", ".join(f"{m['units_found'][u]:,} events in {u}"
                                                          for u in converted))
    if m["outside_colombia"]:
        log.info("kept without a Colombian municipality (abroad or not located): "
                 + "; ".join(f"{k} {v}" for k, v in m["outside_colombia"].items()))


@import_app.command("results")
def import_results_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with columns year;indicator;value;unit;source (optional note).")],
) -> None:
    """Import your own results table (supply chain, demand, any reported indicator), national figures.

    One row per figure: year, indicator (see `cocamonitor indicators list`), value (either decimal
    convention), unit (the indicator's, or kg/t/g and L/gal converted), source (who published it).

    Example: cocamonitor data import results supply_chain.csv
    """
    from cocamonitor.importers import results_csv

    rows, entry, changed = results_csv.import_file(file)
    if not changed:
        typer.echo(f"unchanged: {file} was imported already on {entry.imported} as {entry.name}")
        return
    lo, hi = entry.meta["years"]
    typer.echo(f"imported {len(rows)} figures ({', '.join(entry.meta['indicators'])}) {lo}-{hi} as {entry.name} "
               f"(sha256 {entry.source_sha256[:12]})")


@import_app.command("simci-grid")
def import_simci_grid_cmd(
    file: Annotated[Path, typer.Argument(help="The v3rx-q7t3 export: GeoJSON, shapefile or CSV.")],
) -> None:
    """Import the SIMCI 1 km coca grid (datos.gov.co v3rx-q7t3), used from then on by `grid` and `territories`.

    Example: cocamonitor data import simci-grid Densidad_de_Cultivos_de_Coca.geojson
    """
    from cocamonitor.importers.simci_grid import import_simci_grid

    entry, grid = import_simci_grid(file)
    for line in grid.notes:
        log.info(line)
    lat = grid.lattice
    log.info(f"imported {len(grid.cells)} cells x {len(grid.years)} years ({grid.years[0]}-{grid.years[-1]}), "
             f"{lat.cell:g} m cells in {lat.crs}, into {entry.name} ({entry.source_sha256[:12]})")


def register(app: typer.Typer) -> None:
    """Add the ``data`` group to the root app."""
    app.add_typer(data_app, name="data")


def __getattr__(name: str) -> Any:
    """``filter_table`` moved to :mod:`cocamonitor.documents`; still importable from here (deprecated)."""
    if name == "filter_table":
        import functools
        import warnings

        from cocamonitor.documents.tables import filter_table

        warnings.warn("cocamonitor.commands.data.filter_table moved to cocamonitor.documents.filter_table",
                      DeprecationWarning, stacklevel=2)
        return functools.partial(filter_table, names=_OPTIONS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
