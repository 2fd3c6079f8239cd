"""``cocamonitor zonal``: class areas by zone; ``cocamonitor grid``: 1 km grid products."""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from cocamonitor.commands._common import ProgressBar, emit_table, record_result, recording
from cocamonitor.errors import InputError
from cocamonitor.io.outputs import output_file

__all__ = ["register"]

EXAMPLES = "src/cocamonitor/data/examples"
#: Runnable ``--help`` examples (from the repository root), tested in tests/commands.
HELP_EXAMPLES = {
    "zonal": f"cocamonitor zonal --raster {EXAMPLES}/coca_map.tif --municipalities --format csv",
    "density": f"cocamonitor grid density --raster {EXAMPLES}/coca_map.tif --years 2023",
    "permanence": (
        f"cocamonitor grid permanence --raster {EXAMPLES}/coca_reference.tif "
        f"--raster {EXAMPLES}/coca_map.tif --years 2022,2023 --recent 1"
    ),
    "hotspots": f"cocamonitor grid hotspots --raster {EXAMPLES}/coca_map.tif --years 2023",
}


def _epilog(name: str) -> str:
    return f"Example (from the repository root): {HELP_EXAMPLES[name]}"


class ZonalFormat(str, Enum):
    """Output formats of ``zonal``."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class EngineChoice(str, Enum):
    """Tally engines."""

    numpy = "numpy"
    dask = "dask"


class CoverageChoice(str, Enum):
    """Pixel coverage rules."""

    center = "center"  # type: ignore[assignment]  # shadows str.center on purpose: the CLI value
    exact = "exact"


def note(text: str) -> None:
    """Print a note on stderr."""
    logging.getLogger(__name__).info(text)


def check_out(fmt: ZonalFormat, out: Path | None, *, option: str = "--out") -> None:
    """Fail early (before any work) when the output cannot be written.

    Raises
    ------
    InputError
        ``--format parquet`` without ``--out``, or an ``--out`` that is a folder or whose
        folder cannot be created (a missing folder is created).

    """
    if fmt is ZonalFormat.parquet and out is None:
        raise InputError("--format parquet writes a file", where=option,
                         hint="give --out TABLE.parquet")
    if out is not None:
        output_file(out, where=option)


def write_frame(df: pd.DataFrame, fmt: ZonalFormat, out: Path | None, *,
                metadata: dict | None = None) -> None:
    """Print ``df`` on stdout, or write it to ``out`` (parquet needs ``out``)."""
    check_out(fmt, out)
    if fmt is ZonalFormat.parquet:
        import json

        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        if metadata:
            meta = dict(table.schema.metadata or {})
            meta[b"cocamonitor"] = json.dumps(metadata, default=str).encode()
            table = table.replace_schema_metadata(meta)
        pq.write_table(table, out)
        note(f"wrote {len(df)} rows to {out}")
        return
    if out is not None:
        if fmt is ZonalFormat.json:
            df.to_json(out, orient="records", indent=2, force_ascii=False)
        else:
            df.to_csv(out, index=False)
        note(f"wrote {len(df)} rows to {out}")
        return
    emit_table(df, fmt.value)


def zonal_cmd(
    raster: Annotated[Path, typer.Option("--raster", help="Class map (integer GeoTIFF/COG).")],
    zones: Annotated[
        Path | None, typer.Option("--zones", help="Zone polygons (GeoPackage or GeoParquet).")
    ] = None,
    id_field: Annotated[
        str | None, typer.Option("--id-field", help="Column of --zones with the zone ids.")
    ] = None,
    municipalities: Annotated[
        bool, typer.Option("--municipalities", help="Use the bundled municipal boundaries.")
    ] = False,
    grid: Annotated[
        float | None,
        typer.Option("--grid", help="Use square cells of this size in metres as zones "
                     "(e.g. 1000), aligned in the raster's projected CRS."),
    ] = None,
    engine: Annotated[EngineChoice, typer.Option("--engine")] = EngineChoice.numpy,
    workers: Annotated[
        int | None, typer.Option("--workers", help="dask: start a local cluster of N workers.")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="dask: address of a running scheduler, tcp://HOST:PORT."),
    ] = None,
    coverage: Annotated[
        CoverageChoice,
        typer.Option("--coverage", help="center: pixel-centre rule; exact: fractional pixels."),
    ] = CoverageChoice.center,
    equal_area_crs: Annotated[
        str | None,
        typer.Option("--equal-area-crs", help="Equal-area CRS in which to measure every pixel, "
                     "e.g. EPSG:6933: needed for rasters in degrees; on a projected raster it "
                     "replaces the nominal pixel size (CTM12: off by up to 1 %)."),
    ] = None,
    fmt: Annotated[ZonalFormat, typer.Option("--format", "-f")] = ZonalFormat.table,
    out: Annotated[Path | None, typer.Option("--out", help="Write the table to this file.")] = None,
) -> None:
    """Hectares of every map class in every zone (nodata left out and reported on stderr)."""
    from cocamonitor.provenance import Provenance
    from cocamonitor.zonal import tally

    check_out(fmt, out)
    if sum([municipalities, zones is not None, grid is not None]) > 1:
        raise InputError("give one of --zones, --municipalities or --grid",
                         where="--zones/--municipalities/--grid")
    if engine is EngineChoice.numpy and (workers is not None or scheduler is not None):
        raise InputError("--workers and --scheduler need --engine dask", where="--engine",
                         hint="add --engine dask")
    if municipalities:
        from cocamonitor import datasets

        zone_input = datasets.boundaries("municipality")
        id_field = "divipola"
        inputs = [raster]
    elif grid is not None:
        zone_input = None
        inputs = [raster]
    elif zones is not None:
        if id_field is None:
            raise InputError("--zones needs --id-field", where="--id-field",
                             hint="name the column that identifies each zone")
        zone_input = zones
        inputs = [raster, zones]
    else:
        raise InputError("no zones given", where="--zones",
                         hint="give --zones FILE --id-field FIELD, --municipalities or --grid")
    with ProgressBar("zonal tally") as progress:
        result = tally(
            raster, zone_input, id_field=id_field, grid=grid, engine=engine.value,
            coverage=coverage.value, workers=workers, scheduler=scheduler,
            equal_area_crs=equal_area_crs, progress=progress,
        )
    for text in result.notes:
        note(text)
    note(f"pixel areas: {result.pixel_area.get('method')}")
    metadata = None
    if fmt is ZonalFormat.parquet or recording():  # hashing a national raster takes a while
        metadata = Provenance.build(
            inputs=[p for p in inputs if p is not None],
            parameters={"engine": result.engine, "coverage": result.coverage,
                        "equal_area_crs": equal_area_crs, "id_field": id_field,
                        "grid": grid,
                        "pixel_area": result.pixel_area},
        ).to_dict()
    frame = result.to_frame()
    if metadata is not None:
        record_result("zonal", frame, provenance=metadata, result=result)
    write_frame(frame, fmt, out, metadata=metadata if fmt is ZonalFormat.parquet else None)


grid_app = typer.Typer(
    help="The 1 km coca grid: density (ha/km2), permanence classes, Gi* hotspots.",
    no_args_is_help=True,
)

RastersOpt = Annotated[
    list[Path] | None,
    typer.Option("--raster", help="Yearly coca map (repeat the option, one per year)."),
]
YearsOpt = Annotated[
    str | None, typer.Option("--years", help="Years of the rasters: 2019,2020,2021 or 2019-2021.")
]
CocaClassOpt = Annotated[
    str, typer.Option("--coca-class", help="Map value(s) that mean coca, e.g. 1 or 1,3.")
]
CellOpt = Annotated[float, typer.Option("--cell", help="Cell size in metres.")]
OutTifOpt = Annotated[Path | None, typer.Option("--out-tif", help="Write a GeoTIFF here.")]
OutParquetOpt = Annotated[
    Path | None, typer.Option("--out-parquet", help="Write a GeoParquet of cells here.")
]
FmtOpt = Annotated[ZonalFormat, typer.Option("--format", "-f")]


def _check_grid_outputs(fmt: ZonalFormat, out_tif: Path | None, out_parquet: Path | None) -> None:
    """Fail before any work when a ``grid`` command could not write what it is asked to."""
    if fmt is ZonalFormat.parquet:
        raise InputError("grid commands print their summary as table, csv or json",
                         where="--format", hint="write cells with --out-parquet FILE instead")
    for path, option in ((out_tif, "--out-tif"), (out_parquet, "--out-parquet")):
        if path is not None:
            check_out(ZonalFormat.csv, path, option=option)


def _int_list(text: str, where: str) -> list[int]:
    example = "1 or 1,3" if where == "--coca-class" else "2019,2020,2021 or 2019-2021"
    try:
        if "-" in text.strip().lstrip("-") and "," not in text:
            a, b = (int(p) for p in text.split("-", 1))
            return list(range(a, b + 1))
        return [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise InputError(f"cannot read {text!r} as integers", where=where,
                         hint=f"write e.g. {example}") from None


def _density_input(rasters, years, coca_class, cell, fields, year_field, year, crs, density):
    from cocamonitor import grid

    given = sum(x is not None and x != [] for x in (rasters, fields, density))
    if given == 0:
        from cocamonitor.importers.simci_grid import load_imported_grid

        imported = load_imported_grid()
        if imported is not None:
            note(f"using the imported SIMCI grid ({len(imported.cells)} cells, "
                 f"{imported.years[0]}-{imported.years[-1]}; `cocamonitor data import simci-grid`)")
            return imported.density_grid(_int_list(years, "--years") if years else None)
    if given != 1:
        raise InputError("give exactly one of --raster, --fields or --density",
                         where="--raster/--fields/--density",
                         hint="or import the SIMCI grid once with `cocamonitor data import simci-grid FILE`")
    if density is not None:
        return grid.read_density(density, years=_int_list(years, "--years") if years else None)
    if fields is not None:
        from cocamonitor.io.vectors import read_zones

        gdf = read_zones(fields, where="--fields")
        return grid.density_from_polygons(gdf, year_field=year_field, year=year, cell=cell,
                                          crs=crs)
    yrs = _int_list(years, "--years") if years else None
    return grid.density_from_rasters(rasters, years=yrs,
                                     coca_classes=_int_list(coca_class, "--coca-class"),
                                     cell=cell)


FieldsOpt = Annotated[
    Path | None, typer.Option("--fields", help="Coca field polygons (GeoPackage/GeoParquet).")
]
YearFieldOpt = Annotated[str | None, typer.Option("--year-field", help="Year column of --fields.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Year of --fields without a year column.")]
CrsOpt = Annotated[str, typer.Option("--crs", help="Projected CRS of the grid for --fields.")]
DensityOpt = Annotated[
    Path | None, typer.Option("--density", help="Density GeoTIFF from `grid density`.")
]


def _write_grid_outputs(result, what: str, out_tif: Path | None, out_parquet: Path | None, extra: str = "") -> None:
    """Write a grid product to GeoTIFF and/or GeoParquet and say so on stderr."""
    if out_tif:
        result.write_geotiff(out_tif)
        note(f"wrote {what} GeoTIFF {out_tif}{extra}")
    if out_parquet:
        result.write_geoparquet(out_parquet)
        note(f"wrote {what} GeoParquet {out_parquet}")


@grid_app.command("density", epilog=_epilog("density"))
def density_cmd(
    raster: RastersOpt = None,
    years: YearsOpt = None,
    coca_class: CocaClassOpt = "1",
    fields: FieldsOpt = None,
    year_field: YearFieldOpt = None,
    year: YearOpt = None,
    crs: CrsOpt = "EPSG:9377",
    cell: CellOpt = 1000.0,
    out_tif: OutTifOpt = None,
    out_parquet: OutParquetOpt = None,
    fmt: FmtOpt = ZonalFormat.table,
) -> None:
    """Coca density (ha per km2) per grid cell and year, from coca maps or field polygons."""
    _check_grid_outputs(fmt, out_tif, out_parquet)
    g = _density_input(raster, years, coca_class, cell, fields, year_field, year, crs, None)
    _write_grid_outputs(g, "density", out_tif, out_parquet, f" ({len(g.years)} band(s))")
    d = g.to_dict()
    dens = g.density
    rows = pd.DataFrame({
        "year": list(g.years),
        "cells_with_coca": [d["cells_with_coca"][y] for y in g.years],
        "coca_ha": [d["coca_ha"][y] for y in g.years],
        "max_density_ha_km2": [float(np.nanmax(dens[k])) if np.isfinite(dens[k]).any()
                               else None for k in range(len(g.years))],
    })
    write_frame(rows, fmt, None)


@grid_app.command("permanence", epilog=_epilog("permanence"))
def permanence_cmd(
    raster: RastersOpt = None,
    years: YearsOpt = None,
    coca_class: CocaClassOpt = "1",
    fields: FieldsOpt = None,
    year_field: YearFieldOpt = None,
    density: DensityOpt = None,
    cell: CellOpt = 1000.0,
    crs: CrsOpt = "EPSG:9377",
    last: Annotated[int | None, typer.Option("--last", help="Use the last N years.")] = None,
    recent: Annotated[int, typer.Option("--recent", help="Years in the recent period.")] = 3,
    min_ha: Annotated[float, typer.Option("--min-ha", help="Coca above this many ha counts.")] = 0.0,
    out_tif: OutTifOpt = None,
    out_parquet: OutParquetOpt = None,
    fmt: FmtOpt = ZonalFormat.table,
) -> None:
    """Years with coca in the last N years: permanent / intermittent / new / abandoned cells."""
    _check_grid_outputs(fmt, out_tif, out_parquet)
    from cocamonitor import grid

    g = _density_input(raster, years, coca_class, cell, fields, year_field, None, crs, density)
    p = grid.permanence(g, last=last, recent=recent, min_ha=min_ha)
    _write_grid_outputs(p, "permanence", out_tif, out_parquet)
    d = p.to_dict()
    note(f"years {p.years[0]}-{p.years[-1]}, recent period = last {p.recent} year(s)")
    if d["unobserved_cells"]:
        note(f"{d['unobserved_cells']} cell(s) not observed every year were left out")
    rows = pd.DataFrame({"class": list(d["cells"]), "cells": list(d["cells"].values())})
    write_frame(rows, fmt, None)


@grid_app.command("hotspots", epilog=_epilog("hotspots"))
def hotspots_cmd(
    density: DensityOpt = None,
    raster: RastersOpt = None,
    years: YearsOpt = None,
    coca_class: CocaClassOpt = "1",
    fields: FieldsOpt = None,
    year_field: YearFieldOpt = None,
    cell: CellOpt = 1000.0,
    crs: CrsOpt = "EPSG:9377",
    year: Annotated[int | None, typer.Option("--year", help="Year to analyse (default last).")] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="False discovery rate.")] = 0.05,
    permutations: Annotated[
        int, typer.Option("--permutations", help="0: normal p-values; N: permutation p-values.")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    out_tif: OutTifOpt = None,
    out_parquet: OutParquetOpt = None,
    fmt: FmtOpt = ZonalFormat.table,
) -> None:
    """Getis-Ord Gi* hot and cold spots of density, FDR-controlled (Benjamini-Hochberg)."""
    _check_grid_outputs(fmt, out_tif, out_parquet)
    from cocamonitor import grid

    g = _density_input(raster, years, coca_class, cell, fields, year_field, None, crs, density)
    h = grid.hotspots(g, year=year, alpha=alpha, permutations=permutations, seed=seed)
    _write_grid_outputs(h, "hotspot", out_tif, out_parquet)
    d = h.to_dict()
    note(f"{d['year']}: {d['hot']} hot and {d['cold']} cold cell(s) of {d['cells']} "
         f"at FDR {alpha:g} ({d['method']} p-values)")
    sig = h.table[h.table["hotspot"] != "not significant"]
    cols = ["cell", "x", "y", "density_ha_km2", "z", "p_value", "q_value", "hotspot"]
    write_frame(sig[cols].reset_index(drop=True), fmt, None)


def register(app: typer.Typer) -> None:
    """Add ``zonal`` and the ``grid`` group to the root app."""
    app.command("zonal", help="Hectares of every map class in every zone.",
                epilog=_epilog("zonal"))(zonal_cmd)
    app.add_typer(grid_app, name="grid")
