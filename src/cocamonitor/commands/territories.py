"""``cocamonitor territories add | list | coca``: coca in parks, resguardos and other special territories."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from cocamonitor.commands._common import TableFormat

__all__ = ["register"]

territories_app = typer.Typer(
    help="Special territories (RUNAP parks, ANT resguardos and consejos comunitarios, SIAC Ley 2a reserves): "
    "register the layers you download and tally the SIMCI 1 km grid inside them.",
    no_args_is_help=True,
)


def _note(text: str) -> None:
    logging.getLogger(__name__).info(text)


@territories_app.command("add")
def add_cmd(
    kind: Annotated[str, typer.Argument(help="Layer name: parks, resguardos, consejos, ley2, ...")],
    file: Annotated[Path, typer.Argument(help="Polygons: GeoPackage, shapefile, GeoJSON or GeoParquet, any CRS.")],
    name_field: Annotated[str, typer.Option("--name-field", help="Column with the territory names.")],
) -> None:
    """Register a territory layer in the user data folder.

    Example: cocamonitor territories add parks runap.gpkg --name-field nombre
    """
    from cocamonitor.territories import add_layer

    entry, notes = add_layer(kind, file, name_field=name_field, where="FILE")  # id_field: OPTION_NAMES
    for line in notes:
        _note(line)
    _note(f"registered {entry.meta['territories']} territories of {file.name} as layer {entry.name!r} "
          f"({entry.meta['repaired']} geometr{'y' if entry.meta['repaired'] == 1 else 'ies'} repaired)")


@territories_app.command("list")
def list_cmd(
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """List the registered territory layers and their sources."""
    import pandas as pd

    from cocamonitor import userdata
    from cocamonitor.commands._common import emit_table
    from cocamonitor.territories import KIND

    items = userdata.entries(kind=KIND)
    df = pd.DataFrame({
        "layer": [e.name for e in items], "territories": [e.rows for e in items],
        "source": [e.source for e in items], "imported": [e.imported for e in items],
        "sha256": [e.source_sha256[:12] for e in items],
    })
    emit_table(df, fmt, title="Territory layers")


@territories_app.command("coca")
def coca_cmd(
    layer: Annotated[list[str], typer.Option("--layer", help="Registered layer(s): parks or parks,resguardos.")],
    years: Annotated[str | None, typer.Option("--years", help="Years, e.g. 2015-2024 (default all).")] = None,
    buffer: Annotated[
        str | None, typer.Option("--buffer", help="Rings around each territory, e.g. 10km,20km.")
    ] = None,
    raster: Annotated[
        list[Path] | None,
        typer.Option("--raster", help="Coca maps instead of the grid, one per year (repeat); years from --years "
                     "or the file names."),
    ] = None,
    coca_class: Annotated[str, typer.Option("--coca-class", help="Map value(s) of --raster that mean coca.")] = "1",
    rings: Annotated[bool, typer.Option("--rings/--no-rings", help="Print the buffer rows too.")] = True,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table, csv or json.")] = TableFormat.table,
) -> None:
    """Coca hectares of the SIMCI grid inside each territory (and in rings around it), per year.

    Each cell counts with the exact fraction of its area inside the polygon (exactextract).
    Totals count overlaps between territories and between layers once.

    Example: cocamonitor territories coca --layer parks,resguardos --years 2015-2023 --buffer 10km,20km
    """
    from cocamonitor.commands._common import emit_json, emit_table, record_result
    from cocamonitor.errors import InputError
    from cocamonitor.importers.simci_grid import load_imported_grid
    from cocamonitor.io.years import parse_years
    from cocamonitor.territories import coca_in_territories, load_layer, parse_buffers

    names = [n.strip() for item in layer for n in item.split(",") if n.strip()]
    if not names:
        raise InputError("no layer given", where="--layer", hint="e.g. --layer parks")
    bufs = parse_buffers(buffer, where="--buffer")
    maps = None
    grid = None
    if raster:
        from cocamonitor.commands.forest import _years_for

        maps = dict(zip(_years_for(list(raster), years, "--raster", "--years"), raster, strict=True))
        try:
            classes = [int(c) for c in coca_class.split(",") if c.strip()]
        except ValueError:
            raise InputError(f"cannot read {coca_class!r} as map values", where="--coca-class",
                             hint="e.g. 1 or 1,3") from None
    else:
        grid = load_imported_grid()
        if grid is None:
            raise InputError("no SIMCI grid imported", where="--layer",
                             hint="import it first: `cocamonitor data import simci-grid FILE` (datos.gov.co "
                                  "v3rx-q7t3), or give coca maps with --raster")
    yrs = parse_years(years, where="--years") if years and grid is not None else None
    if yrs and grid is not None:
        bad = [y for y in yrs if y not in grid.years]
        if bad:
            raise InputError(f"year {bad[0]} is not in the imported SIMCI grid", where="--years",
                             hint=f"years in the grid: {grid.years[0]}-{grid.years[-1]}")
    layer_map = {}
    for n in names:
        try:
            layer_map[n] = load_layer(n)
        except InputError as err:
            err.where = "--layer"
            err.args = (err._render(),)
            raise
    if maps is not None:
        from cocamonitor.territories import coca_in_territories_from_maps

        try:
            res = coca_in_territories_from_maps(layer_map, maps, coca_classes=classes, buffers=bufs)
        except InputError as err:
            if err.where == "maps":
                err.where = "--raster"
                err.args = (err._render(),)
            raise
    else:
        res = coca_in_territories(layer_map, grid, years=yrs, buffers=bufs)
    record_result("territories coca", res.to_dict(), provenance=res.provenance, result=res)
    for row in res.overlaps.groupby(["layer_a", "layer_b"], sort=False).last().reset_index().itertuples():
        if row.area_ha > 0:
            _note(f"{row.layer_a} and {row.layer_b} overlap on {row.area_ha:,.0f} ha ({row.coca_ha:,.1f} ha of coca "
                  f"in {row.year}); the '(all layers)' total counts it once")
    empty = int(res.table["cells_without_value"].max()) if len(res.table) else 0
    if empty:
        _note("some cells (grid) or pixels (maps) inside territories have no value for a year; "
              "they count as 0 ha (column cells_without_value)")
    table = res.table if rings else res.table[res.table["zone"] == "inside"]
    if fmt is TableFormat.json:
        emit_json({**res.to_dict(), "territories": table.to_dict("records")})
    else:
        emit_table(table.reset_index(drop=True), fmt, title="Coca in territories (ha)", nowrap=("territory",))


def register(app: typer.Typer) -> None:
    """Add the ``territories`` group to the root app."""
    app.add_typer(territories_app, name="territories")
